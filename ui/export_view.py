"""Download buttons for the current view; files are built only when clicked."""
from __future__ import annotations

import streamlit as st

import core
from core.export import coordinates_csv, embeddings_parquet, figure_html, neighbours_csv, projector_zip


def export_panel(corpus: core.Corpus, emb, coords, figure) -> None:
    """`figure()` makes the plotly figure for the HTML export, only when asked for."""
    name = f"{corpus.name.removesuffix('.csv')}-{emb.key['encoder']}"
    with st.expander("Export"):
        cols = st.columns(5)
        cols[0].download_button("Embeddings (Parquet)", lambda: embeddings_parquet(corpus, emb.vectors, emb.key),
                                f"{name}.parquet", "application/octet-stream")
        cols[1].download_button("Embedding Projector (TSV)", lambda: projector_zip(corpus, emb.vectors),
                                f"{name}-projector.zip", "application/zip",
                                help="vectors.tsv and metadata.tsv for projector.tensorflow.org")
        cols[2].download_button("Map coordinates (CSV)", lambda: coordinates_csv(corpus, coords),
                                f"{name}-map.csv", "text/csv")
        cols[3].download_button("Neighbours (CSV)", lambda: neighbours_csv(corpus, emb.vectors, 10),
                                f"{name}-neighbours.csv", "text/csv")
        cols[4].download_button("Figure (HTML)", lambda: figure_html(figure()), f"{name}-map.html", "text/html")
        st.caption("Parquet and the Projector zip import again under \"Import vectors made elsewhere\" on the home "
                   "page; the CSVs upload again as corpora. CSV cells that start like a spreadsheet formula "
                   "(=, +, -, @) are prefixed with an apostrophe, which stays in the text when uploaded again. "
                   "The HTML figure is a picture only.")
