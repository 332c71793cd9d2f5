"""The documents selected on a map (lasso or box): how many, a table of them, how alike they are."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.dataset import Dataset
from core.neighbours.similarity import ordered_subset
from ui import session, text
from ui.plots import similarity_heatmap

SELECTION_TABLE = 1_000    # selected documents listed (all of them go to the export)
MAX_SELECTION_HEATMAP = 100


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


def selection_panel(dataset: Dataset, rows: list[int]) -> None:
    """The selected documents (the first SELECTION_TABLE listed) and how alike they are."""
    if not rows:
        st.caption("Tip: drag a box or a lasso on the 2D map to select documents; the Similarity and Compare "
                   "pages then work on them.")
        return
    selection_title(len(rows))
    listed = np.asarray(rows[:SELECTION_TABLE], dtype=np.int64)
    table = dataset.metadata(listed)
    table.insert(0, "row", listed)
    st.dataframe(table.rename(columns={"text": "document"}), hide_index=True, width="stretch", height=260)
    if len(rows) > SELECTION_TABLE:
        st.caption(f"The first {SELECTION_TABLE:,} are listed; the export holds all of them.")
    shown = listed[:MAX_SELECTION_HEATMAP]
    if len(shown) >= 2:
        vectors = np.asarray(dataset.vectors[shown], dtype=np.float32)
        labels = None if dataset.labels is None else [str(label) for label in dataset.labels[shown]]
        ordered, S, ordered_labels = ordered_subset(vectors, range(len(shown)), labels)
        texts = dataset.texts(shown[ordered])
        note = f" (the first {MAX_SELECTION_HEATMAP})" if len(rows) > MAX_SELECTION_HEATMAP else ""
        st.plotly_chart(similarity_heatmap(S, texts, labels=ordered_labels,
                                           title=f"Cosine similarity within the selection{note}"), width="stretch")
