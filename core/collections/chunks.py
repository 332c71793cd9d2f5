"""The embed step's unit of work, shared by both engines: the source's chunks in order, each stored
atomically in the work folder (its documents as Parquet, then its vectors as .npy, whose presence marks it
done), and the local engine that encodes them one after the other."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np
import pandas as pd

from core.collections.sources import Columns, Source, read_chunks, require_columns
from core.progress import progress_bar

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class EmbedJob:
    """The embed step's work, for any engine: the source's chunks in order, and where each one is stored.
    Plain data (paths, names), so that it can travel to a Ray task."""
    source: Source
    columns: Columns
    work: Path
    plan: dict

    def chunks(self) -> Iterator[tuple[int, pa.Table]]:
        """(chunk number, its documents) in the source's order; every file must have the chosen columns."""
        number = 0
        for path in self.source.files:
            for frame in read_chunks(path, self.plan["rows_per_chunk"]):
                require_columns(path, frame, self.columns)
                if len(frame):
                    yield number, documents_table(frame, self.columns)
                    number += 1

    def is_done(self, number: int) -> bool:
        return (self.work / f"chunk-{number:06d}.npy").is_file()

    def done_chunks(self) -> frozenset[int]:
        return frozenset(int(path.stem.removeprefix("chunk-")) for path in self.work.glob("chunk-*.npy"))

    def done_rows(self) -> int:
        return sum(np.load(path, mmap_mode="r").shape[0] for path in self.work.glob("chunk-*.npy"))

    def encoder(self):
        """The plan's encoder, loaded (each Ray actor makes its own)."""
        from core.encoders import get_encoder

        return get_encoder(self.plan["encoder"], **self.plan["params"]).fit(["fit"])

    def store(self, number: int, documents: pa.Table, vectors: np.ndarray) -> None:
        """Write a chunk's documents, then its vectors: the .npy's presence marks the chunk done."""
        write_atomically(self.work / f"chunk-{number:06d}.parquet", _parquet_bytes(documents))
        save_array(self.work / f"chunk-{number:06d}.npy", vectors.astype(self.plan["dtype"]))

    def progress_bar(self, progress: bool):
        return progress_bar("embed", estimated_rows(self.source.files), initial=self.done_rows(), enabled=progress)


def embed_locally(job: EmbedJob, *, progress: bool) -> None:
    """The local engine: encode the chunks not yet stored, one after the other, in this process."""
    model = None
    with job.progress_bar(progress) as bar:
        for number, documents in job.chunks():
            if not job.is_done(number):
                model = model or job.encoder()
                job.store(number, documents, model.transform(texts_of(documents)))
                bar.update(documents.num_rows)
        bar.total = bar.n   # the estimate counted lines; now the rows are known


def texts_of(documents: pa.Table) -> list[str]:
    return documents.column("text").to_pylist()


def documents_table(frame: pd.DataFrame, columns: Columns) -> pa.Table:
    """The stored documents of a chunk: text, label and the source's other columns, all strings."""
    import pyarrow as pa

    data = {"text": ["" if pd.isna(t) else str(t) for t in frame[columns.text]]}
    if columns.label is not None:
        data["label"] = [None if pd.isna(v) else str(v) for v in frame[columns.label]]
    for name in frame.columns:
        if str(name) not in (columns.text, columns.label, "text", "label"):
            data[str(name)] = [None if _missing(v) else str(v) for v in frame[name]]
    return pa.table({name: pa.array(values, pa.string()) for name, values in data.items()})


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _parquet_bytes(table: pa.Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def estimated_rows(files) -> int:
    """Rows for the progress bar's time left: exact for Parquet, lines for the other formats."""
    import pyarrow.parquet as pq

    total = 0
    for path in files:
        if path.suffix.lower() == ".parquet":
            total += pq.ParquetFile(path).metadata.num_rows
        else:
            with open(path, "rb") as stream:
                total += sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 22), b""))
    return total


def save_array(path: Path, array: np.ndarray) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as stream:
        np.save(stream, array)
    os.replace(partial, path)


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
