"""Neighbour search for in-memory embeddings: exact below a threshold, the collections' ANN index above it.

Above `approximate_above` rows the index is usearch's HNSW (core.collections.index, chosen by bench/ann.py);
the candidates it returns are re-scored with the exact cosine, so scores are true similarities. At 100,000
x 384 exact search takes a few milliseconds on 2 cores, so the app stays exact up to APPROXIMATE_ABOVE rows.
"""
from __future__ import annotations

import numpy as np

from core.collections.index import AnnIndex
from core.neighbours.similarity import Neighbors, nearest_neighbors, normalize_rows

APPROXIMATE_ABOVE = 200_000


class NeighborIndex:
    def __init__(self, X, *, approximate_above: int = APPROXIMATE_ABOVE):
        self.vectors = normalize_rows(X)
        self.approximate = len(self.vectors) > approximate_above
        self.index_ = AnnIndex.build(self.vectors) if self.approximate else None

    def query(self, vector, k: int = 10) -> Neighbors:
        """Cosine neighbours of a vector: exact, or approximate when the index is built."""
        if not self.approximate:
            return nearest_neighbors(self.vectors, vector, k, normalized=True)
        q = normalize_rows(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]
        candidates = self.index_.search(q, min(k, len(self.vectors)))
        found = nearest_neighbors(self.vectors[candidates], q, k, normalized=True)
        return Neighbors(indices=candidates[found.indices], scores=found.scores)


def recall_at_k(index: NeighborIndex, queries: np.ndarray, k: int = 10) -> float:
    """Share of the exact top k that the index returns, averaged over the queries."""
    found = 0
    for q in queries:
        exact = nearest_neighbors(index.vectors, q, k, normalized=True).indices
        found += len(set(exact.tolist()) & set(index.query(q, k).indices.tolist()))
    return found / (k * len(queries))
