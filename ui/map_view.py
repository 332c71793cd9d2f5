"""The map with everything that makes it honest: quality figures, per-point neighbour preservation,
clusters named by their terms, text search, and box/lasso selection."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.clusters import cluster, cluster_names
from core.plots import map_figure, similarity_heatmap
from core.pipeline import Analysis
from core.projection import explained_variance
from core.similarity import ordered_subset
from core.view import DIMS, METHODS, SEARCH_MAX_CHARS, SEED_BOUNDS
from ui import session, text
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


def default_colour(corpus: core.Corpus) -> str:
    return "label" if corpus.labels else NO_COLOUR


def controls(corpus: core.Corpus) -> dict:
    """The map's settings: those in the view state (projection, dimensions, colour, search, seed) and
    display-only ones (point size, clustering)."""
    options = colour_options(corpus)
    fitted, notices = session.view().fit_to(len(corpus), options)
    for notice in notices:  # e.g. a link made for another corpus
        st.info(text.plain(notice))
    session.replace_view(fitted)
    cols = st.columns(4)
    session.bound(cols[0].radio, "Projection", "method", options=list(METHODS), horizontal=True,
                  format_func=str.upper, help="PCA is a linear, distance-faithful view; UMAP keeps local "
                                               "neighbourhoods.")
    session.bound(cols[1].radio, "Dimensions", "dims", options=list(DIMS), horizontal=True)
    colour = session.bound(cols[2].selectbox, "Colour by", "colour", options=options,
                           shown=lambda value: value or default_colour(corpus),
                           help=f"{PRESERVATION}: the share of each point's {K} nearest neighbours in the "
                                f"original space that are also its {K} nearest on the map.")
    chosen = {"colour": colour, "size": cols[3].slider("Point size", 2, 16, 6, key="map_size")}
    if colour == CLUSTERS:
        left, right = st.columns(2)
        chosen["cluster_method"] = left.radio("Clustering", ["kmeans", "hdbscan"], horizontal=True,
                                              format_func={"kmeans": "k-means", "hdbscan": "HDBSCAN"}.get)
        chosen["n_clusters"] = right.slider("Clusters (k-means) / smallest cluster (HDBSCAN)", 2, 30, 8)
    left, right = st.columns([4, 1])
    session.bound(left.text_input, "Highlight documents containing", "search", max_chars=SEARCH_MAX_CHARS)
    session.bound(right.number_input, "Seed", "seed", min_value=SEED_BOUNDS[0], max_value=SEED_BOUNDS[1],
                  help="UMAP's random seed: the same seed gives the same map.")
    return chosen


@st.cache_data(max_entries=16, show_spinner="Clustering…")
def _clusters(_vectors, _texts, digest: str, method: str, n: int) -> list[str]:
    ids = cluster(_vectors, method=method, n_clusters=n, min_cluster_size=n)
    return cluster_names(_texts, ids)


def show(corpus: core.Corpus, result: Analysis, *, colour="label", size=6, cluster_method="kmeans", n_clusters=8,
         selectable=True) -> list[int]:
    """Draw the view's map; return the rows the user selected with the box or lasso tool."""
    view, mapped = session.view(), result.map
    if mapped.plan.note:
        st.info(mapped.plan.note)
    labels, values = _colouring(corpus, result, colour, cluster_method, n_clusters)
    highlight = _search(corpus, view.search)
    dims = mapped.coords.shape[1]
    shown = _sample_to_draw(len(corpus), dims)
    fig = map_figure(mapped.coords, corpus.texts, labels=labels, values=values, value_name=colour, point_size=size,
                     highlight=highlight, shown=shown)
    if selectable and dims == 2:
        fig.update_layout(dragmode="lasso")
        event = st.plotly_chart(fig, width="stretch", key="map_chart", on_select="rerun",
                                selection_mode=("box", "lasso"))
    else:
        st.plotly_chart(fig, width="stretch", key="map_chart")
        event = None
    _honesty_notes(result, dims)
    if selectable:
        export_panel(corpus, result.embeddings, mapped.coords, fig)
    rows = selected_rows(fig, event)
    if rows and tuple(rows) != view.selection:
        session.set_view(selection=tuple(rows))
    return list(session.view().selection)


def _sample_to_draw(n: int, dims: int):
    """Above MAX_DRAWN points a browser struggles: draw a seeded sample over a density layer of all."""
    if n <= MAX_DRAWN:
        return None
    st.info(f"{n:,} documents: the map draws a random sample of {MAX_DRAWN:,} points"
            + (" over a density layer of all of them." if dims == 2 else "."))
    return np.sort(np.random.default_rng(0).choice(n, MAX_DRAWN, replace=False))


def _colouring(corpus, result: Analysis, colour, cluster_method, n_clusters):
    if colour == "label":
        return corpus.labels, None
    if colour == PRESERVATION:
        return None, result.map.preservation
    if colour == CLUSTERS:
        emb = result.embeddings
        return _clusters(emb.vectors, corpus.texts, emb.digest, cluster_method, n_clusters), None
    if colour != NO_COLOUR and corpus.metadata is not None and colour in corpus.metadata:
        return None, pd.to_numeric(corpus.metadata[colour], errors="coerce").to_numpy()
    return None, None


def _search(corpus: core.Corpus, search: str):
    if not search.strip():
        return None
    needle = search.strip().lower()
    rows = [i for i, document in enumerate(corpus.texts) if needle in document.lower()]
    st.caption(text.plain(f"{len(rows):,} documents contain '{search.strip()}' (ringed on the map)."))
    return rows


def _honesty_notes(result: Analysis, dims: int) -> None:
    quality, plan, emb = result.map.quality, result.map.plan, result.embeddings
    cols = st.columns(3)
    if quality["k"] and not np.isnan(quality["trustworthiness"]):
        sample = f" (on a sample of {quality['sampled']:,})" if quality["sampled"] else ""
        cols[0].metric(f"Trustworthiness (k={quality['k']})", f"{quality['trustworthiness']:.3f}",
                       help="1.0 when every neighbour on the map is also a neighbour in the original space" + sample)
        cols[1].metric(f"Continuity (k={quality['k']})", f"{quality['continuity']:.3f}",
                       help="1.0 when every original neighbour stays a neighbour on the map" + sample)
    if not result.graph.exact:
        st.caption(f"Neighbours come from an approximate search (NN-descent) over {len(emb.vectors):,} documents; "
                   f"it finds {result.graph.recall:.0%} of the exact nearest neighbours on a sample.")
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
    title, clear = st.columns([4, 1])
    title.subheader(f"{len(rows):,} selected documents")
    if clear.button("Clear selection", key="clear_map_selection"):
        session.set_view(selection=())
        st.rerun()
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
