"""Quality measures that need no human judgement."""
from __future__ import annotations

import numpy as np

from core.similarity import normalize_rows


def knn_label_agreement(X, labels, k: int = 1, chunk: int = 2048) -> float:
    """Share of each document's k nearest neighbours (cosine, itself excluded) that carry its label."""
    labels = np.asarray(labels, dtype=object)
    n = len(labels)
    if n < 2:
        return float("nan")
    k = min(k, n - 1)
    Xn = normalize_rows(X)
    agree = 0
    for start in range(0, n, chunk):
        block = Xn[start:start + chunk] @ Xn.T
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        agree += (labels[top] == labels[start:start + chunk, None]).sum()
    return float(agree / (n * k))
