"""Encoders-through-history page: every encoder on the same corpus, from the shared embedding cache."""
from __future__ import annotations

import streamlit as st

import core
from core.encoders import ENCODERS, default_params
from core.metrics import knn_label_agreement
from core.plots import map_figure
from core.view import ViewState
from ui import compute

COLUMNS = 3


def encoder_card(corpus: core.Corpus, name: str, show_legend: bool) -> dict | None:
    """One small PCA map with its figures; returns the row for the summary table."""
    info = ENCODERS[name]
    emb = compute.guarded(compute.embeddings, corpus, name, default_params(name))
    if emb is None:
        return None
    coords = compute.analysis(corpus, ViewState(method="pca"), dims=2, emb=emb).map.coords
    fig = map_figure(coords, corpus.texts, labels=corpus.labels, point_size=4, title=info.title)
    fig.update_layout(height=330, showlegend=show_legend)
    st.plotly_chart(fig, width="stretch", key=f"history_{name}")
    row = {"encoder": info.title, "dimensions": emb.dimension, "seconds": round(emb.seconds, 2)}
    if corpus.labels:
        row["kNN label agreement"] = round(knn_label_agreement(emb.vectors, corpus.labels), 3)
    st.caption(f"{emb.dimension:,} dimensions · {emb.seconds:.2f} s"
               + (f" · nearest neighbour shares the label {row['kNN label agreement']:.0%}" if corpus.labels else ""))
    return row


def all_cards(corpus: core.Corpus) -> list[dict]:
    rows, names = [], list(ENCODERS)
    for start in range(0, len(names), COLUMNS):
        for column, name in zip(st.columns(COLUMNS), names[start:start + COLUMNS]):
            with column:
                row = encoder_card(corpus, name, show_legend=False)
                if row:
                    rows.append(row)
    return rows
