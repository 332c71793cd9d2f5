"""The Encoders page computes one map per encoder: while it works, it says how many there are, how many are
drawn, which one is being computed, and holds a place for each of the others."""
import streamlit as st
from streamlit.testing.v1 import AppTest

from conftest import shown
from core.encoders import ENCODERS
from core.view import ViewState
from ui import compute

PAGE = "../app_pages/11_Encoders.py"
TIMEOUT = 300
TOTAL = len(ENCODERS)
TITLES = [info.title for info in ENCODERS.values()]


def start():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["view"] = ViewState(corpus="flutter")
    return at


def charts(at) -> list:
    return at.get("plotly_chart")


def progress_texts(at) -> list[str]:
    return [element.proto.text for element in at.get("progress")]


def test_while_the_fourth_map_is_computed_the_page_says_what_is_done_and_what_is_coming(monkeypatch):
    """The run is stopped inside the fourth encoder's computation: what the page shows then is what a visitor
    sees while that map is being computed."""
    original = compute.embeddings

    def slow(corpus, encoder=None, params=None):
        if encoder == list(ENCODERS)[3]:
            st.stop()
        return original(corpus, encoder, params)

    monkeypatch.setattr(compute, "embeddings", slow)
    at = start().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(charts(at)) == 3
    assert progress_texts(at) == [f"3 of {TOTAL} maps drawn · computing map 4 of {TOTAL}: {TITLES[3]}…"]
    notices = [element.value for element in at.info]
    assert f"Computing map 4 of {TOTAL}: {TITLES[3]}…" in notices
    waiting = [f"Map {number} of {TOTAL}: {TITLES[number - 1]}, waiting its turn" for number in range(5, TOTAL + 1)]
    assert [notice for notice in notices if "waiting" in notice] == waiting


def test_in_the_end_every_map_is_drawn_and_the_page_says_so():
    at = start().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(charts(at)) == TOTAL
    assert not progress_texts(at) and not at.info   # nothing left waiting
    assert f"All {TOTAL} maps drawn, one per encoder." in [caption.value for caption in at.caption]
    assert len(at.dataframe[0].value) == TOTAL


def test_a_map_that_cannot_be_computed_is_named_and_the_others_are_drawn(monkeypatch):
    import core

    original = compute.embeddings
    broken = list(ENCODERS)[4]

    def failing(corpus, encoder=None, params=None):
        if encoder == broken:
            raise core.EncoderError(f"{ENCODERS[broken].title} could not be loaded.")
        return original(corpus, encoder, params)

    monkeypatch.setattr(compute, "embeddings", failing)
    at = start().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(charts(at)) == TOTAL - 1 and not progress_texts(at)
    assert [shown(error.value) for error in at.error] == [f"{TITLES[4]} could not be loaded."]
    assert f"{TOTAL - 1} of {TOTAL} maps drawn; no map for {TITLES[4]} (see its card)." in \
        [caption.value for caption in at.caption]
