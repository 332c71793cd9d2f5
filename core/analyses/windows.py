"""Drift over time: the columns of a corpus that hold dates, the window (day, week, month) each date falls in, and
each window tested against a reference window with Holm's correction for testing many windows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.analyses.drift import ALPHA, MIN_DOCUMENTS, DriftError, drift

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
