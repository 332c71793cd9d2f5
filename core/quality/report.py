"""Every check at once, one line a document (what `python -m core quality` writes): the neighbours are searched
once for all three."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.quality.findings import (DUPLICATE_COSINE, K, QualityError, duplicate_groups, label_verdicts,
                                   neighbour_graph, neighbour_votes, outlier_scores)


def quality_report(data, labels=None, *, k: int = K, threshold: float = DUPLICATE_COSINE, progress=None,
                   graph=None) -> tuple[pd.DataFrame, str]:
    """A frame with one line per document (row, outlier_score, outlier_percentile, duplicate_group (-1 for none),
    duplicate_cosine, label, neighbour_label (the label its neighbours vote for), label_issue, suggested,
    label_score (1 - the probability the neighbours give its label)) and a sentence on the label check (why there
    is none, when so). `progress(done, total)` while the neighbours are searched; `graph`: (rows, cosines) already
    found."""
    graph = graph if graph is not None else neighbour_graph(data, k, progress)
    rows, cosines = graph
    frame = pd.DataFrame({"row": np.arange(len(rows))})
    frame["outlier_score"], frame["outlier_percentile"] = outlier_scores(rows, cosines)
    group, best, _ = duplicate_groups(rows, cosines, threshold)
    frame["duplicate_group"], frame["duplicate_cosine"] = group, best
    frame["label"] = frame["neighbour_label"] = frame["suggested"] = None
    frame["label_issue"], frame["label_score"] = False, np.nan
    try:
        names, codes, *_, probabilities = neighbour_votes(data, labels, k, graph)
    except QualityError as error:
        return frame, str(error)
    own, voted, issue = label_verdicts(probabilities, codes)
    frame["label"], frame["neighbour_label"], frame["label_issue"] = names[codes], names[voted], issue
    frame.loc[issue, "suggested"] = names[voted[issue]]
    frame.loc[issue, "label_score"] = 1.0 - own[issue]
    return frame, f"{int(issue.sum()):,} documents whose label their neighbours contradict."


OUTLIER_PERCENTILE = 99.0    # the outliers listed: farther from their neighbours than this share of documents
MOST_LISTED = 1_000


def findings(report: pd.DataFrame, kind: str, most: int = MOST_LISTED) -> pd.DataFrame:
    """The report's findings of one kind, most likely first: "labels" (label issues, by label_score),
    "duplicates" (near-duplicate groups, biggest first, members by cosine) or "outliers" (the documents at or
    above the 99th percentile, at least 10). At most `most` lines."""
    if kind == "labels":
        found = report[report.label_issue].sort_values(["label_score", "row"], ascending=[False, True])
        return found[["row", "label_score", "label", "suggested"]].rename(columns={"label_score": "score"})[:most]
    if kind == "duplicates":
        found = report[report.duplicate_group >= 0].sort_values(["duplicate_group", "duplicate_cosine", "row"],
                                                                 ascending=[True, False, True])
        return found[["row", "duplicate_group", "duplicate_cosine", "label"]].rename(
            columns={"duplicate_group": "group", "duplicate_cosine": "cosine"})[:most]
    ranked = report.sort_values(["outlier_score", "row"], ascending=[False, True])
    listed = max(int((report.outlier_percentile >= OUTLIER_PERCENTILE).sum()), min(10, len(report)))
    return ranked[["row", "outlier_score", "outlier_percentile", "label"]].rename(
        columns={"outlier_score": "score", "outlier_percentile": "percentile"})[:min(listed, most)]


def rows_to_drop(found: pd.DataFrame) -> np.ndarray:
    """The rows cleaning removes for these findings: every one, except that of each near-duplicate group the
    first member listed stays (dropping a whole group would lose the document itself)."""
    if "group" in found:
        found = found[found.duplicated("group")]
    return np.sort(found.row.to_numpy())


def summary(report: pd.DataFrame) -> dict:
    """The figures a reader compares before and after cleaning ("label agreement": the share of documents
    whose neighbours vote for their own label)."""
    labelled = report.label.notna().any()
    return {"documents": len(report),
            "near-duplicate groups": int(report.duplicate_group.max() + 1) if len(report) else 0,
            "documents in them": int((report.duplicate_group >= 0).sum()),
            "likely label errors": int(report.label_issue.sum()) if labelled else None,
            "label agreement": float((report.label == report.neighbour_label).mean()) if labelled else None}
