"""The map as a notebook widget (anywidget: JupyterLab, Notebook 7, VS Code, Colab), from the same JavaScript as
the Streamlit component and the HTML file (frontend/src/widget.js).

    from murmuration_map import Map
    m = Map(frame, x="x", y="y", text="text", color="label")
    m                                  # every point, hover texts, legend, lasso and box selection, click
    m.selection                        # the rows a lasso or box selected; set it to highlight rows
    m.observe(print, names=["selection", "clicked"])
    m.to_html("map.html")              # the same map as one file

`Map.from_dataset(core.open_dataset(...))` adds the dataset's neighbours: a click rings the clicked document's
10 nearest, and the HTML file lists them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import anywidget
import numpy as np
import pandas as pd
import traitlets

from .payload import marks, prepare_map
from .static_page import TEXT_CHARS, map_html, pack, page_data, points_part, text_columns, write_html
from .streamlit_host import BUNDLE

K = 10


class Map(anywidget.AnyWidget):
    _esm = BUNDLE / "widget.js"
    _css = BUNDLE / "map.css"
    _data = traitlets.Dict().tag(sync=True)
    _points = traitlets.Bytes().tag(sync=True)
    _texts = traitlets.Bytes(allow_none=True).tag(sync=True)
    _selected_indices = traitlets.List(traitlets.Int()).tag(sync=True)
    _clicked_index = traitlets.Int(None, allow_none=True).tag(sync=True)
    selection = traitlets.List(traitlets.Int(), help="rows selected by a lasso or box; set it to select rows")
    clicked = traitlets.Int(None, allow_none=True, help="the row last clicked")

    def __init__(self, frame: pd.DataFrame, *, x: str = "x", y: str = "y", text: str | None = None,
                 color: str | None = None, height: int = 600, neighbours: Callable[[int], tuple] | None = None,
                 **options):
        """`frame`'s columns x and y place the points, `text` is shown on hover, `color` colours them (a number
        column on a ramp, anything else by category). `neighbours(row)` -> (rows, cosines) rings a clicked
        row's nearest. Other options are prepare_map's (cluster_labels, filter_mask, size, ...)."""
        super().__init__()
        _check_columns(frame, [x, y, text, color])
        selected = options.pop("selection", None)
        self._coords = frame[[x, y]].to_numpy(dtype=np.float64)
        self._texts_given = None if text is None else frame[text].tolist()
        self._options = {**_colouring(frame, color), "height": int(height), **options}
        self._neighbours_of = neighbours
        self._prepared = prepare_map(self._coords, **self._options)
        self._points = pack(points_part(self._prepared))
        self._texts = None if self._texts_given is None else pack(
            text_columns(self._texts_given, self._prepared.kept, TEXT_CHARS))
        texts_key = "none" if self._texts is None else f"texts-{len(self._texts)}-{hash(self._texts)}"
        self._data = {**page_data(self._prepared, "", TEXT_CHARS), "texts_key": texts_key}
        self.observe(self._from_browser_selection, names="_selected_indices")
        self.observe(self._to_browser_selection, names="selection")
        self.observe(self._on_click, names="_clicked_index")
        if selected is not None:
            self.selection = [int(row) for row in selected]

    @classmethod
    def from_dataset(cls, dataset, *, k: int = K, **options) -> "Map":
        """A core Dataset's map: its texts on hover, coloured by its labels, and a click ringing the clicked
        document's k nearest (its kNN graph, or a collection's index)."""
        frame = pd.DataFrame({"x": dataset.coords[:, 0], "y": dataset.coords[:, 1], "text": dataset.all_texts()})
        if dataset.labels is not None:
            frame["label"] = np.asarray(dataset.labels)

        def neighbours(row: int):
            found = dataset.neighbours(row, k)
            return found.indices, found.scores

        widget = cls(frame, text="text", color="label" if "label" in frame else None, neighbours=neighbours,
                     **options)
        widget._dataset, widget._k = dataset, k
        return widget

    def to_html(self, path) -> Path:
        """This map as one HTML file that opens from disk (see static_page), with each row's neighbours when
        the map came from a dataset."""
        extra = {}
        dataset = getattr(self, "_dataset", None)
        if dataset is not None:
            extra["neighbours"], extra["scores"] = dataset.neighbour_table(self._k)
        options = {name: value for name, value in self._options.items() if name != "height"}
        return write_html(path, map_html(self._coords, texts=self._texts_given, selection=self.selection,
                                         **extra, **options))

    def _from_browser_selection(self, change) -> None:
        self._browser_rows = self._prepared.to_rows(change["new"]).tolist()
        self.selection = self._browser_rows

    def _to_browser_selection(self, change) -> None:
        """A selection set in Python: shown in the browser, and held as the browser's too, so that a clear or a new
        lasso there is heard as a change (its own lasso the browser already shows)."""
        if change["new"] == getattr(self, "_browser_rows", None):
            return
        self._send_marks()
        self._browser_rows = change["new"]
        self._selected_indices = self._prepared.to_map(change["new"]).tolist()

    def _on_click(self, change) -> None:
        rows = self._prepared.to_rows([change["new"]]) if change["new"] is not None else []
        self.clicked = int(rows[0]) if len(rows) else None
        self._send_marks()

    def _send_marks(self) -> None:
        """The selection, the clicked row and its neighbours, sent without the big parts."""
        neighbours = None
        if self.clicked is not None and self._neighbours_of is not None:
            neighbours = self._neighbours_of(self.clicked)[0]
        sent = marks(self._prepared, self.clicked, neighbours, self.selection)
        self._sends = getattr(self, "_sends", 0) + 1     # the same rows again are a new selection for the browser
        sent["selection_key"] = f"{sent['selection_key']}-{self._sends}"
        self._data = {**self._data, **sent}


def _colouring(frame: pd.DataFrame, color: str | None) -> dict:
    if color is None:
        return {}
    column = frame[color]
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return {"values": column.to_numpy(dtype=np.float64), "value_name": color, "title": color}
    return {"categories": column.astype(str).to_numpy(), "title": color}


def _check_columns(frame, names) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"Map needs a pandas DataFrame; got {type(frame).__name__}.")
    missing = [name for name in names if name is not None and name not in frame.columns]
    if missing:
        raise ValueError(f"The frame has no column {', '.join(map(repr, missing))}; its columns are "
                         f"{', '.join(map(repr, map(str, frame.columns)))}.")
