"""One interface for what the app explores: a `Dataset`, whether a corpus in memory or a collection on disk.

    import core
    ds = core.open_dataset("flutter", encoder="minilm-static")      # or a file, a Corpus, a collection folder
    ds.texts([0, 1]); ds.coords; ds.neighbours(0, k=10); ds.search("a bird singing at dawn", k=10)
    ds.subset(ds.filter_mask({"label": ["song"]}).nonzero()[0])   # a Dataset of those rows

An in-memory dataset holds a corpus, its vectors, its one kNN graph and its map (the pipeline's steps); a
collection holds memory-mapped vectors and map and an ANN index. Both answer the same questions the same way:
row numbers, `Neighbors(indices, scores)` by cosine, the row itself left out of its own neighbours.
"""
from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from core.cache import BoundedCache
from core.collections import Collection, open_collection
from core.corpus import Corpus
from core.datasets import BUNDLED, DATA_DIR, load_corpus
from core.encoders import EncoderError
from core.errors import CorpusError
from core.keys import artifact_key
from core.knn import knn_graph
from core.pipeline import Embeddings, analyse
from core.similarity import Neighbors, nearest_neighbors, normalize_rows

IMPORTED = "imported"   # the encoder name of vectors made elsewhere
QUERIES_KEPT = 64


class Dataset(ABC):
    """Documents with vectors and a 2D map. Rows are numbered 0..len-1; `source_rows` says which rows of the
    dataset it was cut from they are (the identity for a whole corpus or collection)."""

    name: str

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def texts(self, rows) -> list[str]:
        """The texts of the given rows, in the order given."""

    @abstractmethod
    def metadata(self, rows, columns: list[str] | None = None) -> pd.DataFrame:
        """The given rows' columns ("text", "label" when there are labels, then the source's other columns)."""

    @property
    @abstractmethod
    def labels(self) -> np.ndarray | None:
        """Every row's label (an object array; None where a row has none), or None without labels."""

    @property
    @abstractmethod
    def coords(self) -> np.ndarray:
        """(n, 2) map coordinates."""

    @property
    @abstractmethod
    def vectors(self) -> np.ndarray:
        """(n, d) vectors (read-only; memory-mapped for a collection)."""

    @property
    @abstractmethod
    def encoder_name(self) -> str:
        """The encoder that made the vectors ("imported" for vectors made elsewhere)."""

    @property
    @abstractmethod
    def encoder(self):
        """The fitted encoder that made the vectors, for typed queries; None for imported vectors."""

    @property
    @abstractmethod
    def projection(self) -> str:
        """How the map was made: "umap" or "pca"."""

    @property
    @abstractmethod
    def neighbour_source(self) -> str:
        """Where neighbours come from, in a sentence for the reader."""

    @abstractmethod
    def neighbours(self, row: int, k: int = 10) -> Neighbors:
        """The k rows nearest to `row` by cosine (itself left out), most similar first."""

    @abstractmethod
    def _nearest_to_vector(self, vector: np.ndarray, k: int) -> Neighbors: ...

    @property
    @abstractmethod
    def filterable(self) -> list:
        """The columns the map can be filtered on, and how (core.filters.FilterableColumn)."""

    @abstractmethod
    def filter_mask(self, filters: dict) -> np.ndarray:
        """True for the rows every filter keeps ({column: [categories]} or {column: (low, high)})."""

    @abstractmethod
    def subset(self, rows) -> "InMemoryDataset":
        """The given rows as a dataset of their own, in memory, keeping their vectors and map coordinates."""

    @property
    @abstractmethod
    def columns(self) -> dict:
        """The columns a map can be coloured and filtered by ({name: pandas Series}, one value per row)."""

    @property
    @abstractmethod
    def map_quality(self) -> dict:
        """How far to trust the map: trustworthiness (and continuity when measured), their k, and the size of the
        sample they were measured on (0: every document)."""

    @property
    @abstractmethod
    def map_notes(self) -> tuple[str, ...]:
        """What a reader should know about how the map and the neighbours were made."""

    @property
    @abstractmethod
    def digest(self) -> str:
        """Names these vectors of these documents: another corpus, encoder, subset or build has another."""

    @property
    def stored_map(self) -> bool:
        """True when the map was made once and stored (a collection's); False when it is made for the view."""
        return False

    @property
    def description(self) -> str:
        return ""

    @property
    def preservation(self) -> np.ndarray | None:
        """Each row's share of its nearest neighbours that the map keeps near, where it was measured."""
        return None

    @property
    def notices(self) -> tuple[str, ...]:
        """What a reader should know about how the documents were read and embedded."""
        return ()

    @property
    def source_rows(self) -> np.ndarray:
        return np.arange(len(self))

    def all_texts(self) -> list[str]:
        """Every text, in row order (for maps small enough to send them all)."""
        return self.texts(range(len(self)))

    def search(self, query, k: int = 10) -> Neighbors:
        """The k rows nearest by cosine to a typed text, a vector, or a row (itself left out)."""
        if isinstance(query, (int, np.integer)):
            return self.neighbours(int(query), k)
        if isinstance(query, str):
            if self.encoder is None:
                raise CorpusError(f"{self.name}'s vectors were made elsewhere and came without their model, so "
                                  "typed text cannot be embedded: search with a vector or a row number.")
            query = self._encoded(query)
        vector = np.asarray(query, dtype=np.float32).ravel()
        if vector.shape[0] != self.vectors.shape[1]:
            raise CorpusError(f"The query has {vector.shape[0]} dimensions but {self.name}'s vectors have "
                              f"{self.vectors.shape[1]}.")
        return self._nearest_to_vector(vector, k)

    def _encoded(self, text: str) -> np.ndarray:
        vector = np.asarray(self.encoder.transform([text]))[0]
        if not np.any(vector):
            raise CorpusError(f"{self.encoder_name} knows none of these words, so the query has no direction. "
                              "Try other words or another encoder.")
        return vector

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.name!r}, {len(self):,} documents, {self.encoder_name}, "
                f"{self.vectors.shape[1]} dims)")


class InMemoryDataset(Dataset):
    """A corpus with its embeddings, its map coordinates and (computed on first use when not given) its kNN
    graph. Neighbours come from the graph when it is exact, else from an exact search of the vectors."""

    def __init__(self, corpus: Corpus, embeddings: Embeddings, coords: np.ndarray, graph=None,
                 source_rows: np.ndarray | None = None, projection: str = "", map_result=None):
        if len(embeddings.vectors) != len(corpus) or len(coords) != len(corpus):
            raise CorpusError(f"{corpus.name}: {len(corpus):,} documents, {len(embeddings.vectors):,} vectors and "
                              f"{len(coords):,} map points; there must be one of each per document.")
        self.corpus, self.embeddings, self._coords = corpus, embeddings, coords
        self._graph = graph
        self._source_rows = source_rows
        self._projection = projection
        self.map_result = map_result   # core.pipeline.MapResult, when the dataset's map was made for it
        self.name = corpus.name

    @classmethod
    def from_analysis(cls, corpus: Corpus, analysis) -> "InMemoryDataset":
        return cls(corpus, analysis.embeddings, analysis.map.coords, analysis.graph,
                   projection=analysis.map.plan.method, map_result=analysis.map)

    def __len__(self) -> int:
        return len(self.corpus)

    def texts(self, rows) -> list[str]:
        return [self.corpus.texts[int(row)] for row in rows]

    def metadata(self, rows, columns: list[str] | None = None) -> pd.DataFrame:
        frame = self._frame.iloc[_row_array(rows, len(self))].reset_index(drop=True)
        return frame if columns is None else frame[list(columns)]

    @cached_property
    def _frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({"text": self.corpus.texts})
        if self.corpus.labels is not None:
            frame["label"] = self.corpus.labels
        if self.corpus.metadata is not None:
            others = self.corpus.metadata.drop(columns=[c for c in ("text", "label") if c in self.corpus.metadata])
            frame = pd.concat([frame, others.reset_index(drop=True)], axis=1)
        return frame

    @cached_property
    def labels(self) -> np.ndarray | None:
        return None if self.corpus.labels is None else np.array(self.corpus.labels, dtype=object)

    @property
    def coords(self) -> np.ndarray:
        return self._coords

    @property
    def vectors(self) -> np.ndarray:
        return self.embeddings.vectors

    @property
    def encoder_name(self) -> str:
        return self.embeddings.key.get("encoder", IMPORTED)

    @property
    def encoder(self):
        return None if self.encoder_name == IMPORTED else self.embeddings.encoder

    @property
    def graph(self):
        """The kNN graph (core.knn.KnnGraph), computed on first use for a dataset made without one."""
        if self._graph is None:
            self._graph = knn_graph(self.vectors)
        return self._graph

    @property
    def source_rows(self) -> np.ndarray:
        return np.arange(len(self)) if self._source_rows is None else self._source_rows

    @property
    def projection(self) -> str:
        return self._projection

    @property
    def neighbour_source(self) -> str:
        return f"Neighbours come from an exact cosine search over all {len(self):,} documents."

    @property
    def columns(self) -> dict:
        from core.filters import corpus_columns

        return corpus_columns(self.corpus)

    @property
    def map_quality(self) -> dict:
        if self.map_result is None:
            return {"trustworthiness": float("nan"), "continuity": float("nan"), "k": 0, "sampled": 0}
        return self.map_result.quality

    @property
    def map_notes(self) -> tuple[str, ...]:
        notes = () if self.map_result is None or not self.map_result.plan.note else (self.map_result.plan.note,)
        if self._graph is not None and not self._graph.exact:
            notes += (f"The map's neighbourhoods come from an approximate search (NN-descent) over {len(self):,} "
                      f"documents; it finds {self._graph.recall:.0%} of the exact nearest neighbours on a sample.",)
        return notes

    @property
    def preservation(self) -> np.ndarray | None:
        return None if self.map_result is None else self.map_result.preservation

    @property
    def notices(self) -> tuple[str, ...]:
        return self.corpus.notices + self.embeddings.notes

    @property
    def digest(self) -> str:
        return self.embeddings.digest

    @property
    def description(self) -> str:
        return self.corpus.description

    def all_texts(self) -> list[str]:
        return self.corpus.texts

    @cached_property
    def _unit_vectors(self) -> np.ndarray:
        return normalize_rows(self.vectors)

    def neighbours(self, row: int, k: int = 10) -> Neighbors:
        if not 0 <= row < len(self):
            raise IndexError(f"Document {row} does not exist; there are {len(self):,}.")
        graph = self.graph
        if graph.exact and k <= graph.k:
            return Neighbors(indices=graph.indices[row, :k].copy(), scores=graph.similarities[row, :k].copy())
        return nearest_neighbors(self._unit_vectors, row, k, normalized=True)

    def _nearest_to_vector(self, vector: np.ndarray, k: int) -> Neighbors:
        return nearest_neighbors(self._unit_vectors, vector, k, normalized=True)

    @property
    def filterable(self) -> list:
        from core.filters import filterable_columns

        return filterable_columns(self.corpus)

    def filter_mask(self, filters: dict) -> np.ndarray:
        from core.filters import filter_mask

        return filter_mask(self.corpus, filters)

    def subset(self, rows) -> "InMemoryDataset":
        rows = _row_array(rows, len(self))
        return _subset(self.corpus.subset(rows), self.embeddings, self.coords, self.source_rows[rows], rows,
                       self.projection)


class CollectionDataset(Dataset):
    """A collection built by `python -m core build`: memory-mapped vectors and map, texts read on demand,
    neighbours from its ANN index re-scored with the exact cosine of the stored vectors."""

    def __init__(self, collection: Collection):
        self.collection = collection
        self.name = collection.name
        self._queries = BoundedCache(max_entries=QUERIES_KEPT)   # typed text -> vector (a page reruns often)

    def __len__(self) -> int:
        return len(self.collection)

    def texts(self, rows) -> list[str]:
        return self.collection.texts(_row_array(rows, len(self)))

    def metadata(self, rows, columns: list[str] | None = None) -> pd.DataFrame:
        return self.collection.metadata(_row_array(rows, len(self)), columns)

    @property
    def labels(self) -> np.ndarray | None:
        return self.collection.labels

    @property
    def coords(self) -> np.ndarray:
        return self.collection.coords

    @property
    def vectors(self) -> np.ndarray:
        return self.collection.vectors

    @property
    def encoder_name(self) -> str:
        return self.collection.manifest["encoder"]

    @property
    def encoder(self):
        return self.collection.encoder

    @property
    def projection(self) -> str:
        return self.collection.manifest["projection"]["method"]

    @property
    def neighbour_source(self) -> str:
        kind = self.collection.manifest["index"].get("kind", "HNSW")
        return f"Neighbours come from the collection's ANN index ({kind}); their cosines are exact."

    @property
    def columns(self) -> dict:
        return self.collection.filter_columns

    @property
    def map_quality(self) -> dict:
        projection = self.collection.manifest["projection"]
        trust = projection["trustworthiness"]
        return {"trustworthiness": float("nan") if trust is None else float(trust), "continuity": float("nan"),
                "k": projection["quality_k"], "sampled": projection["quality_sample"]}

    @property
    def map_notes(self) -> tuple[str, ...]:
        manifest, projection = self.collection.manifest, self.collection.manifest["projection"]
        placed = (f"fitted on a sample of {projection['fitted_on']:,} documents; the others were placed by its "
                  "transform" if projection["placed_by"] == "transform" else "fitted on every document")
        source = Path(str(manifest.get("source", ""))).name or "its source"
        return (f"The map is {projection['method'].upper()}, {placed}. Built from {source} with "
                f"{manifest['encoder']}.",)

    def all_texts(self) -> list[str]:
        return self.collection.all_texts()

    @property
    def digest(self) -> str:
        return self.collection.digest

    @property
    def stored_map(self) -> bool:
        return True

    def _encoded(self, text: str) -> np.ndarray:
        return self._queries.get_or_compute(text, lambda: super(CollectionDataset, self)._encoded(text))

    def neighbours(self, row: int, k: int = 10) -> Neighbors:
        return self.collection.search(int(row), k)

    def _nearest_to_vector(self, vector: np.ndarray, k: int) -> Neighbors:
        return self.collection.search(vector, k)

    @property
    def filterable(self) -> list:
        return self.collection.filterable

    def filter_mask(self, filters: dict) -> np.ndarray:
        return self.collection.filter_mask(filters)

    def subset(self, rows) -> InMemoryDataset:
        rows = _row_array(rows, len(self))
        corpus = self.collection.corpus(rows)
        embeddings = self.collection.embeddings(corpus, rows)
        coords = _read_only(self.collection.coords[rows])   # a memory map reads just these rows
        return InMemoryDataset(corpus, embeddings, coords, source_rows=rows, projection=self.projection)


def open_dataset(source, *, encoder: str | None = None, text_column: str | None = None,
                 label_column: str | None = None, vectors=None, method: str = "umap", seed: int = 0,
                 cache=None) -> Dataset:
    """A Dataset from a bundled corpus's name, a file (any format the upload form reads), a `Corpus`, or a
    collection folder. A collection opens as it is; anything else runs the pipeline (embeddings with
    `encoder`, MiniLM by default, or the given `vectors` made elsewhere; the kNN graph; a 2D map by `method`).
    `cache`: a core.disk_cache.DiskCache for the pipeline's steps; by default bundled corpora use the default
    disk cache and everything else is computed in memory. Anything a user can get wrong raises CorpusError."""
    if isinstance(source, Dataset):
        return source
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        return _collection(Path(source), encoder)
    corpus = source if isinstance(source, Corpus) else _corpus(source, text_column, label_column)
    if cache is None and isinstance(source, str) and source in BUNDLED:
        cache = _bundled_cache()
    embeddings = None if vectors is None else imported_embeddings(corpus, vectors)
    from core.view import DEFAULT_ENCODER

    analysis = analyse(corpus, encoder or DEFAULT_ENCODER, method=method, n_components=2, seed=seed, cache=cache,
                       embeddings=embeddings)
    return InMemoryDataset.from_analysis(corpus, analysis)


def imported_embeddings(corpus: Corpus, vectors) -> Embeddings:
    """Vectors made elsewhere as the corpus's embeddings (one row per document); new text cannot be embedded."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(corpus):
        raise CorpusError(f"Give one vector per document: {len(corpus):,} documents, vectors of shape "
                          f"{vectors.shape}.")

    def cannot_embed():
        raise EncoderError("Imported vectors come without their model, so new text cannot be embedded. "
                           "Pick an encoder in the sidebar on the Compare page to see these texts encoded.")

    vectors.flags.writeable = False
    digest = hashlib.sha256(vectors.tobytes()).hexdigest()[:16]
    key = artifact_key(corpus_fingerprint=corpus.fingerprint, encoder=IMPORTED, params={},
                       model_revision=f"imported {digest}")
    return Embeddings(vectors=vectors, key=key, seconds=0.0, fit_encoder=cannot_embed)


def _collection(folder: Path, encoder: str | None) -> CollectionDataset:
    collection = open_collection(folder)
    if encoder is not None and encoder != collection.manifest["encoder"]:
        raise CorpusError(f"The collection {collection.name} was built with {collection.manifest['encoder']}, not "
                          f"{encoder}; leave out the encoder, or build a collection with {encoder}.")
    return CollectionDataset(collection)


def _corpus(source, text_column, label_column) -> Corpus:
    if not isinstance(source, (str, Path, tuple)):
        raise CorpusError("A dataset's source is a bundled corpus's name, a file, a Corpus or a collection folder, "
                          f"not {type(source).__name__}.")
    return load_corpus(str(source) if isinstance(source, Path) else source, text_column=text_column,
                       label_column=label_column)


def _bundled_cache():
    from core.disk_cache import DiskCache, default_folder

    return DiskCache(default_folder(), seeds=(DATA_DIR / "cache",))


def _subset(corpus: Corpus, embeddings: Embeddings, coords, source_rows, rows, projection) -> InMemoryDataset:
    key = {**embeddings.key, "corpus": corpus.fingerprint}
    part = Embeddings(vectors=_read_only(embeddings.vectors[rows]), key=key, seconds=0.0,
                      notes=embeddings.notes, fit_encoder=lambda: embeddings.encoder)
    return InMemoryDataset(corpus, part, _read_only(np.asarray(coords)[rows]), source_rows=source_rows,
                           projection=projection)


def _row_array(rows, n: int) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.int64).ravel()
    if len(rows) and (rows.min() < 0 or rows.max() >= n):
        raise IndexError(f"Rows must lie between 0 and {n - 1:,}.")
    return rows


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array
