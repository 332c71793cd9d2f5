"""A small recommender built on embeddings, in the four stages of a production system.

1. Candidate generation: the flits nearest to the bird's taste vector (the normalised mean of the
   embeddings of the flits it liked), from all flits down to `n_candidates`.
2. Ranking: score = cosine(taste, flit) + popularity_weight * log(1 + likes) / log(1 + max likes).
3. Filtering: business rules (hide flits already liked, hide topics, a minimum like count).
4. Retrieval: the top `top_n` of what is left, as the feed.
"""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.neighbours.similarity import normalize_rows


@dataclass(frozen=True)
class Stage:
    name: str
    count: int
    milliseconds: float


@dataclass(frozen=True)
class Rules:
    hide_liked: bool = True
    hidden_topics: tuple[str, ...] = ()
    min_likes: int = 0


@dataclass(frozen=True)
class Feed:
    rows: np.ndarray            # flit row numbers, best first
    similarity: np.ndarray      # cosine to the taste vector
    score: np.ndarray           # ranking score
    stages: list[Stage] = field(default_factory=list)


def taste_vector(X: np.ndarray, liked_rows) -> np.ndarray:
    """The direction of what a bird likes: the normalised mean of its liked flits' (normalised) vectors."""
    liked = normalize_rows(np.asarray(X)[np.asarray(liked_rows, dtype=int)])
    return normalize_rows(liked.mean(axis=0, keepdims=True))[0]


def rank_scores(similarity: np.ndarray, likes: np.ndarray, popularity_weight: float, max_likes: int) -> np.ndarray:
    """cosine + weight * log(1 + likes) / log(1 + the most likes of any flit)."""
    popularity = np.log1p(likes) / np.log1p(max(max_likes, 1))
    return similarity + popularity_weight * popularity


def recommend(X, liked_rows, *, likes, topics, rules: Rules = Rules(), n_candidates: int = 200,
              popularity_weight: float = 0.1, top_n: int = 10) -> Feed:
    likes, topics = np.asarray(likes), np.asarray(topics, dtype=object)
    stages, clock = [Stage("all flits", len(likes), 0.0)], time.perf_counter()

    taste = taste_vector(X, liked_rows)
    similarity = normalize_rows(X) @ taste
    candidates = np.argsort(-similarity, kind="stable")[:n_candidates]
    clock = _stage(stages, "candidate generation", candidates, clock)

    scores = rank_scores(similarity[candidates], likes[candidates], popularity_weight, likes.max())
    ranked = candidates[np.argsort(-scores, kind="stable")]
    clock = _stage(stages, "ranking", ranked, clock)

    keep = np.ones(len(ranked), dtype=bool)
    if rules.hide_liked:
        keep &= ~np.isin(ranked, np.asarray(liked_rows, dtype=int))
    if rules.hidden_topics:
        keep &= ~np.isin(topics[ranked], list(rules.hidden_topics))
    keep &= likes[ranked] >= rules.min_likes
    allowed = ranked[keep]
    clock = _stage(stages, "filtering", allowed, clock)

    feed = allowed[:top_n]
    _stage(stages, "retrieval", feed, clock)
    final = rank_scores(similarity[feed], likes[feed], popularity_weight, likes.max())
    return Feed(rows=feed, similarity=similarity[feed], score=final, stages=stages)


def _stage(stages: list[Stage], name: str, rows: np.ndarray, since: float) -> float:
    now = time.perf_counter()
    stages.append(Stage(name, len(rows), (now - since) * 1000))
    return now


def evaluate(X, liked_by: Mapping[str, Sequence[int]], likes, *, k: int = 10, holdout: float = 0.2,
             popularity_weight: float = 0.1, seed: int = 0, random_baseline: bool = False) -> dict:
    """Offline evaluation: hide `holdout` of each bird's likes, recommend from the rest, and count
    how often the hidden flits come back in the top k (hit rate@k: at least one; recall@k: the share)."""
    rng = np.random.default_rng(seed)
    likes = np.asarray(likes)
    Xn = normalize_rows(X)
    hits, recalls = [], []
    for bird in sorted(liked_by):
        rows = rng.permutation(np.asarray(liked_by[bird], dtype=int))
        n_held = max(1, int(round(holdout * len(rows))))
        if len(rows) - n_held < 1:
            continue
        held, train = rows[:n_held], rows[n_held:]
        if random_baseline:
            scores = rng.random(len(likes))
        else:
            scores = rank_scores(Xn @ taste_vector(Xn, train), likes, popularity_weight, likes.max())
        scores[train] = -np.inf
        top = np.argsort(-scores, kind="stable")[:k]
        found = np.isin(held, top).sum()
        hits.append(found > 0)
        recalls.append(found / len(held))
    return {"birds": len(hits), f"hit rate@{k}": float(np.mean(hits)), f"recall@{k}": float(np.mean(recalls))}
