"""Exports: embeddings as Parquet, TensorFlow Embedding Projector TSVs (alone or zipped), map and
neighbour CSVs. (The figure as HTML is a drawing, so it is ui's: ui.plots.figure_html.)

Every data format here is read back by our own importers (tests/test_export.py round-trips each):
Parquet and the Projector files by `core.sources.vectors.import_vectors`, the CSVs by the corpus upload.
CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) are neutralised with a leading apostrophe; that apostrophe is the one difference a CSV brings
back when uploaded again.
"""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd

from core.sources.corpus import Corpus
from core.neighbours.similarity import cosine_knn, normalize_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PARQUET_COLUMNS_KEY = b"murmuration_columns"
# A Projector metadata cell is one line without tabs: these four characters travel as backslash escapes.
TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def safe_cell(value):
    """A text cell a spreadsheet will show as text, never evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(safe_cell)
    return frame


def _csv(frame: pd.DataFrame) -> bytes:
    return _safe_frame(frame).to_csv(index=False).encode("utf-8")


def _documents(corpus: Corpus) -> pd.DataFrame:
    frame = pd.DataFrame({"text": corpus.texts})
    if corpus.labels:
        frame["label"] = corpus.labels
    if corpus.metadata is not None:
        extra = corpus.metadata.drop(columns=[c for c in corpus.metadata.columns if c in frame.columns])
        frame = pd.concat([frame, extra.reset_index(drop=True)], axis=1)
    return frame


def embeddings_parquet(corpus: Corpus, vectors: np.ndarray, key: dict) -> bytes:
    """Documents, labels, metadata and a `vector` column; in the file's metadata, the artifact key and
    which columns are the text, the labels and the corpus metadata (so an import rebuilds the corpus)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = _documents(corpus)
    frame = frame.astype({c: str for c in frame.select_dtypes(include=[object, "str"]).columns})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.append_column("vector", pa.array(list(np.asarray(vectors, dtype=np.float32)),
                                                   type=pa.list_(pa.float32())))
    columns = {"text": "text", "label": "label" if corpus.labels else None,
               "metadata": [] if corpus.metadata is None else [str(c) for c in corpus.metadata.columns]}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"murmuration_key": json.dumps(key, sort_keys=True).encode(),
                                           PARQUET_COLUMNS_KEY: json.dumps(columns).encode()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _tsv_cell(value) -> str:
    return str(value).translate(TSV_ESCAPES)


def projector_tsv(corpus: Corpus, vectors: np.ndarray) -> tuple[bytes, bytes]:
    """(vectors.tsv, metadata.tsv) for projector.tensorflow.org: one row per document in both, vectors to 6
    significant digits; metadata has a header row only when it has more than one column (the Projector's
    rule), and tabs, newlines and backslashes in it are written as \\t, \\n and \\\\."""
    lines = "\n".join("\t".join(f"{x:.6g}" for x in row) for row in np.asarray(vectors)) + "\n"
    if corpus.labels:
        meta = "text\tlabel\n" + "".join(f"{_tsv_cell(text)}\t{_tsv_cell(label)}\n"
                                          for text, label in zip(corpus.texts, corpus.labels))
    else:
        meta = "".join(f"{_tsv_cell(t)}\n" for t in corpus.texts)
    return lines.encode("utf-8"), meta.encode("utf-8")


def projector_zip(corpus: Corpus, vectors: np.ndarray) -> bytes:
    """vectors.tsv and metadata.tsv in one zip, as the Map page offers them."""
    vectors_tsv, metadata_tsv = projector_tsv(corpus, vectors)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vectors.tsv", vectors_tsv)
        archive.writestr("metadata.tsv", metadata_tsv)
    return buffer.getvalue()


def coordinates_csv(corpus: Corpus, coords: np.ndarray, numbers=None) -> bytes:
    """One line per document: its row (`numbers`: what to call each document, e.g. a subset's rows in its
    corpus; default: its position), coordinates, text and label."""
    frame = pd.DataFrame(np.asarray(coords), columns=["x", "y", "z"][:np.asarray(coords).shape[1]])
    frame.insert(0, "row", np.arange(len(frame)) if numbers is None else np.asarray(numbers, dtype=np.int64))
    frame["text"] = corpus.texts
    if corpus.labels:
        frame["label"] = corpus.labels
    return _csv(frame)


def neighbours_csv(corpus: Corpus, vectors: np.ndarray, k: int = 10, numbers=None) -> bytes:
    """Every document's k nearest neighbours (exact cosine), one row per pair, with both labels if any.
    numbers: what to call each document in the row and neighbour columns (default: its position)."""
    neighbours = cosine_knn(vectors, k)
    Xn = normalize_rows(vectors)
    rows = np.repeat(np.arange(len(neighbours)), neighbours.shape[1])
    cols = neighbours.ravel()
    scores = np.einsum("ij,ij->i", Xn[rows], Xn[cols])
    number = np.arange(len(corpus)) if numbers is None else np.asarray(numbers, dtype=np.int64)
    frame = pd.DataFrame({"row": number[rows], "rank": np.tile(np.arange(1, neighbours.shape[1] + 1), len(neighbours)),
                          "neighbour": number[cols], "cosine": scores.round(6),
                          "text": [corpus.texts[i] for i in rows], "neighbour text": [corpus.texts[j] for j in cols]})
    if corpus.labels:
        frame.insert(5, "label", [corpus.labels[i] for i in rows])
        frame["neighbour label"] = [corpus.labels[j] for j in cols]
    return _csv(frame)


def findings_csv(found: pd.DataFrame, texts: list[str], numbers=None) -> bytes:
    """Quality findings (core.quality.findings) as CSV with their texts; `numbers`: each dataset row's number in
    the whole corpus, which the `row` column then gives (as the other exports do)."""
    frame = found.reset_index(drop=True).copy()
    if numbers is not None:
        frame["row"] = np.asarray(numbers)[frame.row.to_numpy()]
    frame["text"] = list(texts)
    return _csv(frame)
