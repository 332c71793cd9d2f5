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

What drifted is in `core.analyses.drift_explained`; window by window over dates, in `core.analyses.windows`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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
    ref, cur, sampled = subsample(ref, cap, rng), subsample(cur, cap, rng), max(len(ref), len(cur)) > cap
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


def subsample(X: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    """At most `cap` rows of X, drawn at random and kept in their order."""
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
