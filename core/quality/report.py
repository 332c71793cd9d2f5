"""Every check at once, one line a document (what `python -m core quality` writes): the neighbours are searched
once for all three."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.quality.findings import (DUPLICATE_COSINE, K, QualityError, label_issues, near_duplicates,
                                   neighbour_graph, neighbour_votes, outliers)


def quality_report(data, labels=None, *, k: int = K, threshold: float = DUPLICATE_COSINE, progress=None,
                   graph=None) -> tuple[pd.DataFrame, str]:
    """A frame with one line per document (row, outlier_score, outlier_percentile, duplicate_group (-1 for none),
    duplicate_cosine, label, neighbour_label (the label its neighbours vote for), label_issue, suggested) and a
    sentence on the label check (why there is none, when so). `progress(done, total)` while the neighbours are
    searched; `graph`: (rows, cosines) already found."""
    graph = graph if graph is not None else neighbour_graph(data, k, progress)
    n = len(graph[0])
    frame = pd.DataFrame({"row": np.arange(n)})
    found = outliers(data, k, graph=graph).sort_values("row")
    frame["outlier_score"], frame["outlier_percentile"] = found.score.to_numpy(), found.percentile.to_numpy()
    copies = near_duplicates(data, threshold, k, graph=graph).set_index("row")
    frame["duplicate_group"] = copies.group.reindex(frame.row).fillna(-1).astype(int).to_numpy()
    frame["duplicate_cosine"] = copies.score.reindex(frame.row).to_numpy()
    frame["label"] = frame["neighbour_label"] = frame["suggested"] = None
    frame["label_issue"] = False
    try:
        issues = label_issues(data, labels, k, graph=graph)
    except QualityError as error:
        return frame, str(error)
    names, codes, *_, probabilities = neighbour_votes(data, labels, k, graph)
    frame["label"], frame["neighbour_label"] = names[codes], names[np.argmax(probabilities, axis=1)]
    frame.loc[issues.row, "label_issue"] = True
    frame.loc[issues.row, "suggested"] = issues.suggested.to_numpy()
    return frame, f"{len(issues):,} documents whose label their neighbours contradict."
