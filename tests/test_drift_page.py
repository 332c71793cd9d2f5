"""The Drift page with the Flutter seasons example, run server-side with AppTest."""
import pytest
from streamlit.testing.v1 import AppTest

import core
from conftest import shown
from core.view import ViewState

TIMEOUT = 180


def drift_page(corpus="flutter-seasons", encoder="minilm-static", **state):
    at = AppTest.from_file("../app_pages/6_Drift.py", default_timeout=TIMEOUT)
    at.session_state["view"] = ViewState(corpus=corpus, encoder=encoder)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def assert_clean(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at, label):
    return next(m.value for m in at.metric if m.label.startswith(label))


def test_seasons_by_month_shows_the_timeline_verdict_map_clusters_documents_and_words():
    at = drift_page()
    assert_clean(at)
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert "Each month against the reference month 2025-03" in charts[0]
    assert '"name":"current"' in charts[1] and '"name":"reference"' in charts[1]  # the map, both sets coloured
    assert '"type":"bar"' in charts[2]
    # the month that drifted most is looked at first, and it is an autumn or winter month
    current = at.selectbox(key="_w_drift_current").value
    assert current[5:] in ("09", "10", "11", "12", "01", "02")
    assert float(metric(at, "p-value")) < 0.05 and "Drifted" in shown(at.warning[0].value)
    assert "has drifted" in shown(at.warning[0].value)
    typical, rose, fell = (d.value for d in at.dataframe[-3:])
    assert len(typical) == 10 and "P(current)" in typical.columns
    assert len(rose) and len(fell) and (rose["log2 change"] > 0).all() and (fell["log2 change"] < 0).all()


def test_two_spring_weeks_do_not_drift_and_spring_to_autumn_does():
    at = drift_page()
    at.radio(key="_w_drift_window").set_value("week").run()
    at.selectbox(key="_w_drift_reference").select("2025-03-31/2025-04-06").run()
    at.selectbox(key="_w_drift_current").select("2025-04-07/2025-04-13").run()
    assert_clean(at)
    assert "No drift detected" in shown(at.success[0].value) and float(metric(at, "p-value")) > 0.05
    at.selectbox(key="_w_drift_column").select("season").run()
    at.multiselect(key="_w_drift_reference").set_value(["spring"]).run()
    at.multiselect(key="_w_drift_current").set_value(["autumn"]).run()
    assert_clean(at)
    assert "season = autumn against season = spring" in shown(at.warning[0].value)
    assert metric(at, "Reference documents") == "378" and metric(at, "Current documents") == "382"
    at.radio(key="_w_drift_method").set_value("mmd").run()
    assert_clean(at)
    assert metric(at, "Score (MMD²)") and float(metric(at, "p-value")) < 0.01


def test_model_version_drift_compares_neighbourhoods():
    at = drift_page()
    at.radio(key="_w_drift_mode").set_value("encoders").run()
    at.selectbox(key="_w_drift_encoder").select("tfidf").run()
    assert_clean(at)
    overlap = float(metric(at, "Mean neighbour overlap"))
    assert 0 < overlap < 0.6  # MiniLM static and TF-IDF keep only some of each other's neighbours
    at.selectbox(key="_w_drift_encoder").select("glove").run()
    assert_clean(at)


def test_two_corpora_share_one_vector_space_even_for_tfidf():
    at = drift_page(corpus="words", encoder="tfidf")
    at.radio(key="_w_drift_mode").set_value("corpora").run()
    at.selectbox(key="_w_drift_other").select("flutter").run()
    assert_clean(at)
    assert metric(at, "Reference documents") == "316" and metric(at, "Current documents") == "513"
    assert "Drifted" in shown(at.warning[0].value)  # single words against bird posts


def test_a_set_too_small_to_test_is_a_sentence_not_a_traceback():
    texts = [f"flit number {i} about rain and wind" for i in range(30)] + ["a rare one", "another rare one"]
    labels = ["common"] * 30 + ["rare"] * 2
    tiny = core.Corpus(name="tiny.csv", texts=texts, labels=labels)
    at = drift_page(corpus="upload: tiny.csv", encoder="tfidf", uploads={"upload: tiny.csv": tiny})
    assert not at.exception
    assert "has 2 documents" in shown(at.error[0].value) and "at least 6" in shown(at.error[0].value)


def test_imported_vectors_of_the_seasons_are_tested_too():
    from core.dataset import imported_embeddings

    corpus = core.load_corpus("flutter-seasons")
    seasons = core.Corpus(name="seasons.parquet", texts=corpus.texts, labels=corpus.labels, metadata=corpus.metadata)
    vectors = core.embed(corpus, "minilm-static").vectors.copy()
    name = "upload: seasons.parquet"
    at = drift_page(corpus=name, uploads={name: seasons}, imported={name: imported_embeddings(seasons, vectors)})
    assert_clean(at)
    assert "encoder: imported vectors" in shown(at.caption[0].value) and "Drifted" in shown(at.warning[0].value)


def test_the_example_button_opens_the_seasons():
    at = drift_page(corpus="words", encoder="minilm-static")
    assert_clean(at)
    at.button[0].click().run()
    assert_clean(at)
    assert at.session_state["view"].corpus == "flutter-seasons" and at.get("plotly_chart")


@pytest.fixture(autouse=True)
def _quiet_warmup(monkeypatch):
    """The sidebar starts the warm-up process (core/warmup.py); these tests need none of it."""
    from ui import compute

    monkeypatch.setattr(compute, "start_warmup", lambda: None)


def test_a_share_link_reopens_the_drift_page_on_the_same_sets_and_test():
    """The Drift page's choices are in the view (issue 18 part 5): a link reproduces the split, the sets and the
    test; before, they were widgets only, and a link opened the page on its defaults."""
    at = AppTest.from_file("../app_pages/6_Drift.py", default_timeout=TIMEOUT)
    at.query_params.update({"corpus": "flutter-seasons", "encoder": "minilm-static", "drift_mode": "split",
                            "drift_column": "season", "drift_reference": '["spring"]', "drift_current": '["autumn"]',
                            "drift_method": "mmd"})
    at.run()
    assert_clean(at)
    assert "season = autumn against season = spring" in shown(at.warning[0].value)
    assert metric(at, "Score (MMD²)") and metric(at, "Reference documents") == "378"
    at.sidebar.selectbox(key="_w_corpus").set_value("flutter").run()   # another corpus: its own column and sets
    view = at.session_state["view"]
    assert (view.drift_column, view.drift_reference, view.drift_method) == ("", (), "mmd")
