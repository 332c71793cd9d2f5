"""Concept axes page pieces: phrase pairs, the placed corpus, and the documents at each end."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.analyses.concepts import concept_direction, concept_scores
from core.maps.projection import pca
from ui import text
from ui.plots import as_text, map_figure

PC1 = "the first principal component"
SECOND_PAIR = "a second pair of phrases"


def phrase_pair(label: str, low: str, high: str, key: str) -> tuple[str, str]:
    left, right = st.columns(2)
    return (left.text_input(f"{label}: from", low, key=f"{key}_low", max_chars=200),
            right.text_input(f"{label}: to", high, key=f"{key}_high", max_chars=200))


def axis(emb, low: str, high: str) -> np.ndarray | None:
    try:
        return concept_scores(emb.vectors, concept_direction(emb.encoder, low, high))
    except core.EncoderError as error:
        st.warning(text.plain(error))
        return None


def placed_map(corpus: core.Corpus, x: np.ndarray, y: np.ndarray, x_title: str, y_title: str) -> None:
    fig = map_figure(np.column_stack([x, y]), corpus.texts, labels=corpus.labels, point_size=6)
    fig.update_xaxes(title=as_text(x_title), showticklabels=True, zeroline=True)  # titles render markup
    fig.update_yaxes(title=as_text(y_title), showticklabels=True, zeroline=True, scaleanchor=None)
    st.plotly_chart(fig, width="stretch")


def extremes(corpus: core.Corpus, scores: np.ndarray, low: str, high: str, n: int = 5) -> None:
    order = np.argsort(scores, kind="stable")
    left, right = st.columns(2)
    for column, rows, title in ((left, order[:n], f"Most '{low}'"), (right, order[::-1][:n], f"Most '{high}'")):
        column.markdown(f"**{text.plain(title)}**")
        column.dataframe(pd.DataFrame({"document": [corpus.texts[i] for i in rows],
                                       "position": scores[rows].round(3)}), hide_index=True, width="stretch")


def y_axis(emb) -> tuple[np.ndarray | None, str]:
    choice = st.radio("Vertical axis", [PC1, SECOND_PAIR], horizontal=True)
    if choice == PC1:
        return pca(emb.vectors, 1)[:, 0], "first principal component"
    low, high = phrase_pair("Vertical", "danger", "safety", "concept_y")
    return axis(emb, low, high), f"{low} → {high}"
