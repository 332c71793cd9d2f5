"""A dataset's quality report as the pages get it (stored with a collection, else computed once per dataset and
threshold), and the map colourings made from it (the Quality page's, and three of the Map page's choices)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.dataset import Dataset
from core.quality import quality_report
from ui import caches, session
from ui.progress import progress_line

COMPUTE_UP_TO = 50_000   # without stored results, every document's neighbours are searched here up to this size
OUTLIER_SCORE, LABEL_DISAGREES, DUPLICATE_GROUP = "outlier score", "label disagrees", "duplicate group"
COLOURINGS = {LABEL_DISAGREES: "labels", DUPLICATE_GROUP: "duplicates", OUTLIER_SCORE: "outliers"}
AGREES, VOTED_OTHERWISE, LIKELY_ERROR = "agrees with its neighbours", "neighbours vote otherwise", "likely label error"
NO_COPY = "no near-duplicate"
LABEL_COLOURS = {AGREES: "#b8c2cc", VOTED_OTHERWISE: "#f0a202", LIKELY_ERROR: "#d62728"}


def available(dataset: Dataset) -> bool:
    """Whether the report can be had here without a long wait: stored, or a dataset small enough to search."""
    return dataset.stored_quality is not None or len(dataset) <= COMPUTE_UP_TO


def results(dataset: Dataset, threshold: float) -> tuple[pd.DataFrame, str] | None:
    """(report, the sentence on the label check): the one stored with a collection at this threshold (or computed
    from its stored neighbours), else computed once per dataset and threshold. None when it cannot be had here."""
    kept = dataset.stored_quality
    if kept is not None and abs(kept.threshold - threshold) < 1e-9:
        return caches.remembered("stored quality", {"dataset": dataset.digest, "files": kept.meta["files"]},
                                 lambda: (kept.report(), kept.label_note), shared=True)
    if not available(dataset):
        return None
    return caches.remembered("quality", {"dataset": dataset.digest, "threshold": threshold},
                             lambda: _computed(dataset, threshold), shared=session.shares(dataset))


def _computed(dataset: Dataset, threshold: float) -> tuple[pd.DataFrame, str]:
    with progress_line(f"Finding the neighbours of {len(dataset):,} documents…", "Finding neighbours") as progress:
        return quality_report(dataset, threshold=threshold, progress=progress)


def colouring(report: pd.DataFrame, kind: str) -> dict:
    """The map's colouring for one kind of finding: label errors and votes against the label by category,
    near-duplicate groups by category (the biggest in their own colours), outlier scores on a ramp."""
    if kind == "outliers":
        return {"values": report.outlier_score.to_numpy(), "value_name": OUTLIER_SCORE, "title": OUTLIER_SCORE}
    if kind == "duplicates":
        groups = report.duplicate_group.to_numpy()
        names = [NO_COPY] + [f"group {g + 1}" for g in range(int(groups.max()) + 1)]
        return {"categories": groups + 1, "category_names": names, "colors": {NO_COPY: LABEL_COLOURS[AGREES]},
                "title": DUPLICATE_GROUP}
    codes = np.where(report.label_issue, 2, np.where(report.label != report.neighbour_label, 1, 0))
    return {"categories": codes, "category_names": [AGREES, VOTED_OTHERWISE, LIKELY_ERROR], "colors": LABEL_COLOURS,
            "title": LABEL_DISAGREES}
