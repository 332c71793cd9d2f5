import io
import json
import zipfile

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

import core
from core.export import (coordinates_csv, embeddings_parquet, neighbours_csv, projector_tsv, projector_zip,
                         safe_cell)
from core.sources.vectors import import_vectors
from ui.plots import figure_html, map_figure

HOSTILE = core.Corpus(name="x", texts=["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tindent",
                                       "plain\twith tab\nand newline"], labels=["a", "b", "a", "b", "a", "=c"])
VECTORS = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)


def test_formula_cells_are_neutralised_in_every_csv():
    for data in (coordinates_csv(HOSTILE, VECTORS[:, :2]), neighbours_csv(HOSTILE, VECTORS, 2)):
        frame = pd.read_csv(io.BytesIO(data), keep_default_na=False)
        for column in frame.select_dtypes(include=[object, "str"]):
            assert not frame[column].astype(str).str.match(r"^[=+\-@\t\r]").any(), column
    assert safe_cell("=1") == "'=1" and safe_cell("fine") == "fine" and safe_cell(3) == 3


def test_parquet_round_trip_keeps_vectors_text_and_key():
    corpus = core.load_corpus("flutter")
    emb = core.embed(corpus, "lsa", {"n_components": 8})
    table = pq.read_table(io.BytesIO(embeddings_parquet(corpus, emb.vectors, emb.key)))
    frame = table.to_pandas()
    assert frame.text.tolist() == corpus.texts and frame.label.tolist() == corpus.labels
    np.testing.assert_array_equal(np.stack(frame.vector.to_numpy()), emb.vectors)
    assert json.loads(table.schema.metadata[b"murmuration_key"])["encoder"] == "lsa"


def test_projector_files_have_one_row_per_document():
    vectors_tsv, metadata_tsv = projector_tsv(HOSTILE, VECTORS)
    rows = vectors_tsv.decode().strip().split("\n")
    assert len(rows) == 6 and all(len(r.split("\t")) == 4 for r in rows)
    meta = metadata_tsv.decode().strip("\n").split("\n")
    assert meta[0] == "text\tlabel" and len(meta) == 7 and meta[6] == "plain\\twith tab\\nand newline\t=c"
    unlabelled = core.Corpus(name="y", texts=["one", "two"])
    assert projector_tsv(unlabelled, VECTORS[:2])[1] == b"one\ntwo\n"  # single column: no header


def test_neighbours_csv_lists_k_per_document_with_scores():
    vectors = np.random.default_rng(3).normal(size=(40, 8)).astype(np.float32)
    corpus = core.Corpus(name="n", texts=[f"document {i}" for i in range(40)])
    frame = pd.read_csv(io.BytesIO(neighbours_csv(corpus, vectors, 5)))
    unit = vectors.astype(np.float64) / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)  # a document is not its own neighbour
    nearest = np.argsort(-similarity, axis=1)[:, :5]  # brute force: every pair, best first
    assert frame.row.tolist() == np.repeat(np.arange(40), 5).tolist()
    assert frame["rank"].tolist() == [1, 2, 3, 4, 5] * 40
    assert frame.neighbour.to_numpy().reshape(40, 5).tolist() == nearest.tolist()
    np.testing.assert_allclose(frame.cosine.to_numpy().reshape(40, 5), np.take_along_axis(similarity, nearest, 1),
                               atol=1e-6)
    assert frame["neighbour text"].tolist() == [corpus.texts[j] for j in nearest.ravel()]


# The HTML figure is a picture, not a data format: nothing imports it back.
def test_figure_html_is_standalone():
    html = figure_html(map_figure(VECTORS[:, :2], HOSTILE.texts, labels=HOSTILE.labels)).decode()
    assert "<html>" in html and "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js inlined
    assert '<script src="http' not in html


# Round trips: every data format the Map page exports comes back in through our own importers.
TRICKY_TEXTS = ["Owls hunt\tat night, silently", 'She said "hello" and left', "line one\nline two",
                "=SUM(A1) is a formula", "-2 degrees; cold", "back\\slash and \\n literal", "plain words",
                "naïve café ☕", "Gulls steal chips", "Terns dive;fast,far"]
TRICKY_LABELS = ["owl", "talk", "owl", "+sum", "talk", "code", "owl", "talk", "gull", "gull"]


def tricky_corpus() -> core.Corpus:
    """A corpus loaded the way users load theirs: from a CSV, with metadata."""
    frame = pd.DataFrame({"id": [f"p{i}" for i in range(10)], "text": TRICKY_TEXTS, "label": TRICKY_LABELS,
                          "note": ["", "x", "y;z", "1,5", "q", "", "w", "e", "r", "t"]})
    return core.load_corpus(("tricky.csv", frame.to_csv(index=False).encode()))


def tricky_vectors() -> np.ndarray:
    return (np.random.default_rng(5).normal(size=(10, 7)) * np.logspace(-4, 3, 7)).astype(np.float32)


def test_tricky_corpus_is_what_it_says():
    corpus = tricky_corpus()
    assert corpus.texts == TRICKY_TEXTS and corpus.labels == TRICKY_LABELS
    assert list(corpus.metadata.columns) == ["id", "label", "note"]


def test_parquet_export_imports_again_with_vectors_texts_labels_and_metadata():
    for corpus in (tricky_corpus(), core.load_corpus("flutter")):
        vectors = np.random.default_rng(0).normal(size=(len(corpus), 6)).astype(np.float32)
        key = {"encoder": "lsa"}
        back, back_vectors = import_vectors({"c.parquet": embeddings_parquet(corpus, vectors, key)})
        np.testing.assert_array_equal(back_vectors, vectors)
        assert back.texts == corpus.texts and back.labels == corpus.labels
        pd.testing.assert_frame_equal(back.metadata, corpus.metadata)


def assert_projector_round_trip(corpus, vectors, back, back_vectors):
    assert back.texts == corpus.texts and back.labels == corpus.labels
    np.testing.assert_allclose(back_vectors, vectors, rtol=6e-6, atol=0)  # 6 significant digits


def test_projector_zip_export_imports_again():
    corpus, vectors = tricky_corpus(), tricky_vectors()
    back, back_vectors = import_vectors({"tricky-lsa-projector.zip": projector_zip(corpus, vectors)})
    assert_projector_round_trip(corpus, vectors, back, back_vectors)
    with zipfile.ZipFile(io.BytesIO(projector_zip(corpus, vectors))) as archive:
        assert sorted(archive.namelist()) == ["metadata.tsv", "vectors.tsv"]


def test_projector_tsv_pair_imports_again_with_tabs_newlines_and_quotes():
    corpus, vectors = tricky_corpus(), tricky_vectors()
    vectors_tsv, metadata_tsv = projector_tsv(corpus, vectors)
    back, back_vectors = import_vectors({"vectors.tsv": vectors_tsv, "metadata.tsv": metadata_tsv})
    assert_projector_round_trip(corpus, vectors, back, back_vectors)
    unlabelled = core.Corpus(name="u", texts=TRICKY_TEXTS)
    vectors_tsv, metadata_tsv = projector_tsv(unlabelled, vectors)
    back, back_vectors = import_vectors({"vectors.tsv": vectors_tsv, "metadata.tsv": metadata_tsv})
    assert_projector_round_trip(unlabelled, vectors, back, back_vectors)


def test_map_coordinates_csv_uploads_again_as_a_corpus():
    corpus, coords = tricky_corpus(), tricky_vectors()[:, :2]
    back = core.load_corpus(("tricky-lsa-map.csv", coordinates_csv(corpus, coords)))
    # The only difference: cells that start like a formula keep the apostrophe that guards them.
    assert back.texts == [safe_cell(text) for text in corpus.texts]
    assert back.labels == [safe_cell(label) for label in corpus.labels]
    assert back.texts[3] == "'=SUM(A1) is a formula" and back.labels[3] == "'+sum"
    np.testing.assert_array_equal(back.metadata[["x", "y"]].astype(np.float32).to_numpy(), coords)


def test_a_subsets_exports_number_documents_as_in_the_whole_corpus():
    vectors = np.random.default_rng(4).normal(size=(30, 6)).astype(np.float32)
    corpus = core.Corpus(name="n", texts=[f"document {i}" for i in range(30)], labels=["a", "b", "c"] * 10)
    rows = np.array([27, 3, 11, 19, 8])
    subset = corpus.subset(rows)
    assert subset.texts == [f"document {i}" for i in rows] and subset.labels == [corpus.labels[i] for i in rows]
    pairs = pd.read_csv(io.BytesIO(neighbours_csv(subset, vectors[rows], 2, rows)))
    assert set(pairs.row) == set(rows) and set(pairs.neighbour) <= set(rows)
    assert all(text == f"document {row}" for row, text in zip(pairs.row, pairs.text))
    assert all(text == f"document {row}" for row, text in zip(pairs.neighbour, pairs["neighbour text"]))
    coords = pd.read_csv(io.BytesIO(coordinates_csv(subset, np.zeros((5, 2)), rows)))
    assert coords.row.tolist() == rows.tolist() and coords.text.tolist() == subset.texts


def test_neighbours_csv_uploads_again_as_a_corpus():
    corpus, vectors = tricky_corpus(), tricky_vectors()
    frame = pd.read_csv(io.BytesIO(neighbours_csv(corpus, vectors, 3)))
    back = core.load_corpus(("tricky-lsa-neighbours.csv", neighbours_csv(corpus, vectors, 3)))
    assert back.texts == [safe_cell(corpus.texts[i]) for i in frame.row]
    assert back.labels == [safe_cell(corpus.labels[i]) for i in frame.row]
    assert back.metadata["neighbour label"].tolist() == [safe_cell(corpus.labels[j]) for j in frame.neighbour]
