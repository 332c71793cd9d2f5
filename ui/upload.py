"""The upload form: read a file, let the user pick its columns, keep the corpus in this session only."""
from __future__ import annotations

import streamlit as st

import core
from core.corpus import SUFFIXES, corpus_from_frame, read_table
from ui.state import add_upload

NO_LABEL = "(no label)"


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def _read(filename: str, data: bytes):
    return read_table(filename, data)


def upload_form() -> None:
    file = st.file_uploader("Upload your own corpus", type=[s[1:] for s in SUFFIXES],
                            help="Plain text (one document per line), CSV or TSV with a header row, "
                                 "JSONL (one JSON object per line), or Parquet.")
    if file is None:
        return
    try:
        frame = _read(file.name, file.getvalue())
    except core.CorpusError as error:
        st.error(str(error))
        return
    columns = [str(c) for c in frame.columns]
    text_column = label_column = None
    if len(columns) > 1:
        guess = core.corpus.guess_text_column(frame)
        left, right = st.columns(2)
        text_column = left.selectbox("Text column", columns, index=columns.index(guess) if guess in columns else 0,
                                     key="upload_text_column")
        label_guess = core.corpus.guess_label_column(frame, text_column)
        options = [NO_LABEL] + [c for c in columns if c != text_column]
        label = right.selectbox("Label column (colours the map)", options,
                                index=options.index(label_guess) if label_guess in options else 0,
                                key="upload_label_column")
        label_column = None if label == NO_LABEL else label
    st.caption(f"{len(frame):,} rows, {len(columns)} column{'s' if len(columns) != 1 else ''}.")
    if st.button("Explore this corpus", type="primary"):
        try:
            corpus = corpus_from_frame(frame, name=file.name, text_column=text_column or columns[0],
                                       label_column=label_column, guess_label=False)
        except core.CorpusError as error:
            st.error(str(error))
            return
        add_upload(corpus)
        st.rerun()
