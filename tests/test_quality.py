"""core.quality (issue 21 part 1): near-duplicates, outliers and likely label errors on the neighbour graph,
checked on data where the truth is planted (seeded), against scikit-learn's exact cosines, and on a Dataset."""
import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

import core
from core.quality import QualityError, label_issues, near_duplicates, outliers

CLASSES, PER_CLASS, DIMS = 5, 120, 32


def blobs(seed: int = 0):
    """Five well-separated classes of unit-ish vectors, and their labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(CLASSES, DIMS)) * 3
    labels = np.repeat(np.arange(CLASSES), PER_CLASS)
    return centres[labels] + rng.normal(size=(len(labels), DIMS)), labels


def test_flipped_labels_are_found_with_their_true_label_suggested():
    vectors, truth = blobs()
    rng = np.random.default_rng(1)
    flipped = rng.choice(len(truth), 30, replace=False)
    given = truth.copy()
    given[flipped] = (truth[flipped] + rng.integers(1, CLASSES, size=30)) % CLASSES
    found = label_issues(vectors, labels=given)
    top = found.head(30)
    assert len(set(top.row) & set(flipped)) >= 27                       # precision and recall at 30 >= 0.9
    right = top[top.row.isin(flipped)]
    assert (right.suggested.astype(int).to_numpy() == truth[right.row]).mean() > 0.95
    assert (np.diff(found.score) <= 0).all() and found.row.is_unique


def test_near_duplicates_group_every_pair_above_the_threshold_and_nothing_below():
    vectors, _ = blobs(2)
    rng = np.random.default_rng(3)
    copies = rng.choice(len(vectors), 12, replace=False)
    planted = vectors[copies] + rng.normal(size=(12, DIMS)) * 0.02      # cosine about 0.9999 with its original
    data = np.vstack([vectors, planted])
    found = near_duplicates(data, threshold=0.99)
    group_of = dict(zip(found.row, found.group))
    for k, original in enumerate(copies):
        assert group_of.get(original) is not None and group_of[original] == group_of.get(len(vectors) + k)
    exact = cosine_similarity(data)
    np.fill_diagonal(exact, -1)
    assert (found.score >= 0.99).all() and set(found.row) == set(np.flatnonzero(exact.max(axis=1) >= 0.99))


def test_documents_from_elsewhere_are_the_top_outliers_with_readable_percentiles():
    vectors, _ = blobs(4)
    strangers = np.random.default_rng(5).normal(size=(8, DIMS)) * 3       # from no class
    found = outliers(np.vstack([vectors, strangers]))
    assert set(found.head(8).row) == set(range(len(vectors), len(vectors) + 8))
    assert found.percentile.iloc[0] == 100.0 and found.percentile.min() == 0.0
    assert len(found.neighbours.iloc[0]) == 10 and len(found) == len(vectors) + 8


def test_a_dataset_marks_exact_text_copies_and_checks_its_own_labels(flutter):
    texts = flutter.texts + flutter.texts[:3]
    corpus = core.Corpus(name="copies", texts=texts, labels=flutter.labels + flutter.labels[:3])
    dataset = core.open_dataset(corpus, encoder="tfidf", method="pca")
    copies = near_duplicates(dataset)
    for row in range(3):
        copy = len(flutter.texts) + row
        mine = copies[copies.row.isin([row, copy])]
        assert len(mine) == 2 and mine.group.nunique() == 1 and mine.exact.all()
    issues = label_issues(dataset)
    assert len(issues) and issues.row.between(0, len(texts) - 1).all()
    first = issues.iloc[0]
    assert first.label == corpus.labels[first.row] and first.suggested != first.label
    assert first.suggested in first.neighbour_labels


@pytest.mark.parametrize("labels,says", [
    (None, "no labels"), (["a"] * 40, "the same label"), ([str(i % 10) for i in range(40)], "fewer than 5")])
def test_labels_that_cannot_be_checked_get_a_sentence(labels, says):
    vectors = np.random.default_rng(6).normal(size=(40, 8))
    with pytest.raises(QualityError, match=says):
        label_issues(vectors, labels=labels)
    with pytest.raises(QualityError, match="finite"):
        outliers(np.array([[1.0, np.nan], [0.0, 1.0]]))


def test_the_command_line_reports_every_document_of_a_collection_with_progress(tmp_path, capsys):
    from core.__main__ import main
    from core.collections import build_collection
    from core.collections.synthetic import synthetic_documents

    source = tmp_path / "docs.csv"
    frame = synthetic_documents(400, seed=9)
    frame.loc[399, "text"] = frame.text[3]                          # an exact copy
    frame.to_csv(source, index=False)
    build_collection(source, encoder="minilm-static", out=tmp_path / "docs", projection="pca")
    out = tmp_path / "report.parquet"
    assert main(["quality", str(tmp_path / "docs"), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "neighbours: 100%" in said.err and "400 documents" in said.out
    report = __import__("pandas").read_parquet(out)
    assert report.row.tolist() == list(range(400))
    assert report.duplicate_group[3] >= 0 and report.duplicate_group[3] == report.duplicate_group[399]
    dataset = core.open_dataset(tmp_path / "docs")
    assert set(report.row[report.label_issue]) == set(label_issues(dataset).row)
    assert main(["quality", str(tmp_path / "docs"), "--out", str(tmp_path / "missing" / "r.parquet")]) == 2


def test_a_collection_keeps_its_results_for_the_app_and_only_for_its_own_build(tmp_path, capsys):
    """`core quality COLLECTION` stores the neighbour table and the report in the folder: the dataset then gives
    the index's table without searching, and the stored report is what --out wrote. A damaged file, or a rebuild,
    makes the stored results be ignored; a folder still being built is refused."""
    import json
    import shutil

    import pandas as pd

    from core.__main__ import main
    from core.collections import build_collection
    from core.collections.synthetic import synthetic_documents

    source = tmp_path / "docs.csv"
    synthetic_documents(300, seed=4).to_csv(source, index=False)
    build_collection(source, encoder="minilm-static", out=tmp_path / "docs", projection="pca")
    dataset = core.open_dataset(tmp_path / "docs")
    searched = dataset.collection.neighbour_table(10)
    assert dataset.stored_quality is None
    assert main(["quality", str(tmp_path / "docs"), "--out", str(tmp_path / "r.parquet")]) == 0
    assert "docs/quality and " in capsys.readouterr().out
    kept = core.open_dataset(tmp_path / "docs").stored_quality
    assert kept is not None and kept.k == 10 and kept.threshold == 0.95
    np.testing.assert_array_equal(kept.neighbour_table(10)[0], searched[0])
    np.testing.assert_allclose(kept.neighbour_table(10)[1], searched[1], atol=1e-6)
    np.testing.assert_array_equal(dataset.neighbour_table(5)[0], searched[0][:, :5])
    pd.testing.assert_frame_equal(kept.report(), pd.read_parquet(tmp_path / "r.parquet"))

    shutil.copytree(tmp_path / "docs", tmp_path / "copy")
    with open(tmp_path / "copy" / "quality" / "cosines.npy", "ab") as damaged:
        damaged.write(b"0")
    assert core.open_dataset(tmp_path / "copy").stored_quality is None
    manifest = json.loads((tmp_path / "docs" / "manifest.json").read_text())
    manifest["built"] = "another build"
    (tmp_path / "docs" / "manifest.json").write_text(json.dumps(manifest))
    assert core.open_dataset(tmp_path / "docs").stored_quality is None
    (tmp_path / "docs").rename(tmp_path / "docs.building")
    assert main(["quality", str(tmp_path / "docs.building")]) == 2
    assert "still being built" in capsys.readouterr().err
    assert main(["quality", "flutter"]) == 2
    assert "give --out" in capsys.readouterr().err
