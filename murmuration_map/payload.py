"""The map's payload, without any host: plain columns in, the parts the browser draws out.

Points travel as Arrow-ready tables (x, y as float32; colour code, category and filter as small integers), so
1,000,000 points cost about 11 MB in the first message, and a later message sends only the parts that changed:
nothing big after a click, the filter's bits (1 bit a point) after a filter change. Hover texts travel as a
column too, cut to HOVER_CHARS, up to INLINE_TEXT_LIMIT points; above that the browser asks for the text of
the point it rests on (`hover_request`), and the host sends just that text (`hover_text`). A host (the
Streamlit component in streamlit_host.py, or another) passes `data` to the browser's MapView and turns the
browser's state back into the caller's rows with `event_from_state`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .colours import FADED_ALPHA, FADED_COLOUR, colour_by, per_point, rgba
from .hover import HOVER_CHARS, INLINE_TEXT_LIMIT, hover_parts, hover_text

__all__ = ["HOVER_CHARS", "INLINE_TEXT_LIMIT", "MapEvent", "PreparedMap", "as_coordinates", "event_from_state",
           "marks", "prepare_map"]

SIZE_STEPS = 16
PADDING = 1.05


@dataclass(frozen=True)
class MapEvent:
    """What the user did on the map, in the caller's row numbers.

    clicked: the row last clicked, or None. selection: the rows inside the last lasso or box, sorted
    (empty when nothing is selected). hover_request: the row whose full text the browser asked for.
    points_drawn / points_left_out: rows on the map and rows left out for non-finite coordinates."""
    clicked: int | None = None
    selection: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    hover_request: int | None = None
    points_drawn: int = 0
    points_left_out: int = 0


@dataclass
class PreparedMap:
    """The component's payload plus the row bookkeeping (`kept[i]` is the caller's row of map point i).

    tables: the big parts as Arrow-ready frames, always filled in: points (x, y), style (colour code z,
    optional size w, category or value for the tooltip), filter (bits of the rows inside it, or None) and
    texts (inline hover texts, or None); keys: a digest of each part. `data` carries a part only when the
    browser does not hold it yet."""
    data: dict[str, Any]
    kept: np.ndarray
    texts: list | None
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def left_out(self) -> int:
        return int(self.data["left_out"])

    def to_rows(self, map_indices) -> np.ndarray:
        indices = np.asarray(map_indices if map_indices is not None else [], dtype=np.int64).ravel()
        indices = indices[(indices >= 0) & (indices < len(self.kept))]
        return np.sort(self.kept[indices])

    def to_map(self, rows) -> np.ndarray:
        """The map indices of the given caller rows; rows left out (or out of range) are dropped."""
        rows = np.asarray(rows if rows is not None else [], dtype=np.int64).ravel()
        if len(self.kept) == 0:
            return np.empty(0, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.kept, rows), len(self.kept) - 1)
        return positions[self.kept[positions] == rows]


def prepare_map(coords2d, *, categories=None, category_names: Sequence[str] | None = None, values=None,
                value_name: str = "value", colors: Mapping[str, str] | None = None, hover_labels=None,
                size: float | None = None, sizes=None, highlight: int | None = None, neighbours=None,
                filter_mask=None, cluster_labels=None, selection=None, height: int = 600,
                title: str | None = None, hover_text: Mapping[int, str] | None = None,
                held: Mapping[str, str] | None = None) -> PreparedMap:
    """Everything the browser needs, without any host: pure, so tests can check it directly.

    Rows are the caller's row numbers throughout; rows with NaN or infinite coordinates are left out of
    the map (counted in `left_out`), and arguments naming them are ignored.
    coords2d: (n, 2) coordinates, any scale (the map keeps their aspect ratio).
    categories: n labels (any values), or n integer codes with `category_names`; the 20 most frequent
        get colours, the rest are grey and the legend says "other (k more categories)".
    values: n numbers coloured on a viridis ramp (NaN grey); not together with categories.
    colors: {category name: "#rrggbb"} to fix some categories' colours.
    hover_labels: n texts shown (cut to HOVER_CHARS) under the label in the hover tooltip.
    size: point size in pixels (default by n); sizes: n numbers scaled to 0.5x-2.5x of size.
    highlight: the row to ring (the clicked one); neighbours: rows ringed and linked to it.
    filter_mask: n booleans; points outside are drawn grey and faded, under the others.
    cluster_labels: frame or records with x, y, label, in the coordinates' units; optional weight (heavier
        labels win when labels collide) and level (0 the broadest: finer levels replace it as one zooms in).
    selection: rows to show selected (None leaves the browser's own selection alone).
    hover_text: {map index: anything} whose texts the browser asked for (filled in by scatter_map).
    held: {part: key} of the big parts (points, style, filter, texts) the browser already holds; those
        travel as None (filled in by scatter_map, see PreparedMap.keys)."""
    xy = as_coordinates(coords2d)
    kept = np.flatnonzero(np.isfinite(xy).all(axis=1))
    center, scale = _normalisation(xy[kept])
    normalised = ((xy[kept] - center) / scale).astype(np.float32)
    n_total = len(xy)
    colour = colour_by(n_total, kept, categories, category_names, values, value_name, colors, title)
    in_filter = _filter(filter_mask, n_total)[kept]
    style = _style(colour, sizes, n_total, kept)
    texts, inline = hover_parts(hover_labels, n_total, kept)
    size = float(size) if size else _default_size(len(kept))
    sent_filter = None if filter_mask is None else in_filter
    tables = _tables(normalised, style, sent_filter, inline)
    keys = _part_keys(normalised, style, size, colour, sent_filter, inline)
    prepared = PreparedMap(data={}, kept=kept, texts=texts, tables=tables, keys=keys)
    prepared.data = {
        # a part the browser already holds (held[part] == its key) travels as None: the browser keeps its copy
        **{part: None if (held or {}).get(part) == keys[part] else table for part, table in tables.items()},
        **{f"{part}_key": key for part, key in keys.items()},
        "text_on_demand": texts is not None and inline is None,
        "hover_text": _requested_texts(hover_text, prepared),
        "palette": [*colour.palette, *[rgba(FADED_COLOUR, FADED_ALPHA)] * len(colour.palette)],
        "n_codes": len(colour.palette),
        "legend": colour.legend,
        "category_names": colour.category_names,
        "value_name": value_name,
        "size": size,
        "size_steps": list(np.linspace(0.5 * size, 2.5 * size, SIZE_STEPS).round(2)),
        **marks(prepared, highlight, neighbours, selection),
        "clusters": _clusters(cluster_labels, center, scale),
        "height": int(height),
        "left_out": int(n_total - len(kept)),
        "note": _note(n_total, len(kept), int(in_filter.sum()), filter_mask is not None),
    }
    return prepared


def _tables(normalised, style, in_filter, inline) -> dict:
    """The big parts, as Arrow-ready tables: points, style, the filter's bits and the hover texts sent inline."""
    return {
        "points": pd.DataFrame({"x": normalised[:, 0], "y": normalised[:, 1]}),
        "style": style,
        "filter": None if in_filter is None else pd.DataFrame({"bits": np.packbits(in_filter, bitorder="little")}),
        "texts": None if inline is None else pd.DataFrame({"text": inline}),
    }


def marks(prepared: PreparedMap, highlight=None, neighbours=None, selection=None) -> dict:
    """The payload's marks for caller rows: the ringed document, its ringed neighbours and the selection, as map
    indices, and the selection's key (the browser applies a selection whose key it has not seen)."""
    selected = prepared.to_map(selection).tolist() if selection is not None else []
    return {"highlight": _one_map_index(prepared, highlight), "neighbours": prepared.to_map(neighbours).tolist(),
            "selection": selected, "selection_key": _digest(json.dumps(selected).encode())}


def _style(colour, sizes, n_total: int, kept: np.ndarray) -> pd.DataFrame:
    """Per drawn point: its colour code, its size weight (with `sizes`), and the colouring's own columns."""
    style = pd.DataFrame({"z": colour.codes.astype(np.uint8)})
    if sizes is not None:
        style["w"] = _unit_interval(per_point(sizes, n_total, "sizes")[kept])
    for name, column in colour.columns.items():
        style[name] = column
    return style


def _part_keys(normalised, style, size, colour, in_filter, inline) -> dict:
    """A digest of each big part, so that a part the browser holds is not sent again."""
    return {
        "points": _digest(normalised.tobytes()),
        # the legend and names too: two columns can share codes and palette (a country and its code)
        "style": _digest(*(style[c].to_numpy().tobytes() for c in style.columns), str(size).encode(),
                         json.dumps([colour.palette, colour.legend, colour.category_names]).encode()),
        "filter": "none" if in_filter is None else _digest(in_filter.tobytes()),
        "texts": "none" if inline is None else _digest("\x00".join(inline).encode("utf-8", "replace")),
    }


def event_from_state(state: Mapping[str, Any], prepared: PreparedMap) -> MapEvent:
    """Translate the component's state (map indices) into the caller's rows."""
    clicked = prepared.to_rows([state["clicked"]]) if state.get("clicked") is not None else []
    hover = prepared.to_rows([state["hover_request"]]) if state.get("hover_request") is not None else []
    return MapEvent(clicked=int(clicked[0]) if len(clicked) else None,
                    selection=prepared.to_rows(state.get("selection") or []),
                    hover_request=int(hover[0]) if len(hover) else None,
                    points_drawn=len(prepared.kept), points_left_out=prepared.left_out)


def _requested_texts(requests: Mapping[int, str] | None, prepared: PreparedMap) -> dict[str, str]:
    if not requests or prepared.texts is None or prepared.data.get("texts") is not None:
        return {}
    out = {}
    for map_index in requests:
        if 0 <= int(map_index) < len(prepared.kept):
            out[str(int(map_index))] = hover_text(prepared.texts[prepared.kept[int(map_index)]])
    return out


def as_coordinates(coords2d) -> np.ndarray:
    xy = np.asarray(coords2d, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"The map needs coordinates of shape (n, 2); got shape {xy.shape}.")
    return xy


def _normalisation(xy: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre of the bounding box and one scale for both axes, so the map keeps its aspect ratio."""
    if len(xy) == 0:
        return np.zeros(2), 1.0
    low, high = xy.min(axis=0), xy.max(axis=0)
    half_range = float((high - low).max()) / 2
    return (low + high) / 2, (half_range * PADDING) if half_range > 0 else 1.0


def _filter(filter_mask, n: int) -> np.ndarray:
    if filter_mask is None:
        return np.ones(n, dtype=bool)
    mask = np.asarray(filter_mask, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"`filter_mask` has shape {mask.shape} for {n} points.")
    return mask


def _unit_interval(values: np.ndarray) -> np.ndarray:
    finite = np.isfinite(values)
    if not finite.any():
        return np.full(len(values), 0.25, dtype=np.float32)
    low, high = values[finite].min(), values[finite].max()
    unit = (values - low) / (high - low) if high > low else np.full(len(values), 0.25)
    return np.where(finite, unit, 0.0).astype(np.float32)


def _default_size(n: int) -> float:
    return 6.0 if n <= 5_000 else 4.0 if n <= 50_000 else 3.0 if n <= 300_000 else 2.0


def _one_map_index(prepared: PreparedMap, row) -> int | None:
    if row is None:
        return None
    found = prepared.to_map([row])
    return int(found[0]) if len(found) else None


def _clusters(cluster_labels, center, scale) -> list[dict]:
    """cluster_labels: a DataFrame (or records) with x, y, label and optionally weight, in data coordinates."""
    if cluster_labels is None:
        return []
    frame = pd.DataFrame(cluster_labels)
    if frame.empty:
        return []
    missing = {"x", "y", "label"} - set(frame.columns)
    if missing:
        raise ValueError(f"`cluster_labels` needs columns x, y and label; missing {sorted(missing)}.")
    weights = frame["weight"] if "weight" in frame else pd.Series(1.0, index=frame.index)
    levels = frame["level"] if "level" in frame else pd.Series(0, index=frame.index)
    out = []
    for x, y, label, weight, level in zip(frame["x"], frame["y"], frame["label"], weights, levels):
        if np.isfinite([x, y]).all():
            out.append({"x": float((x - center[0]) / scale), "y": float((y - center[1]) / scale),
                        "text": str(label), "weight": float(weight) if np.isfinite(weight) else 0.0,
                        "level": int(level) if np.isfinite(level) and level >= 0 else 0})
    return out


def _note(n_total: int, n_drawn: int, n_in_filter: int, filtered: bool) -> str:
    parts = [f"{n_drawn:,} points"]
    if n_total > n_drawn:
        parts.append(f"{n_total - n_drawn:,} left out (missing or infinite coordinates)")
    if filtered:
        parts.append(f"{n_in_filter:,} match the filter")
    return " · ".join(parts)


def _digest(*chunks: bytes) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()
