"""Concept axes page pieces: phrase pairs, the placed corpus, and the documents at each end."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.analyses.concepts import concept_direction, concept_scores
from core.maps.projection import pca
from core.view_fields import PHRASE_MAX_CHARS
from ui import session, text
from ui.plots import as_text, map_figure

VERTICAL = {"pc1": "the first principal component", "pair": "a second pair of phrases"}


def phrase_pair(label: str, axis_name: str) -> tuple[str, str]:
    """The two phrases of an axis ("x" or "y"), kept in the view (concept_x_from, concept_x_to, ...)."""
    left, right = st.columns(2)
    return (session.bound(left.text_input, f"{label}: from", f"concept_{axis_name}_from", max_chars=PHRASE_MAX_CHARS),
            session.bound(right.text_input, f"{label}: to", f"concept_{axis_name}_to", max_chars=PHRASE_MAX_CHARS))


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
    choice = session.bound(st.radio, "Vertical axis", "concept_y", options=list(VERTICAL), format_func=VERTICAL.get,
                           horizontal=True)
    if choice == "pc1":
        return pca(emb.vectors, 1)[:, 0], "first principal component"
    low, high = phrase_pair("Vertical", "y")
    return axis(emb, low, high), f"{low} → {high}"
