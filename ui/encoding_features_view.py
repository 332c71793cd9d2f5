"""Encoding-features page pieces: the table source, column pickers, and the nearest-bird comparison."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import core
from ui import session, text
from ui.upload import read_upload
from core.sources.bundled import flutter_users
from core.analyses.features import encode_table, guess_column_kinds, nearest_rows, pairwise_distances

MAX_TABLE_ROWS = 500
FLUTTER_COLUMNS = ["bird_id", "bird_posts", "bird_geo", "bird_likes"]


def table_source() -> tuple[pd.DataFrame, str] | None:
    """The Flutter users table, or the user's own small CSV, with the column that names each row."""
    own = st.file_uploader("Or upload your own small table (CSV, up to 500 rows)", type=["csv"], key="table_upload")
    if own is None:
        return flutter_users()[FLUTTER_COLUMNS], "bird_id"
    try:
        table = read_upload(own, max_rows=MAX_TABLE_ROWS)
    except core.CorpusError as error:
        st.error(text.plain(error))
        return None
    return table, table.columns[0]


def column_pickers(table: pd.DataFrame, id_column: str) -> tuple[list[str], list[str], bool]:
    columns = [c for c in table.columns if c != id_column]
    categorical, numeric = guess_column_kinds(table[columns])
    left, middle, right = st.columns([2, 2, 1])
    chosen_categorical = left.multiselect("Categorical columns (one-hot)", columns, default=categorical)
    chosen_numeric = middle.multiselect("Numeric columns", [c for c in columns if c not in chosen_categorical],
                                        default=[c for c in numeric if c not in chosen_categorical])
    scale = session.bound(right.toggle, "Scale numbers", "features_scaled",
                          help="Standardise each number to mean 0 and spread 1.")
    return chosen_categorical, chosen_numeric, scale


def nearest_comparison(table: pd.DataFrame, id_column: str, categorical, numeric) -> pd.DataFrame:
    """Each row's nearest other row with numbers scaled and unscaled, and whether that differs."""
    names = table[id_column].astype(str).to_numpy()
    nearest = {}
    for scale in (True, False):
        encoded = encode_table(table, categorical=categorical, numeric=numeric, scale=scale)
        nearest[scale] = names[nearest_rows(pairwise_distances(encoded.matrix))]
    return pd.DataFrame({id_column: names, "nearest, scaled": nearest[True], "nearest, unscaled": nearest[False],
                         "changed": nearest[True] != nearest[False]})
