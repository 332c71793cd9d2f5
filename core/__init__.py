"""Murmuration's core: corpora, encoders, projections, neighbours, analyses (drift). Never imports streamlit, and
draws no figures (they are ui's: ui/plots.py).

`core.drift(reference, current, ...)` is the drift test itself (core/analyses/drift.py); what drifted and drift
window by window are in core.analyses.drift_explained and core.analyses.windows."""
from core.analyses.drift import drift
from core.corpus import Corpus, CorpusError
from core.datasets import BUNDLED, load_corpus
from core.encoders import ENCODERS, EncoderError, get_encoder
from core.keys import artifact_key, key_digest
from core.pipeline import Embeddings, embed, embedding_key
from core.projection import plan_projection, project
from core.similarity import block_order, nearest_neighbors, similarity_matrix
from core.collections import Collection, CollectionError, open_collection
from core.dataset import Dataset, open_dataset

__all__ = [
    "BUNDLED", "ENCODERS", "Collection", "CollectionError", "Corpus", "CorpusError", "Dataset", "EncoderError",
    "Embeddings", "artifact_key", "block_order", "drift", "embed", "embedding_key", "get_encoder", "key_digest",
    "load_corpus", "nearest_neighbors", "open_collection", "open_dataset", "plan_projection", "project",
    "similarity_matrix",
]
