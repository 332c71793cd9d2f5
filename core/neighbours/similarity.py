"""Cosine similarity: exact nearest neighbours, similarity matrices, and a block-revealing order."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KNN_BLOCK_BYTES = 96 * 2**20  # one block of similarities plus its argpartition, for the exact kNN


@dataclass(frozen=True)
class Neighbors:
    indices: np.ndarray   # (k,) row numbers, most similar first
    scores: np.ndarray    # (k,) cosine similarities


def normalize_rows(X) -> np.ndarray:
    """Unit-length rows as float32; zero rows stay zero (their similarity to anything is 0)."""
    X = np.asarray(X, dtype=np.float32)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def nearest_neighbors(X, query, k: int = 10, *, normalized: bool = False) -> Neighbors:
    """Exact cosine neighbours of a row (given by its index, excluded from the answer) or of a vector."""
    Xn = np.asarray(X, dtype=np.float32) if normalized else normalize_rows(X)
    if isinstance(query, (int, np.integer)):
        if not 0 <= query < len(Xn):
            raise IndexError(f"Document {query} does not exist; there are {len(Xn)}.")
        scores = Xn @ Xn[query]
        scores[query] = -np.inf
        available = len(Xn) - 1
    else:
        q = normalize_rows(np.asarray(query, dtype=np.float32).reshape(1, -1))[0]
        if q.shape[0] != Xn.shape[1]:
            raise ValueError(f"The query has {q.shape[0]} dimensions but the embeddings have {Xn.shape[1]}.")
        scores = Xn @ q
        available = len(Xn)
    k = max(0, min(k, available))
    top = np.argpartition(-scores, k - 1)[:k] if 0 < k < len(scores) else np.arange(len(scores))[:k]
    top = top[np.lexsort((top, -scores[top]))]  # by score, ties by row number: deterministic
    return Neighbors(indices=top, scores=scores[top].astype(np.float32))


def cosine_knn(X, k: int, chunk: int | None = None) -> np.ndarray:
    """(n, k) exact cosine nearest neighbours of every row, itself excluded, nearest first."""
    return cosine_knn_with_scores(X, k, chunk)[0]


def cosine_knn_with_scores(X, k: int, chunk: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine kNN of every row as (indices (n, k) int64, similarities (n, k) float32), nearest first.
    Rows are scored `chunk` at a time, sized so that a block stays within KNN_BLOCK_BYTES whatever n is."""
    Xn = normalize_rows(X)
    n = len(Xn)
    k = max(0, min(k, n - 1))
    chunk = chunk or max(1, min(2048, KNN_BLOCK_BYTES // (12 * max(n, 1))))
    indices = np.zeros((n, k), dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    if k == 0:
        return indices, scores
    for start in range(0, n, chunk):
        block = Xn[start:start + chunk] @ Xn.T
        rows = np.arange(len(block))
        block[rows, rows + start] = -np.inf
        top = np.argpartition(block, n - k, axis=1)[:, n - k:]
        top_scores = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -top_scores), axis=1)  # by similarity, ties by row number
        indices[start:start + chunk] = np.take_along_axis(top, order, axis=1)
        scores[start:start + chunk] = np.take_along_axis(top_scores, order, axis=1)
    return indices, scores


def similarity_matrix(X) -> np.ndarray:
    """(n, n) cosine similarities, float32, in [-1, 1]."""
    Xn = normalize_rows(X)
    return np.clip(Xn @ Xn.T, -1.0, 1.0)


def block_order(S: np.ndarray, labels=None) -> np.ndarray:
    """Row order for a heatmap: by label (largest group first), and within a group by average-linkage
    clustering, so that similar items sit together and show as blocks."""
    n = len(S)
    if n < 3:
        return np.arange(n)
    if labels is None:
        return _cluster_order(S, np.arange(n))
    labels = np.asarray(labels, dtype=object)
    groups, counts = np.unique(labels, return_counts=True)
    order = []
    for group in groups[np.lexsort((groups, -counts))]:
        order.extend(_cluster_order(S, np.flatnonzero(labels == group)))
    return np.asarray(order)


def _cluster_order(S: np.ndarray, members: np.ndarray) -> list[int]:
    if len(members) < 3:
        return members.tolist()
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    distances = np.clip(1.0 - S[np.ix_(members, members)].astype(np.float64), 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    distances = (distances + distances.T) / 2
    return members[leaves_list(linkage(squareform(distances, checks=False), method="average"))].tolist()


def ordered_subset(X, rows, labels=None):
    """Similarity matrix of the given rows, reordered by `block_order`: (rows, S, labels) in display order."""
    rows = np.asarray(rows)
    S = similarity_matrix(np.asarray(X)[rows])
    sub_labels = None if labels is None else [labels[i] for i in rows]
    order = block_order(S, sub_labels)
    return rows[order], S[np.ix_(order, order)], None if sub_labels is None else [sub_labels[i] for i in order]


def within_between(S: np.ndarray, labels) -> tuple[float, float]:
    """Mean similarity of pairs that share a label, and of pairs that do not (diagonal excluded)."""
    labels = np.asarray(labels, dtype=object)
    same = labels[:, None] == labels[None, :]
    off_diagonal = ~np.eye(len(S), dtype=bool)
    within, between = S[same & off_diagonal], S[~same]
    return (float(within.mean()) if within.size else float("nan"),
            float(between.mean()) if between.size else float("nan"))


def sample_per_label(labels, per_label: int, seed: int = 0) -> np.ndarray:
    """Up to `per_label` rows of every label, chosen reproducibly, in row order."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels, dtype=object)
    chosen = [rng.permutation(np.flatnonzero(labels == group))[:per_label] for group in np.unique(labels)]
    return np.sort(np.concatenate(chosen))


def nearest_on_map(coords, index: int, k: int = 10) -> Neighbors:
    """The k points closest to `index` on a map (euclidean), itself excluded; scores are distances."""
    coords = np.asarray(coords, dtype=np.float32)
    distances = np.linalg.norm(coords - coords[index], axis=1)
    distances[index] = np.inf
    k = max(0, min(k, len(coords) - 1))
    if 0 < k < len(coords) - 1:   # only the k nearest need sorting (a million points: 0.27 s -> 0.02 s)
        candidates = np.flatnonzero(distances <= np.partition(distances, k - 1)[k - 1])
    else:
        candidates = np.arange(len(coords))
    top = candidates[np.argsort(distances[candidates], kind="stable")][:k]
    return Neighbors(indices=top, scores=distances[top])
