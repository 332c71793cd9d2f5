"""The map's filters: a multiselect per column of categories and a range per column of numbers, kept in the view
(so in share links); documents that do not pass fade on the map."""
from __future__ import annotations

import streamlit as st

from core.dataset import Dataset
from core.filters import FilterableColumn
from ui import session


def filter_controls(dataset: Dataset) -> None:
    """A multiselect per column of categories and a range per column of numbers; the view keeps them."""
    ask_filters(dataset.filterable, dataset.filter_mask, len(dataset))


def ask_filters(columns: list[FilterableColumn], mask_of, total: int) -> None:
    """The filter widgets for these columns; `mask_of(filters)` gives the rows they keep, to count them."""
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
