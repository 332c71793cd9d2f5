"""The collection folder, and opening one.

    manifest.json      what made the collection (see `build.manifest`) and every file's size
    documents.parquet  text, label and the source's other columns, in row groups read on demand
    vectors.npy        (n, d) float32 or float16, memory-mapped when opened
    coords.npy         (n, 2) float32 map coordinates
    index.usearch      the ANN index over the unit vectors (memory-mapped when opened)

Opening checks the manifest's format version, that every file is there with the size the manifest
recorded, and that this installation's encoder has the revision that made the vectors: a folder that
fails any check is refused with a sentence naming what is wrong, never opened half-way.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path

import numpy as np

from core.collections.index import AnnIndex
from core.collections.sources import CollectionError
from core.similarity import Neighbors, normalize_rows

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCUMENTS = "documents.parquet"
VECTORS = "vectors.npy"
COORDS = "coords.npy"
INDEX = "index.usearch"
FILES = (DOCUMENTS, VECTORS, COORDS, INDEX)
DTYPES = ("float32", "float16")
MANIFEST_MAX_BYTES = 10_000_000   # a build writes a few kilobytes
ROW_GROUPS_KEPT = 8


def _whole(low: int):
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= low


def _is(*kinds):
    return lambda value: isinstance(value, kinds) and not isinstance(value, bool)


def _text(value) -> bool:
    return isinstance(value, str) and len(value) <= 1000   # names and revisions are short; messages quote them


def _projection_ok(projection) -> bool:
    """The projection's entries that pages show (see core.dataset.CollectionDataset.map_quality and map_notes)."""
    checks = {"method": _is(str), "placed_by": _is(str), "fitted_on": _whole(0), "quality_k": _whole(0),
              "quality_sample": _whole(0), "trustworthiness": _is(int, float, type(None))}
    return isinstance(projection, dict) and all(key in projection and check(projection[key])
                                                for key, check in checks.items())


def _files_ok(files) -> bool:
    return isinstance(files, dict) and set(files) == set(FILES) and all(map(_whole(0), files.values()))


# Every key the app reads from a manifest: a check of its value, and what it must be, in words.
MANIFEST_SHAPE = {
    "format_version": (_whole(1), "a whole number"),
    "encoder": (_text, "a name"),
    "params": (_is(dict), "an object"),
    "model_revision": (_text, "a text"),
    "rows": (_whole(1), "a whole number of at least 1"),
    "dimensions": (_whole(1), "a whole number of at least 1"),
    "dtype": (lambda value: value in DTYPES, " or ".join(DTYPES)),
    "source_fingerprint": (_text, "a text"),
    "columns": (_is(list), "a list"),
    "text_column": (_text, "a column name"),
    "label_column": (lambda value: value is None or _text(value), "a column name or null"),
    "projection": (_projection_ok, "an object with method, placed_by, fitted_on, quality_k, quality_sample and "
                                   "trustworthiness"),
    "index": (_is(dict), "an object"),
    "files": (_files_ok, f"an object giving the size in bytes of each of {', '.join(FILES)}"),
}


def open_collection(path, *, check_encoder: bool = True) -> "Collection":
    """Open a collection folder built by `python -m core build`; refuse it, with a reason, if it is damaged,
    of another format version, or made by an encoder revision other than the installed one. A reason names
    files relative to the collection folder, never by the server's absolute path."""
    folder = Path(path)
    manifest = read_manifest(folder)
    check_files(folder, manifest)
    if check_encoder:
        check_encoder_revision(manifest)
    return Collection(folder, manifest)


def read_manifest(folder: Path) -> dict:
    name = _name(folder)
    if not folder.is_dir():
        raise CollectionError(f"{name} is not a folder; a collection is a folder made by `python -m core build`.")
    if not (folder / MANIFEST).is_file():
        raise CollectionError(f"{name} has no {MANIFEST}: it is not a collection, or its build did not finish.")
    check_inside(folder, [MANIFEST])
    if (folder / MANIFEST).stat().st_size > MANIFEST_MAX_BYTES:
        raise CollectionError(f"{name}/{MANIFEST} is larger than a manifest can be; rebuild the collection.")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CollectionError(f"{name}/{MANIFEST} is not valid JSON ({error}); rebuild the collection.") from error
    except RecursionError:
        raise CollectionError(f"{name}/{MANIFEST} nests too deep to be a manifest; rebuild the collection.") from None
    if not isinstance(manifest, dict):
        raise CollectionError(f"{name}/{MANIFEST} does not hold a manifest; rebuild the collection.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        shown = repr(version)[:20] if isinstance(version, (int, float, str)) else "unknown"
        raise CollectionError(f"{name} has collection format version {shown}; this Murmuration reads version "
                              f"{FORMAT_VERSION}. Rebuild it with `python -m core build`.")
    check_manifest_shape(name, manifest)
    return manifest


def check_manifest_shape(name: str, manifest: dict) -> None:
    """Every key the app reads is there and holds what a build writes, so nothing fails later, on a page."""
    missing = [key for key in MANIFEST_SHAPE if key not in manifest]
    if missing:
        raise CollectionError(f"{name}/{MANIFEST} lacks {', '.join(missing)}; rebuild the collection.")
    wrong = [f"{key} must be {words}" for key, (check, words) in MANIFEST_SHAPE.items() if not check(manifest[key])]
    if wrong:
        raise CollectionError(f"{name}/{MANIFEST} is damaged: {'; '.join(wrong)}. Rebuild the collection.")


def check_inside(folder: Path, names) -> None:
    """Refuse a file that is a link leading out of the collection folder: a folder shared with the app must not
    make it read (or tell the size of) a file elsewhere on the server. Links within the folder are fine."""
    home = folder.resolve()
    for file in names:
        if not (folder / file).resolve().is_relative_to(home):
            raise CollectionError(f"{_name(folder)}/{file} is a link to a file outside the collection folder; "
                                  "a collection's files must be inside it. Rebuild the collection.")


def check_files(folder: Path, manifest: dict) -> None:
    name = _name(folder)
    missing = [file for file in FILES if not (folder / file).is_file()]
    if missing:
        raise CollectionError(f"{name} is missing {', '.join(missing)}; rebuild the collection.")
    check_inside(folder, FILES)
    changed = [f"{file} ({(folder / file).stat().st_size:,} bytes, the manifest says {size:,})"
               for file, size in manifest["files"].items() if (folder / file).stat().st_size != size]
    if changed:
        raise CollectionError(f"{name} has files truncated or changed since it was built: "
                              f"{'; '.join(changed)}. Rebuild the collection.")
    rows, dims = manifest["rows"], manifest["dimensions"]
    expected = {VECTORS: ((rows, dims), manifest["dtype"]), COORDS: ((rows, 2), "float32")}
    for file, (shape, dtype) in expected.items():
        array = _load_array(folder, file)
        if array.shape != shape or array.dtype != np.dtype(dtype):
            raise CollectionError(f"{name}/{file} holds {array.shape} {array.dtype}, but the manifest says "
                                  f"{shape} {dtype}. Rebuild the collection.")
    _check_documents(folder, manifest)


def _load_array(folder: Path, file: str) -> np.ndarray:
    try:
        return np.load(folder / file, mmap_mode="r")
    except (ValueError, OSError, EOFError) as error:
        raise CollectionError(f"{_name(folder)}/{file} is not a NumPy array file ({_reason(error, folder)}); "
                              "rebuild the collection.") from error


def _check_documents(folder: Path, manifest: dict) -> None:
    """documents.parquet opens as Parquet (its footer only), with a row per vector and the columns pages read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    where = f"{_name(folder)}/{DOCUMENTS}"
    try:
        metadata = pq.ParquetFile(folder / DOCUMENTS).metadata
    except (pa.ArrowException, OSError) as error:
        raise CollectionError(f"{where} cannot be read as Parquet ({_reason(error, folder)}); "
                              "rebuild the collection.") from error
    needed = ["text"] + (["label"] if manifest["label_column"] is not None else [])
    lacking = [column for column in needed if column not in metadata.schema.names]
    if lacking:
        raise CollectionError(f"{where} has no {' or '.join(lacking)} column; rebuild the collection.")
    if metadata.num_rows != manifest["rows"]:
        raise CollectionError(f"{where} holds {metadata.num_rows:,} rows, but the manifest says "
                              f"{manifest['rows']:,}. Rebuild the collection.")


def _name(folder: Path) -> str:
    """The collection folder's own name, which messages use instead of its path on the server."""
    return folder.name or folder.resolve().name


def _reason(error: Exception, folder: Path) -> str:
    """The first line of a library's error, with the folder's path on the server cut down to its name."""
    line = (str(error).splitlines() or [type(error).__name__])[0]
    for path in sorted({str(folder.resolve()), str(folder.absolute())}, key=len, reverse=True):
        line = line.replace(path, _name(folder))
    return line[:300]


def check_encoder_revision(manifest: dict) -> None:
    from core.encoders import EncoderError, get_encoder

    try:
        installed = get_encoder(manifest["encoder"], **manifest["params"]).model_revision
    except EncoderError as error:
        raise CollectionError(f"This collection's encoder cannot be made here: {error}") from error
    if installed != manifest["model_revision"]:
        raise CollectionError(f"This collection was built with {manifest['encoder']} revision "
                              f"'{manifest['model_revision']}', but this installation has '{installed}': "
                              f"queries would not match its vectors. Rebuild it with `python -m core build`.")


def _load_index(folder: Path, manifest: dict) -> AnnIndex:
    try:
        index = AnnIndex.load(folder / INDEX, manifest["index"])
    except (ValueError, RuntimeError) as error:
        raise CollectionError(f"{_name(folder)}/{INDEX} cannot be opened ({_reason(error, folder)}); "
                              "rebuild the collection.") from error
    if len(index) != manifest["rows"]:
        raise CollectionError(f"{_name(folder)}/{INDEX} holds {len(index):,} vectors, but the manifest says "
                              f"{manifest['rows']:,}. Rebuild the collection.")
    return index


class Collection:
    """A built collection, opened read-only; safe to share between sessions and threads."""

    def __init__(self, folder: Path, manifest: dict):
        self.folder = folder
        self.manifest = manifest
        self.vectors = np.load(folder / VECTORS, mmap_mode="r")
        self.coords = np.load(folder / COORDS, mmap_mode="r")
        self.index = _load_index(folder, manifest)
        self._groups = OrderedDict()   # row group -> texts, the few read last
        self._lock = threading.Lock()          # the kept row groups
        self._read_lock = threading.Lock()     # one Parquet reader, shared: Arrow does not promise it is thread-safe
        self._all_texts = None

    def __len__(self) -> int:
        return self.manifest["rows"]

    def __repr__(self) -> str:
        return (f"Collection({self.folder.name!r}, {len(self):,} documents, {self.manifest['encoder']}, "
                f"{self.manifest['dimensions']} dims)")

    @property
    def name(self) -> str:
        return self.folder.name

    @cached_property
    def digest(self) -> str:
        """Names this build of the collection: a rebuild, even from the same source, has another."""
        from core.keys import key_digest

        return key_digest({"folder": str(self.folder.resolve()), "manifest": self.manifest})

    @cached_property
    def _documents(self):
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.folder / DOCUMENTS)

    @cached_property
    def _group_starts(self) -> np.ndarray:
        metadata = self._documents.metadata
        sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
        return np.concatenate([[0], np.cumsum(sizes)])

    def text(self, i: int) -> str:
        """Document i's text, read from its Parquet row group (the last few groups read are kept)."""
        if not 0 <= i < len(self):
            raise IndexError(f"Document {i} does not exist; there are {len(self):,}.")
        group = int(np.searchsorted(self._group_starts, i, side="right") - 1)
        return self._group_texts(group)[i - self._group_starts[group]]

    def texts(self, rows) -> list[str]:
        return [self.text(int(i)) for i in rows]

    def all_texts(self) -> list[str]:
        """Every text, read once and kept (for collections small enough to hold them all)."""
        with self._read_lock:
            if self._all_texts is None:
                column = self._documents.read(columns=["text"]).column("text")
                self._all_texts = ["" if text is None else text for text in column.to_pylist()]
            return self._all_texts

    def _group_texts(self, group: int) -> list[str]:
        with self._lock:
            if group in self._groups:
                self._groups.move_to_end(group)
                return self._groups[group]
        with self._read_lock:
            texts = self._documents.read_row_group(group, columns=["text"]).column("text").to_pylist()
        with self._lock:
            self._groups[group] = texts
            while len(self._groups) > ROW_GROUPS_KEPT:
                self._groups.popitem(last=False)
        return texts

    @cached_property
    def labels(self) -> np.ndarray | None:
        """Every document's label (an object array sharing one string per distinct label), or None."""
        if self.label_codes is None:
            return None
        codes, names = self.label_codes
        return np.array(names + [None], dtype=object)[codes]   # code -1 (no label) takes the last entry

    @cached_property
    def label_codes(self) -> tuple[np.ndarray, list[str]] | None:
        """Every document's label as a code into the list of distinct labels (-1: no label), or None."""
        if self.manifest["label_column"] is None:
            return None
        import pyarrow.parquet as pq

        column = pq.read_table(self.folder / DOCUMENTS, columns=["label"]).column("label")
        encoded = column.combine_chunks().dictionary_encode()   # one dictionary for every row group
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        return codes, encoded.dictionary.to_pylist()

    @cached_property
    def filter_columns(self) -> dict:
        """What the map's filters work on, read once: the label, every stored column of numbers, and every
        column of text with at most MAX_CATEGORIES distinct values (as pandas categories, 1-2 bytes a row)."""
        import pandas as pd
        import pyarrow.parquet as pq

        from core.filters import MAX_CATEGORIES

        columns = {}
        if self.label_codes is not None:
            columns["label"] = pd.Series(pd.Categorical.from_codes(*self.label_codes))
        for field in self._documents.schema_arrow:
            if field.name not in ("text", "label"):
                column = pq.read_table(self.folder / DOCUMENTS, columns=[field.name]).column(field.name)
                series = _filter_column(column.combine_chunks(), MAX_CATEGORIES)
                if series is not None:
                    columns[field.name] = series
        return columns

    @cached_property
    def filterable(self) -> list:
        """The columns a user can filter this collection's map on, and how (core.filters.FilterableColumn)."""
        from core.filters import filterable

        return filterable(self.filter_columns)

    def filter_mask(self, filters: dict) -> np.ndarray:
        """True for the documents every filter keeps."""
        from core.filters import rows_kept

        return rows_kept(self.filter_columns, filters, len(self))

    def metadata(self, rows, columns: list[str] | None = None):
        """A DataFrame of the given rows' stored columns (all of them by default), in the order given,
        reading only the row groups the rows fall in."""
        import pandas as pd

        rows = np.asarray(rows, dtype=np.int64).ravel()
        if len(rows) and not (0 <= rows.min() and rows.max() < len(self)):
            raise IndexError(f"Rows must lie between 0 and {len(self) - 1:,}.")
        groups = np.searchsorted(self._group_starts, rows, side="right") - 1
        parts, order = [], []
        for group in np.unique(groups):
            inside = np.flatnonzero(groups == group)
            with self._read_lock:
                table = self._documents.read_row_group(int(group), columns=columns)
            parts.append(table.take(rows[inside] - self._group_starts[group]).to_pandas())
            order.append(inside)
        if not parts:
            names = columns or self._documents.schema_arrow.names
            return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
        frame = pd.concat(parts, ignore_index=True)
        return frame.iloc[np.argsort(np.concatenate(order), kind="stable")].reset_index(drop=True)

    def sample_rows(self, size: int, seed: int = 0) -> np.ndarray:
        """A seeded random sample of rows, sorted (every row when the collection is no bigger)."""
        if size >= len(self):
            return np.arange(len(self))
        return np.sort(np.random.default_rng(seed).choice(len(self), size, replace=False))

    def corpus(self, rows):
        """The given rows as an in-memory `Corpus` (text, label, the other stored columns as metadata), for
        the views that work on a few thousand documents."""
        from core.corpus import Corpus

        frame = self.metadata(rows)
        labels = frame["label"].fillna("(none)").tolist() if self.manifest["label_column"] is not None else None
        metadata = frame.drop(columns=[c for c in ("text", "label") if c in frame.columns])
        return Corpus(name=self.name, texts=frame["text"].fillna("").tolist(), labels=labels,
                      metadata=metadata if len(metadata.columns) else None,
                      description=f"{len(frame):,} of the {len(self):,} documents of the collection {self.name}.")

    def embeddings(self, corpus, rows):
        """The stored vectors of the given rows as `Embeddings` of `corpus` (made by `corpus(rows)`): no
        encoder runs; new text is encoded with the collection's encoder."""
        from core.pipeline import Embeddings, artifact_key

        vectors = np.ascontiguousarray(_take(self.vectors, rows), dtype=np.float32)
        vectors.flags.writeable = False
        key = artifact_key(corpus_fingerprint=corpus.fingerprint, encoder=self.manifest["encoder"],
                           params=self.manifest["params"], model_revision=self.manifest["model_revision"])
        return Embeddings(vectors=vectors, key=key, seconds=0.0, fit_encoder=lambda: self.encoder)

    @cached_property
    def encoder(self):
        """The fitted encoder that made the vectors, for queries typed by a user."""
        from core.encoders import get_encoder

        return get_encoder(self.manifest["encoder"], **self.manifest["params"]).fit(["fit"])

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.encoder.transform(texts)

    def search(self, query, k: int = 10) -> Neighbors:
        """The k documents nearest by cosine to a vector, or to document `query` (itself left out), from the
        ANN index; scores are the exact cosines of the stored vectors, most similar first."""
        own = None
        if isinstance(query, (int, np.integer)):
            if not 0 <= query < len(self):
                raise IndexError(f"Document {query} does not exist; there are {len(self):,}.")
            own, query = int(query), self.vectors[int(query)]
        q = normalize_rows(np.asarray(query, dtype=np.float32).reshape(1, -1))[0]
        if q.shape[0] != self.manifest["dimensions"]:
            raise ValueError(f"The query has {q.shape[0]} dimensions but the collection has "
                             f"{self.manifest['dimensions']}.")
        k = max(0, min(k, len(self) - (own is not None)))
        found = self.index.search(q, k + (own is not None))
        found = found[found != own][:k] if own is not None else found[:k]
        scores = normalize_rows(_take(self.vectors, found)) @ q
        order = np.lexsort((found, -scores))
        return Neighbors(indices=found[order].astype(np.int64), scores=scores[order].astype(np.float32))


def _filter_column(column, most_categories: int):
    """A stored column for the filters: numbers as floats (also when stored as text, as every column of a CSV
    source is; NaN where a cell is empty or not finite), other text as categories when there are at most
    `most_categories` of them (an empty cell is the category ""), else None."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from core.filters import as_numbers

    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return as_numbers(pd.Series(column.to_numpy(zero_copy_only=False)))
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    column = pc.fill_null(column, "")
    empty = pc.equal(pc.utf8_trim_whitespace(column), "")
    try:   # in Arrow, without a Python object per cell: a million take 0.2 s
        numbers = as_numbers(pd.Series(pc.cast(pc.if_else(empty, None, column), pa.float64()).to_numpy(
            zero_copy_only=False)))
        if numbers.notna().any():
            return numbers
    except pa.ArrowInvalid:   # some cell is text
        pass
    encoded = column.dictionary_encode()
    if len(encoded.dictionary) <= most_categories:
        return pd.Series(pd.Categorical.from_codes(encoded.indices.to_numpy(zero_copy_only=False),
                                                   encoded.dictionary.to_pylist()))
    return None


def _take(array: np.ndarray, rows) -> np.ndarray:
    """array[rows], read from a memory map in ascending row order (sequential reads), in the order given."""
    rows = np.asarray(rows, dtype=np.int64)
    ascending = np.sort(rows)
    return np.asarray(array[ascending])[np.searchsorted(ascending, rows)]
