"""The map of any Dataset (a corpus in memory or a collection) with everything that makes it honest: quality
figures, per-point neighbour preservation, clusters named by their terms, text search, find-like, click for
neighbours, and box/lasso selection. What a dataset cannot do is not offered (a collection's map is stored, so
projection, dimensions and seed are not asked)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from core.dataset import Dataset
from core.maps.projection import explained_variance
from core.neighbours.similarity import nearest_on_map
from core.view import DIMS, METHODS, SEARCH_MAX_CHARS, SEED_BOUNDS
from ui import caches, neighbors_view, session, text, views
from ui.export_view import export_panel
from ui.filter_panel import filter_controls
from ui.map_colours import (CLUSTERS, PRESERVATION, cluster_labels, colour_options, colours_for,
                             default_colour, map_topics, region_names)
from ui.selection_panel import selection_panel
from ui.map_component import INLINE_TEXT_LIMIT, current_event, scatter_map
from ui.plots import map_figure

__all__ = ["controls", "default_colour", "filter_controls", "selection_panel", "show"]   # what the pages use

K = 10
FOUND = 50                 # documents a find-like query rings on the map (a tenth of a small corpus)
LAST_LIKE = "_map_last_like"
MAX_DRAWN_3D = 20_000   # plotly's WebGL 3D scatter; the 2D map draws every point


class Texts(Sequence):
    """A dataset's texts as a sequence, read only when asked for (the map asks for those it hovers)."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.dataset.texts(range(*i.indices(len(self))))
        return self.dataset.texts([int(i)])[0]


def texts_of(dataset: Dataset) -> Sequence:
    """Every text in memory when the map sends them all; else read on demand."""
    return dataset.all_texts() if len(dataset) <= INLINE_TEXT_LIMIT else Texts(dataset)


def found_count(dataset: Dataset) -> int:
    return min(FOUND, max(10, len(dataset) // 10))


def controls(dataset: Dataset) -> dict:
    """The map's settings: those in the view state (projection, dimensions, colour, search, seed) and
    display-only ones (point size, clustering)."""
    options = colour_options(dataset)
    fitted, notices = session.view().fit_to(len(dataset), options)
    for notice in notices:  # e.g. a link made for another corpus
        st.info(text.plain(notice))
    session.replace_view(fitted)
    cols = st.columns(4) if not dataset.stored_map else [None, None, *st.columns(2)]   # no gap where none is asked
    if not dataset.stored_map:
        session.bound(cols[0].radio, "Projection", "method", options=list(METHODS), horizontal=True,
                      format_func=str.upper, help="PCA is a linear, distance-faithful view; UMAP keeps local "
                                                   "neighbourhoods.")
        session.bound(cols[1].radio, "Dimensions", "dims", options=list(DIMS), horizontal=True)
    colour = session.bound(cols[2].selectbox, "Colour by", "colour", options=options,
                           shown=lambda value: value or default_colour(dataset),
                           help=f"{PRESERVATION}: the share of each point's {K} nearest neighbours in the "
                                f"original space that are also its {K} nearest on the map.")
    size = session.bound(cols[3].select_slider, "Point size", "point_size", options=["auto", *range(1, 17)],
                         shown=lambda value: value or "auto", stored=lambda value: 0 if value == "auto" else value,
                         help="auto: smaller points for bigger corpora")
    chosen = {"colour": colour, "size": None if size == "auto" else size}
    if colour == CLUSTERS:
        left, right = st.columns(2)
        chosen["cluster_method"] = session.bound(left.radio, "Clustering", "cluster_method", horizontal=True,
                                                 options=["kmeans", "hdbscan"],
                                                 format_func={"kmeans": "k-means", "hdbscan": "HDBSCAN"}.get)
        chosen["n_clusters"] = session.bound(right.slider, "Clusters (k-means) / smallest cluster (HDBSCAN)",
                                             "clusters", min_value=2, max_value=30)
    _search_controls(dataset)
    return chosen


def _search_controls(dataset: Dataset) -> None:
    places = st.columns([2, 2, 1] if not dataset.stored_map else [1, 1])
    if len(dataset) <= INLINE_TEXT_LIMIT:
        session.bound(places[0].text_input, "Highlight documents containing", "search", max_chars=SEARCH_MAX_CHARS)
    if dataset.can_encode:   # not dataset.encoder: that would load the model before anybody types
        like = session.bound(places[1].text_input, "Find documents like", "like", max_chars=SEARCH_MAX_CHARS,
                             help=f"Encoded with {dataset.encoder_name}; the {found_count(dataset)} nearest are "
                                  "ringed.")
        if like.strip() and like != st.session_state.get(LAST_LIKE, like):
            session.set_view(clicked=None)   # a new query is what the visitor looks at now, not the last click
        st.session_state[LAST_LIKE] = like
    if not dataset.stored_map:
        session.bound(places[2].number_input, "Seed", "seed", min_value=SEED_BOUNDS[0], max_value=SEED_BOUNDS[1],
                      help="UMAP's random seed: the same seed gives the same map.")


def show(dataset: Dataset, *, colour="label", size=None, cluster_method="kmeans", n_clusters=8, selectable=True,
         key: str = "map", height: int = 620, name_regions=False) -> list[int]:
    """Draw the view's map; return the rows selected (lasso or box), which the view state keeps.
    name_regions: write the distinctive words of each area of a 2D map on it (unless it shows cluster names)."""
    colouring = colours_for(dataset, colour, cluster_method, n_clusters)
    matches = _matches(dataset)
    drawn = None    # what the 2D map draws besides its points, for the map's HTML file too
    if dataset.coords.shape[1] == 3:
        _three_d(dataset, colouring, colour, size, matches)
    else:
        names = (cluster_labels(dataset.coords, colouring["categories"]) if colour == CLUSTERS else
                 region_names(dataset) if name_regions else None)
        keep = filters_mask(dataset) & (matches if matches is not None else True)
        drawn = {"size": size, "cluster_labels": names, "filter_mask": None if keep.all() else keep, **colouring}
        _two_d(dataset, drawn, key, height, selectable)
    _honesty_notes(dataset)
    if selectable:
        subsets = {"the selection": list(session.view().selection), "those passing the filters": passing(dataset)}
        on_screen = None if drawn is None else {**drawn, "selection": list(session.view().selection)}
        export_panel(dataset, lambda: _figure(dataset, colouring, colour, size), subsets, on_screen)
    return list(session.view().selection)


def _two_d(dataset: Dataset, drawn: dict, key, height, selectable) -> None:
    """Every point drawn by the WebGL map; a click rings the document's nearest neighbours in the original
    space and lists them beside the map; a find-like query rings the documents nearest to it; a lasso or box
    selection goes to the view state."""
    coords = dataset.coords
    found = neighbors_view.search(dataset, session.view().like, found_count(dataset)) if dataset.can_encode else None
    latest = current_event(key, coords)  # what the user did last, before this run draws the map
    keep_selection(key, latest.selection)
    clicked = keep_click(key, latest.clicked, len(dataset))
    neighbours = dataset.neighbours(clicked, K) if clicked is not None else None
    ringed = neighbours if neighbours is not None else found
    left, right = st.columns([2, 1]) if clicked is not None else (st.container(), None)
    with left:
        scatter_map(coords, key=key, hover_labels=texts_of(dataset), height=height,
                    selection=list(session.view().selection) if selectable else None, highlight=clicked,
                    neighbours=None if ringed is None else ringed.indices, **drawn)
    if right is not None:
        with right:
            clicked_panel(dataset, clicked, neighbours)
    elif found is not None:
        st.caption(f"The {len(found.indices)} documents nearest to your text are ringed on the map.")
        st.dataframe(neighbors_view.table(dataset, found), hide_index=True, width="stretch",
                     column_config=views.COSINE_BAR, height=300)


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


def clicked_panel(dataset: Dataset, clicked: int, neighbours) -> None:
    """The clicked document's K nearest neighbours by cosine, marked when they are also near on the map."""
    on_map = set(nearest_on_map(dataset.coords, clicked, K).indices.tolist())
    st.markdown(f"**Document #{clicked}**")
    st.caption(text.plain(dataset.texts([clicked])[0][:300]))
    table = pd.DataFrame({"document": dataset.texts(neighbours.indices), "cosine": neighbours.scores,
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


def _three_d(dataset: Dataset, colouring: dict, colour, size, matches) -> None:
    shown = None
    if len(dataset) > MAX_DRAWN_3D:
        st.info(f"{len(dataset):,} documents: the 3D map draws a random sample of {MAX_DRAWN_3D:,} of them "
                "(switch to 2D to see every point).")
        shown = np.sort(np.random.default_rng(0).choice(len(dataset), MAX_DRAWN_3D, replace=False))
    highlight = None if matches is None else np.flatnonzero(matches).tolist()
    st.plotly_chart(_figure(dataset, colouring, colour, size or 4, highlight=highlight, shown=shown),
                    width="stretch", key="map_3d")


def _figure(dataset: Dataset, colouring: dict, colour, size, **options):
    """The plotly figure of the map (the 3D map, and the HTML export)."""
    labels = colouring.get("categories")
    if labels is not None and "category_names" in colouring:
        names = np.array(colouring["category_names"] + ["(none)"], dtype=object)
        labels = names[np.asarray(labels)].tolist()   # code -1 (none) takes the last name
    return map_figure(dataset.coords, texts_of(dataset), labels=labels, values=colouring.get("values"),
                      value_name=colour, point_size=size or 6, **options)


def filters_mask(dataset: Dataset) -> np.ndarray:
    return dataset.filter_mask(session.view().filters)


def passing(dataset: Dataset) -> np.ndarray | None:
    """The rows that pass the view's filters, or None when no filter is set."""
    return np.flatnonzero(filters_mask(dataset)) if session.view().filters else None


def _matches(dataset: Dataset) -> np.ndarray | None:
    """True for the documents that contain the searched text (taken literally, case ignored), counted, with a
    button that makes them the selection; None without a search."""
    search = session.view().search.strip()
    if not search:
        return None
    keep = caches.remembered("matches", {"dataset": dataset.digest, "search": search},
                             lambda: dataset.text_matches(search), shared=session.shares(dataset),
                             spinner="Searching every document…")   # not again on each rerun (78 ms at 1M)
    found = int(keep.sum())
    cols = st.columns([3, 1])
    cols[0].caption(text.plain(f"{found:,} documents contain '{search}' (the others fade on the 2D map; matches "
                               "are ringed in 3D)."))
    if found and cols[1].button(f"Select these {found:,}", key="select_matches",
                                help="The selection: the Map rings them, the other pages work on them."):
        session.set_view(selection=tuple(int(row) for row in np.flatnonzero(keep)))
    return keep


def topics_panel(dataset: Dataset) -> None:
    """The map's table of contents: its topics, broadest first, each followed by its finer ones; or, for a big map
    without stored topics, how to get them."""
    if dataset.coords.shape[1] != 2:
        return
    found = map_topics(dataset)
    if found is None:
        st.caption(text.plain(f"This map of {len(dataset):,} documents has no topic names yet: the command "
                              "python -m core topics stores them with the collection, or name them here (about "
                              f"{max(1, len(dataset) // 15_000)} s)."))
        if st.button("Name its topics now"):
            map_topics(dataset, compute=True)
            st.rerun()
        return
    with st.expander(f"Topics: {' / '.join(str(len(s)) for s in found.sizes)} by level, broadest first (zoom in "
                     "on the map to see the finer names)"):
        if found.note:
            st.caption(found.note)
        table = found.table()
        table["topic"] = ["\u2003" * level + name for level, name in zip(table.level, table.topic)]
        st.dataframe(table, hide_index=True, height=min(420, 38 + 35 * len(table)))


def _honesty_notes(dataset: Dataset) -> None:
    quality, dims = dataset.map_quality, dataset.coords.shape[1]
    cols = st.columns(3)
    sample = f" (on a sample of {quality['sampled']:,})" if quality["sampled"] else ""
    if quality["k"] and np.isfinite(quality["trustworthiness"]):
        cols[0].metric(f"Trustworthiness (k={quality['k']})", f"{quality['trustworthiness']:.3f}",
                       help="1.0 when every neighbour on the map is also a neighbour in the original space" + sample)
    if quality["k"] and np.isfinite(quality["continuity"]):
        cols[1].metric(f"Continuity (k={quality['k']})", f"{quality['continuity']:.3f}",
                       help="1.0 when every original neighbour stays a neighbour on the map" + sample)
    for note in dataset.map_notes:
        st.caption(text.plain(note))
    if dataset.projection == "pca" and not dataset.stored_map:
        shares = explained_variance(dataset.vectors, dims)
        cols[2].metric("Variance shown", f"{sum(shares):.1%}", help="share of the variance the PCA axes explain: "
                       + ", ".join(f"{s:.1%}" for s in shares))
        st.caption("PCA is a flattened view: it keeps the directions of greatest spread and drops the rest.")
    elif dataset.projection == "umap":
        st.caption("UMAP keeps each point's nearest neighbours close, but distances between far-apart groups "
                   "and the size of clusters mean little.")
