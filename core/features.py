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
    """One column per category value (indicator encoding) and one per number, standardised if `scale`."""
    if not categorical and not numeric:
        raise FeatureError("Pick at least one column to encode.")
    parts, names = [], []
    for column in categorical:
        values = table[column].astype(str).fillna("")
        categories = sorted(values.unique())
        if len(categories) > MAX_CATEGORIES:
            raise FeatureError(f"Column '{column}' has {len(categories)} distinct values; one-hot encoding "
                               f"supports up to {MAX_CATEGORIES}. Treat it as numeric or leave it out.")
        parts.append(np.stack([(values == c).to_numpy(float) for c in categories], axis=1))
        names += [f"{column}={c}" for c in categories]
    for column in numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        if values.isna().any():
            raise FeatureError(f"Column '{column}' has values that are not numbers. Mark it as categorical, "
                               "or fix those cells.")
        values = values.to_numpy(float)
        if scale:
            spread = values.std()
            values = (values - values.mean()) / (spread if spread > 0 else 1.0)
        parts.append(values[:, None])
        names.append(column + (" (scaled)" if scale else ""))
    return EncodedTable(np.hstack(parts).astype(np.float32), names)


def pairwise_distances(matrix: np.ndarray) -> np.ndarray:
    """Euclidean distances between all rows."""
    squared = (matrix ** 2).sum(axis=1)
    return np.sqrt(np.clip(squared[:, None] + squared[None, :] - 2 * matrix @ matrix.T, 0, None))


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
