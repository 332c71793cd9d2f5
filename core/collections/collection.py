"""The collection folder, and opening one.

    manifest.json      what made the collection (see `build.manifest`) and every file's size
    documents.parquet  text, label and the source's other columns, in row groups read on demand
    vectors.npy        (n, d) float32 or float16, memory-mapped when opened
    coords.npy         (n, 2) float32 map coordinates
    index.usearch      the ANN index over the unit vectors (memory-mapped when opened)

Opening checks (core/collections/manifest.py) the manifest's format version, that every file is there with
the size the manifest recorded, and that this installation's encoder has the revision that made the vectors:
a folder that fails any check is refused with a sentence naming what is wrong, never opened half-way.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path

import numpy as np

from core.collections.index import neighbour_table, take_rows
from core.collections.sources import CollectionError
from core.collections.manifest import (COORDS, DOCUMENTS, VECTORS, check_encoder_revision, check_files,
                                       file_path, load_index, read_manifest)
from core.neighbours.similarity import Neighbors, nearest_neighbors, normalize_rows

ROW_GROUPS_KEPT = 8
EXACT_UP_TO = 20_000   # a collection this small is searched exactly: a few milliseconds a query


def open_collection(path, *, check_encoder: bool = True) -> "Collection":
    """Open a collection folder built by `python -m core build`; refuse it, with a reason, if it is damaged,
    of another format version, or made by an encoder revision other than the installed one. A reason names
    files relative to the collection folder, never by the server's absolute path."""
    folder = Path(path)
    if folder.name.endswith(".building"):
        raise CollectionError(f"{folder.name} is a collection still being built (or a build that stopped); open "
                              f"{folder.name.removesuffix('.building')} when `python -m core build` has finished.")
    manifest = read_manifest(folder)
    check_files(folder, manifest)
    if check_encoder:
        check_encoder_revision(manifest)
    return Collection(folder, manifest)


class Collection:
    """A built collection, opened read-only; safe to share between sessions and threads."""

    def __init__(self, folder: Path, manifest: dict):
        self.folder = folder
        self.manifest = manifest
        self.vectors = np.load(self.path(VECTORS), mmap_mode="r")
        self.coords = np.load(self.path(COORDS), mmap_mode="r")
        self.index = load_index(folder, manifest)
        self._groups = OrderedDict()   # row group -> texts, the few read last
        self._lock = threading.Lock()          # the kept row groups
        self._read_lock = threading.Lock()     # one Parquet reader, shared: Arrow does not promise it is thread-safe
        self._all_texts = None
        self._text_column = None

    def __len__(self) -> int:
        return self.manifest["rows"]

    def __repr__(self) -> str:
        return (f"Collection({self.folder.name!r}, {len(self):,} documents, {self.manifest['encoder']}, "
                f"{self.manifest['dimensions']} dims)")

    @property
    def name(self) -> str:
        return self.folder.name

    def path(self, file: str) -> Path:
        """Where this version of one of the collection's files is (an append writes new versions)."""
        return file_path(self.folder, self.manifest, file)

    @cached_property
    def digest(self) -> str:
        """Names this build of the collection: a rebuild, even from the same source, has another."""
        from core.cache.keys import key_digest

        return key_digest({"folder": str(self.folder.resolve()), "manifest": self.manifest})

    @cached_property
    def _documents(self):
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path(DOCUMENTS))

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

    def text_column(self):
        """Every text as one Arrow array, read once and kept (about 60 bytes a short document; no Python string
        per row), for searching every document."""
        with self._read_lock:
            if self._text_column is None:
                self._text_column = self._documents.read(columns=["text"]).column("text")
            return self._text_column

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

        column = pq.read_table(self.path(DOCUMENTS), columns=["label"]).column("label")
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
                column = pq.read_table(self.path(DOCUMENTS), columns=[field.name]).column(field.name)
                series = _filter_column(column.combine_chunks(), MAX_CATEGORIES)
                if series is not None:
                    columns[field.name] = series
        if self.manifest.get("batches"):
            columns["batch"] = self.batch_column()
        return columns

    def batch_column(self):
        """Each document's batch as a category: "built" for the documents of the build, then "batch 1", ... for
        those each `python -m core append` added (the map colours and filters by it)."""
        import pandas as pd

        batches = self.manifest.get("batches", [])
        codes = np.zeros(len(self), dtype=np.int16)
        for number, batch in enumerate(batches, start=1):
            codes[batch["first_row"]:batch["first_row"] + batch["count"]] = number
        return pd.Series(pd.Categorical.from_codes(codes, ["built"] + [f"batch {b['batch']}" for b in batches]))

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
        from core.sources.corpus import Corpus

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

        vectors = np.ascontiguousarray(take_rows(self.vectors, rows), dtype=np.float32)
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
        if len(self) <= EXACT_UP_TO:    # a small HNSW graph (built by parallel threads) can leave a row unreachable
            return nearest_neighbors(self._unit_vectors, q if own is None else own, k, normalized=True)
        k = max(0, min(k, len(self) - (own is not None)))
        found = self.index.search(q, k + (own is not None))
        found = found[found != own][:k] if own is not None else found[:k]
        scores = normalize_rows(take_rows(self.vectors, found)) @ q
        order = np.lexsort((found, -scores))
        return Neighbors(indices=found[order].astype(np.int64), scores=scores[order].astype(np.float32))


    @cached_property
    def _unit_vectors(self) -> np.ndarray:
        """Every vector at unit length, for the exact search of a small collection (at most 20 MB)."""
        return normalize_rows(np.asarray(self.vectors, dtype=np.float32))

    def neighbour_table(self, k: int = 10, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """Every document's k nearest (itself left out) from the ANN index, with exact cosines (see
        core.collections.index.neighbour_table)."""
        return neighbour_table(self.vectors, self.index, k, progress=progress)


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
