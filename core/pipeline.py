"""The analysis pipeline, in numbered steps, each with an explicit key:

1. `embed`: corpus + encoder -> embeddings (key: corpus fingerprint, encoder, parameters, model revision).
2. `neighbours`: the kNN graph, computed once and reused by everything that needs neighbours.
3. `map_step`: coordinates (PCA or UMAP), the plan that says what ran, and the map's quality.

`analyse` runs the three for one view; the UI makes that one call. A `cache` (DiskCache) persists
each step by its key; pass None for data that must not be written to disk (uploads).
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np

from core.sources.corpus import Corpus
from core.cache.disk import DiskCache
from core.encoders import Encoder, default_params, get_encoder
from core.cache.keys import FORMAT_VERSION, artifact_key, key_digest
from core.neighbours.knn import GRAPH_K, KnnGraph, knn_graph
from core.maps.projection import ProjectionPlan, pca_solver, plan_projection, project
from core.neighbours.trust import map_quality, neighbour_preservation


@dataclass(frozen=True, eq=False)
class Embeddings:
    vectors: np.ndarray      # (n, d) float32, read-only: shared by every page and session
    key: dict
    seconds: float           # time to fit and embed when first computed
    notes: tuple[str, ...] = ()  # what the user should know about how the vectors were made
    fit_encoder: object = field(repr=False, default=None)  # () -> fitted Encoder, run once on first use

    @cached_property
    def encoder(self) -> Encoder:
        """The fitted encoder, for queries, word neighbours and the like. After a disk-cache hit it is
        fitted on first use only (for corpus-fitted encoders that repeats the fit, not the embedding)."""
        with _ENCODER_LOCK:
            return self.fit_encoder()

    @property
    def digest(self) -> str:
        return key_digest(self.key)

    @property
    def dimension(self) -> int:
        return self.vectors.shape[1]


_ENCODER_LOCK = threading.Lock()


def embedding_key(corpus: Corpus, encoder_name: str, params: dict | None = None) -> dict:
    params = {**default_params(encoder_name), **(params or {})}
    encoder = get_encoder(encoder_name, **params)
    return artifact_key(corpus_fingerprint=corpus.fingerprint, encoder=encoder_name,
                        params=encoder.get_params(), model_revision=encoder.model_revision)


def embed(corpus: Corpus, encoder_name: str, params: dict | None = None, *, progress=None,
          cache: DiskCache | None = None) -> Embeddings:
    """Fit the encoder on the corpus and embed every document; `progress(done, total)` reports batches.
    With a disk cache, stored vectors are reused and new ones stored."""
    params = {**default_params(encoder_name), **(params or {})}
    key = embedding_key(corpus, encoder_name, params)
    fitted = {}

    def fit() -> Encoder:
        if "encoder" not in fitted:
            fitted["encoder"] = get_encoder(encoder_name, **params).fit(corpus.texts)
        return fitted["encoder"]

    def compute():
        started = time.perf_counter()
        encoder = fit()
        vectors = encoder.transform(corpus.texts, progress=progress)
        windowed = encoder.count_windowed(corpus.texts) if hasattr(encoder, "count_windowed") else 0
        return {"array": vectors}, {"key": key, "seconds": time.perf_counter() - started, "windowed": windowed}

    arrays, meta = _stored(cache, key, compute)
    windowed = int(meta.get("windowed", 0))
    notes = (f"{windowed:,} long documents were read whole, in overlapping windows of word pieces whose vectors "
             "were pooled (the transformer sees 256 at a time).",) if windowed else ()
    return Embeddings(vectors=_read_only(arrays["array"], np.float32), key=key, seconds=float(meta["seconds"]),
                      notes=notes, fit_encoder=fit)


def neighbours(emb: Embeddings, *, k: int = GRAPH_K, cache: DiskCache | None = None) -> KnnGraph:
    """Step 2: every document's k nearest neighbours by cosine (exact, or NN-descent at scale)."""
    key = {"step": "knn", "embedding": emb.digest, "k": k, "version": FORMAT_VERSION}

    def compute():
        graph = knn_graph(emb.vectors, k)
        return ({"indices": graph.indices, "similarities": graph.similarities},
                {"key": key, "exact": graph.exact, "recall": graph.recall})

    arrays, meta = _stored(cache, key, compute)
    return KnnGraph(_read_only(arrays["indices"], np.int64), _read_only(arrays["similarities"], np.float32),
                    exact=bool(meta["exact"]), recall=float(meta["recall"]))


@dataclass(frozen=True, eq=False)
class MapResult:
    coords: np.ndarray         # (n, 2 or 3) float32
    plan: ProjectionPlan       # what ran, with a note when it differs from the request
    quality: dict              # trustworthiness, continuity, k, sampled
    preservation: np.ndarray   # (n,) share of each point's QUALITY_K original neighbours kept on the map
    key: dict


QUALITY_K = 10


def map_key(emb: Embeddings, plan: ProjectionPlan, seed: int) -> dict:
    """Everything that decides the coordinates and their quality figures."""
    from core.neighbours.trust import MAX_POINTS

    key = {"step": "map", "embedding": emb.digest, "plan": asdict(plan), "seed": seed,
           "quality_k": QUALITY_K, "quality_sample": MAX_POINTS, "version": FORMAT_VERSION}
    if plan.method == "pca" or plan.pca_first:
        key["pca_solver"] = pca_solver(emb.dimension)   # maps cached before the exact solver are not reused
    return key


def map_step(emb: Embeddings, graph: KnnGraph, *, method: str = "pca", n_components: int = 2, seed: int = 0,
             cache: DiskCache | None = None) -> MapResult:
    """Step 3: coordinates, the plan that produced them, and how far to trust them."""
    plan = plan_projection(len(emb.vectors), method=method, n_components=n_components, dims=emb.dimension)
    key = map_key(emb, plan, seed)

    def compute():
        coords = project(emb.vectors, method=method, n_components=n_components, seed=seed,
                         knn=(graph.indices, 1.0 - graph.similarities))
        quality = map_quality(emb.vectors, coords, QUALITY_K, seed=seed)
        kept = neighbour_preservation(emb.vectors, coords, QUALITY_K, original=graph.first(min(QUALITY_K, graph.k)))
        return {"coords": coords, "preservation": kept}, {"key": key, "quality": quality}

    arrays, meta = _stored(cache, key, compute)
    return MapResult(coords=_read_only(arrays["coords"], np.float32), plan=plan, quality=meta["quality"],
                     preservation=_read_only(arrays["preservation"], np.float64), key=key)


@dataclass(frozen=True, eq=False)
class Analysis:
    embeddings: Embeddings
    graph: KnnGraph
    map: MapResult


def analyse(corpus: Corpus, encoder_name: str, params: dict | None = None, *, method: str = "pca",
            n_components: int = 2, seed: int = 0, cache: DiskCache | None = None, progress=None,
            embeddings: Embeddings | None = None) -> Analysis:
    """The three steps for one view. `embeddings` stands in for step 1 (e.g. imported vectors)."""
    emb = embeddings or embed(corpus, encoder_name, params, progress=progress, cache=cache)
    graph = neighbours(emb, cache=cache)
    return Analysis(emb, graph, map_step(emb, graph, method=method, n_components=n_components, seed=seed,
                                         cache=cache))


def map_coordinates(emb: Embeddings, *, method: str = "pca", n_components: int = 2, seed: int = 0,
                    cache: DiskCache | None = None) -> np.ndarray:
    """Steps 2 and 3 for embeddings already computed: just the coordinates."""
    graph = neighbours(emb, cache=cache)
    return map_step(emb, graph, method=method, n_components=n_components, seed=seed, cache=cache).coords


def _stored(cache: DiskCache | None, key: dict, compute) -> tuple[dict, dict]:
    return cache.get_or_compute(key_digest(key), compute) if cache else compute()


def _read_only(array, dtype) -> np.ndarray:
    """Shared by every page and session: nobody may write to it."""
    array = np.asarray(array, dtype=dtype)
    array.flags.writeable = False
    return array
