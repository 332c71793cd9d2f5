"""Comparing two embeddings of the same documents: aligned maps, neighbourhood overlap, similarity change."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import orthogonal_procrustes

from core.sources.corpus import shorten
from core.neighbours.similarity import cosine_knn, similarity_matrix


def neighbour_overlap(XA, XB, k: int = 10) -> np.ndarray:
    """Per document: Jaccard overlap of its k nearest neighbours under A and under B."""
    return _jaccard(cosine_knn(XA, k), cosine_knn(XB, k))


def _jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([len(set(x) & set(y)) / len(set(x) | set(y)) for x, y in zip(a, b)])


def align(reference: np.ndarray, moving: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both maps centred and scaled to unit size, `moving` rotated (and possibly reflected) onto `reference`."""
    ref = _standardise(reference)
    mov = _standardise(moving)
    rotation, _ = orthogonal_procrustes(mov, ref)
    return ref, mov @ rotation


def _standardise(coords: np.ndarray) -> np.ndarray:
    centred = np.asarray(coords, dtype=np.float64) - np.mean(coords, axis=0)
    size = np.linalg.norm(centred)
    return centred / size if size > 0 else centred


def most_changed(texts: list[str], XA, XB, k: int = 5, top: int = 20) -> pd.DataFrame:
    """The documents whose neighbourhoods differ most between A and B, with both neighbour lists."""
    a, b = cosine_knn(XA, k), cosine_knn(XB, k)
    overlap = _jaccard(a, b)
    rows = np.argsort(overlap, kind="stable")[:top]
    short = [shorten(t, 60) for t in texts]
    return pd.DataFrame({"document": [texts[i] for i in rows], "overlap": overlap[rows].round(3),
                         "neighbours under A": [" | ".join(short[j] for j in a[i]) for i in rows],
                         "neighbours under B": [" | ".join(short[j] for j in b[i]) for i in rows]})


def similarity_difference(XA, XB, rows) -> np.ndarray:
    """B's cosine similarities minus A's, for the chosen rows."""
    return similarity_matrix(np.asarray(XB)[rows]) - similarity_matrix(np.asarray(XA)[rows])
