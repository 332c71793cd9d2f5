"""Corpus + encoder -> embeddings, with the key that identifies them."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from core.corpus import Corpus
from core.encoders import Encoder, default_params, get_encoder
from core.keys import artifact_key, key_digest


@dataclass(frozen=True, eq=False)
class Embeddings:
    vectors: np.ndarray      # (n, d) float32, read-only: shared by every page and session
    encoder: Encoder         # fitted, for word neighbours, phrase queries and the like
    key: dict
    seconds: float

    @property
    def digest(self) -> str:
        return key_digest(self.key)

    @property
    def dimension(self) -> int:
        return self.vectors.shape[1]


def embedding_key(corpus: Corpus, encoder_name: str, params: dict | None = None) -> dict:
    params = {**default_params(encoder_name), **(params or {})}
    encoder = get_encoder(encoder_name, **params)
    return artifact_key(corpus_fingerprint=corpus.fingerprint, encoder=encoder_name,
                        params=encoder.get_params(), model_revision=encoder.model_revision)


def embed(corpus: Corpus, encoder_name: str, params: dict | None = None, *, progress=None) -> Embeddings:
    """Fit the encoder on the corpus and embed every document; `progress(done, total)` reports batches."""
    params = {**default_params(encoder_name), **(params or {})}
    started = time.perf_counter()
    encoder = get_encoder(encoder_name, **params).fit(corpus.texts)
    vectors = encoder.transform(corpus.texts, progress=progress)
    vectors.flags.writeable = False
    return Embeddings(vectors=vectors, encoder=encoder, key=embedding_key(corpus, encoder_name, params),
                      seconds=time.perf_counter() - started)
