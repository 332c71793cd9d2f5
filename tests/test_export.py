import io
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

import core
from core.export import coordinates_csv, embeddings_parquet, figure_html, neighbours_csv, projector_tsv, safe_cell
from core.plots import map_figure

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
    assert meta[0] == "text\tlabel" and len(meta) == 7 and meta[6] == "plain with tab and newline\t=c"
    unlabelled = core.Corpus(name="y", texts=["one", "two"])
    assert projector_tsv(unlabelled, VECTORS[:2])[1] == b"one\ntwo\n"  # single column: no header


def test_neighbours_csv_lists_k_per_document_with_scores():
    frame = pd.read_csv(io.BytesIO(neighbours_csv(HOSTILE, VECTORS, 3)))
    assert len(frame) == 18 and (frame.groupby("row").cosine.apply(lambda s: s.is_monotonic_decreasing)).all()
    assert not (frame.row == frame.neighbour).any()


def test_figure_html_is_standalone():
    html = figure_html(map_figure(VECTORS[:, :2], HOSTILE.texts, labels=HOSTILE.labels)).decode()
    assert "<html>" in html and "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js inlined
    assert '<script src="http' not in html
