"""The upload form: read a file, let the user pick its columns, keep the corpus in this session only.

Every file is read by `core.sources.guarded.run_guarded`: in a child process, within limits of decoded size, memory
and time. What it decodes is kept in this session's state, never in a cache another session reaches.
"""
from __future__ import annotations


import pandas as pd
import streamlit as st

import core
from core.sources.corpus import corpus_from_frame
from core.sources.tables import SUFFIXES, describe_table, read_table
from core.sources.guarded import run_guarded
from core.dataset import imported_embeddings
from core.sources.vectors import import_vectors
from ui import text
from ui.session import add_upload

NO_LABEL = "(no label)"
UPLOAD_KEY = "corpus_upload"
IMPORT_KEY = "vectors_upload"
READ_TABLE = "upload_read_table"   # (file id, header choice, the table or the refusal): one per session


def read_upload(file, header: bool | None = None, **options) -> pd.DataFrame:
    """The upload's table, read once per file and header choice; a refusal is remembered too, so that a
    rerun (any widget) does not read a refused file again. Raises CorpusError."""
    key = (file.file_id, header, tuple(sorted(options.items())))
    held = st.session_state.get(READ_TABLE)
    if held is None or held[0] != key:
        with st.spinner(f"Reading {file.name}…"):
            try:
                held = (key, run_guarded(file.name, read_table, file.name, file.getvalue(), header=header, **options))
            except core.CorpusError as error:
                held = (key, error)
        st.session_state[READ_TABLE] = held
    if isinstance(held[1], core.CorpusError):
        raise held[1]
    return held[1]


def upload_form() -> None:
    file = st.file_uploader("Upload your own corpus", type=[s[1:] for s in SUFFIXES], key=UPLOAD_KEY,
                            help="Plain text (one document per line); CSV (comma, semicolon, tab or vertical "
                                 "bar, with a header row); TSV (with or without a header row, quotes read as "
                                 "text); JSONL (one JSON object per line); or Parquet.")
    if file is None:
        return
    try:
        frame = read_upload(file)
        if "header" in frame.attrs:  # a TSV: its header was detected, and the user may overrule that
            header = st.checkbox("The first line names the columns", value=frame.attrs["header"],
                                 key=f"upload_header:{file.name}:{file.size}")
            if header != frame.attrs["header"]:
                frame = read_upload(file, header)
    except core.CorpusError as error:
        st.error(text.plain(error))
        return
    columns = [str(c) for c in frame.columns]
    text_column = label_column = None
    if len(columns) > 1:
        guess = core.sources.corpus.guess_text_column(frame)
        left, right = st.columns(2)
        text_column = left.selectbox("Text column", columns, index=columns.index(guess) if guess in columns else 0,
                                     key="upload_text_column")
        label_guess = core.sources.corpus.guess_label_column(frame, text_column)
        options = [NO_LABEL] + [c for c in columns if c != text_column]
        label = right.selectbox("Label column (colours the map)", options,
                                index=options.index(label_guess) if label_guess in options else 0,
                                key="upload_label_column")
        label_column = None if label == NO_LABEL else label
    st.caption(text.plain(describe_table(frame)))
    if st.button("Explore this corpus", type="primary"):
        try:
            corpus = corpus_from_frame(frame, name=file.name, text_column=text_column or columns[0],
                                       label_column=label_column, guess_label=False)
        except core.CorpusError as error:
            st.error(text.plain(error))
            return
        add_upload(corpus)
        st.rerun()


def import_form() -> None:
    """Vectors made elsewhere, with their texts: they stand in for the encoder on this corpus."""
    files = st.file_uploader("Import precomputed vectors", type=["zip", "tsv", "npy", "csv", "parquet"],
                             accept_multiple_files=True, key=IMPORT_KEY,
                             help="The Embedding Projector's vectors.tsv + metadata.tsv (or the zip of both that "
                                  "the Map page exports), a .npy array with a metadata CSV (one row per vector), "
                                  "or a Parquet file with a vector column (as the Map page exports it).")
    if not files or not st.button("Explore these vectors", type="primary"):
        return
    try:
        with st.spinner("Reading the vectors…"):
            corpus, vectors = run_guarded(", ".join(f.name for f in files), import_vectors,
                                          {f.name: f.getvalue() for f in files})
    except core.CorpusError as error:
        st.error(text.plain(error))
        return
    add_upload(corpus, imported_embeddings(corpus, vectors))
    st.rerun()

