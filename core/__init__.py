"""Murmuration's core, grouped by the stages of the flow: sources/ (corpora, files, uploads, vectors made
elsewhere) → encoders/ → neighbours/ (exact search, the kNN graph, trust metrics) → maps/ (projection, clusters)
→ dataset/ (the one interface the app explores) and analyses/ (drift, compare, concepts, words, ...), with
collections/ for big corpora built ahead of time and cache/ for what was computed. The pipeline (pipeline.py),
the view state (view.py) and the command line (__main__.py) tie them together. Never imports streamlit, and
draws no figures (they are ui's: ui/plots.py).

`core.drift(reference, current, ...)` is the drift test itself (core/analyses/drift.py); what drifted and drift
window by window are in core.analyses.drift_explained and core.analyses.windows."""
import sys

from core.analyses.drift import drift
from core.sources.corpus import Corpus, CorpusError
from core.sources.bundled import BUNDLED, load_corpus
from core.encoders import ENCODERS, EncoderError, get_encoder
from core.cache.keys import artifact_key, key_digest
from core.pipeline import Embeddings, embed, embedding_key
from core.maps.projection import plan_projection, project
from core.maps.topics import topics
from core.neighbours.similarity import block_order, nearest_neighbors, similarity_matrix
from core.collections import Collection, CollectionError, open_collection
from core.dataset import Dataset, open_dataset
from core.neighbours import similarity
from core import quality   # core.quality.near_duplicates / outliers / label_issues

# The public API before core/ was grouped by stage named core.similarity (core.similarity.cosine_knn): it stays.
sys.modules.setdefault("core.similarity", similarity)

__all__ = [
    "BUNDLED", "ENCODERS", "Collection", "CollectionError", "Corpus", "CorpusError", "Dataset", "EncoderError",
    "Embeddings", "topics", "artifact_key", "block_order", "drift", "embed", "embedding_key", "get_encoder", "key_digest",
    "load_corpus", "nearest_neighbors", "open_collection", "open_dataset", "plan_projection", "project",
    "quality", "similarity_matrix",
]
