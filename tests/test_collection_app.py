"""Collections in the app: listed from MURMURATION_COLLECTIONS, drawn whole on the map, searched through their
index, and handed to the quadratic pages as a working set. References: the source file the collection was built
from, and an in-memory embedding of its texts searched by brute force."""
import shutil

import numpy as np
import pandas as pd
import pytest

import core
from conftest import CHROMIUM, SHOTS, app_serving, shown
from core.collections import build_collection, open_collection
from core.collections.synthetic import synthetic_documents
from test_app import assert_clean, map_data, start, view_of

ROWS = 600
NAME = "collection: birds"


@pytest.fixture(scope="module")
def shelf(tmp_path_factory):
    """A folder of collections: one built, one build unfinished, one folder that is no collection."""
    source = tmp_path_factory.mktemp("source") / "birds.csv"
    frame = synthetic_documents(ROWS, seed=4)
    frame["year"] = 1990 + frame["id"] % 30                                   # numbers: a range filter
    frame["site"] = np.array(["marsh", "coast", "wood"])[frame["id"] % 3]     # few values: categories
    frame.loc[[7, 8], "site"] = None                                          # empty cells are no category
    frame["ring"] = [f"R{i:05d}" for i in range(ROWS)]                        # every value different: no filter
    frame["weight"] = (frame["id"] % 50) / 10                                 # numbers with gaps: still a range
    frame.loc[[3, 4], "weight"] = np.nan
    frame.loc[5, "weight"] = np.inf
    frame.to_csv(source, index=False)
    folder = tmp_path_factory.mktemp("collections")
    build_collection(source, encoder="minilm-static", out=folder / "birds", rows_per_chunk=250, projection="pca")
    (folder / "half.building").mkdir()   # a build about to be renamed already has its manifest
    shutil.copy(folder / "birds" / "manifest.json", folder / "half.building")
    (folder / "notes").mkdir()
    return folder, frame


@pytest.fixture
def birds(shelf, monkeypatch):
    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(shelf[0]))
    return shelf[1]


@pytest.fixture(scope="module")
def reference(shelf):
    """The source's texts embedded in memory (not read from the collection), unit length."""
    texts = shelf[1]["text"].fillna("").tolist()
    vectors = core.embed(core.Corpus(name="reference", texts=texts), "minilm-static").vectors
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force(reference, query, k, leave_out=None):
    scores = reference @ (query / np.linalg.norm(query))
    if leave_out is not None:
        scores[leave_out] = -np.inf
    return np.argsort(-scores, kind="stable")[:k]


def open_page(page, **query):
    at = start(page)
    for name, value in {"corpus": NAME, **query}.items():
        at.query_params[name] = value
    return at.run()


def test_the_corpus_picker_lists_finished_collections_by_folder_name(birds):
    at = open_page("app_pages/home.py")
    assert_clean(at)
    picker = at.sidebar.selectbox[0]
    assert picker.label == "Corpus" and picker.value == NAME
    assert [o for o in picker.options if "collection" in o] == ["birds (collection)"]   # no half-built, no notes
    assert at.caption[0].value.startswith(f"{ROWS:,} documents · 10 labels · 256 dimensions")   # one header
    assert at.metric[0].label == "Trustworthiness (k=10)"   # measured when the collection was built


def test_the_map_draws_every_document_coloured_by_the_labels_of_the_source(birds):
    at = open_page("app_pages/1_Map.py")
    assert_clean(at)
    data = map_data(at)
    assert data["note"].startswith(f"{ROWS:,} points") and data["left_out"] == 0
    legend = {item["name"]: item["count"] for item in data["legend"]["items"]}
    assert legend == birds["label"].value_counts().to_dict()
    assert view_of(at).corpus == NAME   # the share link's corpus opened it


def test_neighbours_of_a_document_come_from_the_index_and_match_exact_search(birds, reference):
    at = open_page("app_pages/2_Neighbors.py", doc="7")
    assert_clean(at)
    table = at.dataframe[0].value
    assert table["row"].tolist() == brute_force(reference, reference[7], 10, leave_out=7).tolist()
    assert table["document"].tolist() == [birds["text"][i] for i in table["row"]]
    np.testing.assert_allclose(table["cosine"], reference[table["row"]] @ reference[7], atol=1e-5)


def test_a_documents_neighbours_in_a_collection_are_compared_with_its_map(birds, shelf):
    """The one Neighbors view (issue 18): for a collection too, which neighbours the stored map keeps, tears apart
    and invents, against distances computed here on the collection's own coordinates."""
    coords = np.load(shelf[0] / "birds" / "coords.npy").astype(np.float64)
    distances = np.linalg.norm(coords - coords[7], axis=1)
    distances[7] = np.inf
    on_map = np.argsort(distances, kind="stable")[:10]
    at = open_page("app_pages/2_Neighbors.py", doc="7")
    original = at.dataframe[0].value["row"].tolist()
    shared = set(original) & set(on_map.tolist())
    assert at.metric[0].value == f"{len(shared)} of 10"
    assert at.dataframe[0].value["also on the map"].tolist() == ["✓" if i in shared else "✗ torn apart" for i in original]
    at.radio[1].set_value("map").run()
    assert_clean(at)
    assert at.dataframe[0].value["row"].tolist() == on_map.tolist()
    assert any("ANN index" in caption.value for caption in at.caption)


def test_a_typed_query_is_encoded_with_the_collections_encoder(birds, reference):
    from core.encoders.static import StaticMiniLMEncoder

    at = open_page("app_pages/2_Neighbors.py")
    at.radio[0].set_value("text").run()
    at.text_input[0].input("a heron fishing at dawn on the river").run()
    assert_clean(at)
    query = StaticMiniLMEncoder().fit(["fit"]).transform(["a heron fishing at dawn on the river"])[0]
    assert at.dataframe[0].value["row"].tolist()[:10] == brute_force(reference, query, 10).tolist()


def test_quadratic_pages_work_on_the_selection_and_say_so(birds):
    rows = [3, 250, 599, 41, 42]
    at = open_page("app_pages/3_Similarity.py", selection=",".join(map(str, rows)))
    assert_clean(at)
    assert "5 of the collection's 600 documents (your map selection)" in at.info[0].value
    heatmap = at.get("plotly_chart")[0].proto.spec
    assert all(birds["text"][row][:20] in heatmap for row in rows)


def test_documents_marked_on_compare_are_ringed_without_changing_what_it_works_on(birds):
    """Marks (Compare's own lasso) are kept once, in the view, as collection rows; unlike the map's selection they
    do not make the working set (before, they lived in a second store beside the view)."""
    at = start("app_pages/4_Compare.py", corpus=NAME, marked=(250, 3))
    at.run()
    assert_clean(at)
    assert "600 of the collection's 600 documents (all of them)" in at.info[0].value
    maps = [c.proto.spec for c in at.get("plotly_chart") if '"scattergl"' in c.proto.spec]
    assert len(maps) == 2 and all('"highlighted"' in spec for spec in maps)
    assert "2 documents ringed on both maps" in " ".join(caption.value for caption in at.caption)
    assert set(view_of(at).marked) == {3, 250} and view_of(at).selection == ()


def test_without_a_selection_they_work_on_a_seeded_sample(birds, monkeypatch):
    from ui import shelf

    monkeypatch.setattr(shelf, "SAMPLE", 200)
    at = open_page("app_pages/4_Compare.py")
    assert_clean(at)
    assert "200 of the collection's 600 documents (a random sample)" in at.info[0].value


def test_filters_are_offered_per_stored_column_and_keep_what_pandas_keeps(shelf):
    collection, frame = open_collection(shelf[0] / "birds"), shelf[1]
    offered = {column.name: column for column in collection.filterable}
    assert set(offered) == {"label", "id", "year", "site", "weight"}   # not the text, not all-different text
    assert offered["year"].kind == "range" and offered["year"].bounds == (1990, 2019)   # stored as text, read as numbers
    assert offered["weight"].bounds == (0.0, 4.9)                   # empty and infinite cells are left out
    assert offered["site"].options == ("marsh", "coast", "wood")    # most common first; no empty category
    filters = {"site": ["coast", "wood"], "year": [1995, 2004], "label": ["song", "dreams", "travel"],
               "weight": [0.5, 4.9]}
    expected = (frame["site"].isin(filters["site"]) & frame["year"].between(1995, 2004)
                & frame["label"].isin(filters["label"]) & frame["weight"].between(0.5, 4.9))
    assert np.array_equal(collection.filter_mask(filters), expected.to_numpy())
    assert collection.filter_mask({"missing column": ["x"]}).all()


def test_a_filter_on_the_map_fades_the_rest_and_the_other_pages_work_on_what_passes(birds):
    at = open_page("app_pages/1_Map.py")
    at.multiselect(key="_w_filter_site").set_value(["wood"]).run()
    at.slider(key="_w_filter_year").set_value((2000, 2009)).run()
    assert_clean(at)
    passing = birds.index[(birds["site"] == "wood") & birds["year"].between(2000, 2009)]
    assert view_of(at).filters == {"site": ["wood"], "year": [2000, 2009]}
    assert f"{len(passing):,} match the filter" in map_data(at)["note"]
    assert any(f"{len(passing):,} of {ROWS:,} documents pass" in caption.value for caption in at.caption)
    similarity = start("app_pages/3_Similarity.py")
    similarity.session_state["view"] = view_of(at)   # the same session's view, on another page
    similarity.run()
    assert_clean(similarity)
    assert f"{len(passing):,} of the collection's {ROWS:,} documents (the documents that pass your filters)" \
        in similarity.info[0].value
    heatmap = similarity.get("plotly_chart")[0].proto.spec
    assert all(birds["text"][row][:20] in heatmap for row in passing[:5])


def test_the_map_colours_by_any_stored_column_and_the_legend_follows(birds):
    at = open_page("app_pages/1_Map.py")
    at.selectbox(key="_w_colour").select("site").run()
    assert_clean(at)
    legend = {item["name"]: item["count"] for item in map_data(at)["legend"]["items"]}
    assert legend == {**birds["site"].value_counts().to_dict(), "(empty)": 2}
    at.selectbox(key="_w_colour").select("year").run()
    assert_clean(at)
    assert map_data(at)["legend"]["kind"] == "value" and view_of(at).colour == "year"


def test_filters_that_keep_fewer_than_two_documents_are_ignored_there_and_the_page_says_so(birds):
    at = start("app_pages/4_Compare.py", corpus=NAME, filters={"year": [1990, 1990], "weight": [0.1, 0.1]})
    at.run()
    assert_clean(at)
    kept = int(((birds["year"] == 1990) & (birds["weight"] == 0.1)).sum())
    assert kept < 2 and f"your filters keep {kept}, too few here, so they are ignored" in at.info[0].value


def test_a_link_with_filters_opens_the_collection_filtered(birds):
    at = open_page("app_pages/1_Map.py", filters='{"site": ["marsh"], "colour of the sky": ["blue"]}')
    assert_clean(at)
    assert view_of(at).filters == {"site": ["marsh"]}                # a column the collection lacks is dropped
    assert any("Filters on columns" in info.value for info in at.info)
    assert f"{int((birds['site'] == 'marsh').sum()):,} match the filter" in map_data(at)["note"]


def test_the_address_bar_carries_the_collection_for_a_share_link(birds):
    at = open_page("app_pages/1_Map.py", selection="4,9")
    assert_clean(at)
    assert at.query_params["corpus"] == NAME and at.query_params["selection"] == "4,9"
    assert "encoder" not in at.query_params   # the collection's encoder is its own


def test_rows_beyond_the_end_in_a_link_are_dropped_with_a_notice(birds):
    at = open_page("app_pages/3_Similarity.py", selection="1,2,5000", doc="9999")
    assert_clean(at)
    assert view_of(at).selection == (1, 2) and view_of(at).doc == 0
    assert any("do not exist" in info.value for info in at.info)


def test_picking_another_corpus_drops_the_selection_made_in_the_last_one(birds):
    at = start("app_pages/3_Similarity.py", corpus="flutter", encoder="tfidf", selection=(0, 1),
               filters={"label": ["dreams"]}).run()
    at.sidebar.selectbox[0].set_value(NAME).run()
    assert_clean(at)
    assert view_of(at).corpus == NAME and view_of(at).selection == () and view_of(at).filters == {}
    assert "600 of the collection's 600 documents (all of them)" in at.info[0].value


def test_a_damaged_collection_is_refused_with_a_reason_and_the_app_goes_on(shelf, tmp_path, monkeypatch):
    damaged = tmp_path / "damaged"
    shutil.copytree(shelf[0] / "birds", damaged)
    with open(damaged / "vectors.npy", "r+b") as stream:
        stream.truncate(1000)
    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(tmp_path))
    at = start("app_pages/1_Map.py")
    at.query_params["corpus"] = "collection: damaged"
    at.run()
    assert not at.exception
    assert "truncated or changed since it was built: vectors.npy" in shown(at.error[0].value)
    assert view_of(at).corpus == "flutter" and map_data(at)["points_key"]


def test_the_selection_export_holds_the_rows_texts_and_map_positions(shelf, birds):
    """What the Map page's export writes for a selection: the dataset's subset, numbered as in the collection."""
    from core.export import coordinates_csv

    collection = open_collection(shelf[0] / "birds")
    rows = np.array([599, 3, 250])
    part = core.open_dataset(shelf[0] / "birds").subset(rows)
    exported = pd.read_csv(pd.io.common.BytesIO(coordinates_csv(part.corpus, part.coords, part.source_rows)))
    assert exported["row"].tolist() == rows.tolist()
    assert exported["text"].tolist() == birds["text"][rows].tolist()
    assert exported["label"].tolist() == birds["label"][rows].tolist()
    np.testing.assert_allclose(exported[["x", "y"]], np.asarray(collection.coords)[rows], rtol=1e-6)


def test_a_working_set_holds_the_rows_vectors_and_metadata_in_the_order_asked(shelf, reference):
    collection = open_collection(shelf[0] / "birds")
    rows = np.array([510, 2, 260, 3, 499])   # three row groups, out of order
    corpus = collection.corpus(rows)
    frame = shelf[1]
    assert corpus.texts == frame["text"][rows].tolist() and corpus.labels == frame["label"][rows].tolist()
    assert corpus.metadata["id"].tolist() == [str(i) for i in frame["id"][rows]]
    vectors = collection.embeddings(corpus, rows).vectors
    np.testing.assert_allclose(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), reference[rows], atol=1e-5)
    assert collection.all_texts() == frame["text"].fillna("").tolist()   # the map's hover texts, read at once


@pytest.fixture(scope="module")
def collection_server(shelf, root):
    with app_serving(root, shelf[0]) as url:
        yield url


def test_in_the_browser_a_click_on_the_collection_map_lists_its_index_neighbours(collection_server, shelf,
                                                                                 reference):
    from playwright.sync_api import sync_playwright

    from testkit.live_server import ARGS
    from testkit.map_screen import click_point, isolated_point, screen_positions

    MAP = "[data-testid=murmuration-map]"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{collection_server}/Map?corpus=collection%3A+birds")
        page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=180_000)
        assert page.locator(MAP).get_attribute("data-points-drawn") == str(ROWS)
        page.locator(MAP).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        screen, _ = screen_positions(page, np.asarray(open_collection(shelf[0] / "birds").coords, dtype=np.float64))
        row = isolated_point(screen)
        click_point(page, screen[row])
        page.wait_for_selector(".mm-neighbour", timeout=60_000)
        page.wait_for_function(f"document.body.innerText.includes('Document #{row}')", timeout=60_000)
        ringed = {int(ring.get_attribute("data-index")) for ring in page.locator(".mm-neighbour").all()}
        collection = open_collection(shelf[0] / "birds")
        assert ringed == set(collection.search(row, 10).indices.tolist())   # what the index answers, all of it
        exact = set(brute_force(reference, reference[row], 10, leave_out=row).tolist())
        assert len(ringed & exact) >= 9   # HNSW is approximate: its build threads may miss one of ten
        assert "Traceback" not in page.inner_text("body")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "collection_map.png"))
        browser.close()
