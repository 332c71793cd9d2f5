"""The view state: one validated value that share links, widgets and the command line produce."""
import json
from html import unescape

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import core
from markdown_it import MarkdownIt

from core.view import LINK_MAX_SELECTION, ViewState, parse_view, to_query, view_from_link
from ui.text import plain

BUNDLED = ("flutter", "words", "anime-quotes")


@pytest.mark.parametrize("name,value", [("seed", "²"), ("doc", "²"), ("seed", "٣"), ("seed", "10000"),
                                        ("seed", "-1"), ("doc", "1e3"), ("dims", "9"), ("method", "tsne"),
                                        ("corpus", "../../etc/passwd"), ("encoder", "bert-huge"),
                                        ("params", "{not json"),
                                        ("selection", "1,²,3"), ("filters", '{"likes": "many"}')])
def test_a_bad_link_value_falls_back_to_the_default_with_a_notice(name, value):
    view, notices = parse_view({name: value}, corpora=BUNDLED)
    assert view == ViewState()
    assert len(notices) == 1 and notices[0].startswith(f"The link's {name} was ignored")


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("name,value", [
    ("filters", '{"likes": [NaN, 10]}'), ("filters", '{"likes": [1, Infinity]}'),
    ("filters", '{"likes": [-Infinity, 10]}'), ("filters", '{"likes": [1, 1e999]}'),
    ("filters", '{"likes": [1, -1e999]}'), ("filters", '{"likes": [10, 2]}'), ("filters", DEEP),
    ("filters", '{"likes": ' + DEEP + "}"), ("filters", "[" * 5000), ("params", DEEP),
    ("params", '{"max_features": ' + DEEP + "}"), ("filters", "[" * 100_000)])
def test_a_non_finite_number_or_deep_nesting_in_a_link_falls_back_with_a_notice(name, value):
    view, notices = parse_view({"encoder": "tfidf", name: value}, corpora=BUNDLED)
    assert view == ViewState(encoder="tfidf")
    assert len(notices) == 1 and notices[0].startswith(f"The link's {name} was ignored")


def test_nesting_is_counted_outside_strings():
    name = "[{" * 50 + '"\\' + "[" * 50   # a quote and a backslash inside, escaped in the JSON
    view, notices = parse_view({"filters": json.dumps({"label": [name]})}, corpora=BUNDLED)
    assert notices == [] and view.filters == {"label": [name]}
    deep = json.dumps({"label": [name]}).replace('["', "[" * 9 + '"').replace('"]', '"' + "]" * 9)
    view, notices = parse_view({"filters": deep}, corpora=BUNDLED)
    assert view.filters == {} and notices == ["The link's filters was ignored: it nests deeper than 8 levels."]


def test_a_change_to_a_non_finite_filter_is_ignored():
    view = ViewState(filters={"likes": [1, 5]})
    assert view.with_changes(filters={"likes": [float("nan"), 5]}).filters == {"likes": [1, 5]}
    assert view.with_changes(filters={"likes": [1, float("inf")]}).filters == {"likes": [1, 5]}


@pytest.mark.parametrize("value", ["NaN", "-Infinity", "1e999", "[" * 5000])
def test_the_command_line_refuses_a_non_finite_or_deep_parameter_with_a_sentence(value):
    from core.encoders import EncoderError, parse_params

    with pytest.raises(EncoderError, match="--param max_features was refused"):
        parse_params([f"max_features={value}"])
    assert parse_params(["max_features=500", "analyzer=word"]) == {"max_features": 500, "analyzer": "word"}


def test_good_link_values_are_typed_and_kept():
    query = {"corpus": "words", "encoder": "lsa", "params": '{"n_components": 20}', "method": "umap", "dims": "3",
             "seed": "42", "colour": "label", "search": "nest", "doc": "7", "selection": "9,3,3,5",
             "filters": '{"label": ["birds", "money"], "likes": [2, 10.5]}', "unknown": "x"}
    view, notices = parse_view(query, corpora=BUNDLED)
    assert notices == []
    assert view == ViewState(corpus="words", encoder="lsa", params={"n_components": 20}, method="umap", dims=3,
                             seed=42, colour="label", search="nest", doc=7, selection=(3, 5, 9),
                             filters={"label": ["birds", "money"], "likes": [2, 10.5]})
    assert view.encoder_params() == {"n_components": 20}


def test_a_link_round_trips_and_never_names_an_upload():
    view = ViewState(corpus="words", encoder="word2vec", params={"sg": 0}, method="umap", seed=3,
                     search="[x](http://example.org)", selection=(1, 2), filters={"label": ["a"]})
    query = to_query(view, shareable_corpora=BUNDLED)
    assert parse_view(query, corpora=BUNDLED) == (view, [])
    assert view_from_link("http://host/Map?" + "&".join(f"{k}={v}" for k, v in
                                                       {"corpus": "words", "seed": "3"}.items()),
                          corpora=BUNDLED)[0] == ViewState(corpus="words", seed=3)
    upload = ViewState(corpus="upload: private.csv", seed=5)
    assert "corpus" not in to_query(upload, shareable_corpora=BUNDLED)
    big = ViewState(selection=tuple(range(LINK_MAX_SELECTION + 1)))
    assert "selection" not in to_query(big, shareable_corpora=BUNDLED)


def test_marks_and_find_like_text_ride_in_the_link_and_are_fitted_like_the_selection():
    view = ViewState(selection=(1, 2), marked=(7, 3), like="a heron at dawn")
    assert parse_view(to_query(view, shareable_corpora=BUNDLED), corpora=BUNDLED) == (
        ViewState(selection=(1, 2), marked=(3, 7), like="a heron at dawn"), [])
    fitted, notices = ViewState(marked=(3, 900)).fit_to(513)
    assert fitted.marked == (3,) and notices == ["Some marked rows do not exist in this corpus and were left out."]
    assert ViewState().with_changes(marked=range(3000)).marked == tuple(range(3000))   # more than a link holds


def test_a_lasso_bigger_than_a_link_can_carry_is_kept_in_the_session():
    lasso = [5000 - row for row in range(5000)]
    assert ViewState().with_changes(selection=lasso).selection == tuple(range(1, 5001))


def test_parameters_are_checked_against_the_encoder_the_link_names():
    view, notices = parse_view({"encoder": "lsa", "params": '{"n_components": 500}'}, corpora=BUNDLED)
    assert view.encoder == "lsa" and view.params == {} and "from 2 to 300" in notices[0]
    view, _ = parse_view({"params": '{"n_components": 20}', "encoder": "lsa"}, corpora=BUNDLED)
    assert view.params == {"n_components": 20}  # the order of the query does not matter


def test_changes_are_validated_like_a_link():
    view = ViewState(seed=4)
    assert view.with_changes(seed=12).seed == 12
    assert view.with_changes(seed=123456).seed == 4
    assert view.with_changes(method="umap", dims=3) == ViewState(seed=4, method="umap", dims=3)
    assert ViewState(encoder="lsa", params={"n_components": 20}).with_changes(encoder="tfidf").params == {}


def test_fitting_to_a_corpus_drops_what_it_does_not_have():
    view = ViewState(doc=600, selection=(1, 700), colour="likes", filters={"likes": [1, 2], "gone": ["x"]})
    fitted, notices = view.fit_to(513, colour_options=["label", "nothing"], columns=["likes"])
    assert (fitted.doc, fitted.selection, fitted.colour, fitted.filters) == (0, (1,), "", {"likes": [1, 2]})
    assert len(notices) == 4
    assert ViewState(doc=5).fit_to(513) == (ViewState(doc=5), [])


@pytest.mark.parametrize("text", ["[x](http://example.org)", "**bold** _it_ `code`", "<b>tag</b> &quot; &amp;",
                                  ":red[alarm] $x^2$ # heading", "a\\b | c ~~d~~", "1. list", "- item"])
def test_plain_text_renders_as_itself_in_markdown(text):
    rendered = MarkdownIt("commonmark").enable("strikethrough").enable("table").renderInline(plain(text))
    assert unescape(rendered) == text and "<a " not in rendered and "<strong>" not in rendered and "<b>" not in rendered


def test_the_command_line_draws_the_map_a_link_shows(tmp_path, capsys):
    import pandas as pd

    from core.__main__ import main
    from core.pipeline import analyse

    link = "http://localhost:8501/Map?corpus=words&encoder=lsa&params=%7B%22n_components%22%3A20%7D&seed=²"
    assert main(["map", link, "--out", str(tmp_path / "map.csv")]) == 0
    written = pd.read_csv(tmp_path / "map.csv")
    expected = analyse(core.load_corpus("words"), "lsa", {"n_components": 20}, method=ViewState().method).map.coords
    assert np.allclose(written[["x", "y"]].to_numpy(), expected, atol=1e-6)
    assert written.text.tolist() == core.load_corpus("words").texts
    assert "seed was ignored" in capsys.readouterr().err


def test_the_map_opens_with_a_notice_from_a_link_with_non_finite_filters():
    from streamlit.testing.v1 import AppTest

    from test_app import TIMEOUT, assert_clean, map_data, view_of

    at = AppTest.from_file("../app_pages/1_Map.py", default_timeout=TIMEOUT)
    at.query_params.update({"corpus": "flutter", "encoder": "tfidf", "filters": '{"likes": [NaN, 1e999]}'})
    at.run()
    assert_clean(at)
    assert view_of(at).filters == {}
    assert any(info.value.startswith("The link's filters was ignored") for info in at.info)
    assert map_data(at)["note"]   # the map is drawn


@pytest.mark.parametrize("likes", ["[1.5, 2.5]", "[1, 1e300]", "[-1e300, 3]", '["a", "b"]'])
def test_the_map_draws_a_link_whose_range_does_not_fit_the_column(likes):
    """`likes` holds whole numbers: a link may still carry fractions or numbers far outside its bounds."""
    from streamlit.testing.v1 import AppTest

    from test_app import TIMEOUT, assert_clean, map_data

    at = AppTest.from_file("../app_pages/1_Map.py", default_timeout=TIMEOUT)
    at.query_params.update({"corpus": "flutter", "encoder": "tfidf", "filters": '{"likes": ' + likes + "}"})
    at.run()
    assert_clean(at)
    slider = at.slider(key="_w_filter_likes")
    low, high = slider.min, slider.max
    assert all(isinstance(v, int) and low <= v <= high for v in slider.value)
    assert map_data(at)["note"]   # the map is drawn


def test_the_clicked_document_rides_in_the_link_and_a_link_with_it_lists_its_neighbours():
    from streamlit.testing.v1 import AppTest

    from test_app import TIMEOUT, assert_clean, map_data, view_of

    at = AppTest.from_file("../app_pages/1_Map.py", default_timeout=TIMEOUT)
    at.query_params.update({"corpus": "flutter", "encoder": "tfidf", "clicked": "5"})
    at.run()
    assert_clean(at)
    assert any(md.value == "**Document #5**" for md in at.markdown)
    assert map_data(at)["highlight"] == 5 and len(map_data(at)["neighbours"]) == 10
    assert len(at.dataframe[0].value) == 10          # the neighbour list, beside the map

    at.session_state["map"] = {"clicked": 42}       # a click on the map, as the component reports it
    at.run()
    assert view_of(at).clicked == 42 and at.query_params["clicked"] in ("42", ["42"])
    assert any(md.value == "**Document #42**" for md in at.markdown)
    at.selectbox(key="_w_colour").select("neighbour preservation").run()   # another rerun keeps the click
    assert view_of(at).clicked == 42


def test_a_click_is_kept_in_the_view_and_dropped_when_out_of_range():
    view = ViewState(clicked=3)
    assert parse_view(to_query(view, shareable_corpora=BUNDLED), corpora=BUNDLED)[0].clicked == 3
    assert view.with_changes(clicked=None).clicked is None and view.with_changes(clicked=9).clicked == 9
    fitted, notices = ViewState(clicked=700).fit_to(513)
    assert fitted.clicked is None and notices == ["Document 700 does not exist in this corpus; no document is clicked."]


def test_a_link_reproduces_the_compare_and_words_pages():
    """Compare's encoders, settings, projection and k, and the Words page's vectors, projection, dimensions and
    words, are in the view, so a share link opens those pages as they were (before, they were widgets only)."""
    from test_app import assert_clean

    compare = AppTest.from_file("../app_pages/4_Compare.py", default_timeout=180)
    compare.query_params.update({"corpus": "words", "encoder": "tfidf", "compare_b": "lsa",
                                 "compare_params_b": '{"n_components":20}', "compare_k": "5"})
    compare.run()
    assert_clean(compare)
    assert compare.selectbox(key="_w_compare_a").value == "tfidf" and compare.selectbox(key="_w_compare_b").value == "lsa"
    assert compare.slider(key="_w_compare_k").value == 5 and "Jaccard@5" in compare.metric[0].label
    assert compare.number_input(key="_w_compare_b_lsa_n_components").value == 20
    words = AppTest.from_file("../app_pages/9_Words.py", default_timeout=180)
    words.query_params.update({"words": "eagle owl sparrow red blue", "words_dims": "3"})
    words.run()
    assert_clean(words)
    assert words.text_area(key="_w_words").value == "eagle owl sparrow red blue"
    spec = words.get("plotly_chart")[-1].proto.spec
    assert '"scatter3d"' in spec and "sparrow" in spec


def _page_from_link(page: str, **query) -> AppTest:
    from test_app import assert_clean

    at = AppTest.from_file(f"../app_pages/{page}", default_timeout=180)
    at.query_params.update(query)
    at.run()
    assert_clean(at)
    return at


def test_a_link_reproduces_the_concept_axes_and_similarity_pages():
    """The phrases of both concept axes and the Similarity page's choice of documents are in the view, so a share
    link opens those pages as they were (before, they were widgets only and a link showed the defaults)."""
    concept = _page_from_link("5_Concept_axes.py", encoder="minilm-static", concept_x_from="dawn",
                              concept_x_to="dusk", concept_y="pair", concept_y_from="rain", concept_y_to="sun")
    spec = concept.get("plotly_chart")[0].proto.spec
    assert "dawn \\u2192 dusk" in spec and "rain \\u2192 sun" in spec   # JSON escapes the arrow
    similarity = _page_from_link("3_Similarity.py", encoder="tfidf", similarity_rows="first", similarity_n="12")
    heat = json.loads(similarity.get("plotly_chart")[0].proto.spec)["data"][0]
    assert similarity.radio(key="_w_similarity_rows").value == "first" and heat["z"]["shape"] == "12, 12"


def test_a_link_reproduces_the_context_and_recommend_pages():
    context = _page_from_link("10_Context.py", context_sentences="The bank lent me money.\nWe sat on the river bank.",
                              context_word="bank", context_layer="2")
    assert len(context.dataframe[0].value) == 2 and context.slider(key="_w_context_layer").value == 2
    birds = sorted(core.sources.bundled.flutter_likes())
    recommend = _page_from_link("12_Recommend.py", encoder="minilm-static", recommend_bird=birds[3],
                                recommend_hidden='["weather"]', recommend_top_n="5", recommend_weight="0.3")
    feed = recommend.dataframe[1].value
    assert recommend.selectbox(key="_w_recommend_bird").value == birds[3] and f"Feed for {birds[3]}" in [
        header.value for header in recommend.subheader]
    assert len(feed) == 5 and "weather" not in set(feed.topic)
    assert recommend.slider(key="_w_recommend_weight").value == 0.3


def test_every_page_keeps_the_address_bar_in_step_and_offers_its_link():
    """Pages other than Map and Neighbors had no share link: their settings, now in the view, could not leave."""
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.run()
    at.switch_page("app_pages/12_Recommend.py").run()
    at.slider(key="_w_recommend_top_n").set_value(7).run()
    assert not at.exception and at.query_params["recommend_top_n"] in ("7", ["7"])
    shared = [block for block in at.expander if block.label == "Share this view"]
    assert len(shared) == 1 and "recommend_top_n=7" in shared[0].code[0].value


def test_a_link_reproduces_the_maps_clusters_and_size_and_the_neighbours_and_nearest_words_asked_for():
    from test_app import legend_names, map_data

    kmeans = _page_from_link("1_Map.py", encoder="tfidf", method="pca", colour="clusters", clusters="5")
    assert len(legend_names(kmeans)) == 5
    hdbscan = _page_from_link("1_Map.py", encoder="tfidf", method="pca", colour="clusters", cluster_method="hdbscan",
                              clusters="5", point_size="10")
    assert hdbscan.radio(key="_w_cluster_method").value == "hdbscan" and map_data(hdbscan)["size"] == 10
    assert legend_names(hdbscan) != legend_names(kmeans)
    typed = "a storm is coming over the hills"
    neighbours = _page_from_link("2_Neighbors.py", encoder="tfidf", neighbours_of="text", neighbours_text=typed,
                                 neighbours_k="4")
    assert neighbours.text_input(key="_w_neighbours_text").value == typed and len(neighbours.dataframe[0].value) == 4
    words = _page_from_link("9_Words.py", words_nearest="owl", words_k="5")
    from core.encoders.static import load_glove

    expected = [word for word, _ in load_glove().most_similar(positive=["owl"], topn=5)]   # gensim's own search
    assert words.dataframe[0].value.word.tolist() == expected
