"""Download buttons for the current view; files are built only when clicked."""
from __future__ import annotations

import io
import zipfile

import streamlit as st

import core
from core.export import coordinates_csv, embeddings_parquet, figure_html, neighbours_csv, projector_tsv


def _projector_zip(corpus: core.Corpus, vectors) -> bytes:
    vectors_tsv, metadata_tsv = projector_tsv(corpus, vectors)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vectors.tsv", vectors_tsv)
        archive.writestr("metadata.tsv", metadata_tsv)
    return buffer.getvalue()


def export_panel(corpus: core.Corpus, emb, coords, fig) -> None:
    name = f"{corpus.name.removesuffix('.csv')}-{emb.key['encoder']}"
    with st.expander("Export"):
        cols = st.columns(5)
        cols[0].download_button("Embeddings (Parquet)", lambda: embeddings_parquet(corpus, emb.vectors, emb.key),
                                f"{name}.parquet", "application/octet-stream")
        cols[1].download_button("Embedding Projector (TSV)", lambda: _projector_zip(corpus, emb.vectors),
                                f"{name}-projector.zip", "application/zip",
                                help="vectors.tsv and metadata.tsv for projector.tensorflow.org")
        cols[2].download_button("Map coordinates (CSV)", lambda: coordinates_csv(corpus, coords),
                                f"{name}-map.csv", "text/csv")
        cols[3].download_button("Neighbours (CSV)", lambda: neighbours_csv(corpus, emb.vectors, 10),
                                f"{name}-neighbours.csv", "text/csv")
        cols[4].download_button("Figure (HTML)", lambda: figure_html(fig), f"{name}-map.html", "text/html")
        st.caption("CSV cells that start like a spreadsheet formula (=, +, -, @) are prefixed with an apostrophe.")
