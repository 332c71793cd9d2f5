"""Rendering pieces used by more than one page: the map with its controls, and the corpus header."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.plots import map_figure
from core.projection import explained_variance, plan_projection
from ui import state

NO_COLOUR = "nothing"


def context_line() -> str:
    encoder = core.ENCODERS[st.session_state[state.ENCODER]].title
    return f"{state.corpus_title(st.session_state[state.CORPUS])} · {encoder}"


def corpus_header(corpus: core.Corpus, emb=None) -> None:
    summary = corpus.summary()
    st.subheader(context_line())
    cols = st.columns(4)
    cols[0].metric("Documents", f"{summary['documents']:,}")
    cols[1].metric("Labels", summary["labels"] or "none")
    cols[2].metric("Median words", summary["median words"])
    if emb is not None:
        cols[3].metric("Dimensions", f"{emb.dimension:,}", help=f"computed in {emb.seconds:.1f} s")
    if corpus.description:
        st.caption(corpus.description)
    state.show_notices(corpus)


def colour_options(corpus: core.Corpus) -> list[str]:
    options = ["label"] if corpus.labels else []
    if corpus.metadata is not None:
        numeric = corpus.metadata.select_dtypes("number").columns
        options += [str(c) for c in numeric]
    return options + [NO_COLOUR]


def map_controls(corpus: core.Corpus) -> dict:
    cols = st.columns(4)
    method = cols[0].radio("Projection", ["pca", "umap"], horizontal=True, key="map_method",
                           format_func=str.upper,
                           help="PCA is a linear, distance-faithful view; UMAP keeps local neighbourhoods.")
    dims = cols[1].radio("Dimensions", [2, 3], horizontal=True, key="map_dims")
    colour = cols[2].selectbox("Colour by", colour_options(corpus), key="map_colour")
    size = cols[3].slider("Point size", 2, 16, 6, key="map_size")
    return {"method": method, "dims": dims, "colour": colour, "size": size}


def show_map(corpus: core.Corpus, emb, *, method="pca", dims=2, colour="label", size=6, highlight=None) -> None:
    plan = plan_projection(len(corpus), method=method, n_components=dims)
    if plan.note:
        st.info(plan.note)
    coords = state.projection(emb, method, dims)
    labels = corpus.labels if colour == "label" else None
    values = None
    if colour not in ("label", NO_COLOUR) and corpus.metadata is not None and colour in corpus.metadata:
        values = pd.to_numeric(corpus.metadata[colour], errors="coerce").to_numpy()
    fig = map_figure(coords, corpus.texts, labels=labels, values=values, value_name=colour, point_size=size,
                     highlight=highlight)
    st.plotly_chart(fig, width="stretch", key="map_chart")
    if plan.method == "pca":
        shares = explained_variance(emb.vectors, dims)
        st.caption("PCA axes explain " + ", ".join(f"{s:.1%}" for s in shares)
                   + f" of the variance ({sum(shares):.1%} in all): distances on this map are a flattened view.")
    else:
        st.caption("UMAP keeps each point's nearest neighbours close, but distances between far-apart groups "
                   "and the size of clusters mean little.")


def document_label(corpus: core.Corpus, index: int, width: int = 90) -> str:
    text = corpus.texts[index]
    return f"#{index}: " + (text if len(text) <= width else text[: width - 1] + "…")


def neighbours_table(corpus: core.Corpus, neighbours: core.similarity.Neighbors) -> pd.DataFrame:
    rows = {"rank": np.arange(1, len(neighbours.indices) + 1), "cosine": neighbours.scores,
            "document": [corpus.texts[i] for i in neighbours.indices]}
    if corpus.labels:
        rows["label"] = [corpus.labels[i] for i in neighbours.indices]
    rows["row"] = neighbours.indices
    return pd.DataFrame(rows)
