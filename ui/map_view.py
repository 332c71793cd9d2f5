"""The map with everything that makes it honest: quality figures, per-point neighbour preservation,
clusters named by their terms, text search, and box/lasso selection."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.clusters import cluster, cluster_names
from core.plots import map_figure, similarity_heatmap
from core.projection import explained_variance, plan_projection
from core.similarity import ordered_subset
from core.trust import map_quality, neighbour_preservation
from ui import state
from ui.export_view import export_panel

NO_COLOUR = "nothing"
PRESERVATION = "neighbour preservation"
CLUSTERS = "clusters"
K = 10
MAX_SELECTION_HEATMAP = 100
MAX_DRAWN = 20_000


def colour_options(corpus: core.Corpus) -> list[str]:
    options = ["label"] if corpus.labels else []
    if corpus.metadata is not None:
        options += [str(c) for c in corpus.metadata.select_dtypes("number").columns]
    return options + [PRESERVATION, CLUSTERS, NO_COLOUR]


def controls(corpus: core.Corpus) -> dict:
    if st.session_state.get("map_colour") not in colour_options(corpus):
        st.session_state.pop("map_colour", None)  # e.g. from a link made for another corpus
    cols = st.columns(4)
    options = {
        "method": cols[0].radio("Projection", ["pca", "umap"], horizontal=True, key="map_method", format_func=str.upper,
                                help="PCA is a linear, distance-faithful view; UMAP keeps local neighbourhoods."),
        "dims": cols[1].radio("Dimensions", [2, 3], horizontal=True, key="map_dims"),
        "colour": cols[2].selectbox("Colour by", colour_options(corpus), key="map_colour",
                                    help=f"{PRESERVATION}: the share of each point's {K} nearest neighbours in the "
                                         f"original space that are also its {K} nearest on the map."),
        "size": cols[3].slider("Point size", 2, 16, 6, key="map_size"),
    }
    if options["colour"] == CLUSTERS:
        left, right = st.columns(2)
        options["cluster_method"] = left.radio("Clustering", ["kmeans", "hdbscan"], horizontal=True,
                                               format_func={"kmeans": "k-means", "hdbscan": "HDBSCAN"}.get)
        options["n_clusters"] = right.slider("Clusters (k-means) / smallest cluster (HDBSCAN)", 2, 30, 8)
    left, right = st.columns([4, 1])
    options["search"] = left.text_input("Highlight documents containing", key="map_search", max_chars=200)
    options["seed"] = int(right.number_input("Seed", 0, 9999, key="map_seed",
                                             help="UMAP's random seed: the same seed gives the same map."))
    return options


@st.cache_data(max_entries=16, show_spinner="Clustering…")
def _clusters(_vectors, _texts, digest: str, method: str, n: int) -> list[str]:
    ids = cluster(_vectors, method=method, n_clusters=n, min_cluster_size=n)
    return cluster_names(_texts, ids)


@st.cache_data(max_entries=16, show_spinner="Measuring how faithful the map is…")
def _quality(_vectors, _coords, digest: str, method: str, dims: int, seed: int):
    preservation = neighbour_preservation(_vectors, _coords, K)
    return map_quality(_vectors, _coords, K), preservation


def show(corpus: core.Corpus, emb, *, method="pca", dims=2, colour="label", size=6, search="",
         cluster_method="kmeans", n_clusters=8, seed=0, selectable=True) -> list[int]:
    """Draw the map; return the rows the user selected with the box or lasso tool."""
    plan = plan_projection(len(corpus), method=method, n_components=dims, dims=emb.dimension)
    if plan.note:
        st.info(plan.note)
    coords = state.projection(emb, method, dims, seed)
    quality, preservation = _quality(emb.vectors, coords, emb.digest, method, dims, seed)
    labels, values = _colouring(corpus, emb, colour, preservation, cluster_method, n_clusters)
    highlight = _search(corpus, search)
    shown = _sample_to_draw(len(corpus), dims)
    fig = map_figure(coords, corpus.texts, labels=labels, values=values, value_name=colour, point_size=size,
                     highlight=highlight, shown=shown)
    if selectable and dims == 2:
        fig.update_layout(dragmode="lasso")
        event = st.plotly_chart(fig, width="stretch", key="map_chart", on_select="rerun",
                                selection_mode=("box", "lasso"))
    else:
        st.plotly_chart(fig, width="stretch", key="map_chart")
        event = None
    _honesty_notes(emb, plan, dims, quality)
    if selectable:
        export_panel(corpus, emb, coords, fig)
    return selected_rows(fig, event)


def _sample_to_draw(n: int, dims: int):
    """Above MAX_DRAWN points a browser struggles: draw a seeded sample over a density layer of all."""
    if n <= MAX_DRAWN:
        return None
    st.info(f"{n:,} documents: the map draws a random sample of {MAX_DRAWN:,} points"
            + (" over a density layer of all of them." if dims == 2 else "."))
    return np.sort(np.random.default_rng(0).choice(n, MAX_DRAWN, replace=False))


def _colouring(corpus, emb, colour, preservation, cluster_method, n_clusters):
    if colour == "label":
        return corpus.labels, None
    if colour == PRESERVATION:
        return None, preservation
    if colour == CLUSTERS:
        return _clusters(emb.vectors, corpus.texts, emb.digest, cluster_method, n_clusters), None
    if colour != NO_COLOUR and corpus.metadata is not None and colour in corpus.metadata:
        return None, pd.to_numeric(corpus.metadata[colour], errors="coerce").to_numpy()
    return None, None


def _search(corpus: core.Corpus, search: str):
    if not search.strip():
        return None
    needle = search.strip().lower()
    rows = [i for i, text in enumerate(corpus.texts) if needle in text.lower()]
    st.caption(f"{len(rows):,} documents contain '{search.strip()}' (ringed on the map).")
    return rows


def _honesty_notes(emb, plan, dims, quality) -> None:
    cols = st.columns(3)
    if quality["k"] and not np.isnan(quality["trustworthiness"]):
        sample = f" (on a sample of {quality['sampled']:,})" if quality["sampled"] else ""
        cols[0].metric(f"Trustworthiness (k={quality['k']})", f"{quality['trustworthiness']:.3f}",
                       help="1.0 when every neighbour on the map is also a neighbour in the original space" + sample)
        cols[1].metric(f"Continuity (k={quality['k']})", f"{quality['continuity']:.3f}",
                       help="1.0 when every original neighbour stays a neighbour on the map" + sample)
    if plan.method == "pca":
        shares = explained_variance(emb.vectors, dims)
        cols[2].metric("Variance shown", f"{sum(shares):.1%}", help="share of the variance the PCA axes explain: "
                       + ", ".join(f"{s:.1%}" for s in shares))
        st.caption("PCA is a flattened view: it keeps the directions of greatest spread and drops the rest.")
    else:
        st.caption("UMAP keeps each point's nearest neighbours close, but distances between far-apart groups "
                   "and the size of clusters mean little.")


def selected_rows(fig, event) -> list[int]:
    """Corpus rows picked with the box or lasso tool (density and ring traces ignored)."""
    if not event or not event.selection or not event.selection.points:
        return []
    rows = []
    for point in event.selection.points:
        trace = fig.data[point["curve_number"]]
        if trace.customdata is not None and trace.name != "highlighted":
            rows.append(int(trace.customdata[point["point_index"]]))
    return sorted(set(rows))


def selection_panel(corpus: core.Corpus, emb, rows: list[int]) -> None:
    if not rows:
        st.caption("Tip: drag a box or a lasso on the 2D map to select documents and compare them.")
        return
    st.subheader(f"{len(rows):,} selected documents")
    table = pd.DataFrame({"row": rows, "document": [corpus.texts[i] for i in rows]})
    if corpus.labels:
        table["label"] = [corpus.labels[i] for i in rows]
    st.dataframe(table, hide_index=True, width="stretch", height=260)
    shown = rows[:MAX_SELECTION_HEATMAP]
    if len(shown) >= 2:
        ordered, S, labels = ordered_subset(emb.vectors, shown, corpus.labels)
        note = f" (the first {MAX_SELECTION_HEATMAP})" if len(rows) > MAX_SELECTION_HEATMAP else ""
        st.plotly_chart(similarity_heatmap(S, [corpus.texts[i] for i in ordered], labels=labels,
                                           title=f"Cosine similarity within the selection{note}"), width="stretch")
