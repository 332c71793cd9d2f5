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
from pathlib import Path

import numpy as np

from core.collections import open_collection
from core.sources.corpus import Corpus
from core.dataset.base import Dataset
from core.dataset.collection import CollectionDataset
from core.dataset.memory import IMPORTED, InMemoryDataset
from core.sources.bundled import BUNDLED, DATA_DIR, load_corpus
from core.encoders import EncoderError
from core.errors import CorpusError
from core.cache.keys import artifact_key
from core.pipeline import Embeddings, analyse

__all__ = ["CollectionDataset", "Dataset", "InMemoryDataset", "imported_embeddings", "open_dataset"]


def open_dataset(source, *, encoder: str | None = None, text_column: str | None = None,
                 label_column: str | None = None, vectors=None, method: str = "umap", seed: int = 0,
                 cache=None) -> Dataset:
    """A Dataset from a bundled corpus's name, a file (any format the upload form reads), a `Corpus`, or a
    collection folder. A collection opens as it is; anything else runs the pipeline (embeddings with
    `encoder`, MiniLM by default, or the given `vectors` made elsewhere; the kNN graph; a 2D map by `method`).
    `cache`: a core.cache.disk.DiskCache for the pipeline's steps; by default bundled corpora use the default
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
    from core.cache.disk import DiskCache, default_folder

    return DiskCache(default_folder(), seeds=(DATA_DIR / "cache",))
