"""One Dataset interface (issue 18 part 1): a file opened in memory and the collection built from that file answer
the same questions the same way, and both agree with an exact brute-force search done here with scikit-learn."""
import json
import shutil

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

import core
from core import CorpusError, open_dataset
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents
from core.dataset import CollectionDataset, InMemoryDataset

ROWS = 700
QUERIES = ["a heron waiting in the reeds at dawn", "prices went up again this winter", "my phone battery died"]


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("source") / "docs.csv"
    synthetic_documents(ROWS, seed=3).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def in_memory(csv_file):
    return open_dataset(csv_file, encoder="minilm-static", method="pca")


@pytest.fixture(scope="module")
def collection(csv_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("built") / "docs"
    build_collection(csv_file, encoder="minilm-static", out=out, projection="pca")
    return open_dataset(out)


def exact(vectors, query, k):
    """scikit-learn's brute-force cosine search: rows and cosines, nearest first."""
    search = NearestNeighbors(metric="cosine", algorithm="brute").fit(np.asarray(vectors, dtype=np.float64))
    distances, rows = search.kneighbors(np.asarray(query, dtype=np.float64).reshape(1, -1), n_neighbors=k)
    return rows[0], 1 - distances[0]


def test_a_file_and_the_collection_built_from_it_hold_the_same_documents(in_memory, collection):
    assert isinstance(in_memory, InMemoryDataset) and isinstance(collection, CollectionDataset)
    assert len(in_memory) == len(collection) == ROWS
    rows = [5, 0, 699, 5]
    assert in_memory.texts(rows) == collection.texts(rows)
    assert in_memory.labels.tolist() == collection.labels.tolist()
    mine, theirs = in_memory.metadata(rows), collection.metadata(rows)
    assert list(mine.columns[:2]) == list(theirs.columns[:2]) == ["text", "label"]
    assert mine[["text", "label"]].equals(theirs[["text", "label"]])
    assert in_memory.coords.shape == collection.coords.shape == (ROWS, 2)
    assert in_memory.encoder_name == collection.encoder_name == "minilm-static"
    np.testing.assert_allclose(np.asarray(collection.vectors), in_memory.vectors, atol=1e-6)


@pytest.mark.parametrize("query", QUERIES)
def test_typed_text_finds_the_same_documents_in_the_file_and_the_collection(in_memory, collection, query):
    vector = core.get_encoder("minilm-static").fit(["fit"]).transform([query])[0]
    rows, cosines = exact(in_memory.vectors, vector, 10)
    for dataset in (in_memory, collection):
        found = dataset.search(query, k=10)
        assert found.indices.tolist() == rows.tolist(), type(dataset).__name__
        np.testing.assert_allclose(found.scores, cosines, atol=1e-5)


def test_a_row_has_the_same_neighbours_in_both_and_never_itself(in_memory, collection):
    for row in (0, 123, 698):
        rows, cosines = exact(in_memory.vectors, in_memory.vectors[row], 11)
        rows, cosines = rows[rows != row][:10], cosines[rows != row][:10]
        for dataset in (in_memory, collection):
            found = dataset.neighbours(row, k=10)
            assert row not in found.indices
            np.testing.assert_allclose(found.scores, cosines, atol=1e-5)
            assert set(found.indices.tolist()) == set(rows.tolist())
        assert in_memory.search(row, k=5).indices.tolist() == in_memory.neighbours(row, k=5).indices.tolist()


def test_filters_and_subsets_work_the_same_on_both(in_memory, collection):
    label = in_memory.labels[0]
    keep = in_memory.filter_mask({"label": [label]})
    assert keep.tolist() == collection.filter_mask({"label": [label]}).tolist()
    assert keep.sum() == (in_memory.labels == label).sum() and 0 < keep.sum() < ROWS
    rows = np.flatnonzero(keep)[::-1]   # in an order of their own
    for dataset in (in_memory, collection):
        part = dataset.subset(rows)
        assert isinstance(part, InMemoryDataset) and len(part) == len(rows)
        assert part.source_rows.tolist() == rows.tolist()
        assert part.texts(range(len(part))) == dataset.texts(rows)
        np.testing.assert_array_equal(part.coords, np.asarray(dataset.coords)[rows])
        found = part.neighbours(0, k=5)   # neighbours within the subset, by its own row numbers
        expected, _ = exact(part.vectors, part.vectors[0], 6)
        assert found.indices.tolist() == [r for r in expected.tolist() if r != 0][:5]
        assert part.search(QUERIES[0], k=3).indices.max() < len(part)
    inner = in_memory.subset(rows).subset([2, 0])
    assert inner.source_rows.tolist() == [rows[2], rows[0]]   # row numbers of the whole corpus, for exports


def test_vectors_made_elsewhere_search_by_vector_but_refuse_typed_text(in_memory):
    corpus = in_memory.corpus
    vectors = np.random.default_rng(0).normal(size=(len(corpus), 12)).astype(np.float32)
    dataset = open_dataset(corpus, vectors=vectors, method="pca")
    assert dataset.encoder is None and dataset.encoder_name == "imported"
    rows, _ = exact(vectors, vectors[3] + 0.1, 4)
    assert dataset.search(vectors[3] + 0.1, k=4).indices.tolist() == rows.tolist()
    with pytest.raises(CorpusError, match="made elsewhere"):
        dataset.search("a heron", k=3)
    with pytest.raises(CorpusError, match="one vector per document"):
        open_dataset(corpus, vectors=vectors[:-1])


def test_a_bundled_corpus_opens_by_name(tmp_path):
    from core.cache.disk import DiskCache

    dataset = open_dataset("words", encoder="tfidf", method="pca", cache=DiskCache(tmp_path))
    assert len(dataset) == len(core.load_corpus("words")) and dataset.labels is not None
    assert dataset.search("sparrow", k=3).indices.shape == (3,)


def test_what_cannot_be_opened_is_a_sentence_naming_what_to_fix(csv_file, collection, tmp_path):
    with pytest.raises(CorpusError, match="neither a bundled corpus"):
        open_dataset("no-such-corpus")
    with pytest.raises(CorpusError, match="neither a bundled corpus"):
        open_dataset(tmp_path / "missing.csv")
    with pytest.raises(CorpusError, match="nope"):
        open_dataset(csv_file, text_column="nope", encoder="minilm-static")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no manifest.json"):
        open_dataset(tmp_path / "empty")
    damaged = tmp_path / "damaged"
    shutil.copytree(collection.collection.folder, damaged)
    manifest = json.loads((damaged / "manifest.json").read_text())
    (damaged / "manifest.json").write_text(json.dumps({**manifest, "files": []}))
    with pytest.raises(CorpusError, match="damaged.*Rebuild"):
        open_dataset(damaged)
    with pytest.raises(CorpusError, match="built with minilm-static, not tfidf"):
        open_dataset(collection.collection.folder, encoder="tfidf")
    with pytest.raises(CorpusError, match="not list"):
        open_dataset([1, 2])


def _exact_table(vectors, k):
    """scikit-learn's brute-force cosine kNN of every row, itself left out: rows (n, k) and cosines (n, k)."""
    X = np.asarray(vectors, dtype=np.float64)
    distances, rows = NearestNeighbors(metric="cosine", algorithm="brute").fit(X).kneighbors(X, n_neighbors=k + 1)
    own = rows == np.arange(len(X))[:, None]
    keep = np.argsort(own, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(rows, keep, axis=1), 1 - np.take_along_axis(distances, keep, axis=1)


@pytest.mark.parametrize("k", [10, 40])   # 40 is beyond the in-memory kNN graph: searched exactly in blocks
def test_every_rows_neighbours_at_once_agree_with_an_exact_search(in_memory, collection, k):
    rows, cosines = _exact_table(in_memory.vectors, k)
    found, scores = in_memory.neighbour_table(k)
    assert found.shape == scores.shape == (ROWS, k)
    assert np.mean([len(set(a) & set(b)) for a, b in zip(found, rows)]) > k - 0.05   # ties may swap the last
    np.testing.assert_allclose(scores, cosines, atol=1e-5)
    ann, ann_scores = collection.neighbour_table(k)
    recall = np.mean([len(set(a) & set(b)) / k for a, b in zip(ann, rows)])
    assert recall > 0.95 and (ann != np.arange(ROWS)[:, None]).all()   # never itself
    unit = np.asarray(collection.vectors, dtype=np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    np.testing.assert_allclose(ann_scores, np.einsum("ij,ikj->ik", unit, unit[ann]), atol=2e-3)   # exact cosines
    assert (np.diff(ann_scores, axis=1) <= 1e-6).all()    # most similar first
    assert collection.neighbours(17, k).indices.tolist() == ann[17].tolist()


def test_neighbour_tables_of_a_tiny_corpus_are_padded():
    tiny = open_dataset(core.Corpus(name="tiny", texts=["owl hoots", "owl sleeps", "crow caws"]),
                        encoder="tfidf", method="pca")
    found, scores = tiny.neighbour_table(4)
    assert found.shape == (3, 4) and (found[:, 2:] == -1).all() and (scores[:, 2:] == 0).all()
    assert set(found[0, :2]) == {1, 2}
