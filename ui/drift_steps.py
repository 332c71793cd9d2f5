"""What the Drift page computes, in turn (vectors, tests, clusters, a map, words): a line at the top says which
step is running and which are still to come, and goes away when everything is on the page."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st

from ui.progress import Steps

STEP_NAMES = {"vectors": "the vectors", "timeline": "a test per window", "year clusters": "clusters over time",
              "both vectors": "the vectors of both corpora", "second vectors": "the second encoder's vectors",
              "overlap": "neighbour overlap", "verdict": "the verdict", "map": "the map",
              "shares": "clusters that grew or shrank", "typical": "typical documents", "words": "words that moved"}
AFTER_VERDICT = ("verdict", "map", "shares", "typical", "words")


_STEPS: ContextVar[Steps | None] = ContextVar("drift_steps", default=None)


@contextmanager
def steps(expected: tuple[str, ...]):
    """Around the page's work: a progress line at this place, cleared once everything is shown. A step that
    fails leaves it, so the page still says what it was doing. `expected`: the steps the controls will ask for."""
    tracker = Steps(st.empty(), list(expected), STEP_NAMES)
    token = _STEPS.set(tracker)
    try:
        yield tracker
    finally:
        _STEPS.reset(token)
    tracker.finish()


@contextmanager
def step(name: str, doing: str):
    tracker = _STEPS.get()
    if tracker is None:
        yield
        return
    with tracker.step(name, doing):
        yield


def plan(*names: str) -> None:
    tracker = _STEPS.get()
    if tracker is not None:
        tracker.plan(names)
