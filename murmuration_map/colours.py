"""Colours: which colour code each point gets, the palette those codes index, and the legend that names them.

Categories: the 20 most frequent get Kelly's colours of maximum contrast, the rest share one grey ("other").
Values: a viridis ramp in VALUE_STEPS steps, grey for NaN. Colours travel as [r, g, b, a] in 0-1."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TOP_CATEGORIES = 20
MAX_CATEGORY_NAMES = 5_000
VALUE_STEPS = 64
# Points outside a filter or a search turn grey rather than vanish, so the map keeps its shape around the
# matches (light grey on a white page, dark grey on a dark one); the browser draws them under the rest.
FADED_COLOUR = "#999999"
FADED_ALPHA = 0.4

# Kelly's colours of maximum contrast (without white, black and grey, which means "other"), plus cyan.
PALETTE = ["#0067a5", "#f38400", "#008856", "#be0032", "#875692", "#a1caf1", "#f3c300", "#882d17",
           "#e68fac", "#8db600", "#604e97", "#f99379", "#c2b280", "#b3446c", "#dcd300", "#654522",
           "#e25822", "#2b3d26", "#f6a600", "#17becf"]
OTHER_COLOUR = "#c7c7c7"
# viridis, sampled at nine stops
RAMP = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"]


@dataclass
class Colouring:
    """Each kept point's colour code (an index into palette), the palette, the legend, and the columns the
    tooltip reads (category: index into category_names, or value)."""
    codes: np.ndarray
    palette: list[list[float]]
    legend: dict | None
    category_names: list[str] | None = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)


def colour_by(n, kept, categories, category_names, values, value_name, colors, title) -> Colouring:
    """The colouring of the kept points of n: by categories, by values, or one colour (see prepare_map)."""
    if categories is not None and values is not None:
        raise ValueError("Colour the map by categories or by values, not both.")
    if values is not None:
        return _colour_by_value(per_point(values, n, "values")[kept], value_name, title)
    if categories is not None:
        return _colour_by_category(categories, n, kept, category_names, colors, title)
    return Colouring(codes=np.zeros(len(kept)), palette=[rgba(PALETTE[0], 0.8)], legend=None)


def _colour_by_category(categories, n, kept, category_names, colors, title) -> Colouring:
    codes, names = _factorize(categories, n, category_names)
    codes = codes[kept]
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    top = np.argsort(-counts, kind="stable")[:TOP_CATEGORIES]
    top = top[counts[top] > 0]
    slot = np.full(len(names) + 1, len(top), dtype=np.int64)  # last slot: "other" and missing
    slot[top] = np.arange(len(top))
    colour_codes = slot[codes]  # codes of -1 index the last entry
    chosen = dict(colors or {})
    palette = [rgba(chosen.get(str(names[c]), PALETTE[i % len(PALETTE)]), 0.85) for i, c in enumerate(top)]
    others = int(len(kept) - counts[top].sum())
    legend = {"kind": "category", "title": title,
              "items": [{"name": str(names[c]), "color": palette[i], "count": int(counts[c])} for i, c in enumerate(top)],
              "other": None}
    if others:
        palette.append(rgba(OTHER_COLOUR, 0.7))
        legend["other"] = {"categories": int((counts > 0).sum() - len(top)) + int((codes < 0).any()),
                           "count": others, "color": palette[-1]}
    display = [str(name) for name in names[:MAX_CATEGORY_NAMES]] + ["(none)"]
    category_column = np.where(codes < 0, len(display) - 1, np.minimum(codes, len(display) - 2))
    if len(names) > MAX_CATEGORY_NAMES:
        display[-1] = "other"
        category_column = np.where(codes >= MAX_CATEGORY_NAMES, len(display) - 1, category_column)
    return Colouring(codes=colour_codes, palette=palette, legend=legend, category_names=display,
                      columns={"category": category_column.astype(np.uint16)})


def _factorize(categories, n, category_names):
    if category_names is not None:   # integer codes: no Python objects (a million of them take 0.2 s)
        codes = per_point(categories, n, "categories").astype(np.int64)
        names = np.asarray([str(name) for name in category_names], dtype=object)
        return np.where((codes >= 0) & (codes < len(names)), codes, -1), names
    values = per_point(categories, n, "categories", numeric=False)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _colour_by_value(values, value_name, title) -> Colouring:
    values = values.astype(np.float64)
    finite = np.isfinite(values)
    low, high = (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0.0, 0.0)
    unit = (values - low) / (high - low) if high > low else np.zeros_like(values)
    codes = np.where(finite, np.clip(np.round(unit * (VALUE_STEPS - 1)), 0, VALUE_STEPS - 1), VALUE_STEPS)
    ramp = ramp_colours(VALUE_STEPS)
    legend = {"kind": "value", "title": title or value_name, "min": low, "max": high, "ramp": ramp[::8] + [ramp[-1]]}
    return Colouring(codes=codes, palette=[*ramp, rgba(OTHER_COLOUR, 0.7)], legend=legend,
                      columns={"value": values.astype(np.float32)})


def ramp_colours(steps: int) -> list[list[float]]:
    anchors = np.array([rgba(colour)[:3] for colour in RAMP])
    where = np.linspace(0, len(RAMP) - 1, steps)
    channels = [np.interp(where, np.arange(len(RAMP)), anchors[:, c]) for c in range(3)]
    return [[float(r), float(g), float(b), 0.9] for r, g, b in zip(*channels)]


def rgba(colour: str, alpha: float = 1.0) -> list[float]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    if len(colour) != 6:
        raise ValueError(f"Colours are given as #rrggbb; got {colour!r}.")
    return [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)] + [alpha]


def per_point(values, n: int, name: str, numeric: bool = True) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64) if numeric else np.asarray(list(values), dtype=object)
    if len(array) != n:
        raise ValueError(f"`{name}` has {len(array)} entries for {n} points.")
    return array
