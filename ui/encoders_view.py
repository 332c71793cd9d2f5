"""Encoders page pieces: every encoder on the same corpus, in historical order, from the shared embedding cache."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import core
from core.encoders import ENCODERS, default_params
from core.neighbours.metrics import knn_label_agreement
from core.view import ViewState
from ui import compute
from ui.plots import map_figure

COLUMNS = 3
# Each card draws at most this many points (one seeded sample for every card), over a density of them all.
CARD_POINTS = 3_000


def encoder_card(corpus: core.Corpus, name: str, show_legend: bool) -> dict | None:
    """One small PCA map with its figures; returns the row for the summary table."""
    info = ENCODERS[name]
    emb = compute.guarded(compute.embeddings, corpus, name, default_params(name))
    if emb is None:
        return None
    coords = compute.analysis(corpus, ViewState(method="pca"), dims=2, emb=emb).map.coords
    fig = card_figure(coords, corpus, info.title)
    fig.update_layout(height=330, showlegend=show_legend)
    st.plotly_chart(fig, width="stretch", key=f"history_{name}")
    row = {"encoder": info.title, "dimensions": emb.dimension, "seconds": round(emb.seconds, 2)}
    if corpus.labels:
        row["kNN label agreement"] = round(knn_label_agreement(emb.vectors, corpus.labels), 3)
    st.caption(f"{emb.dimension:,} dimensions · {emb.seconds:.2f} s"
               + (f" · nearest neighbour shares the label {row['kNN label agreement']:.0%}" if corpus.labels else ""))
    return row


def card_figure(coords, corpus: core.Corpus, title: str) -> go.Figure:
    """A card's map, drawn without WebGL: a browser keeps about 16 WebGL contexts, and a page of ten WebGL
    scatters loses its oldest maps (the first cards went blank). Above CARD_POINTS documents, a seeded sample of
    them is drawn over a density of all."""
    shown = None
    if len(coords) > CARD_POINTS:
        shown = np.sort(np.random.default_rng(0).choice(len(coords), CARD_POINTS, replace=False))
    fig = map_figure(coords, corpus.texts, labels=corpus.labels, point_size=4, title=title, shown=shown)
    return go.Figure([go.Scatter({key: value for key, value in trace.to_plotly_json().items() if key != "type"})
                      if trace.type == "scattergl" else trace for trace in fig.data], layout=fig.layout)


def all_cards(corpus: core.Corpus) -> list[dict]:
    """Every encoder's card, in a grid drawn up front: the cards not yet computed say so, and a line above the
    grid counts the maps drawn and names the one being computed. Returns the rows of the summary table."""
    names = list(ENCODERS)
    total = len(names)
    status = st.empty()
    slots = {}
    for start in range(0, total, COLUMNS):
        for column, name in zip(st.columns(COLUMNS), names[start:start + COLUMNS]):
            slots[name] = column.empty()
    for number, name in enumerate(names, 1):
        slots[name].info(f"Map {number} of {total}: {ENCODERS[name].title}, waiting its turn",
                         icon=":material/schedule:")
    rows, failed = [], []
    for number, name in enumerate(names, 1):
        title = ENCODERS[name].title
        status.progress((number - 1) / total, text=f"{number - 1} of {total} maps drawn · computing map {number} "
                                                   f"of {total}: {title}…")
        with slots[name].container():
            notice = st.empty()
            notice.info(f"Computing map {number} of {total}: {title}…", icon=":material/hourglass_top:")
            row = encoder_card(corpus, name, show_legend=False)
            notice.empty()
        if row:
            rows.append(row)
        else:
            failed.append(title)
    status.caption(f"All {total} maps drawn, one per encoder." if not failed else
                   f"{total - len(failed)} of {total} maps drawn; no map for {', '.join(failed)} (see its card).")
    return rows
