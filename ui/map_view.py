"""The map with everything that makes it honest: quality figures, per-point neighbour preservation,
clusters named by their terms, text search, and box/lasso selection."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.clusters import cluster, cluster_names, map_regions
from core.plots import map_figure, similarity_heatmap
from core.pipeline import Analysis
from core.projection import explained_variance
from core.similarity import ordered_subset
from core.view import DIMS, METHODS, SEARCH_MAX_CHARS, SEED_BOUNDS
from core.filters import FilterableColumn, as_numbers, corpus_columns, filter_mask, filterable_columns
from ui import session, text
from ui.export_view import export_panel
from ui.map_component import current_event, scatter_map

NO_COLOUR = "nothing"
PRESERVATION = "neighbour preservation"
CLUSTERS = "clusters"
K = 10
MAX_SELECTION_HEATMAP = 100
MAX_DRAWN_3D = 20_000   # plotly's WebGL 3D scatter; the 2D map draws every point


def colour_options(corpus: core.Corpus) -> list[str]:
    """The label, then every column that can be filtered (numbers on a ramp, categories by colour)."""
    columns = [column.name for column in filterable_columns(corpus) if column.name != "label"]
    return (["label"] if corpus.labels else []) + columns + [PRESERVATION, CLUSTERS, NO_COLOUR]


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
    size = cols[3].select_slider("Point size", ["auto", *range(1, 17)], "auto", key="map_size",
                                 help="auto: smaller points for bigger corpora")
    chosen = {"colour": colour, "size": None if size == "auto" else size}
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


def show(corpus: core.Corpus, result: Analysis, *, colour="label", size=None, cluster_method="kmeans", n_clusters=8,
         selectable=True, key: str = "map", height: int = 620, name_regions=False) -> list[int]:
    """Draw the view's map; return the rows selected (lasso or box), which the view state keeps.
    name_regions: write the distinctive words of each area of a 2D map on it (unless it shows cluster names)."""
    view, mapped = session.view(), result.map
    if mapped.plan.note:
        st.info(mapped.plan.note)
    labels, values = _colouring(corpus, result, colour, cluster_method, n_clusters)
    if mapped.coords.shape[1] == 3:
        _three_d(corpus, mapped.coords, labels, values, colour, size, _search(corpus, view.search))
    else:
        names = (_cluster_labels(mapped.coords, labels) if colour == CLUSTERS else
                 _region_names(mapped.coords, corpus.texts) if name_regions else None)
        _two_d(corpus, result, labels, values, colour, size, key, keep=filters_mask(corpus) & _matches(corpus),
               height=height, names=names)
    _honesty_notes(result, mapped.coords.shape[1])
    if selectable:
        subsets = {"the selection": list(session.view().selection),
                   "those passing the filters": passing(corpus)}
        export_panel(corpus, result.embeddings, mapped.coords,
                     lambda: map_figure(mapped.coords, corpus.texts, labels=labels, values=values,
                                        value_name=colour, point_size=size or 6), subsets)
    return list(session.view().selection)


def _two_d(corpus, result: Analysis, labels, values, colour, size, key, keep, height, names) -> None:
    """Every point drawn by the WebGL map; a click rings the document's nearest neighbours in the original
    space and lists them beside the map; a lasso or box selection goes to the view state."""
    coords = result.map.coords
    latest = current_event(key, coords)  # what the user did last, before this run draws the map
    keep_selection(key, latest.selection)
    clicked = keep_click(key, latest.clicked, len(coords))
    neighbours = core.nearest_neighbors(result.embeddings.vectors, clicked, K) if clicked is not None else None
    left, right = st.columns([2, 1]) if clicked is not None else (st.container(), None)
    colouring = ({"values": values, "value_name": colour} if values is not None else
                 {"categories": labels} if labels is not None else {})
    with left:
        scatter_map(coords, key=key, hover_labels=corpus.texts, selection=list(session.view().selection),
                            highlight=clicked, neighbours=None if neighbours is None else neighbours.indices,
                            filter_mask=None if keep.all() else keep, height=height, title=colour, size=size,
                            cluster_labels=names,
                            **colouring)
    if right is not None:
        with right:
            clicked_panel(corpus.texts, coords, clicked, neighbours)


def keep_selection(key: str, selection) -> None:
    """A new lasso or box selection (or the map's own clear) replaces the view's; a selection that came with a
    share link stays until the user changes it on the map."""
    last = st.session_state.get(f"_{key}_last_selection")
    now = tuple(int(row) for row in selection)
    if last is not None and now != last:
        session.set_view(selection=now)
    st.session_state[f"_{key}_last_selection"] = now


def keep_click(key: str, clicked: int | None, n_documents: int) -> int | None:
    """A new click on the map goes to the view state (so into the URL and the share link); until the user
    clicks, the map shows the document a link clicked."""
    last = st.session_state.get(f"_{key}_last_click")
    if clicked is not None and clicked != last:
        session.set_view(clicked=clicked)
    st.session_state[f"_{key}_last_click"] = clicked
    kept = session.view().clicked
    return kept if kept is not None and 0 <= kept < n_documents else None


def clicked_panel(texts, coords, clicked: int, neighbours) -> None:
    """The clicked document's K nearest neighbours by cosine, marked when they are also near on the map.
    texts: any sequence of the documents' texts."""
    on_map = set(core.similarity.nearest_on_map(coords, clicked, K).indices.tolist())
    st.markdown(f"**Document #{clicked}**")
    st.caption(text.plain(texts[clicked][:300]))
    table = pd.DataFrame({"document": [texts[int(i)] for i in neighbours.indices], "cosine": neighbours.scores,
                          "on the map": ["✓" if i in on_map else "✗" for i in neighbours.indices],
                          "row": neighbours.indices})
    # the two narrow columns first: in a third of a 1400 px page, a wide text column would push them out of view
    st.dataframe(table, hide_index=True, height=420, column_order=("cosine", "on the map", "document"),
                 column_config={
                     "cosine": st.column_config.NumberColumn("cosine", format="%.2f", width="small"),
                     "on the map": st.column_config.TextColumn("on map", width="small",
                                                               help="✓ when also among its nearest on the map"),
                     "document": st.column_config.TextColumn("document", width="large")})
    shared = len(on_map & set(neighbours.indices.tolist()))
    st.caption(f"Its {K} nearest neighbours in the original space, ringed on the map; ✓ when also among its "
               f"{K} nearest on the map ({shared} of {K}).")


def _region_names(coords, texts) -> pd.DataFrame:
    return _cached_regions(coords, texts, hashlib.sha1(np.ascontiguousarray(coords).tobytes()).hexdigest())


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_regions(_coords, _texts, digest: str) -> pd.DataFrame:
    return pd.DataFrame(map_regions(_coords, list(_texts)), columns=["label", "x", "y", "weight"])


def _cluster_labels(coords, labels) -> pd.DataFrame:
    """One label per cluster at the middle of its points, weighted by size (noise left out)."""
    frame = pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1], "label": labels})
    frame = frame[frame.label != "noise"]
    centres = frame.groupby("label").agg(x=("x", "median"), y=("y", "median"), weight=("x", "size"))
    return centres.reset_index()


def _three_d(corpus, coords, labels, values, colour, size, highlight) -> None:
    shown = None
    if len(corpus) > MAX_DRAWN_3D:
        st.info(f"{len(corpus):,} documents: the 3D map draws a random sample of {MAX_DRAWN_3D:,} of them "
                "(switch to 2D to see every point).")
        shown = np.sort(np.random.default_rng(0).choice(len(corpus), MAX_DRAWN_3D, replace=False))
    st.plotly_chart(map_figure(coords, corpus.texts, labels=labels, values=values, value_name=colour,
                               point_size=size or 4, highlight=highlight, shown=shown), width="stretch",
                    key="map_3d")


def filters_mask(corpus: core.Corpus) -> np.ndarray:
    return filter_mask(corpus, session.view().filters)


def passing(corpus: core.Corpus) -> np.ndarray | None:
    """The rows that pass the view's filters, or None when no filter is set."""
    return np.flatnonzero(filters_mask(corpus)) if session.view().filters else None


def filter_controls(corpus: core.Corpus) -> None:
    """A multiselect per column of categories and a range per column of numbers; the view keeps them."""
    ask_filters(filterable_columns(corpus), lambda chosen: filter_mask(corpus, chosen), len(corpus))


def ask_filters(columns: list[FilterableColumn], mask_of, total: int) -> None:
    """The filter widgets for these columns (of a corpus or a collection); `mask_of(filters)` gives the rows
    they keep, to count them."""
    if not columns:
        return
    current = dict(session.view().filters)
    with st.expander("Filter" + (f" ({len(current)} active)" if current else "")):
        cols = st.columns(min(3, len(columns)))
        for number, column in enumerate(columns):
            chosen = _filter_widget(cols[number % len(cols)], column, current.get(column.name))
            if chosen is None:
                current.pop(column.name, None)
            else:
                current[column.name] = chosen
        kept = int(mask_of(current).sum())
        st.caption(f"{kept:,} of {total:,} documents pass; the others fade on the map.")
    if current != session.view().filters:
        session.set_view(filters=current)
        st.rerun()


def _filter_widget(place, column, current):
    key = f"_w_filter_{column.name}"
    if column.kind == "categories":
        default = [value for value in current or [] if value in column.options]
        return place.multiselect(column.name, column.options, default=default, key=key) or None
    low, high = column.bounds
    chosen = place.slider(column.name, low, high, _within(current, low, high), key=key)
    return None if tuple(chosen) == (low, high) else [chosen[0], chosen[1]]


def _within(current, low, high) -> tuple:
    """A [low, high] range from a link, as the column's type and inside its bounds (st.slider refuses a float on
    a whole-number column and a value outside its bounds); the whole range when it is not two numbers."""
    if not (isinstance(current, (list, tuple)) and len(current) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in current)):
        return low, high
    as_type = type(low)
    start, end = (min(max(as_type(round(v) if as_type is int else v), low), high) for v in current)
    return (start, end) if start <= end else (low, high)


def _colouring(corpus, result: Analysis, colour, cluster_method, n_clusters):
    if colour == "label":
        return corpus.labels, None
    if colour == PRESERVATION:
        return None, result.map.preservation
    if colour == CLUSTERS:
        emb = result.embeddings
        return _clusters(emb.vectors, corpus.texts, emb.digest, cluster_method, n_clusters), None
    column = corpus_columns(corpus).get(colour)
    if column is None:
        return None, None
    numbers = as_numbers(column)
    return (None, numbers.to_numpy()) if numbers is not None else (column.astype(str).tolist(), None)


def _matches(corpus: core.Corpus) -> np.ndarray:
    """True for the documents that contain the searched text (all of them without a search)."""
    rows = _search(corpus, session.view().search)
    keep = np.ones(len(corpus), dtype=bool)
    if rows is not None:
        keep[:] = False
        keep[rows] = True
    return keep


def _search(corpus: core.Corpus, search: str):
    if not search.strip():
        return None
    needle = search.strip().lower()
    rows = [i for i, document in enumerate(corpus.texts) if needle in document.lower()]
    st.caption(text.plain(f"{len(rows):,} documents contain '{search.strip()}' (the others fade on the 2D map; matches are ringed in 3D)."))
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


def selection_title(count: int) -> None:
    """How many documents are selected, and a button that clears the selection."""
    title, clear = st.columns([4, 1])
    title.subheader(text.counted(count, "selected document"))
    if clear.button("Clear selection", key="clear_map_selection"):
        session.set_view(selection=())
        st.rerun()


def selection_panel(corpus: core.Corpus, emb, rows: list[int]) -> None:
    if not rows:
        st.caption("Tip: drag a box or a lasso on the 2D map to select documents and compare them.")
        return
    selection_title(len(rows))
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
