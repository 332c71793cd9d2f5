"""Idea 1: before two users can be compared, every column must become numbers."""
import streamlit as st

from core.analyses.features import FeatureError, encode_table, pairwise_distances
from ui import encoding_features_view, text, views
from ui.plots import matrix_heatmap

views.header("Encoding features",
             "A Flutter user is a row of a table. To measure how alike two birds are, the country `bird_geo` "
             "becomes one indicator column per country (one-hot), and the counts become numbers on a shared scale. "
             "Switch scaling off and watch the like counts, which run into the hundreds, decide every distance.",
             context=False)

source = encoding_features_view.table_source()
if source is not None:
    table, id_column = source
    st.dataframe(table, hide_index=True, height=220)
    categorical, numeric, scale = encoding_features_view.column_pickers(table, id_column)
    try:
        encoded = encode_table(table, categorical=categorical, numeric=numeric, scale=scale)
    except FeatureError as error:
        st.error(text.plain(error))
        st.stop()
    names = table[id_column].astype(str).tolist()
    st.subheader(f"The vectors: {encoded.matrix.shape[1]} numbers per row")
    st.dataframe(encoded.frame(names).round(3), height=220)
    left, right = st.columns([3, 2])
    left.plotly_chart(matrix_heatmap(pairwise_distances(encoded.matrix), names, value_name="distance",
                                     title="Euclidean distance between rows"), width="stretch")
    comparison = encoding_features_view.nearest_comparison(table, id_column, categorical, numeric)
    right.metric("Rows whose nearest neighbour changes with scaling",
                 f"{int(comparison.changed.sum())} of {len(comparison)}")
    right.dataframe(comparison, hide_index=True, height=520)
