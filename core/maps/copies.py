"""Identical vectors on a map: found bit for bit, mapped once, and each later copy placed a tiny seeded step from
its first occurrence (UMAP's graph of many exact copies falls apart into islands and its spectral start fails).
The kNN graph of all rows becomes one over the distinct rows."""
from __future__ import annotations

import numpy as np

# How far copies of one vector spread around it, as a share of the map's standard deviation per axis.
COPY_SPREAD = 0.003


def distinct_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, copy_of): the row numbers of the distinct rows of X at their first occurrence, in row order, and
    for every row the position in `first` of the row it equals (bit for bit). Rows are grouped by an exact
    integer hash of their bits (a sum modulo 2**64, the same whatever the order of adding), then checked."""
    X = np.ascontiguousarray(X)
    if len(X) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    bits = X.reshape(len(X), -1).view(f"i{X.dtype.itemsize}")
    weights = np.random.default_rng(0).integers(1, 2**62, size=bits.shape[1], dtype=np.int64)
    with np.errstate(over="ignore"):
        key = bits @ weights
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    copies = np.flatnonzero(first[inverse] != np.arange(len(X)))
    if not (bits[first[inverse[copies]]] == bits[copies]).all():   # two different rows, one hash: compare rows
        _, first, inverse = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    return first[order], position[inverse.ravel()]


def distinct_knn(Xd: np.ndarray, knn, first: np.ndarray, copy_of: np.ndarray, k: int):
    """The caller's kNN graph (over all rows) as a graph over the distinct rows `Xd = X[first]`: each row's
    neighbours with every copy counted as its original, itself and repeats left out. A row whose list was
    mostly copies is left with fewer than k and gets its exact neighbours among the distinct rows instead.
    None without a usable graph (umap_neighbors then computes one)."""
    if knn is None or k < 1:
        return None
    indices, distances = np.asarray(knn[0]), np.asarray(knn[1], dtype=np.float32)
    if (indices.ndim != 2 or indices.shape != distances.shape or len(indices) != len(copy_of)
            or indices.size == 0 or indices.min() < 0 or indices.max() >= len(copy_of)):
        return None
    mapped, distances = copy_of[indices[first]], distances[first]
    order = np.argsort(mapped, axis=1, kind="stable")
    ranked = np.take_along_axis(mapped, order, axis=1)
    repeat = np.zeros(mapped.shape, dtype=bool)
    np.put_along_axis(repeat, order, np.hstack([np.zeros((len(ranked), 1), bool), ranked[:, 1:] == ranked[:, :-1]]),
                      axis=1)
    keep = ~repeat & (mapped != np.arange(len(first))[:, None])
    kept_first = np.argsort(~keep, axis=1, kind="stable")[:, :k]
    out_indices = np.take_along_axis(mapped, kept_first, axis=1)
    out_distances = np.take_along_axis(distances, kept_first, axis=1)
    if out_indices.shape[1] < k:
        return None
    short = np.flatnonzero(keep.sum(axis=1) < k)
    if len(short):
        out_indices[short], out_distances[short] = exact_cosine_knn_of_rows(Xd, short, k)
    return out_indices, out_distances


def exact_cosine_knn_of_rows(X: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosine distances) of the k nearest rows of X to each of X[rows], itself excluded, nearest first."""
    from core.neighbours.similarity import KNN_BLOCK_BYTES, normalize_rows

    Xn = normalize_rows(X)
    n = len(Xn)
    indices, distances = np.zeros((len(rows), k), np.int64), np.zeros((len(rows), k), np.float32)
    chunk = max(1, min(2048, KNN_BLOCK_BYTES // (12 * n)))
    for start in range(0, len(rows), chunk):
        some = rows[start:start + chunk]
        block = Xn[some] @ Xn.T
        block[np.arange(len(some)), some] = -np.inf
        top = np.argpartition(block, n - k, axis=1)[:, n - k:]
        scores = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -scores), axis=1)
        indices[start:start + chunk] = np.take_along_axis(top, order, axis=1)
        distances[start:start + chunk] = 1.0 - np.take_along_axis(scores, order, axis=1)
    return indices, distances


def place_copies(distinct_coords: np.ndarray, copy_of: np.ndarray, seed: int = 0) -> np.ndarray:
    """Coordinates for every row from those of the distinct rows. Identical vectors are mapped once: UMAP's
    graph of many exact copies falls apart into islands of copies and its spectral start fails. Every later
    copy sits a tiny seeded step (COPY_SPREAD of the map's spread) from the first, so that a stack of copies
    shows as a dense spot rather than one point, while staying far closer together than any two distinct
    documents."""
    coords = np.asarray(distinct_coords, dtype=np.float32)[copy_of]
    later = np.ones(len(copy_of), dtype=bool)
    later[np.unique(copy_of, return_index=True)[1]] = False
    scale = COPY_SPREAD * coords.std(axis=0)
    coords[later] += np.random.default_rng(seed).normal(size=(int(later.sum()), coords.shape[1])) * scale
    return coords
