"""Hover texts: the caller's texts checked (not copied), cut to HOVER_CHARS when sent, and sent inline with the
points up to INLINE_TEXT_LIMIT points (above, the browser asks for the ones it hovers)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

HOVER_CHARS = 80
INLINE_TEXT_LIMIT = 200_000


def hover_parts(hover_labels, n_total: int, kept: np.ndarray):
    """The hover texts (None without), and those sent inline with the points (None when read on demand)."""
    texts = hover_texts(hover_labels, n_total)
    return texts, [hover_text(texts[i]) for i in kept] if inline(texts, kept) else None


def hover_texts(hover_labels, n: int) -> list | None:
    """The caller's texts as given (checked, not copied): only the ones sent are cut and cleaned. Any
    Sequence will do, so a big collection's texts can be read on demand."""
    if hover_labels is None:
        return None
    texts = hover_labels if isinstance(hover_labels, (Sequence, np.ndarray, pd.Series)) else list(hover_labels)
    if len(texts) != n:
        raise ValueError(f"`hover_labels` has {len(texts)} entries for {n} points.")
    return texts.tolist() if isinstance(texts, (np.ndarray, pd.Series)) else texts


def hover_text(text) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    text = str(text)
    return text if len(text) <= HOVER_CHARS else text[: HOVER_CHARS - 1] + "…"


def inline(texts: list | None, kept: np.ndarray) -> bool:
    return texts is not None and len(kept) <= INLINE_TEXT_LIMIT
