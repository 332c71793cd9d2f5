"""What drifted: clusters whose share grew or shrank, the documents most typical of the current set, the words
that rose and fell, and each cluster's share window by window."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.analyses.drift import subsample


def cluster_shares(texts: list[str], vectors, is_current, *, n_clusters: int = 8, seed: int = 0,
                   max_documents: int = 4_000) -> pd.DataFrame:
    """Clusters of both sets together (k-means, named by their distinctive terms) with each cluster's share
    of the reference and of the current set, the largest change first. Shares are estimated on a seeded
    sample of at most `max_documents` per set (k-means time grows with the number of documents)."""
    is_current = np.asarray(is_current, dtype=bool)
    rng = np.random.default_rng(seed)
    rows = np.sort(np.r_[subsample(np.flatnonzero(~is_current), max_documents, rng),
                         subsample(np.flatnonzero(is_current), max_documents, rng)])
    texts, vectors, is_current = [texts[i] for i in rows], np.asarray(vectors)[rows], is_current[rows]
    names = np.asarray(named_clusters(texts, vectors, n_clusters=n_clusters, seed=seed), dtype=object)
    shares = pd.DataFrame({side: pd.Series(names[rows]).value_counts(normalize=True)
                           for side, rows in (("reference share", ~is_current), ("current share", is_current))})
    shares = shares.fillna(0.0)
    shares["change"] = shares["current share"] - shares["reference share"]
    order = shares["change"].abs().sort_values(ascending=False, kind="stable").index
    return shares.loc[order].rename_axis("cluster").reset_index()


def named_clusters(texts: list[str], vectors, *, n_clusters: int = 8, seed: int = 0) -> list[str]:
    """k-means cluster names per row; wide vectors (TF-IDF's thousands of dimensions) are first reduced to 50
    by PCA of the unit vectors, which keeps cosine neighbourhoods and makes k-means many times faster."""
    from core.maps.clusters import cluster, cluster_names
    from core.maps.projection import pca
    from core.neighbours.similarity import normalize_rows

    X = np.asarray(vectors, dtype=np.float32)
    if X.shape[1] > 50 and len(X) > 50:
        X = pca(normalize_rows(X), 50, seed)
    return cluster_names(texts, cluster(X, n_clusters=n_clusters, seed=seed))


def typical_documents(texts: list[str], vectors, is_current, top: int = 10) -> pd.DataFrame:
    """The current documents a classifier (trained on both sets) finds most unlike the reference (each text once)."""
    from sklearn.linear_model import LogisticRegression

    is_current = np.asarray(is_current, dtype=bool)
    X = np.asarray(vectors, dtype=np.float32)
    model = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear").fit(X, is_current)
    rows = np.flatnonzero(is_current)
    table = pd.DataFrame({"document": [texts[i] for i in rows], "P(current)": model.predict_proba(X[rows])[:, 1],
                          "row": rows})
    table = table.sort_values("P(current)", ascending=False, kind="stable").drop_duplicates("document")
    return table.head(top).round({"P(current)": 3}).reset_index(drop=True)


def words_that_moved(reference_texts: list[str], current_texts: list[str], top: int = 10,
                     min_documents: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Words whose share of documents rose and fell. `log2 change` compares add-one smoothed shares (a word
    in 0 of 10 documents is not infinitely rarer than one in 1); words are ranked by the change in log-odds
    divided by its standard error, so a word seen 40 times outranks one seen 3 times with the same ratio.
    English stop words are left out."""
    from sklearn.feature_extraction.text import CountVectorizer

    from core.encoders.base import TOKEN_PATTERN

    columns = ["word", "reference documents", "current documents", "log2 change"]
    vectorizer = CountVectorizer(binary=True, stop_words="english", token_pattern=TOKEN_PATTERN)
    try:
        counts = vectorizer.fit_transform(list(reference_texts) + list(current_texts))
    except ValueError:  # no words at all
        return pd.DataFrame(columns=columns), pd.DataFrame(columns=columns)
    n_ref, n_cur = len(reference_texts), len(current_texts)
    in_ref = np.asarray(counts[:n_ref].sum(axis=0)).ravel()
    in_cur = np.asarray(counts[n_ref:].sum(axis=0)).ravel()
    log2_change = np.log2(((in_cur + 1) / (n_cur + 2)) / ((in_ref + 1) / (n_ref + 2)))
    log_odds = np.log((in_cur + 1) / (n_cur - in_cur + 1)) - np.log((in_ref + 1) / (n_ref - in_ref + 1))
    spread = np.sqrt(1 / (in_cur + 1) + 1 / (n_cur - in_cur + 1) + 1 / (in_ref + 1) + 1 / (n_ref - in_ref + 1))
    frame = pd.DataFrame({"word": vectorizer.get_feature_names_out(), "reference documents": in_ref,
                          "current documents": in_cur, "log2 change": log2_change.round(2),
                          "z": log_odds / spread})
    frame = frame[in_ref + in_cur >= min_documents]
    rose = frame[frame["log2 change"] > 0].sort_values(["z", "word"], ascending=[False, True])
    fell = frame[frame["log2 change"] < 0].sort_values(["z", "word"])
    return tuple(part.head(top)[columns].reset_index(drop=True) for part in (rose, fell))


def shares_over_time(cluster_names: list[str], windows, reference: str) -> pd.DataFrame:
    """Each cluster's share of every window, ranked by its largest move away from the reference window."""
    frame = pd.DataFrame({"cluster": cluster_names, "window": pd.Series(windows, dtype=object).to_numpy()})
    shares = pd.crosstab(frame.cluster, frame.window, normalize="columns")
    moved = shares.sub(shares[reference], axis=0).abs().max(axis=1)
    shares.insert(0, "largest move", moved)
    return shares.sort_values("largest move", ascending=False, kind="stable")
