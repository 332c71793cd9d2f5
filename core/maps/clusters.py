"""Clusters in embedding space, each named by its most distinctive terms (class-based TF-IDF)."""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from core.encoders.base import TOKEN_PATTERN
from core.neighbours.similarity import normalize_rows

METHODS = ("kmeans", "hdbscan")
NOISE = -1


def cluster(X, *, method: str = "kmeans", n_clusters: int = 8, min_cluster_size: int = 10, seed: int = 0) -> np.ndarray:
    """Cluster ids per row (on unit-length vectors, so distances follow cosine). HDBSCAN marks noise as -1."""
    Xn = normalize_rows(X)
    if len(Xn) < 2:
        return np.zeros(len(Xn), dtype=int)
    if method == "kmeans":
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=min(n_clusters, len(Xn)), n_init=4, random_state=seed).fit_predict(Xn)
    if method == "hdbscan":
        from sklearn.cluster import HDBSCAN

        from core.maps.projection import pca

        # Density is meaningless in hundreds of dimensions (everything looks like noise): cluster a
        # 10-dimensional PCA of the unit vectors instead.
        reduced = pca(Xn, min(10, Xn.shape[1]), seed) if Xn.shape[1] > 10 else Xn
        size = max(2, min(min_cluster_size, len(Xn)))
        return HDBSCAN(min_cluster_size=size, copy=True).fit_predict(reduced)
    raise ValueError(f"Unknown clustering '{method}'. Use one of: {', '.join(METHODS)}.")


def cluster_terms(texts: list[str], ids, n_terms: int = 4) -> dict[int, list[str]]:
    """Class-based TF-IDF: each cluster's documents as one document; a term scores high when it is
    frequent in the cluster and rare across clusters. English stop words are left out."""
    ids = np.asarray(ids)
    clusters = sorted(set(ids.tolist()) - {NOISE})
    if not clusters:
        return {}
    joined = [" ".join(t for t, c in zip(texts, ids) if c == cluster_id) for cluster_id in clusters]
    try:
        vectorizer = CountVectorizer(stop_words="english", token_pattern=TOKEN_PATTERN)
        counts = vectorizer.fit_transform(joined).toarray().astype(float)
    except ValueError:  # no words at all
        return {c: [] for c in clusters}
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    idf = np.log1p(counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    words = vectorizer.get_feature_names_out()
    return {c: [words[j] for j in np.argsort(-scores[i])[:n_terms] if counts[i, j] > 0]
            for i, c in enumerate(clusters)}


def cluster_names(texts: list[str], ids, n_terms: int = 3) -> list[str]:
    """A readable label per row: "3: nest, eggs, chicks (41)", or "noise" for HDBSCAN's outliers."""
    ids = np.asarray(ids)
    terms = cluster_terms(texts, ids, n_terms)
    sizes = {c: int((ids == c).sum()) for c in terms}
    names = {c: f"{c}: {', '.join(terms[c]) or '—'} ({sizes[c]})" for c in terms}
    return [names.get(int(c), "noise") for c in ids]
