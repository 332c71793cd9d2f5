"""Download buttons for the current view; files are built only when clicked."""
from __future__ import annotations

import numpy as np
import streamlit as st

import core
from core.export import coordinates_csv, embeddings_parquet, figure_html, neighbours_csv, projector_zip


def export_panel(corpus: core.Corpus, emb, coords, figure, subsets: dict | None = None) -> None:
    """`figure()` makes the plotly figure for the HTML export, only when asked for. `subsets`: other sets of
    rows to offer besides every document ({"the selection": rows, ...}); empty ones and None are not offered."""
    name = f"{corpus.name.removesuffix('.csv')}-{emb.key['encoder']}"
    with st.expander("Export"):
        offered = {f"every document ({len(corpus):,})": None}
        offered.update({f"{what} ({len(rows):,})": rows for what, rows in (subsets or {}).items()
                        if rows is not None and len(rows)})
        chosen = offered[st.radio("Documents", list(offered), horizontal=True, key="export_rows")]
        rows, vectors, key = None, emb.vectors, emb.key
        if chosen is not None:
            rows = np.asarray(chosen, dtype=np.int64)
            whole, corpus = corpus, corpus.subset(rows)
            vectors, coords, name = emb.vectors[rows], coords[rows], f"{name}-subset"
            key = {**emb.key, "corpus": corpus.fingerprint, "subset_of": whole.fingerprint}
        cols = st.columns(5)
        cols[0].download_button("Embeddings (Parquet)", lambda: embeddings_parquet(corpus, vectors, key),
                                f"{name}.parquet", "application/octet-stream")
        cols[1].download_button("Embedding Projector (TSV)", lambda: projector_zip(corpus, vectors),
                                f"{name}-projector.zip", "application/zip",
                                help="vectors.tsv and metadata.tsv for projector.tensorflow.org")
        cols[2].download_button("Map coordinates (CSV)", lambda: coordinates_csv(corpus, coords, rows),
                                f"{name}-map.csv", "text/csv", help="row: the document's row in the whole corpus")
        cols[3].download_button("Neighbours (CSV)", lambda: neighbours_csv(corpus, vectors, 10, rows),
                                f"{name}-neighbours.csv", "text/csv",
                                help="each document's 10 nearest among the documents exported; rows are "
                                     "numbered as in the whole corpus")
        cols[4].download_button("Figure (HTML)", lambda: figure_html(figure()), f"{name}-map.html", "text/html",
                                help="the whole map, as a picture")
        st.caption("Parquet and the Projector zip import again under \"Import vectors made elsewhere\" on the home "
                   "page; the CSVs upload again as corpora. CSV cells that start like a spreadsheet formula "
                   "(=, +, -, @) are prefixed with an apostrophe, which stays in the text when uploaded again. "
                   "The HTML figure is a picture only.")
