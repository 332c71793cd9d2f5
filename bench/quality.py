"""core.quality against planted truth, beside cleanlab, in one run (issue 21 part 4).

For each labelled corpus: a seeded 10 % of the labels flipped to another label, then
  - label errors: our `label_issues` and cleanlab's `find_label_issues` given the same out-of-sample class
    probabilities (the cosine-weighted votes of each document's 10 nearest, itself never among them): precision
    and recall at the number of flipped labels (the top of each ranking), and of everything each flags;
  - near-duplicates: 30 documents copied with a small edit (a word dropped, a word added), recall of the
    copies found in their original's group at the default threshold;
  - outliers: 30 documents from another corpus added, recall among the 30 most isolated.
The encoders and corpora are ones the functions were not tuned on (the tests use planted vectors).

    python bench/quality.py
"""
from __future__ import annotations

import time

import numpy as np

import core
from core.quality import label_issues, near_duplicates, outliers
from core.quality.findings import class_probabilities

CASES = [("flutter", "minilm", "anime-quotes"), ("anime-quotes", "minilm-static", "flutter")]
SHARE_FLIPPED = 0.10
PLANTED = 30


def main() -> None:
    print("| corpus, encoder | documents | flipped | ours: P@N, R@N | cleanlab: P@N, R@N | ours: flagged, P, R "
          "| cleanlab: flagged, P, R | copies found | strangers in top 30 | seconds (ours, cleanlab) |")
    print("|" + " --- |" * 11)
    for name, encoder, other in CASES:
        print(_case(name, encoder, other), flush=True)


def _case(name: str, encoder: str, other: str) -> str:
    from cleanlab.filter import find_label_issues

    corpus = core.load_corpus(name)
    vectors = core.embed(corpus, encoder).vectors
    truth = np.asarray(corpus.labels, dtype=object)
    given, flipped = _flip(truth, np.random.default_rng(7))
    started = time.perf_counter()
    ours = label_issues(vectors, labels=given)
    ours_seconds = time.perf_counter() - started
    names, codes = np.unique(given, return_inverse=True)
    started = time.perf_counter()
    probabilities = class_probabilities(vectors, given)
    theirs = find_label_issues(labels=codes, pred_probs=probabilities, return_indices_ranked_by="self_confidence")
    cleanlab_seconds = time.perf_counter() - started
    n = len(flipped)
    ours_at, theirs_at = _precision_recall(ours.row[:n], flipped), _precision_recall(theirs[:n], flipped)
    ours_all, theirs_all = _precision_recall(ours.row, flipped), _precision_recall(theirs, flipped)
    return (f"| {name}, {encoder} | {len(truth):,} | {n} | {ours_at[0]:.2f}, {ours_at[1]:.2f} | "
            f"{theirs_at[0]:.2f}, {theirs_at[1]:.2f} | {len(ours)}, {ours_all[0]:.2f}, {ours_all[1]:.2f} | "
            f"{len(theirs)}, {theirs_all[0]:.2f}, {theirs_all[1]:.2f} | {_copies_found(corpus, encoder)} | "
            f"{_strangers_found(corpus, encoder, other)} | {ours_seconds:.2f}, {cleanlab_seconds:.2f} |")


def _flip(truth, rng) -> tuple[np.ndarray, np.ndarray]:
    names = np.unique(truth)
    flipped = np.sort(rng.choice(len(truth), int(SHARE_FLIPPED * len(truth)), replace=False))
    given = truth.copy()
    for row in flipped:
        given[row] = rng.choice(names[names != truth[row]])
    return given, flipped


def _precision_recall(found, truth) -> tuple[float, float]:
    hits = len(set(np.asarray(found).tolist()) & set(truth.tolist()))
    return hits / max(len(found), 1), hits / len(truth)


def _copies_found(corpus, encoder: str) -> str:
    rng = np.random.default_rng(8)
    originals = rng.choice(len(corpus), PLANTED, replace=False)
    copies = [_edited(corpus.texts[row], rng) for row in originals]
    both = core.Corpus(name="copies", texts=corpus.texts + copies)
    found = near_duplicates(core.embed(both, encoder).vectors)
    group = dict(zip(found.row, found.group))
    hits = sum(group.get(row) is not None and group.get(row) == group.get(len(corpus) + k)
               for k, row in enumerate(originals))
    return f"{hits} of {PLANTED}"


def _edited(text: str, rng) -> str:
    words = text.split()
    if len(words) > 4:
        del words[int(rng.integers(len(words)))]
    return " ".join(words + ["indeed"])


def _strangers_found(corpus, encoder: str, other: str) -> str:
    strangers = core.load_corpus(other).texts[:PLANTED]
    both = core.Corpus(name="strangers", texts=corpus.texts + strangers)
    top = outliers(core.embed(both, encoder).vectors).row[:PLANTED]
    return f"{int((top >= len(corpus)).sum())} of {PLANTED}"


if __name__ == "__main__":
    main()
