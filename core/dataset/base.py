"""The Dataset interface: what every page and analysis may ask of the documents it explores."""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd

from core.errors import CorpusError
from core.neighbours.similarity import Neighbors

IMPORTED = "imported"   # the encoder name of vectors made elsewhere


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
    def can_encode(self) -> bool:
        """Whether typed text can be embedded like the documents, known without loading the encoder."""
        return self.encoder_name != IMPORTED

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

    def neighbour_table(self, k: int = 10, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """Every row's k nearest rows (n, k) and their cosines (n, k), as `neighbours` gives them one at a time
        (rows of -1 and cosines of 0 pad a corpus of k documents or fewer). `progress(done, total)` as it goes."""
        k = max(0, int(k))
        indices = np.full((len(self), k), -1, dtype=np.int64)
        scores = np.zeros((len(self), k), dtype=np.float32)
        for row in range(len(self)):
            found = self.neighbours(row, k)
            indices[row, :len(found.indices)] = found.indices
            scores[row, :len(found.scores)] = found.scores
            if progress and (row + 1) % 1000 == 0:
                progress(row + 1, len(self))
        return indices, scores

    @property
    @abstractmethod
    def filterable(self) -> list:
        """The columns the map can be filtered on, and how (core.filters.FilterableColumn)."""

    @abstractmethod
    def filter_mask(self, filters: dict) -> np.ndarray:
        """True for the rows every filter keeps ({column: [categories]} or {column: (low, high)})."""

    @abstractmethod
    def subset(self, rows) -> "Dataset":
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
    @abstractmethod
    def fingerprint(self) -> str:
        """Names the documents (texts and labels), whatever vectors they were given."""

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
    def stored_quality(self):
        """Quality results computed ahead of time and kept with the data (a collection's), or None."""
        return None

    @property
    def stored_topics(self):
        """The topic hierarchy stored with the data for its map in use (a collection's), or None."""
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

    def text_matches(self, query: str) -> np.ndarray:
        """True for the documents whose text contains `query`, taken literally (no pattern), case ignored."""
        return contains(self.text_column(), query)

    def text_column(self):
        """Every text as one Arrow array, for searches over all of them (kept after the first)."""
        import pyarrow as pa

        if getattr(self, "_text_column", None) is None:
            self._text_column = pa.array(self.all_texts(), type=pa.large_string())
        return self._text_column

    def search(self, query, k: int = 10) -> Neighbors:
        """The k rows nearest by cosine to a typed text, a vector, or a row (itself left out)."""
        if isinstance(query, (int, np.integer)):
            return self.neighbours(int(query), k)
        if isinstance(query, str):
            if not self.can_encode:
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


def contains(texts, query: str) -> np.ndarray:
    """True where an Arrow array of texts contains `query` literally, case ignored (a missing text: False)."""
    import pyarrow.compute as pc

    found = pc.match_substring(texts, pattern=query, ignore_case=True)
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)


def row_array(rows, n: int) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.int64).ravel()
    if len(rows) and (rows.min() < 0 or rows.max() >= n):
        raise IndexError(f"Rows must lie between 0 and {n - 1:,}.")
    return rows


def read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array
