"""Filters on a corpus's columns: a set of categories for a column of text, a [low, high] range for numbers.

`filterable_columns` says which columns can be filtered and how; `filter_mask` turns a view's filters
into the rows they keep. A filter on a column the corpus does not have is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.sources.corpus import Corpus

MAX_CATEGORIES = 200   # above this many distinct values a text column is not offered as a filter


@dataclass(frozen=True)
class FilterableColumn:
    name: str
    kind: str                     # "categories" or "range"
    options: tuple = ()           # the categories, most common first
    bounds: tuple = ()            # (low, high) of the numbers


def corpus_columns(corpus: Corpus) -> dict[str, pd.Series]:
    """The label and every metadata column, by name; "length (words)" is always there. Worked out once per
    corpus object (a Map page reruns on every click), so callers must not change what they get."""
    return _once(corpus, "_corpus_columns", lambda: _columns(corpus))


def _columns(corpus: Corpus) -> dict[str, pd.Series]:
    columns = {}
    if corpus.labels:
        columns["label"] = pd.Series(corpus.labels)
    if corpus.metadata is not None:
        for name in corpus.metadata.columns:
            columns.setdefault(str(name), corpus.metadata[name].reset_index(drop=True))
    columns["length (words)"] = pd.Series([len(text.split()) for text in corpus.texts])
    return columns


def _once(corpus: Corpus, name: str, compute):
    """compute(), kept on the (frozen) corpus object itself: it goes when the corpus goes."""
    if name not in corpus.__dict__:
        object.__setattr__(corpus, name, compute())
    return corpus.__dict__[name]


def filterable_columns(corpus: Corpus) -> list[FilterableColumn]:
    """The columns a user can filter on, and how (worked out once per corpus object)."""
    return _once(corpus, "_filterable_columns", lambda: filterable(corpus_columns(corpus)))


def filterable(columns: dict[str, pd.Series]) -> list[FilterableColumn]:
    """Which of these columns (a corpus's, or a collection's) can be filtered, and how. A categorical
    column stays categorical (a collection's million labels are never turned into strings one by one)."""
    found = []
    label = columns.get("label")
    for name, series in columns.items():
        if name != "label" and label is not None and _same_values(series, label):
            continue  # the label column, already offered as "label"
        numbers = as_numbers(series)
        if numbers is not None and numbers.nunique() > 1:
            found.append(FilterableColumn(name, "range", bounds=_bounds(numbers.dropna())))
        else:
            _categories(found, name, series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype(str))
    return found


def as_numbers(series: pd.Series) -> pd.Series | None:
    """A column of numbers as floats, NaN where a cell is empty or not finite; None when some cell holds text
    (categories, of a collection, are text)."""
    if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_numeric_dtype(series):
        numbers = series.astype(float)
    else:
        numbers = pd.to_numeric(series, errors="coerce")
        empty = series.isna() | (series.astype(str).str.strip() == "")
        if (numbers.isna() & ~empty).any():
            return None
    return numbers.where(np.isfinite(numbers))


def _bounds(numbers: pd.Series) -> tuple:
    if bool((numbers == numbers.round()).all()):
        return int(numbers.min()), int(numbers.max())
    return float(numbers.min()), float(numbers.max())


def _categories(found: list, name: str, values: pd.Series) -> None:
    counts = values.value_counts()
    counts = counts[(counts > 0) & (counts.index.astype(str) != "")]   # an empty cell is no category to pick
    if 1 < len(counts) <= MAX_CATEGORIES:
        found.append(FilterableColumn(name, "categories", options=tuple(str(value) for value in counts.index)))


def _same_values(series: pd.Series, label: pd.Series) -> bool:
    if len(series) != len(label) or pd.api.types.is_numeric_dtype(series) != pd.api.types.is_numeric_dtype(label):
        return False
    head = slice(0, 1000)   # most columns differ early: spare a million rows' conversion to text
    return series[head].astype(str).equals(label[head].astype(str)) and series.astype(str).equals(label.astype(str))


def filter_mask(corpus: Corpus, filters: dict) -> np.ndarray:
    """True for the rows every filter keeps (all rows without filters)."""
    return rows_kept(corpus_columns(corpus), filters, len(corpus))


def rows_kept(columns: dict[str, pd.Series], filters: dict, n: int) -> np.ndarray:
    """True for the n rows every filter keeps; a filter on a column not in `columns` is ignored."""
    keep = np.ones(n, dtype=bool)
    for name, wanted in (filters or {}).items():
        series = columns.get(name)
        if series is None or not wanted:
            continue
        if all(isinstance(value, str) for value in wanted):
            values = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype(str)
            keep &= values.isin(wanted).to_numpy()
        else:
            low, high = wanted
            numbers = pd.to_numeric(series, errors="coerce").to_numpy()
            keep &= (numbers >= low) & (numbers <= high)
    return keep
