"""Import vectors made elsewhere: the Embedding Projector's TSV pair (alone or zipped, as our Map page
exports it), .npy plus a metadata CSV, or Parquet with a vector column (our Parquet export rebuilds its
corpus exactly). Nothing is unpickled; every count and value is checked.
"""
from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from core.sources.corpus import CorpusError, corpus_from_frame
from core.sources.tables import decode_text, read_table
from core.export import PARQUET_COLUMNS_KEY
from core.sources.guarded import UPLOAD_LIMITS, DecodeBudget, megabytes, refuse_too_long

VECTOR_COLUMNS = ("vector", "vectors", "embedding", "embeddings")
ZIP_CHUNK = 1 << 20
FLOAT64 = 8
NOT_PLAIN_NPY = "The .npy file is not a plain numeric array (pickled objects are never loaded)."
ZIP_MEMBERS = (".tsv", ".npy", ".csv", ".parquet")
TSV_UNESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
TSV_ESCAPE = re.compile(r"\\(.)")


def import_vectors(files: dict[str, bytes]) -> tuple:
    """(Corpus, (n, d) float32 vectors) from uploaded files, or CorpusError saying what to fix."""
    zips = [name for name in files if name.lower().endswith(".zip")]
    if zips:
        if len(files) != 1:
            raise CorpusError("Upload the zip archive on its own (it already holds vectors.tsv and metadata.tsv).")
        return _from_files(_unzipped(zips[0], files[zips[0]]))
    return _from_files(files)


def _unzipped(name: str, data: bytes) -> dict[str, bytes]:
    """The data files in a zip archive, by file name; folders and hidden files (e.g. macOS's) are skipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise CorpusError(f"'{name}' is not a readable zip archive. Upload the zip the Map page exported, "
                          "or the files it holds.") from error
    members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")
               and not PurePosixPath(m.filename).name.startswith(".")
               and m.filename.lower().endswith(ZIP_MEMBERS)]
    if not members:
        raise CorpusError(f"'{name}' holds no vectors.tsv and metadata.tsv (nor .npy, .csv or .parquet files).")
    budget = DecodeBudget(name)
    budget.check(sum(m.file_size for m in members), "says it unpacks to")
    try:
        return {PurePosixPath(m.filename).name: _unpacked(archive, m, budget) for m in members}
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError) as error:
        raise CorpusError(f"'{name}' could not be unpacked ({str(error)[:120]}).") from error


def _unpacked(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: DecodeBudget) -> bytes:
    """One member, counted while it streams: the sizes a zip declares can lie."""
    chunks = []
    with archive.open(member) as stream:
        while chunk := stream.read(ZIP_CHUNK):
            budget.spend(len(chunk))
            chunks.append(chunk)
    return b"".join(chunks)


def _from_files(files: dict[str, bytes]) -> tuple:
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
        return _from_npy(names[npy[0]], files[names[npy[0]]], names[metadata[0]], files[names[metadata[0]]])
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
    _refuse_big_table("vectors.tsv", text)
    try:
        vectors = np.loadtxt(io.StringIO(text), delimiter="\t", dtype=np.float64, ndmin=2)
    except ValueError as error:
        raise CorpusError(f"vectors.tsv must hold only numbers separated by tabs ({str(error)[:120]}).") from error
    frame = _projector_metadata(decode_text(metadata_tsv)[0])
    _checked(vectors, len(frame))
    return _with_texts(frame, "imported vectors", vectors)


def _refuse_big_table(name: str, text: str) -> None:
    """Rows and numbers per row, counted before numpy parses them (as 8-byte floats)."""
    rows = text.count("\n") + (not text.endswith("\n"))
    refuse_too_long(name, rows, UPLOAD_LIMITS.rows)
    first = text[: text.find("\n")] if "\n" in text else text
    DecodeBudget(name).check(rows * (first.count("\t") + 1) * FLOAT64, "holds vectors of")


def _projector_metadata(text: str) -> pd.DataFrame:
    """The Projector's rule: one column has no header, several have one. Quotes are text; \\t, \\n, \\r
    and \\\\ (as our export writes tabs, newlines and backslashes) are read back as those characters."""
    rows = [[_unescaped(cell) for cell in line.removesuffix("\r").split("\t")]
            for line in text.split("\n") if line.strip()]
    if not rows or len(rows[0]) == 1:
        return pd.DataFrame({"text": [row[0] for row in rows]}, dtype=str)
    header, rows = rows[0], rows[1:]
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise CorpusError(f"Line {number} of metadata.tsv has {len(row)} tab-separated fields, but its header "
                              f"names {len(header)}. Every row needs one value per column.")
    return pd.DataFrame(rows, columns=header, dtype=str)


def _unescaped(cell: str) -> str:
    return TSV_ESCAPE.sub(lambda match: TSV_UNESCAPES.get(match[1], match[0]), cell)


def _from_npy(name: str, data: bytes, metadata_name: str, metadata: bytes) -> tuple:
    vectors = npy_array(name, data)
    frame = read_table(metadata_name, metadata)
    vectors = np.asarray(vectors, dtype=np.float64)
    _checked(vectors, len(frame))
    return _with_texts(frame, metadata_name, vectors)


def npy_array(name: str, data: bytes) -> np.ndarray:
    """The array of a .npy file, its header checked before anything is allocated: the shape it declares
    must fit the budget and match the bytes that follow. The array is a view of `data`, not a copy."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        header = np.lib.format.read_array_header_2_0 if version >= (2, 0) else np.lib.format.read_array_header_1_0
        shape, fortran_order, dtype = header(stream, max_header_size=10_000)
    except (ValueError, SyntaxError) as error:
        raise CorpusError(NOT_PLAIN_NPY) from error
    if dtype.hasobject:
        raise CorpusError(NOT_PLAIN_NPY)
    if not np.issubdtype(dtype, np.number):
        raise CorpusError("The .npy file must hold numbers.")
    declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
    DecodeBudget(name).check(declared, f"declares a {' x '.join(map(str, shape))} array of")
    present = len(data) - stream.tell()
    if declared != present:
        raise CorpusError(f"'{name}' declares a {' x '.join(map(str, shape))} array ({megabytes(declared)}) "
                          f"but holds {megabytes(present)} of numbers. Save the array again with numpy.save.")
    array = np.frombuffer(data, dtype=dtype, count=int(np.prod(shape)), offset=stream.tell())
    return array.reshape(shape, order="F" if fortran_order else "C")


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
    frame = frame.drop(columns=[column])
    columns = _our_parquet_columns(data, frame)
    if columns is None:
        return _with_texts(frame, "imported vectors", vectors)
    corpus, vectors = _with_texts(frame, "imported vectors", vectors, columns["text"], columns["label"])
    return dataclasses.replace(corpus, metadata=frame[columns["metadata"]].reset_index(drop=True)), vectors


def _our_parquet_columns(data: bytes, frame: pd.DataFrame) -> dict | None:
    """Which columns our own export marked as text, label and metadata; None for other Parquet files."""
    import pyarrow.parquet as pq

    try:
        columns = json.loads(pq.read_schema(io.BytesIO(data)).metadata[PARQUET_COLUMNS_KEY])
        named = [columns["text"], *([columns["label"]] if columns["label"] else []), *columns["metadata"]]
    except (KeyError, TypeError, ValueError):
        return None
    return columns if all(name in frame.columns for name in named) else None


def _with_texts(frame: pd.DataFrame, name: str, vectors: np.ndarray, text_column=None, label_column=None) -> tuple:
    if label_column is None and "label" in frame.columns and text_column != "label":
        label_column = "label"  # the column our exports name so, whatever its values look like
    corpus = corpus_from_frame(frame, name=name, text_column=text_column, label_column=label_column,
                               guess_label=True)
    if len(corpus) != len(frame):
        raise CorpusError("Some rows have no text; every vector needs a text to show on the map.")
    return corpus, _checked(vectors, len(corpus))
