"""Similarity page pieces: choosing a subset of up to MAX_ITEMS documents, and the block summary."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.similarity import sample_per_label, within_between

MAX_ITEMS = 100


SELECTION = "the map's selection"


def subset_picker(corpus: core.Corpus, selection=()) -> np.ndarray:
    """Rows to show: the map's lasso or box selection when there is one (its first MAX_ITEMS), a few of every
    label, the first N, or a random N."""
    n = len(corpus)
    ways = (([SELECTION] if len(selection) >= 2 else []) + (["a few of each label"] if corpus.labels else [])
            + ["random sample", "first documents"])
    cols = st.columns(2)
    way = cols[0].radio("Which documents", ways, horizontal=True)
    if way == SELECTION:
        cols[1].caption(f"{len(selection):,} documents selected on the Map page"
                        + (f"; the first {MAX_ITEMS} are shown." if len(selection) > MAX_ITEMS else "."))
        return np.asarray(selection[:MAX_ITEMS])
    if way == "a few of each label":
        return _per_label(corpus.labels, cols[1])
    size = cols[1].slider("How many", 2, min(MAX_ITEMS, n), min(60, n)) if n > 2 else n
    if way == "random sample":
        return np.sort(np.random.default_rng(0).permutation(n)[:size])
    return np.arange(size)


def _per_label(labels, column) -> np.ndarray:
    """A few documents of each label; with more labels than fit, one each of the most common ones."""
    counts = pd.Series(labels).value_counts()
    most = MAX_ITEMS // len(counts)
    if most < 2:
        shown = set(counts.index[:MAX_ITEMS])
        column.caption(f"{len(counts):,} labels: one document each" + (
            f" of the {MAX_ITEMS} most common." if len(counts) > MAX_ITEMS else "."))
        rows = sample_per_label(labels, 1)
        return np.asarray([row for row in rows if labels[row] in shown])
    return sample_per_label(labels, column.slider("Per label", 1, most, min(8, most)))


def block_summary(S: np.ndarray, labels) -> None:
    if not labels or len(set(labels)) < 2:
        return
    within, between = within_between(S, labels)
    cols = st.columns(3)
    cols[0].metric("Mean similarity, same label", f"{within:.3f}")
    cols[1].metric("Mean similarity, different labels", f"{between:.3f}")
    cols[2].metric("Gap", f"{within - between:+.3f}", help="How much more alike same-label documents are.")
