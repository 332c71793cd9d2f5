"""A Dataset in memory: a corpus with its embeddings, its kNN graph and its map (the pipeline's steps)."""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from core.sources.corpus import Corpus
from core.dataset.base import IMPORTED, Dataset, read_only, row_array
from core.errors import CorpusError
from core.neighbours.knn import knn_graph
from core.pipeline import Embeddings
from core.neighbours.similarity import Neighbors, cosine_knn_with_scores, nearest_neighbors, normalize_rows



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
        frame = self._frame.iloc[row_array(rows, len(self))].reset_index(drop=True)
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
        """The kNN graph (core.neighbours.knn.KnnGraph), computed on first use for a dataset made without one."""
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
    def fingerprint(self) -> str:
        return self.corpus.fingerprint

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

    def neighbour_table(self, k: int = 10, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """From the exact kNN graph when it holds k, else exact search of every row in blocks (`progress` is
        for the collection's long search; in memory this takes seconds)."""
        graph = self.graph
        if graph.exact and k <= graph.k:
            table = graph.indices[:, :k].copy(), graph.similarities[:, :k].copy()
        else:
            table = _padded(*cosine_knn_with_scores(self._unit_vectors, k), k)
        if progress:
            progress(len(self), len(self))
        return table

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
        rows = row_array(rows, len(self))
        return _subset(self.corpus.subset(rows), self.embeddings, self.coords, self.source_rows[rows], rows,
                       self.projection)


def _subset(corpus: Corpus, embeddings: Embeddings, coords, source_rows, rows, projection) -> InMemoryDataset:
    key = {**embeddings.key, "corpus": corpus.fingerprint}
    part = Embeddings(vectors=read_only(embeddings.vectors[rows]), key=key, seconds=0.0,
                      notes=embeddings.notes, fit_encoder=lambda: embeddings.encoder)
    return InMemoryDataset(corpus, part, read_only(np.asarray(coords)[rows]), source_rows=source_rows,
                           projection=projection)


def _padded(indices: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k columns, padded with row -1 and cosine 0 when the corpus has k documents or fewer."""
    missing = k - indices.shape[1]
    if missing <= 0:
        return indices, scores
    return (np.pad(indices, ((0, 0), (0, missing)), constant_values=-1),
            np.pad(scores, ((0, 0), (0, missing)), constant_values=0))
