"""How far to trust a map: neighbours kept and neighbours invented by a projection.

Trustworthiness penalises points that are neighbours on the map but not in the original space
(invented closeness); continuity penalises original neighbours that the map tore apart. Both are
1.0 for a perfect map. Original-space neighbours follow cosine, map neighbours euclidean distance.
Both come from scikit-learn's `trustworthiness`, which needs n x n distances, so above MAX_POINTS
they are measured on a seeded sample; per-point preservation uses the kNN graph and needs no n².
"""
from __future__ import annotations

import numpy as np

from core.neighbours.similarity import cosine_knn, normalize_rows

MAX_POINTS = 3000


def trustworthiness(X, Y, k: int = 10, *, metric: str = "euclidean") -> float:
    """Are the map's (Y) neighbours real neighbours in X? scikit-learn's measure; "cosine" ranks X by cosine."""
    from sklearn.manifold import trustworthiness as sklearn_trustworthiness

    _check_k(len(X), k)
    return float(sklearn_trustworthiness(_ranked(X, metric), np.asarray(Y, dtype=np.float64), n_neighbors=k))


def continuity(X, Y, k: int = 10, *, metric: str = "euclidean") -> float:
    """Are X's neighbours still neighbours on the map (Y)? Trustworthiness with the roles swapped."""
    from sklearn.manifold import trustworthiness as sklearn_trustworthiness

    _check_k(len(X), k)
    return float(sklearn_trustworthiness(np.asarray(Y, dtype=np.float64), _ranked(X, metric), n_neighbors=k))


def _ranked(X, metric: str) -> np.ndarray:
    """Rows whose euclidean order is the metric's order: for unit vectors, |a-b|² = 2 - 2 cos(a, b)."""
    if metric == "cosine":
        return normalize_rows(X).astype(np.float64)
    if metric == "euclidean":
        return np.asarray(X, dtype=np.float64)
    raise ValueError(f"Unknown metric '{metric}'. Use cosine or euclidean.")


def _check_k(n: int, k: int) -> None:
    if not 1 <= k < n / 2:
        raise ValueError(f"k must be at least 1 and below half the number of points ({n}).")


def map_knn(Y, k: int) -> np.ndarray:
    """(n, k) nearest other points on a 2D or 3D map (euclidean, k-d tree: no n x n matrix)."""
    from sklearn.neighbors import NearestNeighbors

    Y = np.asarray(Y, dtype=np.float64)
    k = min(k, len(Y) - 1)
    found = NearestNeighbors(n_neighbors=k + 1).fit(Y).kneighbors(Y, return_distance=False)
    others = found != np.arange(len(Y))[:, None]
    order = np.argsort(~others, axis=1, kind="stable")[:, :k]  # drop the point itself (or one duplicate)
    return np.take_along_axis(found, order, axis=1)


def neighbour_preservation(X, Y, k: int = 10, *, metric: str = "cosine", original=None) -> np.ndarray:
    """Per point: the share of its k nearest neighbours in X that are also among its k nearest on the map.
    `original` is X's (n, >=k) neighbour list when already computed (the pipeline's kNN graph)."""
    k = min(k, len(Y) - 1)
    if k < 1:
        return np.ones(len(Y))
    if original is None:
        original = cosine_knn(X, k) if metric == "cosine" else map_knn(X, k)
    return shared_share(np.asarray(original)[:, :k], map_knn(Y, k))


def shared_share(a: np.ndarray, b: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Per row: the share of a's entries that also appear in b's row (rows of distinct ids)."""
    out = np.empty(len(a))
    for start in range(0, len(a), chunk):
        block_a, block_b = a[start:start + chunk], b[start:start + chunk]
        out[start:start + chunk] = (block_a[:, :, None] == block_b[:, None, :]).any(axis=2).mean(axis=1)
    return out


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
