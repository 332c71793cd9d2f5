"""Collections: built chunk by chunk, opened memory-mapped, searched by an ANN index. Each test compares with
an independent reference: an in-memory embedding of the same texts, brute-force cosine search, the source file."""
import json
import shutil

import numpy as np
import pytest

from core import Corpus, embed, open_collection
from core.__main__ import main
from core.collections import CollectionError, build_collection
from core.collections.synthetic import synthetic_documents
from core.encoders.static import StaticMiniLMEncoder

ROWS, CHUNK = 2400, 500   # 5 chunks, the last one short


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source")
    frame = synthetic_documents(ROWS, seed=1)
    frame.loc[7, "text"] = ""   # an empty document keeps its row (a zero vector), as in core.embed
    frame.to_csv(folder / "docs.csv", index=False)
    return folder / "docs.csv", frame


@pytest.fixture(scope="module")
def built(source, tmp_path_factory):
    path, frame = source
    out = tmp_path_factory.mktemp("built") / "flits"
    build_collection(path, encoder="minilm-static", out=out, rows_per_chunk=CHUNK, projection="pca")
    return out, frame


def test_a_collection_holds_the_vectors_texts_and_labels_of_its_source(built):
    out, frame = built
    collection = open_collection(out)
    texts = frame["text"].fillna("").tolist()
    reference = embed(Corpus(name="ref", texts=texts), "minilm-static").vectors
    assert len(collection) == ROWS and isinstance(collection.vectors, np.memmap)
    np.testing.assert_allclose(collection.vectors, reference, atol=1e-6)
    assert [collection.text(i) for i in range(ROWS)] == texts
    assert collection.labels.tolist() == frame["label"].tolist()
    assert collection.coords.shape == (ROWS, 2) and np.isfinite(collection.coords).all()
    manifest = collection.manifest
    assert (manifest["rows"], manifest["dimensions"], manifest["encoder"]) == (ROWS, 256, "minilm-static")
    assert manifest["projection"]["method"] == "pca" and 0.5 < manifest["projection"]["trustworthiness"] <= 1
    assert collection.metadata([3, 1])["id"].tolist() == ["3", "1"]


def test_float16_vectors_are_stored_at_half_size_and_close(source, tmp_path):
    path, frame = source
    out = build_collection(path, encoder="minilm-static", out=tmp_path / "half", dtype="float16", projection="pca")
    collection = open_collection(out)
    reference = embed(Corpus(name="ref", texts=frame["text"].fillna("").tolist()), "minilm-static").vectors
    assert collection.vectors.dtype == np.float16
    np.testing.assert_allclose(collection.vectors.astype(np.float32), reference, atol=2e-3)


@pytest.mark.parametrize("path", ["index", "exact"])
def test_search_finds_the_exact_cosine_neighbours_of_queries_not_in_the_collection(built, path, monkeypatch):
    """Through the ANN index (as for a big collection), and exactly (a collection of 20,000 or fewer)."""
    from core.collections import collection as collection_module

    if path == "index":
        monkeypatch.setattr(collection_module, "EXACT_UP_TO", 0)
    out, frame = built
    collection = open_collection(out)
    queries = synthetic_documents(300, seed=777)
    queries = queries[~queries.text.isin(set(frame.text))].head(100)
    Q = collection.encode(queries.text.tolist()).astype(np.float64)
    X = np.asarray(collection.vectors, dtype=np.float64)
    Xn = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    hits = 0
    for q in Q:
        exact = Xn @ (q / np.linalg.norm(q))
        truth = np.argsort(-exact, kind="stable")[:10]
        found = collection.search(q, 10)
        hits += len(set(truth.tolist()) & set(found.indices.tolist()))
        np.testing.assert_allclose(found.scores, exact[found.indices], atol=1e-5)   # scores are true cosines
        assert (np.diff(found.scores) <= 1e-7).all()
    assert hits / (10 * len(Q)) >= (0.95 if path == "index" else 1.0)


@pytest.mark.parametrize("exact_up_to", [0, 20_000])
def test_searching_from_a_document_leaves_it_out(built, exact_up_to, monkeypatch):
    from core.collections import collection as collection_module

    monkeypatch.setattr(collection_module, "EXACT_UP_TO", exact_up_to)
    collection = open_collection(built[0])
    found = collection.search(42, 5)
    assert 42 not in found.indices.tolist() and len(found.indices) == 5


def interrupt_after_two_chunks(monkeypatch):
    """The encoder stops the build (as Ctrl-C does) when asked for a third chunk; returns the real one."""
    real = StaticMiniLMEncoder._transform
    calls = []

    def interrupted_after_two(self, texts, progress=None):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(len(texts))
        return real(self, texts, progress)

    monkeypatch.setattr(StaticMiniLMEncoder, "_transform", interrupted_after_two)
    return real


def test_an_interrupted_build_resumes_from_the_chunks_already_embedded(source, tmp_path, monkeypatch):
    path, _ = source
    real = interrupt_after_two_chunks(monkeypatch)
    out = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        build_collection(path, encoder="minilm-static", out=out, rows_per_chunk=CHUNK, projection="pca")
    assert not out.exists()   # nothing half-written carries the collection's name

    def counted(self, texts, progress=None):
        calls.append(len(texts))
        return real(self, texts, progress)

    calls = []
    monkeypatch.setattr(StaticMiniLMEncoder, "_transform", counted)
    build_collection(path, encoder="minilm-static", out=out, rows_per_chunk=CHUNK, projection="pca")
    assert calls == [CHUNK, CHUNK, ROWS - 4 * CHUNK]   # chunks 3, 4 and the short 5th only
    calls.clear()
    whole = build_collection(path, encoder="minilm-static", out=tmp_path / "whole", rows_per_chunk=CHUNK,
                             projection="pca")
    resumed, uninterrupted = open_collection(out), open_collection(whole)
    np.testing.assert_array_equal(resumed.vectors, uninterrupted.vectors)
    np.testing.assert_array_equal(resumed.coords, uninterrupted.coords)
    assert [resumed.text(i) for i in range(ROWS)] == [uninterrupted.text(i) for i in range(ROWS)]


def _edit_manifest(folder, **changes):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


DAMAGE = {
    "no manifest": (lambda f: (f / "manifest.json").unlink(), "no manifest.json"),
    "vectors removed": (lambda f: (f / "vectors.npy").unlink(), "missing vectors.npy"),
    "index truncated": (lambda f: _truncate(f / "index.usearch"), "index.usearch"),
    "documents truncated": (lambda f: _truncate(f / "documents.parquet"), "documents.parquet"),
    "rows edited": (lambda f: _edit_manifest(f, rows=10), "manifest says (10, 256)"),
    "manifest not json": (lambda f: (f / "manifest.json").write_text("{rows: 3"), "not valid JSON"),
    "key removed": (lambda f: _drop_key(f, "dimensions"), "lacks dimensions"),
    "other format version": (lambda f: _edit_manifest(f, format_version=99), "format version 99"),
    "other encoder revision": (lambda f: _edit_manifest(f, model_revision="minilm-static 000000000000"),
                               "revision 'minilm-static 000000000000'"),
}


def _drop_key(folder, key):
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest[key]
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_foreign_collection_is_refused_with_what_is_wrong(built, tmp_path, damage):
    folder = tmp_path / "copy"
    shutil.copytree(built[0], folder)
    harm, message = DAMAGE[damage]
    harm(folder)
    with pytest.raises(CollectionError, match=_literal(message)):
        open_collection(folder)


def _literal(text):
    import re
    return re.escape(text)


def test_a_missing_column_is_named_with_the_columns_the_source_has(source, tmp_path):
    with pytest.raises(CollectionError, match=r"docs.csv has no column 'body' for the text\. "
                                              r"Its columns are: id, text, label\."):
        build_collection(source[0], encoder="minilm-static", out=tmp_path / "x", text_column="body")


def test_a_folder_of_mixed_formats_is_read_file_by_file(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    docs = synthetic_documents(300, seed=3)
    docs.iloc[:100].to_csv(folder / "a.csv", index=False)
    docs.iloc[100:200].to_parquet(folder / "b.parquet", index=False)
    docs.iloc[200:].to_json(folder / "c.jsonl", orient="records", lines=True)
    (folder / "notes.md").write_text("not documents")
    out = build_collection(folder, encoder="minilm-static", out=tmp_path / "out", projection="pca")
    collection = open_collection(out)
    assert [collection.text(i) for i in range(300)] == docs.text.tolist()
    assert collection.labels.tolist() == docs.label.tolist()
    docs.iloc[:50][["id", "label"]].to_csv(folder / "d.csv", index=False)
    with pytest.raises(CollectionError, match=r"d\.csv has no column 'text'.*Its columns are: id, label"):
        build_collection(folder, encoder="minilm-static", out=tmp_path / "out2", projection="pca")


def test_the_build_command_exit_codes_and_messages(source, tmp_path, capsys):
    path, _ = source
    out = tmp_path / "cli"
    assert main(["build", str(path), "--encoder", "minilm-static", "--out", str(out), "--projection", "pca",
                 "--batch-size", "1000"]) == 0
    assert f"built {out}: {ROWS:,} documents" in capsys.readouterr().out
    assert len(open_collection(out)) == ROWS
    refusals = {
        "--out exists": (["--out", str(out)], "already exists"),
        "missing column": (["--out", str(tmp_path / "a"), "--text-column", "body"], "Its columns are: id, text, label"),
        "corpus-fitted encoder": (["--out", str(tmp_path / "b"), "--encoder", "tfidf"], "fitted on the whole corpus"),
        "ray option, local engine": (["--out", str(tmp_path / "c"), "--workers", "2"], "add --engine ray"),
        "no source": (["--out", str(tmp_path / "d"), "--source-is-missing"], None),
    }
    for name, (extra, message) in refusals.items():
        if message is None:
            with pytest.raises(SystemExit) as exit_info:   # argparse's own usage error
                main(["build", str(path), "--encoder", "minilm-static", *extra])
            assert exit_info.value.code == 2
            continue
        argv = ["build", str(path), "--encoder", "minilm-static", "--projection", "pca", *extra]
        if "--encoder" in extra:
            argv = ["build", str(path), "--projection", "pca", *extra]
        assert main(argv) == 2, name
        assert message in capsys.readouterr().err, name
    assert main(["build", str(tmp_path / "nothing.csv"), "--encoder", "minilm-static", "--out",
                 str(tmp_path / "e")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_umap_places_the_documents_outside_its_sample_near_their_neighbours(source, tmp_path):
    """The map is fitted on a sample and the rest placed by transform: the placed documents must keep
    their neighbourhoods nearly as well as the fitted ones (measured: 0.73 vs 0.81 at this size), far better
    than a random placement (0.50)."""
    from sklearn.manifold import trustworthiness

    path, frame = source
    out = build_collection(path, encoder="minilm-static", out=tmp_path / "umap", projection="umap", map_sample=800)
    collection = open_collection(out)
    projection = collection.manifest["projection"]
    assert (projection["method"], projection["fitted_on"], projection["placed_by"]) == ("umap", 800, "transform")
    X = np.asarray(collection.vectors, dtype=np.float64)
    X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    sample = np.sort(np.random.default_rng(0).choice(ROWS, 800, replace=False))   # the build's seeded sample
    placed = np.setdiff1d(np.arange(ROWS), sample)[:800]
    coords = np.asarray(collection.coords, dtype=np.float64)
    fitted_trust = trustworthiness(X[sample], coords[sample], n_neighbors=10)
    placed_trust = trustworthiness(X[placed], coords[placed], n_neighbors=10)
    shuffled = trustworthiness(X[placed], np.random.default_rng(1).permutation(coords[placed]), n_neighbors=10)
    assert placed_trust > fitted_trust - 0.12 and placed_trust > shuffled + 0.15, (fitted_trust, placed_trust, shuffled)


def test_a_source_too_small_for_a_map_is_refused_and_leaves_nothing_behind(tmp_path):
    (tmp_path / "three.csv").write_text("text\none bird\ntwo birds\nthree birds\n")
    with pytest.raises(CollectionError, match="at least 10 documents to draw a map; this source has 3"):
        build_collection(tmp_path / "three.csv", encoder="minilm-static", out=tmp_path / "tiny", projection="pca")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["three.csv"]


def test_a_single_query_searches_wider_than_the_index_was_built_to_search_every_row():
    """A typed query or a click searches with QUERY_EFFORT, whatever the build's effort; the neighbour table keeps
    the build's (cheaper) one. On a deliberately sparse index, the build's effort misses neighbours of queries from
    elsewhere that the query effort finds (reference: exact cosine search)."""
    from core.collections.index import AnnIndex
    from core.neighbours.similarity import normalize_rows

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(20_000, 16)).astype(np.float32)
    index = AnnIndex.build(vectors, connectivity=8, expansion_add=16, expansion_search=8)
    queries = normalize_rows(rng.normal(size=(60, 16)).astype(np.float32))
    exact = np.argsort(-(queries @ normalize_rows(vectors).T), axis=1)[:, :10]

    def recall(found):
        return np.mean([len(np.intersect1d(f, e)) / 10 for f, e in zip(found, exact)])

    assert recall(index.search_many(queries, 10)) < 0.8                 # the build's effort (8)
    assert recall([index.search(q, 10) for q in queries]) >= 0.98       # the query effort
    assert recall(index.search_many(queries, 10)) < 0.8                 # and the table's is still the build's
