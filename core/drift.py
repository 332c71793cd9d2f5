"""Drift: did the meaning of a corpus change? A calibrated two-sample test on embeddings, and what moved.

`drift(reference, current)` asks whether two sets of vectors come from the same distribution.

- `method="classifier"` (default): a logistic regression is trained on a random half of both sets to tell
  them apart, and scores the other half; the score is the AUC on those held-out documents (0.5: it cannot
  tell them apart, 1: perfectly). Because the held-out documents played no part in training, under "no
  drift" their labels are exchangeable given the classifier's scores, so the permutation null only
  reshuffles labels over fixed scores (rank sums): no refitting, 10,000 vs 10,000 in a few seconds.
  A K-fold average of AUCs would use every document but its folds are correlated under the null (each
  fold's model is the other's test), so a cheap permutation null of it is anti-conservative.
- `method="mmd"`: the maximum mean discrepancy (unbiased MMD², RBF kernel with the median-distance
  bandwidth), with a permutation p-value. The kernel matrix is quadratic in size, so above `max_mmd`
  documents per set it runs on a seeded subsample.

Permutations stop early (Besag and Clifford's sequential p-value) once `stop_after` permutations have
reached the observed score: a clearly quiet result needs few. Everything is seeded, hence deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

METHODS = ("classifier", "mmd")
MIN_DOCUMENTS = 6
ALPHA = 0.05
SIZE_RATIO_NOTE = 20


class DriftError(ValueError):
    """The two sets cannot be compared; the message says what to fix."""


@dataclass(frozen=True)
class DriftResult:
    method: str
    score: float
    p_value: float
    n_reference: int
    n_current: int
    threshold: float = ALPHA
    permutations: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def drifted(self) -> bool:
        return self.p_value < self.threshold

    @property
    def score_name(self) -> str:
        return "AUC" if self.method == "classifier" else "MMD²"

    @property
    def meaning(self) -> str:
        if self.method == "classifier":
            what = (f"A classifier told current from reference documents it had not seen with AUC {self.score:.3f} "
                    "(0.5: no better than a coin, 1: perfectly)")
        else:
            what = (f"The distance between the two sets' kernel means is MMD² = {self.score:.4f} "
                    "(about 0 when they come from one distribution)")
        chance = f"if nothing had changed, a score this high would come up by chance with probability p = " \
                 f"{self.p_value:.2g}"
        if self.drifted:
            return f"{what}; {chance}, below {self.threshold:g}: the current set has drifted."
        return (f"{what}; {chance}, not below {self.threshold:g}: no evidence of drift (which does not prove "
                "that nothing changed, only that this test could not see it).")


def drift(reference, current, *, method: str = "classifier", seed: int = 0, alpha: float = ALPHA,
          permutations: int = 1000, stop_after: int = 20, max_documents: int = 20_000,
          max_mmd: int = 1_000) -> DriftResult:
    """Test whether `current` (m, d) comes from the same distribution as `reference` (n, d)."""
    if method not in METHODS:
        raise DriftError(f"Unknown drift method '{method}'. Use one of: {', '.join(METHODS)}.")
    ref, cur = _checked(reference, "reference"), _checked(current, "current")
    if ref.shape[1] != cur.shape[1]:
        raise DriftError(f"The reference vectors have {ref.shape[1]} dimensions and the current ones "
                         f"{cur.shape[1]}: embed both sets with the same encoder.")
    sizes = dict(n_reference=len(ref), n_current=len(cur), threshold=alpha, method=method)
    notes = _size_notes(len(ref), len(cur))
    if ref.shape == cur.shape and np.array_equal(ref, cur):
        return DriftResult(score=0.5 if method == "classifier" else 0.0, p_value=1.0,
                           notes=notes + ("The two sets are identical: nothing drifted.",), **sizes)
    rng = np.random.default_rng(seed)
    cap = max_documents if method == "classifier" else max_mmd
    ref, cur, sampled = _subsample(ref, cap, rng), _subsample(cur, cap, rng), max(len(ref), len(cur)) > cap
    if sampled:
        notes += (f"Computed on a random sample of at most {cap:,} documents per set.",)
    test = _classifier_test if method == "classifier" else _mmd_test
    score, p_value, done = test(ref, cur, rng, permutations, stop_after)
    return DriftResult(score=float(score), p_value=float(p_value), permutations=done, notes=notes, **sizes)


def _checked(vectors, name: str) -> np.ndarray:
    try:
        X = np.asarray(vectors, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise DriftError(f"The {name} set is not an array of numeric vectors ({error}).") from None
    if X.ndim != 2:
        raise DriftError(f"The {name} set must be a 2-D array (one vector per document); it has shape {X.shape}.")
    if len(X) < MIN_DOCUMENTS:
        raise DriftError(f"The {name} set has {len(X)} document{'s' * (len(X) != 1)}; a drift test needs at "
                         f"least {MIN_DOCUMENTS} in each set.")
    bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if len(bad):
        rows = ", ".join(str(i) for i in bad[:5]) + (", …" if len(bad) > 5 else "")
        raise DriftError(f"The {name} set has {len(bad)} vector{'s' * (len(bad) != 1)} with NaN or infinite "
                         f"values (rows {rows}); remove or re-embed those documents.")
    return X


def _size_notes(n_ref: int, n_cur: int) -> tuple[str, ...]:
    small, large = sorted((n_ref, n_cur))
    if large >= SIZE_RATIO_NOTE * small:
        return (f"One set is {large / small:.0f} times larger than the other: the test is still valid, but it "
                f"can only see as much as {small:,} documents show.",)
    return ()


def _subsample(X: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    return X if len(X) <= cap else X[np.sort(rng.choice(len(X), cap, replace=False))]


# --- the classifier test ----------------------------------------------------------------------

def _held_out_split(n_ref: int, n_cur: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Half of each set (stratified) to train on, the rest to test: a boolean mask over the stacked rows."""
    train = np.zeros(n_ref + n_cur, dtype=bool)
    for start, size in ((0, n_ref), (n_ref, n_cur)):
        train[start + rng.choice(size, size // 2, replace=False)] = True
    return train, ~train


def _classifier_test(ref, cur, rng, permutations, stop_after):
    from scipy.stats import rankdata
    from sklearn.linear_model import LogisticRegression

    X = np.vstack([ref, cur]).astype(np.float32)
    y = np.r_[np.zeros(len(ref), dtype=int), np.ones(len(cur), dtype=int)]
    train, test = _held_out_split(len(ref), len(cur), rng)
    model = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear").fit(X[train], y[train])
    ranks = rankdata(model.decision_function(X[test]))
    n_pos = int(y[test].sum())
    n_neg = len(ranks) - n_pos

    def auc(rank_sums):
        return (rank_sums - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)

    observed = auc(ranks[y[test] == 1].sum())
    null = _sequential_null(lambda rows: auc(_random_subset_sums(ranks, n_pos, rows, rng)), observed,
                            permutations, stop_after)
    return observed, *null


def _random_subset_sums(values: np.ndarray, size: int, rows: int, rng) -> np.ndarray:
    shuffled = rng.permuted(np.broadcast_to(values, (rows, len(values))), axis=1)
    return shuffled[:, :size].sum(axis=1)


def _sequential_null(draw, observed: float, permutations: int, stop_after: int, chunk: int = 100):
    """Permutation p-value (1 + hits) / (1 + done), stopping once `stop_after` permuted scores reached the
    observed one; then p = hits / done (Besag and Clifford 1991), valid as well."""
    hits = done = 0
    tolerance = 1e-12 * max(1.0, abs(observed))
    while done < permutations:
        scores = draw(min(chunk, permutations - done))
        for score in scores:  # one by one, so that the stop is at the same permutation whatever the chunk
            done += 1
            hits += score >= observed - tolerance
            if hits >= stop_after:
                return hits / done, done
    return (1 + hits) / (1 + done), done


# --- the MMD test -----------------------------------------------------------------------------

def rbf_kernel_median(X: np.ndarray) -> np.ndarray:
    """exp(-d² / (2 σ²)) with σ the median distance between distinct rows (1 when all rows coincide)."""
    squared = np.einsum("ij,ij->i", X, X)
    d2 = np.maximum(squared[:, None] + squared[None, :] - 2 * X @ X.T, 0)
    distances = np.sqrt(d2[~np.eye(len(X), dtype=bool)])
    sigma = np.median(distances) or (distances[distances > 0].mean() if distances.any() else 1.0)
    return np.exp(-d2 / (2 * sigma ** 2))


def _mmd_test(ref, cur, rng, permutations, stop_after):
    K = rbf_kernel_median(np.vstack([ref, cur]))
    np.fill_diagonal(K, 0.0)
    m, n = len(ref), len(cur)
    row_sums, total = K.sum(axis=1), K.sum()

    def mmd2(is_current: np.ndarray) -> np.ndarray:
        """Unbiased MMD² for each column of a (m + n, b) 0/1 matrix marking the current rows."""
        within_cur = np.einsum("ib,ib->b", is_current, K @ is_current)
        cross = is_current.T @ row_sums - within_cur
        within_ref = total - 2 * (is_current.T @ row_sums) + within_cur
        return within_ref / (m * (m - 1)) + within_cur / (n * (n - 1)) - 2 * cross / (m * n)

    labels = np.r_[np.zeros(m), np.ones(n)]
    observed = mmd2(labels[:, None])[0]

    def draw(rows):
        return mmd2(rng.permuted(np.broadcast_to(labels, (rows, m + n)), axis=1).T)

    return observed, *_sequential_null(draw, observed, permutations, stop_after)


# --- what drifted -------------------------------------------------------------------------------

def cluster_shares(texts: list[str], vectors, is_current, *, n_clusters: int = 8, seed: int = 0,
                   max_documents: int = 4_000) -> pd.DataFrame:
    """Clusters of both sets together (k-means, named by their distinctive terms) with each cluster's share
    of the reference and of the current set, the largest change first. Shares are estimated on a seeded
    sample of at most `max_documents` per set (k-means time grows with the number of documents)."""
    is_current = np.asarray(is_current, dtype=bool)
    rng = np.random.default_rng(seed)
    rows = np.sort(np.r_[_subsample(np.flatnonzero(~is_current), max_documents, rng),
                         _subsample(np.flatnonzero(is_current), max_documents, rng)])
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
    from core.clusters import cluster, cluster_names
    from core.projection import pca
    from core.similarity import normalize_rows

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


# --- drift over time ----------------------------------------------------------------------------

WINDOWS = {"day": "D", "week": "W", "month": "M"}


def date_columns(metadata: pd.DataFrame | None) -> list[str]:
    """Columns whose values (nearly all) read as dates."""
    if metadata is None:
        return []
    found = []
    for column in metadata.columns:
        values = metadata[column]
        if values.dtype.kind in "iuf":  # numbers are not dates here, though pandas would read them as such
            continue
        parsed = pd.to_datetime(values.astype(str), errors="coerce", format="mixed")
        if len(values) and parsed.notna().mean() >= 0.9 and parsed.nunique() > 1:
            found.append(column)
    return found


def windows_of(dates, window: str = "month") -> pd.Series:
    """The window (day, week or month) each date falls in, as a label such as '2025-03'; undated rows: None."""
    if window not in WINDOWS:
        raise DriftError(f"Unknown window '{window}'. Use one of: {', '.join(WINDOWS)}.")
    parsed = pd.to_datetime(pd.Series(dates).astype(str), errors="coerce", format="mixed")
    periods = parsed.dt.to_period(WINDOWS[window])
    return periods.astype(str).where(parsed.notna(), None)


def drift_over_time(vectors, windows, reference: str | None = None, *, method: str = "classifier",
                    seed: int = 0, alpha: float = ALPHA, permutations: int | None = None) -> pd.DataFrame:
    """Each window against the reference window (default: the first with enough documents). `p adjusted`
    applies Holm's correction for testing many windows; `drifted` is judged on it. By default there are
    enough permutations for the smallest p-value to survive the correction (quiet windows stop early)."""
    vectors = np.asarray(vectors)
    windows = pd.Series(windows, dtype=object).reset_index(drop=True)
    labels = sorted(w for w in windows.dropna().unique())
    counts = windows.value_counts()
    big_enough = [w for w in labels if counts[w] >= MIN_DOCUMENTS]
    if not big_enough:
        raise DriftError(f"No window has {MIN_DOCUMENTS} or more documents: choose a longer window.")
    reference = reference or big_enough[0]
    if reference not in big_enough:
        raise DriftError(f"The reference window {reference} has {counts.get(reference, 0)} documents; "
                         f"it needs at least {MIN_DOCUMENTS}.")
    ref = vectors[(windows == reference).to_numpy()]
    permutations = permutations or max(500, int(np.ceil(4 * len(big_enough) / alpha)))
    rows = []
    for label in labels:
        row = {"window": label, "documents": int(counts[label]), "score": np.nan, "p value": np.nan}
        if label != reference and counts[label] >= MIN_DOCUMENTS:
            result = drift(ref, vectors[(windows == label).to_numpy()], method=method, seed=seed, alpha=alpha,
                           permutations=permutations)
            row.update(score=result.score, **{"p value": result.p_value})
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["p adjusted"] = holm(frame["p value"])
    frame["drifted"] = frame["p adjusted"] < alpha
    frame["reference"] = frame["window"] == reference
    return frame


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values; NaN (untested) stays NaN."""
    p = np.asarray(p_values, dtype=float)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    scaled = p[order] * (len(order) - np.arange(len(order)))
    adjusted = p.copy()
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return adjusted


def shares_over_time(cluster_names: list[str], windows, reference: str) -> pd.DataFrame:
    """Each cluster's share of every window, ranked by its largest move away from the reference window."""
    frame = pd.DataFrame({"cluster": cluster_names, "window": pd.Series(windows, dtype=object).to_numpy()})
    shares = pd.crosstab(frame.cluster, frame.window, normalize="columns")
    moved = shares.sub(shares[reference], axis=0).abs().max(axis=1)
    shares.insert(0, "largest move", moved)
    return shares.sort_values("largest move", ascending=False, kind="stable")
