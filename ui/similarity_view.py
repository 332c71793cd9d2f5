"""Similarity page pieces: choosing a subset of up to MAX_ITEMS documents, the block summary and the heatmap."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.neighbours.similarity import sample_per_label, within_between
from core.view_fields import SIMILARITY_MAX_ROWS
from ui import session
from ui.plots import off_diagonal_range, scale_range_text, similarity_heatmap

MAX_ITEMS = SIMILARITY_MAX_ROWS


WAYS = {"selection": "the map's selection", "labels": "a few of each label", "random": "random sample",
        "first": "first documents"}


def subset_picker(corpus: core.Corpus, selection=(), passing=None) -> np.ndarray:
    """Rows to show: the map's lasso or box selection when there is one (its first MAX_ITEMS), a few of every
    label, the first N, or a random N. `passing`: the rows that pass the map's filters, when some are set:
    the other ways then choose among them."""
    pool = np.arange(len(corpus)) if passing is None else np.asarray(passing, dtype=np.int64)
    n = len(pool)
    if n < 2:
        st.info("The heatmap needs at least 2 documents; " + (
            f"{n} pass the map's filters. Widen them on the Map page." if passing is not None
            else f"this corpus has {n}. Upload a bigger file or pick a bundled corpus."))
        return pool
    ways = [way for way in WAYS if (way != "selection" or len(selection) >= 2) and (way != "labels" or corpus.labels)]
    cols = st.columns(2)
    way = session.bound(cols[0].radio, "Which documents", "similarity_rows", options=ways, format_func=WAYS.get,
                        shown=lambda chosen: chosen if chosen in ways else ways[0], horizontal=True)
    if passing is not None and way != "selection":
        cols[1].caption(f"Among the {n:,} documents that pass the map's filters.")
    if way == "selection":
        cols[1].caption(f"{len(selection):,} documents selected on the Map page"
                        + (f"; the first {MAX_ITEMS} are shown." if len(selection) > MAX_ITEMS else "."))
        return np.asarray(selection[:MAX_ITEMS])
    if way == "labels":
        return pool[_per_label([corpus.labels[i] for i in pool], cols[1])]
    size = _bounded_slider(cols[1], "How many", "similarity_n", 2, min(MAX_ITEMS, n)) if n > 2 else n
    if way == "random":
        return np.sort(pool[np.random.default_rng(0).permutation(n)[:size]])
    return pool[:size]


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
    return sample_per_label(labels, _bounded_slider(column, "Per label", "similarity_per_label", 1, most))


def _bounded_slider(column, label: str, field: str, low: int, high: int) -> int:
    """A slider kept in the view, its value brought within what this corpus allows."""
    return session.bound(column.slider, label, field, min_value=low, max_value=high,
                         shown=lambda chosen: min(max(chosen, low), high))


def block_summary(S: np.ndarray, labels) -> None:
    if not labels or len(set(labels)) < 2:
        return
    within, between = within_between(S, labels)
    cols = st.columns(3)
    cols[0].metric("Mean similarity, same label", f"{within:.3f}")
    cols[1].metric("Mean similarity, different labels", f"{between:.3f}")
    cols[2].metric("Gap", f"{within - between:+.3f}", help="How much more alike same-label documents are.")


def heatmap(corpus: core.Corpus, rows, S: np.ndarray, labels) -> None:
    """The heatmap of the documents `rows` (in display order), and a caption saying what its colours span."""
    st.plotly_chart(similarity_heatmap(S, [corpus.texts[i] for i in rows], labels=labels), width="stretch")
    low, high = off_diagonal_range(S)
    st.caption(f"Colour scale fitted to the values shown: {scale_range_text(low, high)} (cosine between two "
               "different documents). The diagonal, each document with itself, is 1 and takes the brightest colour.")
