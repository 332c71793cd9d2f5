"""Reading a build's source in chunks, so that memory stays flat however large it is: a CSV, TSV, Parquet,
JSONL or text file (one document a line), or a folder of them (read file by file, in name order)."""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pandas as pd

from core.sources.corpus import guess_label_column, guess_text_column
from core.errors import CorpusError

READERS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".jsonl": "jsonl", ".txt": "text"}
FORMATS = "CSV, TSV, Parquet, JSONL or text"


class CollectionError(CorpusError):
    """A collection cannot be built or opened as asked; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Source:
    files: tuple[Path, ...]
    skipped: tuple[str, ...]     # a sentence per file of the folder that is not read, and why

    @property
    def fingerprint(self) -> str:
        """A digest of every file's name and bytes: a changed source never resumes an old build."""
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(path.name.encode() + b"\0")
            with open(path, "rb") as stream:
                for block in iter(lambda: stream.read(1 << 22), b""):
                    digest.update(block)
        return digest.hexdigest()[:20]


def open_source(path) -> Source:
    path = Path(path)
    if not path.exists():
        raise CollectionError(f"The source {path} does not exist.")
    if path.is_file():
        _reader(path)
        return Source((path,), ())
    files, skipped = [], []
    for child in sorted(path.iterdir()):
        if child.name.startswith(".") or child.is_dir():
            continue
        if child.suffix.lower() in READERS:
            files.append(child)
        else:
            skipped.append(f"skipped {child.name}: not a {FORMATS} file")
    if not files:
        raise CollectionError(f"The folder {path} holds no {FORMATS} file ({', '.join(sorted(READERS))}).")
    return Source(tuple(files), tuple(skipped))


def _reader(path: Path) -> str:
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise CollectionError(f"{path.name}: not a {FORMATS} file (the name must end in "
                              f"{', '.join(sorted(READERS))}).")
    return kind


def read_chunks(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    """Frames of at most `rows` rows; a text file gives one column, `text`."""
    kind = _reader(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
                yield batch.to_pandas()
        elif kind in ("csv", "tsv"):
            yield from pd.read_csv(path, sep="\t" if kind == "tsv" else ",", dtype=str, keep_default_na=False,
                                   chunksize=rows)
        elif kind == "jsonl":
            yield from pd.read_json(path, lines=True, dtype=False, chunksize=rows)
        else:
            yield from _text_lines(path, rows)
    except (ValueError, OSError, UnicodeDecodeError) as error:
        if isinstance(error, CollectionError):
            raise
        raise CollectionError(f"{path.name}: cannot be read as {kind.upper()} ({str(error).splitlines()[0]}).") \
            from error


def _text_lines(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    with open(path, encoding="utf-8", errors="replace") as stream:
        lines = []
        for line in stream:
            lines.append(line.rstrip("\r\n"))
            if len(lines) == rows:
                yield pd.DataFrame({"text": lines})
                lines = []
        if lines:
            yield pd.DataFrame({"text": lines})


@dataclass(frozen=True)
class Columns:
    text: str | None
    label: str | None


def choose_columns(path: Path, frame: pd.DataFrame, text_column: str | None, label_column: str | None) -> Columns:
    """The named columns, checked against this file's; or guessed from its first chunk (as uploads are)."""
    require_columns(path, frame, Columns(text_column, label_column))
    have = [str(c) for c in frame.columns]
    text = text_column or guess_text_column(frame)
    if text is None:
        raise CollectionError(f"{path.name} has no text column to embed; name one with --text-column. "
                              f"Its columns are: {', '.join(have)}.")
    label = label_column if label_column is not None else guess_label_column(frame, text)
    return Columns(str(text), None if label is None else str(label))


def require_columns(path: Path, frame: pd.DataFrame, columns: Columns) -> None:
    have = [str(c) for c in frame.columns]
    for role, name in (("text", columns.text), ("label", columns.label)):
        if name is not None and name not in have:
            raise CollectionError(f"{path.name} has no column '{name}' for the {role}. "
                                  f"Its columns are: {', '.join(have)}.")


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)
