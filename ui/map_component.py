"""The WebGL map: a Streamlit components v2 wrapper around the bundle built from frontend/.

Arrays go in, a MapEvent comes out. Pan, zoom, hover, lasso and box selection stay in the browser; a
click or a finished selection comes back to Python through the component's state. Points travel as
Arrow tables (x, y as float32; colour code, category and filter as small integers), so 1,000,000 points
cost about 11 MB in the first message, far below Streamlit's 200 MB `server.maxMessageSize`, and a
later rerun sends only what changed: nothing big after a click, the filter's bits (1 bit a point)
after a filter change. Hover texts travel in Arrow
too, cut to HOVER_CHARS, up to INLINE_TEXT_LIMIT points; above that the browser asks for the text of
the point it rests on, and the next run sends just that text.
"""
from __future__ import annotations

import hashlib
import json
import logging
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

BUNDLE = Path(__file__).resolve().parent / "map_component"
BUNDLE_JS, BUNDLE_CSS = BUNDLE / "map.js", BUNDLE / "map.css"
HOVER_CHARS = 80
INLINE_TEXT_LIMIT = 200_000
TOP_CATEGORIES = 20
MAX_CATEGORY_NAMES = 5_000
VALUE_STEPS = 64
SIZE_STEPS = 16
# Points outside a filter or a search turn grey rather than vanish, so the map keeps its shape around the
# matches (light grey on a white page, dark grey on a dark one); the browser draws them under the rest.
FADED_COLOUR = "#999999"
FADED_ALPHA = 0.4
PADDING = 1.05

# Kelly's colours of maximum contrast (without white, black and grey, which means "other"), plus cyan.
PALETTE = ["#0067a5", "#f38400", "#008856", "#be0032", "#875692", "#a1caf1", "#f3c300", "#882d17",
           "#e68fac", "#8db600", "#604e97", "#f99379", "#c2b280", "#b3446c", "#dcd300", "#654522",
           "#e25822", "#2b3d26", "#f6a600", "#17becf"]
OTHER_COLOUR = "#c7c7c7"
# viridis, sampled at nine stops
RAMP = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"]


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
    """Everything the browser needs, without Streamlit: pure, so tests can check it directly.

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
    cluster_labels: frame or records with x, y, label (and optional weight: heavier labels win when
        labels collide), in the coordinates' units.
    selection: rows to show selected (None leaves the browser's own selection alone).
    hover_text: {map index: anything} whose texts the browser asked for (filled in by scatter_map).
    held: {part: key} of the big parts (points, style, filter, texts) the browser already holds; those
        travel as None (filled in by scatter_map, see PreparedMap.keys)."""
    xy = _as_coordinates(coords2d)
    finite = np.isfinite(xy).all(axis=1)
    kept = np.flatnonzero(finite)
    center, scale = _normalisation(xy[kept])
    normalised = ((xy[kept] - center) / scale).astype(np.float32)
    n_total = len(xy)
    colour = _colour_by(n_total, kept, categories, category_names, values, value_name, colors, title)
    in_filter = _filter(filter_mask, n_total)[kept]
    style = pd.DataFrame({"z": colour.codes.astype(np.uint8)})
    if sizes is not None:
        style["w"] = _unit_interval(_per_point(sizes, n_total, "sizes")[kept])
    for name, column in colour.columns.items():
        style[name] = column
    texts = _hover_texts(hover_labels, n_total)
    inline = [_hover_text(texts[i]) for i in kept] if _inline(texts, kept) else None
    size = float(size) if size else _default_size(len(kept))
    palette = colour.palette
    tables = {
        "points": pd.DataFrame({"x": normalised[:, 0], "y": normalised[:, 1]}),
        "style": style,
        "filter": None if filter_mask is None else pd.DataFrame({"bits": np.packbits(in_filter, bitorder="little")}),
        "texts": None if inline is None else pd.DataFrame({"text": inline}),
    }
    keys = {
        "points": _digest(normalised.tobytes()),
        # the legend and names too: two columns can share codes and palette (a country and its code)
        "style": _digest(*(style[c].to_numpy().tobytes() for c in style.columns), str(size).encode(),
                         json.dumps([palette, colour.legend, colour.category_names]).encode()),
        "filter": "none" if filter_mask is None else _digest(in_filter.tobytes()),
        "texts": "none" if inline is None else _digest("\x00".join(inline).encode("utf-8", "replace")),
    }
    prepared = PreparedMap(data={}, kept=kept, texts=texts, tables=tables, keys=keys)
    prepared.data = {
        # a part the browser already holds (held[part] == its key) travels as None: the browser keeps its copy
        **{part: None if (held or {}).get(part) == keys[part] else table for part, table in tables.items()},
        **{f"{part}_key": key for part, key in keys.items()},
        "text_on_demand": texts is not None and inline is None,
        "hover_text": _requested_texts(hover_text, prepared),
        "palette": [*palette, *[_rgba(FADED_COLOUR, FADED_ALPHA)] * len(palette)],
        "n_codes": len(palette),
        "legend": colour.legend,
        "category_names": colour.category_names,
        "value_name": value_name,
        "size": size,
        "size_steps": list(np.linspace(0.5 * size, 2.5 * size, SIZE_STEPS).round(2)),
        "highlight": _one_map_index(prepared, highlight),
        "neighbours": prepared.to_map(neighbours).tolist(),
        "selection": prepared.to_map(selection).tolist() if selection is not None else [],
        "clusters": _clusters(cluster_labels, center, scale),
        "height": int(height),
        "left_out": int(n_total - len(kept)),
        "note": _note(n_total, len(kept), int(in_filter.sum()), filter_mask is not None),
    }
    prepared.data["selection_key"] = _digest(json.dumps(prepared.data["selection"]).encode())
    return prepared


def scatter_map(coords2d, *, key: str, **options) -> MapEvent:
    """Draw the map and return what the user did on it. Keyword options are those of prepare_map.

    `key` is required: it keeps the component (and the user's selection) across reruns. The big parts
    (points, style, filter, hover texts) travel only when they changed since the last run that drew this
    map. The browser keeps its drawn map when the page's layout moves it (found by `key`); a browser that
    lacks a part anyway (the map left the page for a while and came back) asks, and the next run sends
    them all."""
    import streamlit as st

    previous = st.session_state.get(key) or {}
    requested = previous.get("hover_request")
    prepared = prepare_map(coords2d, hover_text=_remembered_text(key, requested), held=_held(key, previous),
                           **options)
    st.session_state[f"_{key}_sent"] = prepared.keys
    prepared.data["map_id"] = key  # the browser finds its drawn map by it when the layout moves the map
    result = _component()(key=key, data=prepared.data, default={"clicked": None, "selection": []},
                          on_clicked_change=_ignore, on_selection_change=_ignore,
                          on_hover_request_change=_ignore, on_missing_change=_ignore)
    return event_from_state(dict(result) if result else {}, prepared)


def _held(key: str, previous: Mapping[str, Any]) -> dict[str, str]:
    """The parts the browser holds: those the last run sent, while the session still has this map's state
    (a new session, or a run after Streamlit dropped the state of a map it did not draw, sends everything)
    and the browser did not say it lacks them."""
    import streamlit as st

    if key not in st.session_state or previous.get("missing"):
        return {}
    return dict(st.session_state.get(f"_{key}_sent") or {})


def current_event(key: str, coords2d) -> MapEvent:
    """The map's latest event before scatter_map draws it in this run: a page reads the click here, computes
    its neighbours, and passes highlight= and neighbours= to scatter_map in the same run (no second rerun)."""
    import streamlit as st

    xy = _as_coordinates(coords2d)
    kept = np.flatnonzero(np.isfinite(xy).all(axis=1))
    prepared = PreparedMap(data={"left_out": len(xy) - len(kept)}, kept=kept, texts=None)
    return event_from_state(dict(st.session_state.get(key) or {}), prepared)


def event_from_state(state: Mapping[str, Any], prepared: PreparedMap) -> MapEvent:
    """Translate the component's state (map indices) into the caller's rows."""
    clicked = prepared.to_rows([state["clicked"]]) if state.get("clicked") is not None else []
    hover = prepared.to_rows([state["hover_request"]]) if state.get("hover_request") is not None else []
    return MapEvent(clicked=int(clicked[0]) if len(clicked) else None,
                    selection=prepared.to_rows(state.get("selection") or []),
                    hover_request=int(hover[0]) if len(hover) else None,
                    points_drawn=len(prepared.kept), points_left_out=prepared.left_out)


def _remembered_text(key: str, map_index) -> dict[int, str]:
    """The texts already fetched for this map, plus the one just asked for (filled in by prepare_map)."""
    import streamlit as st

    cache = st.session_state.setdefault(f"_{key}_hover_requests", [])
    if map_index is not None and map_index not in cache:
        cache.append(int(map_index))
        del cache[:-50]
    return {index: "" for index in cache}


def _requested_texts(requests: Mapping[int, str] | None, prepared: PreparedMap) -> dict[str, str]:
    if not requests or prepared.texts is None or prepared.data.get("texts") is not None:
        return {}
    out = {}
    for map_index in requests:
        if 0 <= int(map_index) < len(prepared.kept):
            out[str(int(map_index))] = _hover_text(prepared.texts[prepared.kept[int(map_index)]])
    return out


NAME = "murmuration.map"
_DECLARED = weakref.WeakKeyDictionary()   # Streamlit's component manager -> the map declared in it


def _component():
    """The map component, declared once in the running Streamlit's component manager (AppTest makes one per
    test app)."""
    from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager

    manager = get_bidi_component_manager()
    if manager not in _DECLARED:
        _DECLARED[manager] = _declare(manager)
    return _DECLARED[manager]


def _declare(manager):
    """With the built bundle's folder registered as the component's asset folder (as an installed component
    package's manifest would do), the browser fetches map.js once and caches it, instead of receiving its
    236 KB inline with every message that changes. Streamlit has no public call for that: on any failure
    (another Streamlit, no runtime), the bundle travels inline."""
    import streamlit as st

    try:
        from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

        package, component = NAME.split(".")
        manifest = ComponentManifest(name=package, version="1",
                                     components=[ComponentConfig(name=component, asset_dir=BUNDLE.name)])
        manager.register_from_manifest(manifest, BUNDLE.parent)
        return st.components.v2.component(NAME, js=BUNDLE_JS.name, css=BUNDLE_CSS.name)
    except Exception as error:  # noqa: BLE001
        logging.getLogger(__name__).info("The map's bundle travels inline (%s).", error)
    # the leading comment line makes Streamlit take minified one-line bundles as content, not as paths
    return st.components.v2.component(NAME, js="// murmuration map\n" + BUNDLE_JS.read_text(encoding="utf-8"),
                                      css="/* murmuration map */\n" + BUNDLE_CSS.read_text(encoding="utf-8"))


def _ignore():
    """Declaring on_*_change callbacks is how a v2 component declares its state keys."""


@dataclass
class _Colouring:
    codes: np.ndarray
    palette: list[list[float]]
    legend: dict | None
    category_names: list[str] | None = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)


def _colour_by(n, kept, categories, category_names, values, value_name, colors, title) -> _Colouring:
    if categories is not None and values is not None:
        raise ValueError("Colour the map by categories or by values, not both.")
    if values is not None:
        return _colour_by_value(_per_point(values, n, "values")[kept], value_name, title)
    if categories is not None:
        return _colour_by_category(categories, n, kept, category_names, colors, title)
    return _Colouring(codes=np.zeros(len(kept)), palette=[_rgba(PALETTE[0], 0.8)], legend=None)


def _colour_by_category(categories, n, kept, category_names, colors, title) -> _Colouring:
    codes, names = _factorize(categories, n, category_names)
    codes = codes[kept]
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    top = np.argsort(-counts, kind="stable")[:TOP_CATEGORIES]
    top = top[counts[top] > 0]
    slot = np.full(len(names) + 1, len(top), dtype=np.int64)  # last slot: "other" and missing
    slot[top] = np.arange(len(top))
    colour_codes = slot[codes]  # codes of -1 index the last entry
    chosen = dict(colors or {})
    palette = [_rgba(chosen.get(str(names[c]), PALETTE[i % len(PALETTE)]), 0.85) for i, c in enumerate(top)]
    others = int(len(kept) - counts[top].sum())
    legend = {"kind": "category", "title": title,
              "items": [{"name": str(names[c]), "color": palette[i], "count": int(counts[c])} for i, c in enumerate(top)],
              "other": None}
    if others:
        palette.append(_rgba(OTHER_COLOUR, 0.7))
        legend["other"] = {"categories": int((counts > 0).sum() - len(top)) + int((codes < 0).any()),
                           "count": others, "color": palette[-1]}
    display = [str(name) for name in names[:MAX_CATEGORY_NAMES]] + ["(none)"]
    category_column = np.where(codes < 0, len(display) - 1, np.minimum(codes, len(display) - 2))
    if len(names) > MAX_CATEGORY_NAMES:
        display[-1] = "other"
        category_column = np.where(codes >= MAX_CATEGORY_NAMES, len(display) - 1, category_column)
    return _Colouring(codes=colour_codes, palette=palette, legend=legend, category_names=display,
                      columns={"category": category_column.astype(np.uint16)})


def _factorize(categories, n, category_names):
    if category_names is not None:   # integer codes: no Python objects (a million of them take 0.2 s)
        codes = _per_point(categories, n, "categories").astype(np.int64)
        names = np.asarray([str(name) for name in category_names], dtype=object)
        return np.where((codes >= 0) & (codes < len(names)), codes, -1), names
    values = _per_point(categories, n, "categories", numeric=False)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _colour_by_value(values, value_name, title) -> _Colouring:
    values = values.astype(np.float64)
    finite = np.isfinite(values)
    low, high = (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0.0, 0.0)
    unit = (values - low) / (high - low) if high > low else np.zeros_like(values)
    codes = np.where(finite, np.clip(np.round(unit * (VALUE_STEPS - 1)), 0, VALUE_STEPS - 1), VALUE_STEPS)
    ramp = _ramp(VALUE_STEPS)
    legend = {"kind": "value", "title": title or value_name, "min": low, "max": high, "ramp": ramp[::8] + [ramp[-1]]}
    return _Colouring(codes=codes, palette=[*ramp, _rgba(OTHER_COLOUR, 0.7)], legend=legend,
                      columns={"value": values.astype(np.float32)})


def _ramp(steps: int) -> list[list[float]]:
    anchors = np.array([_rgba(colour)[:3] for colour in RAMP])
    where = np.linspace(0, len(RAMP) - 1, steps)
    channels = [np.interp(where, np.arange(len(RAMP)), anchors[:, c]) for c in range(3)]
    return [[float(r), float(g), float(b), 0.9] for r, g, b in zip(*channels)]


def _rgba(colour: str, alpha: float = 1.0) -> list[float]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    if len(colour) != 6:
        raise ValueError(f"Colours are given as #rrggbb; got {colour!r}.")
    return [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)] + [alpha]


def _as_coordinates(coords2d) -> np.ndarray:
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


def _per_point(values, n: int, name: str, numeric: bool = True) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64) if numeric else np.asarray(list(values), dtype=object)
    if len(array) != n:
        raise ValueError(f"`{name}` has {len(array)} entries for {n} points.")
    return array


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


def _hover_texts(hover_labels, n: int) -> list | None:
    """The caller's texts as given (checked, not copied): only the ones sent are cut and cleaned. Any
    Sequence will do, so a big collection's texts can be read on demand."""
    if hover_labels is None:
        return None
    texts = hover_labels if isinstance(hover_labels, (Sequence, np.ndarray, pd.Series)) else list(hover_labels)
    if len(texts) != n:
        raise ValueError(f"`hover_labels` has {len(texts)} entries for {n} points.")
    return texts.tolist() if isinstance(texts, (np.ndarray, pd.Series)) else texts


def _hover_text(text) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    text = str(text)
    return text if len(text) <= HOVER_CHARS else text[: HOVER_CHARS - 1] + "…"


def _inline(texts: list | None, kept: np.ndarray) -> bool:
    return texts is not None and len(kept) <= INLINE_TEXT_LIMIT


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
    out = []
    for x, y, label, weight in zip(frame["x"], frame["y"], frame["label"], weights):
        if np.isfinite([x, y]).all():
            out.append({"x": float((x - center[0]) / scale), "y": float((y - center[1]) / scale),
                        "text": str(label), "weight": float(weight) if np.isfinite(weight) else 0.0})
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
