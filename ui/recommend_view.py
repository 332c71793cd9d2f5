"""Recommend page pieces: the bird, the rules, the four stages, the feed, and the offline evaluation."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.sources.bundled import flutter_likes, flutter_users
from core.encoders import ENCODERS, default_params
from core.analyses.recommend import Rules, evaluate
from core.view_fields import RECOMMEND_BOUNDS
from ui import caches, session


def pick_bird(corpus: core.Corpus, liked_by: dict) -> str:
    users = flutter_users().set_index("bird_id")
    birds = sorted(liked_by)
    bird = session.bound(st.selectbox, "Bird", "recommend_bird", options=birds,
                         shown=lambda chosen: chosen if chosen in liked_by else birds[0],
                         format_func=lambda b: f"{b} ({users.bird_geo[b]}, {len(liked_by[b])} likes)")
    topics = pd.Series([corpus.labels[i] for i in liked_by[bird]]).value_counts()
    st.caption("Liked so far: " + ", ".join(f"{topic} {count}" for topic, count in topics.items()))
    return bird


def pick_rules(topics: list[str]) -> tuple[Rules, dict]:
    st.markdown("**Filtering rules**")
    hide_liked = session.bound(st.checkbox, "Hide flits the bird already liked", "recommend_hide_liked")
    hidden = session.bound(st.multiselect, "Hide topics", "recommend_hidden", options=topics, stored=tuple,
                           shown=lambda chosen: [topic for topic in chosen if topic in topics])
    min_likes = _slider("Minimum like count", "recommend_min_likes")
    st.markdown("**Candidates and ranking**")
    n_candidates = _slider("Candidates from nearest-neighbour search", "recommend_candidates", step=10)
    weight = session.bound(st.slider, "Popularity weight in the ranking score", "recommend_weight", min_value=0.0,
                           max_value=1.0, step=0.05)
    top_n = _slider("Feed length", "recommend_top_n")
    return (Rules(hide_liked=hide_liked, hidden_topics=tuple(hidden), min_likes=min_likes),
            {"n_candidates": n_candidates, "popularity_weight": weight, "top_n": top_n})


def _slider(label: str, field: str, step: int = 1) -> int:
    low, high = RECOMMEND_BOUNDS[field]
    return session.bound(st.slider, label, field, min_value=low, max_value=high, step=step)


def stages_table(feed) -> pd.DataFrame:
    return pd.DataFrame({"stage": [s.name for s in feed.stages], "flits": [s.count for s in feed.stages],
                         "milliseconds": [round(s.milliseconds, 3) for s in feed.stages]})


def feed_table(corpus: core.Corpus, feed) -> pd.DataFrame:
    meta = corpus.metadata
    return pd.DataFrame({"flit": [corpus.texts[i] for i in feed.rows], "topic": [corpus.labels[i] for i in feed.rows],
                         "likes": meta.likes.to_numpy()[feed.rows], "cosine": np.round(feed.similarity, 3),
                         "score": np.round(feed.score, 3)})


def _evaluation(vectors, digest: str, k: int, weight: float) -> dict:
    """The recommender's scores on Flutter's likes (bundled data: one copy for every session)."""
    likes = core.load_corpus("flutter").metadata.likes.to_numpy()
    return caches.remembered("recommend evaluation", {"vectors": digest, "k": k, "weight": weight},
                             lambda: evaluate(vectors, flutter_likes(), likes, k=k, popularity_weight=weight),
                             shared=True)


def evaluation_table(corpus: core.Corpus, embed, k: int, weight: float) -> pd.DataFrame:
    rows = []
    for name in ENCODERS:
        emb = embed(corpus, name, default_params(name))
        rows.append({"encoder": ENCODERS[name].title, **_evaluation(emb.vectors, emb.digest, k, weight)})
    likes = corpus.metadata.likes.to_numpy()
    rows.append({"encoder": "random (baseline)",
                 **evaluate(emb.vectors, flutter_likes(), likes, k=k, random_baseline=True)})
    return pd.DataFrame(rows)
