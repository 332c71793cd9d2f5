"""Exports: embeddings as Parquet, TensorFlow Embedding Projector TSVs, map and neighbour CSVs, HTML.

CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) are neutralised with a leading apostrophe.
"""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from core.corpus import Corpus
from core.similarity import cosine_knn, normalize_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    """Documents, labels, metadata and a `vector` column; the artifact key in the file's metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = _documents(corpus)
    frame = frame.astype({c: str for c in frame.select_dtypes(include=[object, "str"]).columns})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.append_column("vector", pa.array(list(np.asarray(vectors, dtype=np.float32)),
                                                   type=pa.list_(pa.float32())))
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"murmuration_key": json.dumps(key, sort_keys=True).encode()})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def projector_tsv(corpus: Corpus, vectors: np.ndarray) -> tuple[bytes, bytes]:
    """(vectors.tsv, metadata.tsv) for projector.tensorflow.org: one row per document in both;
    metadata has a header row only when it has more than one column (the Projector's rule)."""
    lines = "\n".join("\t".join(f"{x:.6g}" for x in row) for row in np.asarray(vectors)) + "\n"
    if corpus.labels:
        meta = "text\tlabel\n" + "".join(f"{_one_line(text)}\t{_one_line(label)}\n"
                                          for text, label in zip(corpus.texts, corpus.labels))
    else:
        meta = "".join(f"{_one_line(t)}\n" for t in corpus.texts)
    return lines.encode("utf-8"), meta.encode("utf-8")


def coordinates_csv(corpus: Corpus, coords: np.ndarray) -> bytes:
    frame = pd.DataFrame(np.asarray(coords), columns=["x", "y", "z"][:np.asarray(coords).shape[1]])
    frame.insert(0, "row", np.arange(len(frame)))
    frame["text"] = corpus.texts
    if corpus.labels:
        frame["label"] = corpus.labels
    return _csv(frame)


def neighbours_csv(corpus: Corpus, vectors: np.ndarray, k: int = 10) -> bytes:
    """Every document's k nearest neighbours (exact cosine), one row per pair."""
    neighbours = cosine_knn(vectors, k)
    Xn = normalize_rows(vectors)
    rows = np.repeat(np.arange(len(neighbours)), neighbours.shape[1])
    cols = neighbours.ravel()
    scores = np.einsum("ij,ij->i", Xn[rows], Xn[cols])
    frame = pd.DataFrame({"row": rows, "rank": np.tile(np.arange(1, neighbours.shape[1] + 1), len(neighbours)),
                          "neighbour": cols, "cosine": scores.round(6),
                          "text": [corpus.texts[i] for i in rows], "neighbour text": [corpus.texts[j] for j in cols]})
    return _csv(frame)


def figure_html(fig) -> bytes:
    """The figure as one standalone HTML file (plotly.js inlined: opens offline)."""
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
