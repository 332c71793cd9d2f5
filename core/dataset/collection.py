"""A collection as a Dataset: memory-mapped vectors and map, texts read on demand, an ANN index."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from core.cache import BoundedCache
from core.collections import Collection
from core.dataset.base import Dataset, read_only, row_array
from core.dataset.memory import InMemoryDataset
from core.neighbours.similarity import Neighbors

QUERIES_KEPT = 64


class CollectionDataset(Dataset):
    """A collection built by `python -m core build`: memory-mapped vectors and map, texts read on demand,
    neighbours from its ANN index re-scored with the exact cosine of the stored vectors."""

    def __init__(self, collection: Collection):
        self.collection = collection
        self.name = collection.name
        self._queries = BoundedCache(max_entries=QUERIES_KEPT)   # typed text -> vector (a page reruns often)
        self._topics_read = (None, None)                          # (topics.npz's time and size, what it held)

    def __len__(self) -> int:
        return len(self.collection)

    def texts(self, rows) -> list[str]:
        return self.collection.texts(row_array(rows, len(self)))

    def metadata(self, rows, columns: list[str] | None = None) -> pd.DataFrame:
        return self.collection.metadata(row_array(rows, len(self)), columns)

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
    def fingerprint(self) -> str:
        return self.collection.manifest["source_fingerprint"]

    @property
    def stored_map(self) -> bool:
        return True

    def _encoded(self, text: str) -> np.ndarray:
        return self._queries.get_or_compute(text, lambda: super(CollectionDataset, self)._encoded(text))

    def neighbours(self, row: int, k: int = 10) -> Neighbors:
        return self.collection.search(int(row), k)

    def _nearest_to_vector(self, vector: np.ndarray, k: int) -> Neighbors:
        return self.collection.search(vector, k)

    def neighbour_table(self, k: int = 10, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """The table `python -m core quality` stored when it holds k neighbours (read in a second at 1M), else
        the index searched for every row (about half an hour at 1M)."""
        kept = self.stored_quality
        if kept is not None and k <= kept.k:
            if progress:
                progress(len(self), len(self))
            return kept.neighbour_table(k)
        return self.collection.neighbour_table(k, progress)

    @property
    def stored_quality(self):
        """The quality results stored in the collection for this build (core.quality.stored), or None."""
        from core.quality.stored import stored

        return stored(self.collection)

    def text_column(self):
        return self.collection.text_column()

    @property
    def stored_topics(self):
        """The topics `python -m core topics` (or the build) stored for the map in use, or None. Read again only
        when the file changes: every rerun of a map page asks, and reading means hashing the whole map."""
        from core.maps.topics import FILE, stored_in_collection

        try:
            found = (self.collection.folder / FILE).stat()
            stamp = (found.st_mtime_ns, found.st_size)
        except OSError:
            stamp = None
        if stamp != self._topics_read[0]:
            self._topics_read = (stamp, None if stamp is None else stored_in_collection(self.collection))
        return self._topics_read[1]

    @property
    def filterable(self) -> list:
        return self.collection.filterable

    def filter_mask(self, filters: dict) -> np.ndarray:
        return self.collection.filter_mask(filters)

    def subset(self, rows) -> InMemoryDataset:
        rows = row_array(rows, len(self))
        corpus = self.collection.corpus(rows)
        embeddings = self.collection.embeddings(corpus, rows)
        coords = read_only(self.collection.coords[rows])   # a memory map reads just these rows
        return InMemoryDataset(corpus, embeddings, coords, source_rows=rows, projection=self.projection)
