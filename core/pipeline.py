"""Corpus + encoder -> embeddings, with the key that identifies them."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from core.corpus import Corpus
from core.disk_cache import DiskCache
from core.encoders import Encoder, default_params, get_encoder
from core.keys import FORMAT_VERSION, artifact_key, key_digest


@dataclass(frozen=True, eq=False)
class Embeddings:
    vectors: np.ndarray      # (n, d) float32, read-only: shared by every page and session
    key: dict
    seconds: float           # time to fit and embed when first computed
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
        vectors = fit().transform(corpus.texts, progress=progress)
        return vectors, {"key": key, "seconds": time.perf_counter() - started}

    vectors, meta = cache.get_or_compute(key_digest(key), compute) if cache else compute()
    vectors = np.asarray(vectors, dtype=np.float32)
    vectors.flags.writeable = False
    return Embeddings(vectors=vectors, key=key, seconds=float(meta["seconds"]), fit_encoder=fit)


def map_coordinates(emb: Embeddings, *, method: str = "pca", n_components: int = 2, seed: int = 0,
                    cache: DiskCache | None = None) -> np.ndarray:
    """`project(emb.vectors, ...)`, stored under a key made of the embedding key and the projection's settings."""
    from core.projection import project

    key = {"embedding": emb.digest, "method": method, "n_components": n_components, "seed": seed,
           "version": FORMAT_VERSION}

    def compute():
        return project(emb.vectors, method=method, n_components=n_components, seed=seed), {"key": key}

    coords, _ = cache.get_or_compute(key_digest(key), compute) if cache else compute()
    coords = np.asarray(coords, dtype=np.float32)
    coords.flags.writeable = False
    return coords
