"""How far to trust a map: neighbours kept and neighbours invented by a projection.

Trustworthiness penalises points that are neighbours on the map but not in the original space
(invented closeness); continuity penalises original neighbours that the map tore apart. Both are
1.0 for a perfect map. Original-space neighbours use cosine distance, map neighbours euclidean.
"""
from __future__ import annotations

import numpy as np

from core.similarity import cosine_knn

MAX_POINTS = 3000  # the rank matrices are n x n; above this, measure on a seeded sample


def distances(X, metric: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if metric == "cosine":
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        Xn = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
        D = 1.0 - Xn @ Xn.T
    else:
        squared = (X ** 2).sum(axis=1)
        D = np.sqrt(np.clip(squared[:, None] + squared[None, :] - 2 * X @ X.T, 0, None))
    np.fill_diagonal(D, np.inf)
    return D


def _trust(D_source: np.ndarray, D_target: np.ndarray, k: int) -> float:
    """1 − penalty for target-space neighbours ranked beyond k in the source space (Venna & Kaski)."""
    n = len(D_source)
    ranks = np.empty((n, n), dtype=np.int64)
    order = np.argsort(D_source, axis=1, kind="stable")
    ranks[np.arange(n)[:, None], order] = np.arange(1, n + 1)[None, :]
    target_neighbours = np.argsort(D_target, axis=1, kind="stable")[:, :k]
    penalty = ranks[np.arange(n)[:, None], target_neighbours] - k
    return float(1.0 - 2.0 / (n * k * (2 * n - 3 * k - 1)) * np.clip(penalty, 0, None).sum())


def trustworthiness(X, Y, k: int = 10, *, metric: str = "euclidean") -> float:
    """Are the map's (Y) neighbours real neighbours in X? Equals sklearn.manifold.trustworthiness."""
    _check_k(len(X), k)
    return _trust(distances(X, metric), distances(Y, "euclidean"), k)


def continuity(X, Y, k: int = 10, *, metric: str = "euclidean") -> float:
    """Are X's neighbours still neighbours on the map (Y)?"""
    _check_k(len(X), k)
    return _trust(distances(Y, "euclidean"), distances(X, metric), k)


def neighbour_preservation(X, Y, k: int = 10, *, metric: str = "cosine", chunk: int = 2048) -> np.ndarray:
    """Per point: the share of its k nearest neighbours in X that are also among its k nearest on the map.
    Computed in row chunks, so memory stays at chunk x n whatever the corpus size."""
    k = min(k, len(X) - 1)
    if k < 1:
        return np.ones(len(X))
    original = cosine_knn(X, k, chunk) if metric == "cosine" else _euclidean_knn(X, k, chunk)
    on_map = _euclidean_knn(Y, k, chunk)
    return np.array([len(set(a) & set(b)) / k for a, b in zip(original, on_map)])


def _euclidean_knn(X, k: int, chunk: int) -> np.ndarray:
    """(n, k) nearest other rows by euclidean distance, chunk rows at a time, in no particular order."""
    X = np.asarray(X, dtype=np.float32)
    squared = (X ** 2).sum(axis=1)
    out = np.zeros((len(X), k), dtype=np.int64)
    for start in range(0, len(X), chunk):
        rows = np.arange(start, min(start + chunk, len(X)))
        D = squared[rows, None] + squared[None, :] - 2 * X[rows] @ X.T
        D[np.arange(len(rows)), rows] = np.inf
        out[rows] = np.argpartition(D, k - 1, axis=1)[:, :k]
    return out


def _check_k(n: int, k: int) -> None:
    if not 1 <= k < n / 2:
        raise ValueError(f"k must be at least 1 and below half the number of points ({n}).")


def map_quality(X, Y, k: int = 10, *, seed: int = 0) -> dict:
    """Trustworthiness and continuity with cosine in X, on a seeded sample above MAX_POINTS."""
    n = len(X)
    k = min(k, max(1, (n - 1) // 2 - 1))
    if n < 6:
        return {"trustworthiness": float("nan"), "continuity": float("nan"), "k": k, "sampled": 0}
    rows = np.arange(n) if n <= MAX_POINTS else np.sort(np.random.default_rng(seed).choice(n, MAX_POINTS, False))
    Xs, Ys = np.asarray(X)[rows], np.asarray(Y)[rows]
    return {"trustworthiness": trustworthiness(Xs, Ys, k, metric="cosine"),
            "continuity": continuity(Xs, Ys, k, metric="cosine"), "k": k,
            "sampled": len(rows) if n > MAX_POINTS else 0}
