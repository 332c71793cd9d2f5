"""The Streamlit pages, run server-side with AppTest."""
import json
import re
from urllib.parse import parse_qsl

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import core
from core.encoders import ENCODERS
from conftest import shown
from core.view import ViewState
from murmuration_map import NAME as MAP_COMPONENT

PAGES = ["app.py", "app_pages/home.py", "app_pages/1_Map.py", "app_pages/2_Neighbors.py", "app_pages/3_Similarity.py",
         "app_pages/4_Compare.py", "app_pages/5_Concept_axes.py", "app_pages/6_Drift.py", "app_pages/7_Quality.py",
         "app_pages/8_Encoding_features.py",
         "app_pages/9_Words.py", "app_pages/10_Context.py", "app_pages/11_Encoders.py", "app_pages/12_Recommend.py"]
TIMEOUT = 180


def run_page(page, **view):
    """Run a page with a view state made of `view`'s fields (corpus, encoder, method, ...)."""
    at = AppTest.from_file(f"../{page}", default_timeout=TIMEOUT)
    at.session_state["view"] = ViewState(**view)
    return at.run()


def start(page, uploads=None, **view):
    """An AppTest for a page with a view state and this session's uploads, not yet run."""
    at = AppTest.from_file(f"../{page}", default_timeout=TIMEOUT)
    at.session_state["view"] = ViewState(**view)
    if uploads:
        at.session_state["uploads"] = uploads
    return at


def view_of(at) -> ViewState:
    return at.session_state["view"]


def map_data(at) -> dict:
    """What the page sent to the WebGL map component (its JSON part: legend, rings, labels, note, keys)."""
    maps = [element for element in at.get("bidi_component") if element.proto.component_name == MAP_COMPONENT]
    assert maps, "no map on the page"
    proto = maps[0].proto   # plain JSON when no Arrow part travels (the browser holds them all)
    return json.loads(proto.json if proto.WhichOneof("data") == "json" else proto.mixed.json)


def legend_names(at) -> list[str]:
    return [item["name"] for item in map_data(at)["legend"]["items"]]


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# The pages whose content changes with the encoder (home draws the same map as Map); the others are run once
# per corpus.
ENCODER_CORPORA = ["flutter", "words"]
ENCODER_PAGES = ["app_pages/1_Map.py", "app_pages/2_Neighbors.py", "app_pages/3_Similarity.py", "app_pages/5_Concept_axes.py"]


def assert_page_shows_its_content(at, page):
    assert_clean(at)
    if page == "app_pages/2_Neighbors.py":
        assert at.dataframe and len(at.dataframe[0].value) == 10 and at.metric
    elif page == "app_pages/12_Recommend.py":
        assert len(at.dataframe[1].value) == 10  # the feed
    elif page == "app_pages/5_Concept_axes.py" and not at.get("plotly_chart"):
        assert "cannot embed" in at.warning[0].value  # e.g. 'winter' is outside a small vocabulary
    elif page == "app_pages/7_Quality.py":
        assert at.metric[0].label == "Documents" and (at.get("bidi_component") or at.info or at.success), page
    elif page in ("app.py", "app_pages/home.py", "app_pages/1_Map.py"):
        assert map_data(at)["points_key"], page
    else:
        assert at.get("plotly_chart"), page


@pytest.mark.parametrize("corpus", list(core.BUNDLED))
def test_every_page_renders_for_every_corpus(corpus):
    # The Encoders page embeds the corpus with all ten encoders (torch and an int8 export among them): it runs on
    # the corpora the encoder pages run on below, where those vectors are also checked page by page.
    for page in (p for p in PAGES if p != "app_pages/11_Encoders.py" or corpus in ENCODER_CORPORA):
        assert_page_shows_its_content(run_page(page, corpus=corpus, encoder="minilm-static"), page)


# Every encoder on the default corpus and on the one that trips encoders up (one word per document: tiny
# vocabularies for LDA and Word2Vec, no context for MiniLM); the other corpora run every page above.
@pytest.mark.parametrize("encoder", list(ENCODERS))
@pytest.mark.parametrize("corpus", ENCODER_CORPORA)
def test_encoder_pages_render_for_every_encoder(corpus, encoder):
    for page in ENCODER_PAGES:  # PCA maps: UMAP's own cost is covered by the tests of the default view
        assert_page_shows_its_content(run_page(page, corpus=corpus, encoder=encoder, method="pca"), page)


def test_choose_corpus_and_encoder_then_open_the_map():
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    assert at.sidebar.selectbox(key="_w_corpus").value == "flutter"
    at.sidebar.selectbox(key="_w_corpus").select("words").run()
    at.sidebar.selectbox(key="_w_encoder").select("glove").run()
    assert_clean(at)
    at.switch_page("app_pages/1_Map.py").run()
    assert_clean(at)
    assert view_of(at).corpus == "words" and view_of(at).encoder == "glove"
    assert at.sidebar.selectbox(key="_w_corpus").value == "words"
    assert "emotions" in legend_names(at)


def test_display_options_recompute_nothing(monkeypatch):
    at = run_page("app_pages/1_Map.py", corpus="flutter", encoder="lsa")
    calls = []
    for module, name in ((core, "embed"), (core.pipeline, "project")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    at.selectbox(key="_w_colour").select("likes").run()
    at.select_slider(key="_w_point_size").set_value(10).run()
    assert_clean(at)
    assert calls == [] and map_data(at)["legend"]["kind"] == "value" and map_data(at)["size"] == 10
    at.radio(key="_w_dims").set_value(3).run()
    assert calls == ["project"] and '"scatter3d"' in at.get("plotly_chart")[0].proto.spec


def test_markup_in_texts_and_labels_travels_as_text(monkeypatch):
    """The map sets every text as plain text in the browser (tested there); here: nothing arrives pre-escaped,
    which would show entities, and the plotly figures (3D, export) escape what plotly would render."""
    at = run_page("app.py", encoder="tfidf")
    data = (b"text,group\n<script>alert(1)</script> birds,<i>x</i>\n<b>bold</b> claim about birds,<i>x</i>\n"
            b"plain words here,plain\n")
    at.file_uploader[0].upload("evil.csv", data, "text/csv")
    at.run()
    at.selectbox(key="upload_label_column").select("group").run()
    at.button[0].click().run()
    assert_clean(at)
    assert "<i>x</i>" in legend_names(at) and "&lt;" not in json.dumps(map_data(at))
    at.switch_page("app_pages/1_Map.py").run()
    at.radio(key="_w_dims").set_value(3).run()
    spec = at.get("plotly_chart")[0].proto.spec
    assert "&lt;script&gt;" in spec and "<script>" not in spec
    assert '"name":"&lt;i&gt;x&lt;' in spec  # legend names are escaped too


def test_upload_becomes_this_sessions_corpus_and_bad_files_get_a_message():
    at = run_page("app.py", encoder="tfidf")
    at.file_uploader[0].upload("broken.jsonl", b'{"text": "fine"}\n{oops\n', "application/json").run()
    assert not at.exception and "Line 2" in shown(at.error[0].value)
    at.file_uploader[0].upload("posts.csv", b"text,topic\nbirds sing,a\nowls hunt,b\nrain falls,a\n", "text/csv")
    at.run()
    at.button[0].click().run()
    assert_clean(at)
    assert view_of(at).corpus == "upload: posts.csv"
    assert at.sidebar.selectbox(key="_w_corpus").value == "upload: posts.csv"
    assert map_data(at)["legend"]["items"]
    other_session = run_page("app.py", encoder="tfidf")
    assert "upload: posts.csv" not in other_session.sidebar.selectbox(key="_w_corpus").options


def test_neighbors_of_typed_text_and_of_unknown_words(flutter, flutter_minilm):
    typed = "Cling to your hopes, because without them life is a bird with a broken wing that can never take off."
    emb = flutter_minilm
    query = emb.encoder.transform([typed])[0].astype(np.float64)
    X = emb.vectors.astype(np.float64)
    cosines = (X / np.linalg.norm(X, axis=1, keepdims=True)) @ (query / np.linalg.norm(query))
    expected = np.argsort(-cosines, kind="stable")[:10]
    assert typed not in flutter.texts

    at = run_page("app_pages/2_Neighbors.py", corpus="flutter", encoder="minilm")
    at.radio[0].set_value("text").run()
    at.text_input[0].set_value(typed).run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert table.row.tolist() == expected.tolist()
    np.testing.assert_allclose(table.cosine, cosines[expected], atol=1e-5)
    assert table.document[0].startswith("Hold fast to dreams") and table.cosine[0] < 0.99  # the paraphrased line
    at = run_page("app_pages/2_Neighbors.py", corpus="flutter", encoder="glove")
    at.radio[0].set_value("text").run()
    at.text_input[0].set_value("zzqx vvkj").run()
    assert not at.exception and "knows none of these words" in at.warning[0].value


def test_similarity_page_shows_that_same_topic_flits_are_more_alike():
    at = run_page("app_pages/3_Similarity.py", corpus="flutter", encoder="minilm")
    assert_clean(at)
    same, different = (float(m.value) for m in at.metric[:2])
    assert same > different


def test_the_similarity_page_shows_the_maps_selection(flutter):
    selection = (3, 40, 41, 200, 377)
    at = run_page("app_pages/3_Similarity.py", corpus="flutter", encoder="tfidf", selection=selection)
    assert_clean(at)
    assert at.radio[0].value == "selection"
    ticks = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["x"]
    assert len(ticks) == len(selection)  # one row and column per selected document
    hover = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["text"]
    assert {flutter.texts[i][:30] for i in selection} == {row[0].split("<br>")[0][:30] for row in hover}


def test_the_similarity_page_draws_only_documents_that_pass_the_maps_filters(flutter):
    topic = flutter.labels[0]
    at = run_page("app_pages/3_Similarity.py", corpus="flutter", encoder="tfidf", filters={"label": [topic]})
    assert_clean(at)
    at.radio[0].set_value("random").run()
    passing = {text[:30] for text, label in zip(flutter.texts, flutter.labels) if label == topic}
    hover = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["text"]
    assert {row[0].split("<br>")[0][:30] for row in hover} <= passing and len(hover) > 10
    assert any(f"Among the {flutter.labels.count(topic)} documents that pass" in c.value for c in at.caption)


def test_the_map_export_offers_the_selection_and_the_filtered_documents():
    at = run_page("app_pages/1_Map.py", corpus="flutter", encoder="tfidf", method="pca", selection=(1, 2, 3),
                  filters={"label": ["dreams"]})
    assert_clean(at)
    options = next(radio for radio in at.radio if radio.label == "Documents").options
    assert options[1] == "the selection (3)" and options[2].startswith("those passing the filters (")


def test_words_page_unknown_words_and_word2vec():
    at = run_page("app_pages/9_Words.py")
    assert_clean(at)
    assert at.dataframe[1].value.answer[0] == "queen"
    at.text_input[0].set_value("zzqxv").run()
    assert not at.exception and "does not know 'zzqxv'" in shown(at.warning[0].value)
    at.radio(key="_w_words_vectors").set_value("word2vec").run()
    at.text_input[0].set_value("winter").run()
    assert_clean(at)
    assert len(at.dataframe[0].value) == 10 and at.info  # the bundled word list has words Flutter never uses


def test_context_page_missing_word_and_other_word():
    at = run_page("app_pages/10_Context.py")
    assert_clean(at)
    assert len(at.dataframe[0].value) == 7 and len(at.get("plotly_chart")) == 4
    at.text_input[0].set_value("bank").run()
    assert not at.exception and "None of the sentences" in shown(at.warning[0].value)
    at.text_area[0].set_value("I sat on the river bank.\nThe bank lent me money.\nNo such word.").run()
    assert_clean(at)
    assert len(at.dataframe[0].value) == 2 and "do not contain" in shown(at.info[0].value)


def test_features_page_scaling_and_own_table():
    at = run_page("app_pages/8_Encoding_features.py")
    assert_clean(at)
    assert "bird_geo=NZ" in at.dataframe[1].value.columns
    at.toggle[0].set_value(False).run()
    assert_clean(at)
    table = b"name,colour,size,weight\nann,red,1,100\nbob,blue,2,300\ncat,red,3,120\ndan,blue,9,310\n"
    at.file_uploader[0].upload("pets.csv", table, "text/csv").run()
    assert_clean(at)
    assert list(at.dataframe[1].value.columns) == ["colour=blue", "colour=red", "size", "weight"]


def test_recommend_page_rules_and_evaluation():
    at = run_page("app_pages/12_Recommend.py", encoder="minilm")
    assert_clean(at)
    at.multiselect[0].set_value(["weather", "migration"]).run()
    feed = at.dataframe[1].value
    assert not {"weather", "migration"} & set(feed.topic)
    evaluation = at.dataframe[2].value.set_index("encoder")
    assert evaluation.loc["MiniLM", "hit rate@10"] > evaluation.loc["random (baseline)", "hit rate@10"]


def test_map_honesty_colours_search_and_quality():
    at = run_page("app_pages/1_Map.py", corpus="flutter", encoder="minilm", method="pca")
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Trustworthiness") for label in labels) and "Variance shown" in labels
    assert len(at.get("download_button")) == 6   # the map as one HTML file, then the exports
    assert at.get("download_button")[0].proto.label.startswith("Download this map (HTML, 513 points")
    at.selectbox(key="_w_colour").select("neighbour preservation").run()
    assert_clean(at)
    assert map_data(at)["legend"]["kind"] == "value"
    at.selectbox(key="_w_colour").select("clusters").run()
    assert_clean(at)
    names = legend_names(at)
    assert all(re.match(r"\d+: \w+", name) for name in names)
    assert sorted(label["text"] for label in map_data(at)["clusters"]) == sorted(names)  # one on the map each
    at.text_input(key="_w_search").set_value("nest").run()
    assert_clean(at)
    matching = sum("nest" in text.lower() for text in core.load_corpus("flutter").texts)
    assert f"{matching} match the filter" in map_data(at)["note"]
    assert any("documents contain 'nest'" in shown(caption.value) for caption in at.caption)


def test_neighbours_on_the_map_versus_the_original_space(flutter):
    doc, k = 4, 10  # a document whose 2D TF-IDF map keeps some neighbours and loses others
    emb = core.embed(flutter, "tfidf")
    X = emb.vectors.astype(np.float64)
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    cosines = unit @ unit[doc]
    cosines[doc] = -np.inf
    original = np.argsort(-cosines, kind="stable")[:k]
    coords = core.project(emb.vectors, method="pca", n_components=2)  # the map the Map page draws
    distances = np.linalg.norm(coords - coords[doc], axis=1)
    distances[doc] = np.inf
    on_map = np.argsort(distances, kind="stable")[:k]
    shared = set(original.tolist()) & set(on_map.tolist())
    assert 0 < len(shared) < k

    at = run_page("app_pages/2_Neighbors.py", corpus="flutter", encoder="tfidf", doc=doc, method="pca")
    assert_clean(at)
    assert at.metric[0].value == f"{len(shared)} of {k}"
    table = at.dataframe[0].value
    assert table.row.tolist() == original.tolist()
    assert table["also on the map"].tolist() == ["✓" if i in shared else "✗ torn apart" for i in original]
    at.radio[1].set_value("map").run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert table.row.tolist() == on_map.tolist() and table["map distance"].is_monotonic_increasing
    assert table["also in the original space"].tolist() == ["✓" if i in shared else "✗ invented" for i in on_map]


def test_compare_page_linked_selection_and_self_overlap():
    at = run_page("app_pages/4_Compare.py", corpus="flutter", encoder="tfidf", selection=(3, 4, 5))
    assert_clean(at)
    assert float(at.metric[0].value) < 0.5  # TF-IDF and MiniLM neighbourhoods mostly differ
    maps = [c for c in at.get("plotly_chart") if '"scattergl"' in c.proto.spec]
    assert len(maps) == 2 and all('"highlighted"' in c.proto.spec for c in maps)
    at.selectbox(key="_w_compare_b").select("tfidf").run()
    assert_clean(at)
    assert at.metric[0].value == "1.000"


def test_concept_axes_with_an_encoder_that_cannot_embed_the_phrase():
    at = run_page("app_pages/5_Concept_axes.py", corpus="flutter", encoder="glove")
    assert_clean(at)
    at.text_input(key="_w_concept_x_from").set_value("zzqx").run()
    assert not at.exception and "cannot embed 'zzqx'" in shown(at.warning[0].value)
    at = run_page("app_pages/5_Concept_axes.py", corpus="flutter", encoder="minilm")
    at.radio(key="_w_concept_y").set_value("pair").run()
    assert_clean(at)
    assert "danger \\u2192 safety" in at.get("plotly_chart")[0].proto.spec  # JSON escapes the arrow


def test_a_large_upload_draws_every_point():
    rng = __import__("numpy").random.default_rng(0)
    words = core.load_corpus("words").texts
    texts = [" ".join(rng.choice(words, 6)) for _ in range(21_000)]
    big = core.Corpus(name="big.csv", texts=texts)
    at = start("app_pages/1_Map.py", {"upload: big.csv": big}, corpus="upload: big.csv", encoder="minilm-static",
              method="pca").run()   # a UMAP of 21,000 points would take 30 s and test nothing more here
    assert_clean(at)
    assert not at.info or "sample" not in at.info[0].value
    assert map_data(at)["left_out"] == 0 and "on a sample of 3,000" in " ".join(m.help or "" for m in at.metric)


def test_a_share_link_reproduces_the_view_and_never_names_an_upload():
    at = AppTest.from_file("../app_pages/1_Map.py", default_timeout=TIMEOUT)
    at.query_params.update({"corpus": "words", "encoder": "lsa", "params": '{"n_components":20}',
                            "method": "umap", "dims": "2", "colour": "label", "seed": "7", "evil": "<x>"})
    at.run()
    assert_clean(at)
    assert view_of(at).corpus == "words" and view_of(at).encoder == "lsa"
    assert view_of(at).encoder_params()["n_components"] == 20
    assert at.radio(key="_w_method").value == "umap" and at.number_input(key="_w_seed").value == 7
    link = at.code[0].value
    assert "corpus=words" in link and "seed=7" in link and "evil" not in link
    same = AppTest.from_file("../app_pages/1_Map.py", default_timeout=TIMEOUT)
    same.query_params.update(dict(parse_qsl(link.split("?", 1)[1])))
    same.run()
    assert map_data(at)["points_key"] == map_data(same)["points_key"]  # identical coordinates for the same seed

    private = {"upload: private.csv": core.Corpus(name="private.csv", texts=["a b", "c d"] * 8)}
    mine = start("app_pages/1_Map.py", private, corpus="upload: private.csv", encoder="tfidf").run()
    assert_clean(mine)
    assert "private" not in mine.code[0].value
    assert any("never carry uploaded data" in caption.value for caption in mine.caption)


def test_a_link_with_nonsense_is_ignored():
    at = AppTest.from_file("../app_pages/1_Map.py", default_timeout=TIMEOUT)
    at.query_params.update({"corpus": "../../etc/passwd", "encoder": "bert-huge", "dims": "9", "seed": "-1",
                            "colour": "no-such", "params": "{not json"})
    at.run()
    assert_clean(at)
    assert view_of(at).corpus == "flutter" and view_of(at).encoder == "minilm"
    assert len(at.info) >= 5  # one short notice per value that was ignored


def test_imported_vectors_replace_the_encoder_for_their_corpus():
    from core.export import projector_tsv

    corpus = core.load_corpus("flutter")
    vectors = core.embed(corpus, "lsa", {"n_components": 12}).vectors
    vectors_tsv, metadata_tsv = projector_tsv(corpus, vectors)
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    at.file_uploader(key="vectors_upload").upload("vectors.tsv", vectors_tsv, "text/tab-separated-values")
    at.file_uploader(key="vectors_upload").upload("metadata.tsv", metadata_tsv, "text/tab-separated-values")
    at.run()
    at.button[-1].click().run()
    assert_clean(at)
    assert view_of(at).corpus == "upload: imported vectors"
    assert "12 dimensions" in at.caption[0].value and "imported vectors" in at.subheader[0].value
    at.switch_page("app_pages/2_Neighbors.py").run()
    assert_clean(at)
    at.radio[0].set_value("text").run()
    assert not at.exception and "cannot be embedded" in at.warning[0].value
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, page


def test_bad_vector_import_is_a_message_and_the_session_goes_on():
    at = run_page("app.py", encoder="tfidf")
    at.file_uploader(key="vectors_upload").upload("vectors.tsv", b"1\t2\n3\tnan\n", "text/plain")
    at.file_uploader(key="vectors_upload").upload("metadata.tsv", b"a\nb\n", "text/plain")
    at.run()
    at.button[-1].click().run()
    assert not at.exception and "NaN or infinite" in at.error[0].value
    assert view_of(at).corpus == "flutter" and map_data(at)["points_key"]


def test_while_compare_computes_it_says_which_step_runs_and_what_is_still_to_come(monkeypatch):
    """The page is stopped while it looks for the documents that changed most, to read what it said then."""
    from ui import compare_view

    def interrupted(*args, **kwargs):
        raise RuntimeError("stopped while finding the documents that changed most")

    monkeypatch.setattr(compare_view, "most_changed", interrupted)
    at = run_page("app_pages/4_Compare.py", corpus="flutter", encoder="minilm-static")
    assert at.exception
    assert shown(at.get("progress")[0].proto.text) == (
        "Step 5 of 6: finding the documents that changed most… Still to come: the difference heatmap.")
    assert at.metric   # what was done is on the page


def test_compare_leaves_no_progress_line_once_everything_is_shown():
    at = run_page("app_pages/4_Compare.py", corpus="flutter", encoder="minilm-static")
    assert_clean(at)
    assert not at.get("progress") and len(at.get("plotly_chart")) == 3
