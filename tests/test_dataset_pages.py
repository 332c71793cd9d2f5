"""The pages on the one Dataset (issue 18 part 1): what used to work on only one kind of data now works on both.
References: an exact cosine search done here, and the collection's own files."""
import numpy as np
import pandas as pd

import core
from test_app import assert_clean, map_data, run_page, start, view_of
from test_collection_app import NAME, ROWS, birds, open_page, reference, shelf  # noqa: F401 (fixtures)

QUERY = "a heron fishing at dawn on the river"


def exact_top(vectors, query, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.argsort(-(unit @ (query / np.linalg.norm(query))), kind="stable")[:k]


def test_find_documents_like_rings_the_nearest_on_a_corpus_map_and_travels_in_the_link(flutter):
    """Before, only a collection's map could find documents like typed text."""
    at = run_page("app_pages/1_Map.py", corpus="flutter", encoder="minilm-static", method="pca")
    at.text_input(key="_w_like").input(QUERY).run()
    assert_clean(at)
    emb = core.embed(flutter, "minilm-static")
    expected = exact_top(emb.vectors.astype(np.float64), emb.encoder.transform([QUERY])[0].astype(np.float64), 50)
    assert sorted(map_data(at)["neighbours"]) == sorted(expected.tolist())   # ringed on the map
    assert at.dataframe[0].value["row"].tolist() == expected.tolist()        # listed under it, nearest first
    assert view_of(at).like == QUERY and at.query_params["like"] == QUERY


def test_a_collection_map_offers_clusters_and_text_highlight_it_did_not_before(birds):
    at = open_page("app_pages/1_Map.py")
    options = at.selectbox(key="_w_colour").options
    assert "clusters" in options and "neighbour preservation" not in options   # no preservation was stored
    assert not any(radio.label == "Projection" for radio in at.radio)          # a stored map is not recomputed
    at.selectbox(key="_w_colour").select("clusters").run()
    assert_clean(at)
    assert len(map_data(at)["clusters"]) == 8
    at.text_input(key="_w_search").input("heron").run()
    assert_clean(at)
    matching = int(birds["text"].fillna("").str.lower().str.contains("heron").sum())
    assert 0 < matching < ROWS and f"{matching} match the filter" in map_data(at)["note"]


def test_a_collection_selection_gets_its_heatmap_table_and_every_export(birds, monkeypatch):
    import ui.export_view

    monkeypatch.setattr(ui.export_view, "EXPORT_ALL_UP_TO", 100)   # the collection counts as too big to export whole
    at = open_page("app_pages/1_Map.py", selection="599,3,250")
    assert_clean(at)
    table = next(frame.value for frame in at.dataframe if "row" in frame.value.columns)
    assert table["row"].tolist() == [3, 250, 599]
    assert table["document"].tolist() == birds["text"][[3, 250, 599]].tolist()
    assert "Cosine similarity within the selection" in at.get("plotly_chart")[0].proto.spec
    documents = next(radio for radio in at.radio if radio.label == "Documents")
    assert documents.options == ["the selection (3)"]   # not every document, and nothing else
    assert len(at.get("download_button")) == 6   # the map as one HTML file, then the exports
    assert at.get("download_button")[0].proto.label.startswith("Download this map (HTML, 600 points")


def test_a_corpus_and_its_collection_show_one_header_line(birds):
    corpus = run_page("app_pages/home.py", corpus="flutter", encoder="tfidf", method="pca")
    assert_clean(corpus)
    assert corpus.caption[0].value.startswith("513 documents · 10 labels · median")
    collection = open_page("app_pages/home.py")
    assert collection.caption[0].value.startswith(f"{ROWS:,} documents · 10 labels · 256 dimensions")


def test_in_the_browser_the_documents_found_like_typed_text_are_ringed(flutter, server, page):
    """The map drew rings only around a clicked document; rings of documents found for typed text (a
    collection's, and now a corpus's) never showed in the browser."""
    from conftest import SHOTS
    from test_browser import no_error_text, wait_for_map

    page.goto(f"{server}/Map?corpus=flutter&encoder=minilm-static&like={QUERY.replace(' ', '%20')}")
    wait_for_map(page)
    page.wait_for_selector(".mm-neighbour", timeout=60_000)
    emb = core.embed(flutter, "minilm-static")
    expected = exact_top(emb.vectors.astype(np.float64), emb.encoder.transform([QUERY])[0].astype(np.float64), 50)
    ringed = {int(ring.get_attribute("data-index")) for ring in page.locator(".mm-neighbour").all()}
    assert ringed == set(expected.tolist()) and page.locator(".mm-focus").count() == 0
    no_error_text(page)
    page.locator("[data-testid=murmuration-map]").screenshot(path=str(SHOTS / "find_like.png"))


def test_a_new_find_like_query_replaces_the_clicked_document_and_a_small_corpus_rings_a_tenth(flutter):
    """Typed after a click, a query changed nothing on the map (the click's rings won); and on a small corpus 50
    rings were most of it."""
    at = run_page("app_pages/1_Map.py", corpus="flutter", encoder="minilm-static", method="pca", clicked=5)
    assert map_data(at)["highlight"] is not None
    at.text_input(key="_w_like").input(QUERY).run()
    assert_clean(at)
    assert map_data(at)["highlight"] is None and len(map_data(at)["neighbours"]) == 50
    assert view_of(at).clicked is None
    small = {"upload: small.csv": core.Corpus(name="small.csv", texts=flutter.texts[:60])}
    at = start("app_pages/1_Map.py", small, corpus="upload: small.csv", encoder="minilm-static", method="pca").run()
    at.text_input(key="_w_like").input(QUERY).run()
    assert_clean(at)
    assert len(map_data(at)["neighbours"]) == 10
