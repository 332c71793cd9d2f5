"""Concept axes: place documents along the direction from one phrase's embedding to another's."""
from __future__ import annotations

import numpy as np

from core.encoders.base import EncoderError
from core.neighbours.similarity import normalize_rows


def concept_direction(encoder, low: str, high: str) -> np.ndarray:
    """Unit vector from `low`'s embedding to `high`'s; a clear error when the encoder cannot embed a phrase."""
    vectors = encoder.transform([low, high])
    for phrase, vector in zip((low, high), vectors):
        if not np.any(vector):
            raise EncoderError(f"This encoder cannot embed '{phrase}': it knows none of its words. "
                               "Try other words, or an encoder such as MiniLM that reads any text.")
    direction = vectors[1] - vectors[0]
    norm = np.linalg.norm(direction)
    if norm == 0:
        raise EncoderError(f"'{low}' and '{high}' get the same vector from this encoder, so there is no direction "
                           "between them. Pick phrases that differ.")
    return direction / norm


def concept_scores(X, direction: np.ndarray) -> np.ndarray:
    """Position of each (unit-length) document along the direction: cosine-like, in [-1, 1]."""
    return normalize_rows(X) @ direction
