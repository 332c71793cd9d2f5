"""Quality measures that need no human judgement."""
from __future__ import annotations

import numpy as np

from core.neighbours.similarity import cosine_knn


def knn_label_agreement(X, labels, k: int = 1, chunk: int = 2048) -> float:
    """Share of each document's k nearest neighbours (cosine, itself excluded) that carry its label."""
    labels = np.asarray(labels, dtype=object)
    if len(labels) < 2:
        return float("nan")
    neighbours = cosine_knn(X, k, chunk)
    return float((labels[neighbours] == labels[:, None]).mean())
