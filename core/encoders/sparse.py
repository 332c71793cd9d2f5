"""Count-based encoders, in the order the ideas arrived: one-hot, TF-IDF, LSA, LDA."""
from __future__ import annotations

import numpy as np
from sklearn.decomposition import LatentDirichletAllocation, TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from core.encoders.base import TOKEN_PATTERN, Encoder, EncoderError


MAX_DENSE_CELLS = 100_000_000  # 400 MB of float32: the most a dense bag-of-words may take


class _VocabularyEncoder(Encoder):
    """Shared by encoders built on a fitted vocabulary: empty or all-unknown documents get zeros."""

    def _known(self, texts):
        counts = self.vectorizer_.transform(texts)
        return np.asarray(counts.getnnz(axis=1) > 0)

    def _fit_vectorizer(self, vectorizer, texts):
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError as error:  # sklearn: "empty vocabulary; perhaps the documents only contain stop words"
            raise EncoderError("No words were found in these documents, so there is no vocabulary to encode with. "
                               "Use documents that contain words.") from error
        self.vectorizer_ = vectorizer
        return matrix

    def _transform(self, texts, progress=None):
        cells = len(texts) * self.dimension
        if cells > MAX_DENSE_CELLS:
            fits = max(1, MAX_DENSE_CELLS // len(texts))
            raise EncoderError(f"{len(texts):,} documents x {self.dimension:,} words would take "
                               f"{cells * 4 / 1e9:.1f} GB. Lower the vocabulary size to {fits:,} or less, "
                               "or use LSA, which compresses the same counts.")
        return self.vectorizer_.transform(texts).toarray()

    @property
    def dimension(self):
        return len(self.vectorizer_.vocabulary_)

    @property
    def vocabulary(self) -> list[str]:
        return self.vectorizer_.get_feature_names_out().tolist()


class OneHotEncoder(_VocabularyEncoder):
    """Binary bag of words: 1 where the document contains the word (indicator encoding)."""

    def __init__(self, max_features: int = 3000):
        self.max_features = max_features

    def _fit(self, texts):
        vectorizer = CountVectorizer(binary=True, max_features=self.max_features, token_pattern=TOKEN_PATTERN)
        self._fit_vectorizer(vectorizer, texts)


class TfidfEncoder(_VocabularyEncoder):
    """TF-IDF: word counts weighted by how specific each word is to the document; rows L2-normalised."""

    def __init__(self, max_features: int = 3000, sublinear_tf: bool = True):
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    def _fit(self, texts):
        self._fit_vectorizer(self._make_tfidf(), texts)

    def _make_tfidf(self):
        return TfidfVectorizer(max_features=self.max_features, sublinear_tf=self.sublinear_tf,
                               token_pattern=TOKEN_PATTERN)


class LsaEncoder(TfidfEncoder):
    """Latent semantic analysis: TF-IDF compressed by truncated SVD, rows L2-normalised."""

    def __init__(self, n_components: int = 100, max_features: int = 10000, seed: int = 0):
        super().__init__(max_features=max_features, sublinear_tf=True)
        self.n_components = n_components
        self.seed = seed

    def _fit(self, texts):
        matrix = self._fit_vectorizer(self._make_tfidf(), texts)
        # SVD cannot give more components than the smaller side of the matrix allows.
        k = min(self.n_components, matrix.shape[0], matrix.shape[1] - 1)
        if k < 1:
            raise EncoderError("LSA needs at least two distinct words in the corpus.")
        self.svd_ = TruncatedSVD(n_components=k, random_state=self.seed, algorithm="randomized")
        self.svd_.fit(matrix)

    def _transform(self, texts, progress=None):
        return normalize(self.svd_.transform(self.vectorizer_.transform(texts)))

    @property
    def dimension(self):
        return self.svd_.n_components

    @property
    def explained_variance(self) -> float:
        return float(self.svd_.explained_variance_ratio_.sum())


class LdaEncoder(_VocabularyEncoder):
    """Latent Dirichlet allocation: each document as a mixture of topics (a row sums to 1)."""

    def __init__(self, n_topics: int = 10, max_features: int = 5000, seed: int = 0):
        self.n_topics = n_topics
        self.max_features = max_features
        self.seed = seed

    def _fit(self, texts):
        vectorizer = CountVectorizer(max_features=self.max_features, stop_words="english", token_pattern=TOKEN_PATTERN)
        counts = self._fit_vectorizer(vectorizer, texts)
        self.lda_ = LatentDirichletAllocation(n_components=self.n_topics, random_state=self.seed,
                                              learning_method="batch", max_iter=20)
        self.lda_.fit(counts)

    def _transform(self, texts, progress=None):
        return self.lda_.transform(self.vectorizer_.transform(texts))

    @property
    def dimension(self):
        return self.n_topics

    def top_words(self, n: int = 8) -> list[list[str]]:
        words = self.vectorizer_.get_feature_names_out()
        return [words[np.argsort(topic)[::-1][:n]].tolist() for topic in self.lda_.components_]
