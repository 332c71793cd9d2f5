"""Filters on a corpus's columns: a set of categories for a column of text, a [low, high] range for numbers.

`filterable_columns` says which columns can be filtered and how; `filter_mask` turns a view's filters
into the rows they keep. A filter on a column the corpus does not have is ignored.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.corpus import Corpus

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
    return _once(corpus, "_filterable_columns", lambda: _filterable(corpus))


def _filterable(corpus: Corpus) -> list[FilterableColumn]:
    found = []
    for name, series in corpus_columns(corpus).items():
        if name != "label" and corpus.labels and series.astype(str).tolist() == corpus.labels:
            continue  # the label column, already offered as "label"
        numbers = pd.to_numeric(series, errors="coerce")
        if numbers.notna().all() and numbers.nunique() > 1:
            whole = bool((numbers == numbers.round()).all())
            low, high = (int(numbers.min()), int(numbers.max())) if whole else (float(numbers.min()),
                                                                                  float(numbers.max()))
            found.append(FilterableColumn(name, "range", bounds=(low, high)))
        elif 1 < series.astype(str).nunique() <= MAX_CATEGORIES:
            found.append(FilterableColumn(name, "categories",
                                          options=tuple(series.astype(str).value_counts().index.tolist())))
    return found


def filter_mask(corpus: Corpus, filters: dict) -> np.ndarray:
    """True for the rows every filter keeps (all rows without filters)."""
    keep = np.ones(len(corpus), dtype=bool)
    columns = corpus_columns(corpus)
    for name, wanted in (filters or {}).items():
        series = columns.get(name)
        if series is None or not wanted:
            continue
        if all(isinstance(value, str) for value in wanted):
            keep &= series.astype(str).isin(wanted).to_numpy()
        else:
            low, high = wanted
            numbers = pd.to_numeric(series, errors="coerce").to_numpy()
            keep &= (numbers >= low) & (numbers <= high)
    return keep
