"""Near-duplicates, outliers and likely label errors on the k-nearest-neighbour graph (see core.quality)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import CorpusError
from core.neighbours.similarity import cosine_knn_with_scores

K = 10
DUPLICATE_COSINE = 0.95
SMALLEST_CLASS = 5      # labels with fewer documents cannot be checked against their neighbours


class QualityError(CorpusError):
    """A check that cannot be made on this data, in a sentence saying why."""


def neighbour_graph(data, k: int = K, progress=None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest rows and cosines: the Dataset's own (graph or index), or exact for plain vectors."""
    if hasattr(data, "neighbour_table"):
        return data.neighbour_table(k, progress)
    vectors = np.asarray(data, dtype=np.float32)
    if vectors.ndim != 2 or not np.isfinite(vectors).all():
        raise QualityError("Give a 2D array of finite vectors, one row per document.")
    return cosine_knn_with_scores(vectors, k)


def near_duplicates(data, threshold: float = DUPLICATE_COSINE, k: int = K, *, graph=None) -> pd.DataFrame:
    """Groups of documents linked by a cosine of at least `threshold` (each with one of its k nearest): one line a
    document, its group (numbered from the biggest), its best cosine inside the group and that partner, and
    `exact` when every text of the group is the same (for a Dataset). `graph`: (rows, cosines) already found."""
    rows, cosines = graph if graph is not None else neighbour_graph(data, k)
    group, score, partner = duplicate_groups(rows, cosines, threshold)
    members = np.flatnonzero(group >= 0)
    frame = pd.DataFrame({"row": members, "group": group[members], "score": score[members],
                          "partner": partner[members]})
    texts = data.texts(members) if hasattr(data, "texts") else None
    frame["exact"] = (pd.Series(texts).groupby(frame.group).transform("nunique") == 1).to_numpy() \
        if texts is not None and len(members) else False
    return frame.sort_values(["score", "group", "row"], ascending=[False, True, True], ignore_index=True)


def duplicate_groups(rows, cosines, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each document's near-duplicate group (-1 for none; the connected parts of the links at or above
    `threshold`, numbered biggest first, then by their first row), its best cosine inside its group and that
    partner (NaN and -1 outside groups). Vectorised: a million documents take seconds."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(rows)
    linked = (cosines >= threshold) & (rows >= 0)
    a, b = np.nonzero(linked)
    _, part = connected_components(coo_matrix((np.ones(len(a)), (a, rows[a, b])), shape=(n, n)), directed=False)
    sizes = np.bincount(part)
    firsts = np.full(len(sizes), n)
    np.minimum.at(firsts, part, np.arange(n))
    big = np.flatnonzero(sizes > 1)
    order = big[np.lexsort((firsts[big], -sizes[big]))]
    number = np.full(len(sizes), -1)
    number[order] = np.arange(len(order))
    group = number[part]
    inside = (rows >= 0) & (part[np.maximum(rows, 0)] == part[:, None]) & (group[:, None] >= 0)
    first = np.argmax(inside, axis=1)
    found = inside[np.arange(n), first]
    score = np.where(found, cosines[np.arange(n), first], np.where(group >= 0, threshold, np.nan))
    partner = np.where(found, rows[np.arange(n), first], -1)
    return group, score, partner


def outlier_scores(rows, cosines) -> tuple[np.ndarray, np.ndarray]:
    """Each document's distance from its neighbours (1 - their mean cosine) and its percentile."""
    valid = rows >= 0
    mean = np.where(valid.any(axis=1), (cosines * valid).sum(axis=1) / np.maximum(valid.sum(axis=1), 1), 0.0)
    score = 1.0 - mean
    return score, 100.0 * (pd.Series(score).rank(method="max").to_numpy() - 1) / max(len(score) - 1, 1)


def outliers(data, k: int = K, *, graph=None) -> pd.DataFrame:
    """Every document's distance from its k nearest (1 - their mean cosine), with the percentile a reader can
    take in ("farther from its neighbours than 99 % of documents"), most isolated first, and its neighbours."""
    rows, cosines = graph if graph is not None else neighbour_graph(data, k)
    score, percentile = outlier_scores(rows, cosines)
    frame = pd.DataFrame({"row": np.arange(len(score)), "score": score, "percentile": percentile,
                          "neighbours": list(rows), "cosines": list(cosines.round(4))})
    return frame.sort_values(["score", "row"], ascending=[False, True], ignore_index=True)


def label_issues(data, labels=None, k: int = K, *, graph=None) -> pd.DataFrame:
    """Documents whose label their neighbours contradict, by confident learning's per-class thresholds (Northcutt
    et al., what Cleanlab implements), written here on the graph: each document's class probabilities are the
    cosine-weighted votes of its k nearest, itself never among them (out of sample); a class's threshold is the
    mean probability of that class over the documents labelled with it. A document is an issue when its label's
    probability is below that label's threshold and another class is more probable (the neighbours put it
    there); `suggested` is that class. Ranked by the label's probability, lowest first (score = 1 - it)."""
    names, codes, rows, cosines, probabilities = neighbour_votes(data, labels, k, graph)
    own, suggested, issue = label_verdicts(probabilities, codes)
    flagged = np.flatnonzero(issue)
    frame = pd.DataFrame({"row": flagged, "score": 1.0 - own[flagged], "label": names[codes[flagged]],
                          "suggested": names[suggested[flagged]],
                          "confidence": probabilities[flagged, suggested[flagged]].round(4),
                          "neighbours": list(rows[flagged]), "neighbour_labels": [list(names[codes[r[r >= 0]]])
                                                                                 for r in rows[flagged]],
                          "cosines": list(cosines[flagged].round(4))})
    return frame.sort_values(["score", "row"], ascending=[False, True], ignore_index=True)


def label_verdicts(probabilities, codes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confident learning's rule on out-of-sample class probabilities: each document's probability of its own
    label, the label its neighbours vote for most, and whether it is an issue (see label_issues)."""
    thresholds = np.array([probabilities[codes == c, c].mean() for c in range(probabilities.shape[1])])
    own = probabilities[np.arange(len(codes)), codes]
    voted = np.argmax(probabilities, axis=1)
    return own, voted, (voted != codes) & (own < thresholds[codes])


def class_probabilities(data, labels=None, k: int = K) -> np.ndarray:
    """(documents, classes) out-of-sample class probabilities, classes in the sorted order of the labels: the
    cosine-weighted votes of each document's k nearest, itself never among them (what label_issues judges by)."""
    return neighbour_votes(data, labels, k)[-1]


def neighbour_votes(data, labels, k: int = K, graph=None):
    """The label names, each document's label code, its neighbours and cosines, and its class probabilities."""
    names, codes = np.unique(_labels(data, labels), return_inverse=True)
    _check_classes(names, codes)
    rows, cosines = graph if graph is not None else neighbour_graph(data, k)
    return names, codes, rows, cosines, _neighbour_votes(rows, cosines, codes, len(names))


def _neighbour_votes(rows, cosines, codes, n_classes: int) -> np.ndarray:
    """Class probabilities from the neighbours' labels, each vote weighted by its cosine (at least a small
    positive weight), with add-one smoothing spread over the classes."""
    weights = np.where(rows >= 0, np.maximum(cosines, 1e-3), 0.0)
    cells = (np.arange(len(rows))[:, None] * n_classes + codes[np.maximum(rows, 0)]).ravel()
    votes = np.bincount(cells, weights.ravel(), minlength=len(rows) * n_classes).reshape(len(rows), n_classes)
    votes += 1.0 / n_classes
    return votes / votes.sum(axis=1, keepdims=True)


def _labels(data, labels) -> np.ndarray:
    if labels is None:
        labels = getattr(data, "labels", None)
    if labels is None:
        raise QualityError("These documents have no labels, so no label can be checked; near-duplicates and "
                           "outliers need none.")
    labels = np.asarray([str(label) for label in labels], dtype=object)
    if len(labels) != len(data):
        raise QualityError(f"Give one label per document: {len(data):,} documents, {len(labels):,} labels.")
    return labels


def _check_classes(names, codes) -> None:
    if len(names) < 2:
        raise QualityError("Every document has the same label, so no label can disagree with its neighbours.")
    counts = np.bincount(codes)
    if (counts < SMALLEST_CLASS).all():
        raise QualityError(f"Every label has fewer than {SMALLEST_CLASS} documents, too few for their neighbours "
                           "to say which label fits.")
