"""A whole collection on the Home and Map pages: its stored map with every point, neighbours from
its ANN index, texts read from its Parquet file on demand, and queries encoded with its own encoder."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

import numpy as np
import pandas as pd
import streamlit as st

from core.collections import Collection
from core.export import coordinates_csv
from core.view import SEARCH_MAX_CHARS
from ui import map_view, neighbors_view, session, shelf, text, views
from ui.map_component import INLINE_TEXT_LIMIT, current_event, scatter_map

K = 10
FOUND = 50                 # documents a typed query rings on the map
SELECTION_TABLE = 1_000    # selected documents listed (all of them go to the export)


class Texts(Sequence):
    """A collection's texts as a sequence, read only when asked for."""

    def __init__(self, collection: Collection):
        self.collection = collection

    def __len__(self) -> int:
        return len(self.collection)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.collection.text(j) for j in range(*i.indices(len(self)))]
        return self.collection.text(int(i))


def summary(collection: Collection) -> None:
    manifest, projection = collection.manifest, collection.manifest["projection"]
    cols = st.columns(4)
    cols[0].metric("Documents", f"{len(collection):,}")
    cols[1].metric("Labels", f"{len(collection.label_codes[1]):,}" if collection.label_codes else "none")
    cols[2].metric("Dimensions", f"{manifest['dimensions']:,}")
    trust = projection["trustworthiness"]
    cols[3].metric(f"Trustworthiness (k={projection['quality_k']})",
                   f"{trust:.3f}" if trust is not None and np.isfinite(trust) else "not measured",
                   help=f"measured on a sample of {projection['quality_sample']:,} documents when the collection "
                        "was built: 1.0 when every neighbour on the map is also a neighbour in the original space")
    placed = (f"fitted on a sample of {projection['fitted_on']:,} documents; the others were placed by its "
              "transform" if projection["placed_by"] == "transform" else "fitted on every document")
    source = PurePath(str(manifest.get("source", ""))).name or "its source"
    st.caption(text.plain(f"The map is {projection['method'].upper()}, {placed}. Built from {source} with "
                          f"{manifest['encoder']}."))


def filter_section(collection: Collection) -> None:
    """A filter per stored column (label, numbers, text of few values); documents outside fade on the map."""
    map_view.ask_filters(collection.filterable, collection.filter_mask, len(collection))


def colour_control(collection: Collection) -> str:
    """Colour by the label or any stored column the filters know (the view's colour; the label by default)."""
    options = list(collection.filter_columns)
    if not options:
        return ""
    return session.bound(st.columns(3)[0].selectbox, "Colour by", "colour", options=options,
                         shown=lambda value: value or options[0])


def _colouring(collection: Collection, colour: str) -> dict:
    column = collection.filter_columns.get(colour)
    if column is None:
        return {}
    if isinstance(column.dtype, pd.CategoricalDtype):
        names = [str(name) or "(empty)" for name in column.cat.categories]
        return {"categories": column.cat.codes.to_numpy(), "category_names": names, "title": colour}
    return {"values": column.to_numpy(dtype=float), "value_name": colour, "title": colour}


def map_section(collection: Collection, *, key: str = "collection_map", selectable: bool = True,
                colour: str = "") -> None:
    """Every point of the collection, coloured by `colour` (a stored column; the label by default); a click
    lists its nearest neighbours (ANN index, exact cosines), a typed query rings the documents nearest to it,
    and a lasso or box selection goes to the view state."""
    coords = collection.coords
    query = session.bound(st.text_input, "Find documents like", "search", max_chars=SEARCH_MAX_CHARS,
                          help=f"Encoded with {collection.manifest['encoder']}; the {FOUND} nearest are ringed.")
    dataset = shelf.dataset(collection)
    found = neighbors_view.search(dataset, query, FOUND)
    latest = current_event(key, coords)
    map_view.keep_selection(key, latest.selection)
    clicked = map_view.keep_click(key, latest.clicked, len(coords))
    neighbours = collection.search(clicked, K) if clicked is not None else None
    ringed = neighbours.indices if neighbours is not None else found.indices if found is not None else None
    left, right = st.columns([2, 1]) if clicked is not None else (st.container(), None)
    colouring = _colouring(collection, colour or "label")
    with left:
        filters = session.view().filters
        scatter_map(coords, key=key, hover_labels=_hover_texts(collection), height=620, highlight=clicked,
                    neighbours=ringed, selection=list(session.view().selection) if selectable else None,
                    filter_mask=collection.filter_mask(filters) if filters else None, **colouring)
    if right is not None:
        with right:
            map_view.clicked_panel(Texts(collection), coords, clicked, neighbours)
    if found is not None and clicked is None:
        st.caption(f"The {len(found.indices)} documents nearest to your text are ringed on the map.")
        st.dataframe(neighbors_view.table(dataset, found), hide_index=True, width="stretch",
                     column_config=views.COSINE_BAR, height=300)


def _hover_texts(collection: Collection) -> Sequence:
    """Every text in memory (read once per server) when the map sends them all; else read on demand."""
    return collection.all_texts() if len(collection) <= INLINE_TEXT_LIMIT else Texts(collection)


def selection_section(collection: Collection) -> None:
    rows = np.asarray(session.view().selection, dtype=np.int64)
    if len(rows) == 0:
        st.caption("Tip: drag a box or a lasso on the map to select documents; the Similarity and Compare pages "
                   f"then work on them (up to {shelf.SAMPLE:,}).")
        return
    map_view.selection_title(len(rows))
    shown = collection.metadata(rows[:SELECTION_TABLE])
    shown.insert(0, "row", rows[:SELECTION_TABLE])
    st.dataframe(shown, hide_index=True, width="stretch", height=260)
    if len(rows) > SELECTION_TABLE:
        st.caption(f"The first {SELECTION_TABLE:,} are listed; the export holds all of them.")
    st.download_button("Export the selection (CSV)", lambda: _selection_csv(collection, rows),
                       f"{collection.name}-selection.csv", "text/csv",
                       help="row, map coordinates, text and label of every selected document")


def _selection_csv(collection: Collection, rows: np.ndarray) -> bytes:
    return coordinates_csv(collection.corpus(rows), collection.coords[rows], rows)
