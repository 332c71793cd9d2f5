"""Whole long documents for transformers that see a few hundred tokens: overlapping windows, pooled.

A document whose word pieces do not fit in one sequence is cut into windows of `size` pieces that
overlap by `overlap` pieces; each window is encoded on its own (with the model's special tokens) and
the document's vector is the mean of its windows' unit vectors weighted by their piece counts,
L2-normalised. Beyond `max_windows`, that many full windows are spread evenly over the document.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def window_starts(n_pieces: int, size: int, overlap: int, max_windows: int) -> list[int]:
    """Where each window begins, in word pieces; one window (at 0) when the document fits."""
    if n_pieces <= size:
        return [0]
    stride = max(1, size - overlap)
    starts = list(range(0, n_pieces - overlap, stride))  # the last one reaches the end
    if len(starts) > max_windows:
        starts = np.linspace(0, n_pieces - size, max_windows).round().astype(int).tolist()
    return starts


@dataclass(frozen=True)
class Windows:
    """The sequences to encode (word-piece ids without special tokens), whose document each is, and its weight."""
    pieces: list[list[int]]
    owner: np.ndarray            # (windows,) document row of each window
    weight: np.ndarray           # (windows,) word pieces in each window
    n_documents: int

    @property
    def windowed_documents(self) -> int:
        """How many documents were longer than one window and were encoded in several."""
        return int((np.bincount(self.owner, minlength=self.n_documents) > 1).sum())

    def pool(self, vectors: np.ndarray) -> np.ndarray:
        """(documents, d): each document's windows averaged by piece count, L2-normalised."""
        weights = np.maximum(self.weight, 1).astype(np.float64)
        out = np.zeros((self.n_documents, vectors.shape[1]), dtype=np.float64)
        np.add.at(out, self.owner, vectors.astype(np.float64) * weights[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0).astype(np.float32)


def split_into_windows(documents: list[list[int]], size: int, overlap: int, max_windows: int) -> Windows:
    pieces, owner, weight = [], [], []
    for row, ids in enumerate(documents):
        for start in window_starts(len(ids), size, overlap, max_windows):
            window = ids[start:start + size]
            pieces.append(window)
            owner.append(row)
            weight.append(len(window))
    return Windows(pieces, np.asarray(owner, dtype=np.int64), np.asarray(weight, dtype=np.int64), len(documents))
