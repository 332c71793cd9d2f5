"""Import vectors made elsewhere: the Embedding Projector's TSV pair, .npy plus a metadata CSV, or
Parquet with a vector column. Nothing is unpickled; every count and value is checked.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from core.corpus import CorpusError, corpus_from_frame, decode_text, read_table

VECTOR_COLUMNS = ("vector", "vectors", "embedding", "embeddings")


def import_vectors(files: dict[str, bytes]) -> tuple:
    """(Corpus, (n, d) float32 vectors) from uploaded files, or CorpusError saying what to fix."""
    names = {name.lower(): name for name in files}
    npy = [n for n in names if n.endswith(".npy")]
    tsv = [n for n in names if n.endswith(".tsv")]
    parquet = [n for n in names if n.endswith(".parquet")]
    if parquet and len(files) == 1:
        return _from_parquet(files[names[parquet[0]]])
    if npy:
        metadata = [n for n in names if n.endswith((".csv", ".tsv"))]
        if len(npy) != 1 or len(metadata) != 1:
            raise CorpusError("Upload one .npy file of vectors and one CSV of metadata (one row per vector).")
        return _from_npy(files[names[npy[0]]], names[metadata[0]], files[names[metadata[0]]])
    if len(tsv) == 2:
        vectors_name = next((n for n in tsv if "vector" in n), None) or tsv[0]
        metadata_name = next(n for n in tsv if n != vectors_name)
        return _from_projector(files[names[vectors_name]], files[names[metadata_name]])
    raise CorpusError("To import vectors, upload the Projector's vectors.tsv and metadata.tsv, or a .npy file "
                      "with a metadata CSV, or one Parquet file with a vector column.")


def _checked(vectors: np.ndarray, n_rows: int) -> np.ndarray:
    if vectors.ndim != 2 or vectors.shape[1] < 2:
        raise CorpusError("Vectors must form a table of at least 2 numbers per row.")
    if len(vectors) != n_rows:
        raise CorpusError(f"There are {len(vectors):,} vectors but {n_rows:,} metadata rows; they must match.")
    bad = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
    if len(bad):
        raise CorpusError(f"{len(bad):,} vectors contain NaN or infinite values (first: row {bad[0] + 1}). "
                          "Fix or drop those rows.")
    return vectors.astype(np.float32)


def _from_projector(vectors_tsv: bytes, metadata_tsv: bytes) -> tuple:
    text, _ = decode_text(vectors_tsv)
    try:
        vectors = np.loadtxt(io.StringIO(text), delimiter="\t", dtype=np.float64, ndmin=2)
    except ValueError as error:
        raise CorpusError(f"vectors.tsv must hold only numbers separated by tabs ({str(error)[:120]}).") from error
    lines = [line for line in decode_text(metadata_tsv)[0].split("\n") if line.strip()]
    if lines and "\t" in lines[0]:  # several columns: the first line is a header
        frame = read_table("metadata.tsv", "\n".join(lines).encode())
    else:
        frame = pd.DataFrame({"text": lines})
    _checked(vectors, len(frame))
    return _with_texts(frame, "imported vectors", vectors)


def _from_npy(data: bytes, metadata_name: str, metadata: bytes) -> tuple:
    try:
        vectors = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:
        raise CorpusError("The .npy file is not a plain numeric array (pickled objects are never loaded).") from error
    if not np.issubdtype(vectors.dtype, np.number):
        raise CorpusError("The .npy file must hold numbers.")
    frame = read_table(metadata_name, metadata)
    vectors = np.asarray(vectors, dtype=np.float64)
    _checked(vectors, len(frame))
    return _with_texts(frame, metadata_name, vectors)


def _from_parquet(data: bytes) -> tuple:
    frame = read_table("vectors.parquet", data)
    column = next((c for c in frame.columns if str(c).lower() in VECTOR_COLUMNS), None)
    if column is None:
        raise CorpusError(f"The Parquet file needs a vector column named one of: {', '.join(VECTOR_COLUMNS)}.")
    try:
        vectors = np.stack([np.asarray(v, dtype=np.float64) for v in frame[column]])
    except (TypeError, ValueError) as error:
        raise CorpusError(f"Column '{column}' must hold lists of numbers of one length in every row.") from error
    _checked(vectors, len(frame))
    return _with_texts(frame.drop(columns=[column]), "imported vectors", vectors)


def _with_texts(frame: pd.DataFrame, name: str, vectors: np.ndarray) -> tuple:
    corpus = corpus_from_frame(frame, name=name, guess_label=True)
    if len(corpus) != len(frame):
        raise CorpusError("Some rows have no text; every vector needs a text to show on the map.")
    return corpus, _checked(vectors, len(corpus))
