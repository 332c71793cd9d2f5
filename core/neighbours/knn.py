"""The kNN graph: every document's nearest neighbours by cosine, computed once per embedding and reused
by UMAP, the map's quality figures, neighbour preservation, label agreement and exports.

Up to EXACT_UP_TO documents the graph is exact (blocked brute force, bounded memory). Above, exact
search costs n² dot products (minutes at 100,000), so the graph comes from NN-descent (pynndescent,
which UMAP itself uses); its recall against exact search is measured on a sample and reported.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.neighbours.similarity import cosine_knn_with_scores, normalize_rows

GRAPH_K = 15           # UMAP's default neighbourhood; the quality measures use the first 10
EXACT_UP_TO = 20_000
RECALL_SAMPLE = 200


@dataclass(frozen=True, eq=False)
class KnnGraph:
    indices: np.ndarray        # (n, k) row numbers, nearest first, the row itself excluded
    similarities: np.ndarray   # (n, k) cosine similarities
    exact: bool
    recall: float              # 1.0 when exact; else measured on a sample against exact search

    @property
    def k(self) -> int:
        return self.indices.shape[1]

    def first(self, k: int) -> np.ndarray:
        """The k nearest of every row (k at most the graph's k)."""
        if k > self.k:
            raise ValueError(f"The graph holds {self.k} neighbours per row, not {k}.")
        return self.indices[:, :k]


def knn_graph(X, k: int = GRAPH_K, *, exact_up_to: int = EXACT_UP_TO, seed: int = 0) -> KnnGraph:
    X = np.asarray(X, dtype=np.float32)
    k = max(0, min(k, len(X) - 1))
    if len(X) <= exact_up_to or k == 0:
        indices, similarities = cosine_knn_with_scores(X, k)
        return KnnGraph(indices, similarities, exact=True, recall=1.0)
    indices, similarities = _nn_descent(X, k, seed)
    return KnnGraph(indices, similarities, exact=False, recall=sampled_recall(X, indices, seed))


def _nn_descent(X: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from pynndescent import NNDescent

    index = NNDescent(normalize_rows(X), metric="cosine", n_neighbors=k + 1, random_state=seed, n_jobs=1,
                      low_memory=True, compressed=True)
    found, distances = index.neighbor_graph
    return _drop_self(found, 1.0 - distances, k)


def _drop_self(found: np.ndarray, similarities: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """NN-descent lists each row among its own neighbours (usually first): keep the k others."""
    others = found != np.arange(len(found))[:, None]
    order = np.argsort(~others, axis=1, kind="stable")[:, :k]   # the non-self entries, order kept
    return (np.take_along_axis(found, order, axis=1).astype(np.int64),
            np.take_along_axis(similarities, order, axis=1).astype(np.float32))


def sampled_recall(X: np.ndarray, indices: np.ndarray, seed: int = 0, sample: int = RECALL_SAMPLE) -> float:
    """Share of the exact k nearest neighbours that `indices` lists, on a seeded sample of rows."""
    Xn = normalize_rows(X)
    rows = np.random.default_rng(seed).choice(len(Xn), min(sample, len(Xn)), replace=False)
    k = indices.shape[1]
    hits = 0
    for row in rows:
        scores = Xn @ Xn[row]
        scores[row] = -np.inf
        exact = np.argpartition(scores, len(scores) - k)[len(scores) - k:]
        hits += len(np.intersect1d(exact, indices[row]))
    return hits / (k * len(rows))
