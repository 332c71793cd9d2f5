"""The ANN index of a collection: usearch's HNSW over the unit vectors (cosine), stored in one file and
memory-mapped when opened (usearch's `view`), so that opening a million-document collection reads only the
pages a search touches. bench/ann.py measured it beside faiss and hnswlib; bench/RESULTS.md has the figures.
"""
from __future__ import annotations

import threading
from importlib.metadata import version
from pathlib import Path

import numpy as np

from core.neighbours.similarity import normalize_rows

KIND = "usearch-hnsw"
DEFAULTS = {"metric": "cos", "dtype": "f16", "connectivity": 16, "expansion_add": 64, "expansion_search": 256}
ADD_BATCH = 50_000
# A search for one query (typed text, a clicked document) looks wider than the batch searches of every row (the
# neighbour table): text from outside the collection lands where the graph is sparse. bench/typed_recall.py on
# 1,000,000 documents and 300 sentences of other corpora: recall@10 0.942 at 256, 0.974 at 512, 0.989 at 1024.
QUERY_EFFORT = 512


class AnnIndex:
    def __init__(self, index, params: dict):
        self._index = index
        self.params = params
        self.query_effort = max(QUERY_EFFORT, params.get("expansion_search", 0))   # usearch's expansion_search
        self._lock = threading.Lock()   # one search at a time: usearch's per-thread search contexts are not ours

    @classmethod
    def build(cls, vectors, *, progress=None, threads: int = 0, **params) -> "AnnIndex":
        """An index over the rows of `vectors` (any float array, e.g. a memmap), keys = row numbers; added
        in batches so that only one batch is ever normalised in memory. `progress(done, total)`."""
        from usearch.index import Index

        params = {**DEFAULTS, **params}
        index = Index(ndim=vectors.shape[1], metric=params["metric"], dtype=params["dtype"],
                      connectivity=params["connectivity"], expansion_add=params["expansion_add"],
                      expansion_search=params["expansion_search"])
        for start in range(0, len(vectors), ADD_BATCH):
            batch = normalize_rows(vectors[start:start + ADD_BATCH])
            index.add(np.arange(start, start + len(batch), dtype=np.uint64), batch, threads=threads)
            if progress:
                progress(start + len(batch), len(vectors))
        return cls(index, params)

    def add(self, unit_vectors: np.ndarray, first_key: int, threads: int = 0, progress=None) -> None:
        """Add rows whose keys (row numbers) start at `first_key`, in batches (an index read into memory);
        `progress(done, total)` after each batch."""
        for start in range(0, len(unit_vectors), ADD_BATCH):
            batch = np.asarray(unit_vectors[start:start + ADD_BATCH], dtype=np.float32)
            keys = np.arange(first_key + start, first_key + start + len(batch), dtype=np.uint64)
            self._index.add(keys, batch, threads=threads)
            if progress:
                progress(start + len(batch), len(unit_vectors))

    def save(self, path: Path) -> None:
        self._index.save(str(path))

    @property
    def manifest(self) -> dict:
        return {"kind": KIND, "library": f"usearch {version('usearch')}", **self.params}

    @classmethod
    def load(cls, path: Path, manifest: dict, in_memory: bool = False) -> "AnnIndex":
        """Memory-map a saved index (or read it into memory, to add to it); the manifest's entry says what it is."""
        from usearch.index import Index

        if manifest.get("kind") != KIND:
            raise ValueError(f"Unknown index kind {manifest.get('kind')!r}; this Murmuration reads {KIND}.")
        index = Index.restore(str(path), view=not in_memory)
        if index is None:
            raise ValueError(f"{path.name} is not a usearch index.")
        params = {key: manifest[key] for key in DEFAULTS if key in manifest}
        return cls(index, params)

    def __len__(self) -> int:
        return len(self._index)

    def search_many(self, unit_queries: np.ndarray, k: int, threads: int = 0) -> np.ndarray:
        """Row numbers (len(queries), k) of (about) the k nearest of each query, nearest first; -1 pads a row
        with fewer found."""
        queries = np.asarray(unit_queries, dtype=np.float32).reshape(-1, self._index.ndim)
        out = np.full((len(queries), k), -1, dtype=np.int64)
        if k <= 0 or not len(queries):
            return out
        with self._lock:
            self._index.expansion_search = self.params.get("expansion_search", DEFAULTS["expansion_search"])
            found = self._index.search(queries, k, threads=threads)
        if not hasattr(found, "counts"):   # one query: usearch answers with its matches, not a batch
            keys = np.asarray(found.keys, dtype=np.int64)[:k]
            out[0, :len(keys)] = keys
            return out
        keys = np.asarray(found.keys, dtype=np.int64).reshape(len(queries), k)
        counts = np.asarray(found.counts).reshape(-1)
        return np.where(np.arange(k)[None, :] < counts[:, None], keys, out)

    def search(self, unit_query: np.ndarray, k: int) -> np.ndarray:
        """Row numbers of (about) the k nearest unit vectors, nearest first."""
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        with self._lock:
            self._index.expansion_search = self.query_effort
            found = self._index.search(np.asarray(unit_query, dtype=np.float32), k, threads=1)
        return np.asarray(found.keys, dtype=np.int64)


def take_rows(array: np.ndarray, rows) -> np.ndarray:
    """array[rows], read from a memory map in ascending row order (sequential reads), in the order given."""
    rows = np.asarray(rows, dtype=np.int64)
    ascending = np.sort(rows)
    return np.asarray(array[ascending])[np.searchsorted(ascending, rows)]


def neighbour_table(vectors, index: AnnIndex, k: int = 10, *, chunk: int = 4096,
                    progress=None) -> tuple[np.ndarray, np.ndarray]:
    """Every row's k nearest (itself left out) from `index`, searched `chunk` rows at a time on every core, most
    similar first by their exact cosines with `vectors` (any float array, e.g. a memmap): (n, k) rows (-1 where
    fewer were found) and (n, k) cosines (0 there). `progress(done, total)` after each chunk."""
    n, k = len(vectors), max(0, min(int(k), len(vectors) - 1))
    indices = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n if k else 0, chunk):
        unit = normalize_rows(np.asarray(vectors[start:start + chunk], dtype=np.float32))
        block = indices[start:start + len(unit)]
        for i, found in enumerate(index.search_many(unit, k + 1)):
            others = found[(found >= 0) & (found != start + i)][:k]
            block[i, :len(others)] = others
        near = normalize_rows(take_rows(vectors, np.maximum(block, 0).ravel())).reshape(len(unit), k, -1)
        cosines = np.where(block >= 0, np.einsum("ij,ikj->ik", unit, near), -np.inf)
        order = np.lexsort((block, -cosines), axis=-1)   # most similar first, ties by row number
        block[:] = np.take_along_axis(block, order, axis=1)
        scores[start:start + len(unit)] = np.where(block >= 0, np.take_along_axis(cosines, order, axis=1), 0)
        if progress:
            progress(start + len(unit), n)
    return indices, scores
