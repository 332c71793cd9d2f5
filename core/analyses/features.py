"""Encoding a table: one-hot for categories, numbers raw or standardised, then distances between rows."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_CATEGORIES = 50


class FeatureError(ValueError):
    """A table cannot be encoded as asked; the message says what to change."""


@dataclass(frozen=True)
class EncodedTable:
    matrix: np.ndarray          # (rows, features) float32
    columns: list[str]          # one name per feature, e.g. "bird_geo=NZ"

    def frame(self, index) -> pd.DataFrame:
        return pd.DataFrame(self.matrix, columns=self.columns, index=index)


def encode_table(table: pd.DataFrame, *, categorical: list[str], numeric: list[str],
                 scale: bool = True) -> EncodedTable:
    """One column per category value (scikit-learn's OneHotEncoder) and one per number, standardised
    by StandardScaler if `scale`, side by side through a ColumnTransformer."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if not categorical and not numeric:
        raise FeatureError("Pick at least one column to encode.")
    prepared = pd.DataFrame({**{c: _categories(table, c) for c in categorical},
                             **{c: _numbers(table, c) for c in numeric}}, index=table.index)
    transformers = []
    if categorical:
        onehot = OneHotEncoder(sparse_output=False, feature_name_combiner=lambda column, value: f"{column}={value}")
        transformers.append(("onehot", onehot, list(categorical)))
    if numeric:
        transformers.append(("numbers", StandardScaler() if scale else "passthrough", list(numeric)))
    encoder = ColumnTransformer(transformers, sparse_threshold=0.0)
    matrix = encoder.fit_transform(prepared)
    names = list(encoder.named_transformers_["onehot"].get_feature_names_out()) if categorical else []
    names += [column + (" (scaled)" if scale else "") for column in numeric]
    return EncodedTable(np.asarray(matrix, dtype=np.float32), names)


def _categories(table: pd.DataFrame, column: str) -> pd.Series:
    values = table[column].astype(str)
    if values.nunique() > MAX_CATEGORIES:
        raise FeatureError(f"Column '{column}' has {values.nunique()} distinct values; one-hot encoding "
                           f"supports up to {MAX_CATEGORIES}. Treat it as numeric or leave it out.")
    return values


def _numbers(table: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(table[column], errors="coerce")
    if values.isna().any():
        raise FeatureError(f"Column '{column}' has values that are not numbers. Mark it as categorical, "
                           "or fix those cells.")
    return values.astype(float)


def pairwise_distances(matrix: np.ndarray) -> np.ndarray:
    """Euclidean distances between all rows."""
    from sklearn.metrics.pairwise import euclidean_distances

    return euclidean_distances(np.asarray(matrix, dtype=np.float64))


def nearest_rows(distances: np.ndarray) -> np.ndarray:
    """For each row, the index of the closest other row."""
    masked = distances + np.diag(np.full(len(distances), np.inf))
    return masked.argmin(axis=1)


def guess_column_kinds(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Numbers are numeric; text with few distinct values is categorical; identifiers are neither."""
    categorical, numeric = [], []
    for column in table.columns:
        values = table[column]
        if pd.to_numeric(values, errors="coerce").notna().all():
            numeric.append(column)
        elif values.nunique() <= min(MAX_CATEGORIES, max(2, len(values) // 2)):
            categorical.append(column)
    return categorical, numeric
