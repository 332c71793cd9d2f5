"""What every encoder shares: a scikit-learn transformer that returns (n, d) float32 with no NaN."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib.metadata import version

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS


@lru_cache(maxsize=None)
def package_version(name: str) -> str:
    """An installed package's version, read once per process: each read walks sys.path (8 ms per page run)."""
    return version(name)


TOKEN_PATTERN = r"(?u)\b\w[\w']*\b"
_TOKEN_RE = re.compile(TOKEN_PATTERN)


class EncoderError(ValueError):
    """An encoder cannot run as asked; the message says what to change."""


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; the same rule for bag-of-words, Word2Vec and GloVe."""
    return _TOKEN_RE.findall(text.lower())


class Encoder(BaseEstimator, TransformerMixin):
    """Constructor stores parameters only; `fit` learns or loads state; `transform` returns float32.

    Subclasses implement `_fit(texts)` and `_transform(texts, progress)`; this class checks the input,
    casts the output, and zeroes the rows of documents in which the encoder knows no token.
    """

    def fit(self, texts, y=None):
        texts = _as_texts(texts)
        if not texts:
            raise EncoderError("There are no documents to fit on.")
        self._fit(texts)
        self.fitted_ = True
        return self

    def transform(self, texts, progress=None) -> np.ndarray:
        """`progress(done, total)`, if given, is called as batches finish (slow encoders only)."""
        if not getattr(self, "fitted_", False):
            raise EncoderError(f"{type(self).__name__} must be fitted before transform.")
        texts = _as_texts(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.asarray(self._transform(texts, progress), dtype=np.float32)
        vectors[~np.isfinite(vectors).all(axis=1)] = 0.0
        vectors[~self._known(texts)] = 0.0
        return vectors

    @property
    def dimension(self) -> int:
        raise NotImplementedError

    @property
    def model_revision(self) -> str:
        """What, besides the corpus and parameters, decides the vectors (library or weights version)."""
        import sklearn
        return f"scikit-learn {sklearn.__version__}"

    def _known(self, texts: list[str]) -> np.ndarray:
        """Which documents contain at least one token this encoder knows; others get a zero vector."""
        return np.array([bool(text.strip()) for text in texts])


def _as_texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise EncoderError("Pass a list of documents, not a single string.")
    return ["" if t is None else str(t) for t in texts]


def mean_word_vectors(texts: list[str], lookup: dict[str, int], vectors: np.ndarray) -> np.ndarray:
    """Each document is the mean of the vectors of its known words (zero if it has none).

    English stop words are left out when a document has other known words: otherwise "the", "for"
    and "and" dominate every mean and all documents look alike (cosine ~0.97 with GloVe).
    """
    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    for row, text in enumerate(texts):
        known = [token for token in tokenize(text) if token in lookup]
        content = [token for token in known if token not in ENGLISH_STOP_WORDS]
        ids = [lookup[token] for token in (content or known)]
        if ids:
            out[row] = vectors[ids].mean(axis=0)
    return out
