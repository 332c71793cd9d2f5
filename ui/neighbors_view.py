"""The Neighbors page on any Dataset (a corpus in memory or a collection): the nearest documents to a document or
to typed text, and for a document, which of them the map keeps, tears apart or invents."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.dataset import Dataset
from core.neighbours.similarity import Neighbors, nearest_on_map
from core.view_fields import NEIGHBOURS_IN, TYPED_MAX_CHARS
from ui import session, share, text, views

PICK_FROM_LIST = 5_000   # up to this many documents, pick one from a list of texts; above, by row number


def show(dataset: Dataset) -> None:
    mode, k = views.neighbours_controls(len(dataset))
    if mode == "document":
        row = _document(dataset)
        st.text(dataset.texts([row])[0])
        _with_map(dataset, row, k)
        share.share_panel()
    else:
        typed = session.bound(st.text_input, "Text", "neighbours_text", max_chars=TYPED_MAX_CHARS)
        found = search(dataset, typed, k)
        if found is not None:
            st.dataframe(table(dataset, found), hide_index=True, width="stretch", column_config=views.COSINE_BAR)
    st.caption(text.plain(dataset.neighbour_source))


def _document(dataset: Dataset) -> int:
    session.replace_view(session.view().fit_to(len(dataset))[0])
    if len(dataset) <= PICK_FROM_LIST:
        labels = [f"#{row}: " + core.sources.corpus.shorten(document, 90)
                  for row, document in enumerate(dataset.texts(range(len(dataset))))]
        return int(session.bound(st.selectbox, "Document", "doc", options=range(len(dataset)),
                                 format_func=labels.__getitem__))
    return int(session.bound(st.number_input, f"Document (row 0 to {len(dataset) - 1:,})", "doc", min_value=0,
                             max_value=len(dataset) - 1, step=1))


def search(dataset: Dataset, typed: str, k: int) -> Neighbors | None:
    """The k documents nearest to typed text; None, with the reason on the page, when it cannot be searched."""
    if not typed.strip():
        return None
    try:
        return dataset.search(typed, k)
    except (core.CorpusError, core.EncoderError) as error:
        st.warning(text.plain(error))
        return None


def table(dataset: Dataset, found: Neighbors) -> pd.DataFrame:
    """Rank, cosine, text (and label) of each document found, and its row."""
    rows = {"rank": np.arange(1, len(found.indices) + 1), "cosine": found.scores,
            "document": dataset.texts(found.indices)}
    if dataset.labels is not None:
        rows["label"] = dataset.labels[found.indices]
    rows["row"] = found.indices
    return pd.DataFrame(rows)


def _with_map(dataset: Dataset, row: int, k: int) -> None:
    """Neighbours in the original space or on the map, marking those the other view does not share."""
    original = dataset.neighbours(row, k)
    on_map = nearest_on_map(dataset.coords, row, k)
    space = session.bound(st.radio, "Neighbours in", "neighbours_in", options=list(NEIGHBOURS_IN), horizontal=True,
                          format_func={"space": "the original space",
                                       "map": f"the 2D {dataset.projection.upper()} map"}.get)
    shared = set(original.indices.tolist()) & set(on_map.indices.tolist())
    st.metric("Shared by both views", f"{len(shared)} of {len(original.indices)}",
              help="Neighbours that exist only on the map were invented by the projection; those only in the "
                   "original space were torn apart by it.")
    if space == "space":
        found = table(dataset, original)
        found["also on the map"] = ["✓" if i in shared else "✗ torn apart" for i in original.indices]
        st.dataframe(found, hide_index=True, width="stretch", column_config=views.COSINE_BAR)
    else:
        found = table(dataset, on_map).rename(columns={"cosine": "map distance"})
        found["also in the original space"] = ["✓" if i in shared else "✗ invented" for i in on_map.indices]
        st.dataframe(found, hide_index=True, width="stretch")
