"""The Drift page's seasons example is ready without embedding its 1,475 documents: their MiniLM vectors ship in
data/cache (python -m core precompute flutter-seasons --encoder minilm --cache data/cache --embeddings-only
--dtype float16), and they are the vectors the encoder gives. While the page computes, it says what is still to
come."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import core
from conftest import shown
from core.sources.bundled import DATA_DIR
from core.cache.disk import DiskCache
from core.encoders import get_encoder
from core.encoders.base import Encoder
from core.cache.keys import key_digest
from core.pipeline import embedding_key
from core.view import ViewState

REGENERATE = ("data/cache has no current MiniLM vectors of flutter-seasons: run python -m core precompute "
              "flutter-seasons --encoder minilm --cache data/cache --embeddings-only --dtype float16")


@pytest.fixture(scope="module")
def seasons():
    return core.load_corpus("flutter-seasons")


@pytest.fixture
def encoded(monkeypatch):
    """How many documents any encoder was asked to embed."""
    counts = []
    original = Encoder.transform

    def transform(self, texts, progress=None):
        counts.append(len(texts))
        return original(self, texts, progress)

    monkeypatch.setattr(Encoder, "transform", transform)
    return counts


@pytest.fixture(autouse=True)
def _fresh_server(monkeypatch):
    """As on a server just started: nothing in memory, no warm-up process."""
    import streamlit as st

    from ui import caches, compute

    caches.SHARED.clear()
    st.cache_data.clear()
    monkeypatch.setattr(compute, "start_warmup", lambda: None)


def drift_page():
    at = AppTest.from_file("../app_pages/6_Drift.py", default_timeout=180)
    at.session_state["view"] = ViewState(corpus="flutter-seasons", encoder="minilm")
    return at


def test_the_seasons_example_answers_with_minilm_without_embedding_its_documents(encoded):
    at = drift_page().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Drifted" in shown(at.warning[0].value)
    assert "Each month against the reference month 2025-03" in at.get("plotly_chart")[0].proto.spec
    assert "encoder: MiniLM" in shown(at.caption[0].value)
    assert encoded == []  # neither the 1,475 documents nor any other text went through the encoder
    assert not at.get("progress")  # everything is on the page: no step is left to announce


def test_the_shipped_vectors_are_the_encoders(seasons):
    stored = DiskCache(None, seeds=(DATA_DIR / "cache",)).load(key_digest(embedding_key(seasons, "minilm")))
    assert stored is not None, REGENERATE
    shipped = stored[0]["array"]
    assert shipped.shape == (1475, 384) and shipped.dtype == np.float16 and shipped.nbytes < 1.2e6
    sample = np.random.default_rng(0).choice(len(seasons), 150, replace=False)
    live = get_encoder("minilm").fit(["warm"]).transform([seasons.texts[i] for i in sample])
    shipped = shipped[sample].astype(np.float32)
    cosine = (shipped * live).sum(axis=1) / np.linalg.norm(shipped, axis=1) / np.linalg.norm(live, axis=1)
    assert cosine.min() > 0.999, cosine.min()


def test_while_the_page_computes_it_says_which_step_runs_and_what_is_still_to_come(monkeypatch):
    """The page is stopped in the middle (clustering both sets) to read what it said at that moment."""
    from core.analyses import drift_explained

    def interrupted(*args, **kwargs):
        raise RuntimeError("stopped while clustering both sets")

    monkeypatch.setattr(drift_explained, "cluster_shares", interrupted)
    at = drift_page().run()
    assert at.exception  # (its message is redacted on the page, as on a public server)
    line = shown(at.get("progress")[0].proto.text)
    assert line == ("Step 6 of 8: clustering both sets… Still to come: typical documents, words that moved.")
    assert at.get("progress")[0].proto.value == 62  # 5 of 8 steps done
    assert at.get("plotly_chart")  # what is done is already shown: the timeline and the map


def test_the_precompute_command_writes_just_the_vectors_in_float16(tmp_path, seasons):
    """The command that made the shipped file, with a fast encoder: one file, float16, read back as float32."""
    from core.__main__ import main

    assert main(["precompute", "flutter-seasons", "--encoder", "minilm-static", "--cache", str(tmp_path),
                 "--embeddings-only", "--dtype", "float16"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [f"{key_digest(embedding_key(seasons, 'minilm-static'))}.npz"]
    emb = core.embed(seasons, "minilm-static", cache=DiskCache(tmp_path))
    assert emb.vectors.dtype == np.float32
    assert np.abs(emb.vectors - core.embed(seasons, "minilm-static").vectors).max() < 1e-3
