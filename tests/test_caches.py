"""Caching by purpose (issue 18 part 6): results from a visitor's upload, and what a visitor types, stay in that
visitor's session; the stores every session reaches (ui.caches' shared ones, the disk cache) hold none of it."""
import gc
import os

import numpy as np
import pandas as pd

import core
from test_app import assert_clean, map_data, start
from testkit.leaks import holders_of
from ui import caches

SECRET = f"quetzal{os.getpid()}secret"


def upload(n=60):
    rng = np.random.default_rng(5)
    words = core.load_corpus("words").texts
    texts = [f"{SECRET} " + " ".join(rng.choice(words, 6)) for _ in range(n)]
    return {"upload: mine.csv": core.Corpus(name="mine.csv", texts=texts, labels=["a", "b", "c"] * (n // 3))}


def holds_secret(value, depth=0) -> bool:
    """Whether a stored value holds the upload's text anywhere: strings, sequences, mappings, frames, objects."""
    if depth > 6:
        return False
    if isinstance(value, str):
        return SECRET in value
    if isinstance(value, pd.DataFrame):
        return any(holds_secret(value[column].astype(str).tolist(), depth + 1) for column in value.columns)
    if isinstance(value, dict):
        return any(holds_secret(item, depth + 1) for item in dict.values(value))
    if isinstance(value, (list, tuple)):
        return any(holds_secret(item, depth + 1) for item in value[:10_000])
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return any(holds_secret(item, depth + 1) for item in vars(value).values())
    return False


def shared_values() -> list:
    return [value for store in (caches.SHARED, caches.COLLECTION_DATASETS, caches.WORKING_SETS)
            for value in list(store._values.values())]


def test_an_uploads_clusters_region_names_and_maps_stay_in_its_session(tmp_path, monkeypatch):
    from core.cache.disk import DiskCache

    monkeypatch.setattr(caches, "DISK", DiskCache(tmp_path))
    mine = start("app.py", upload(), corpus="upload: mine.csv", encoder="tfidf", method="pca").run()
    assert_clean(mine)
    assert map_data(mine)["clusters"]   # the home map named its regions from the upload's words
    mine.switch_page("app_pages/1_Map.py").run()
    mine.selectbox(key="_w_colour").select("clusters").run()
    assert_clean(mine)
    assert any(SECRET in item["name"] for item in map_data(mine)["legend"]["items"])   # named by the upload's words
    private = mine.session_state[caches.PRIVATE]
    assert any(holds_secret(value) for value in private._values.values())   # kept, in the uploader's session
    assert not any(holds_secret(value) for value in shared_values())
    assert not list(tmp_path.glob("*.npz"))                                  # nothing on disk
    other = start("app_pages/1_Map.py", corpus="flutter", encoder="tfidf", method="pca").run()
    other.selectbox(key="_w_colour").select("clusters").run()
    assert_clean(other)
    if caches.PRIVATE in other.session_state:   # made only when a session has data of its own
        assert not any(holds_secret(value) for value in other.session_state[caches.PRIVATE]._values.values())
    del mine, private
    gc.collect()
    assert [holder for holder in holders_of(SECRET) if holder is not globals()] == []   # with the session gone, nothing anywhere (st.cache_data held the clusters)


def test_bundled_results_are_shared_by_every_session():
    first = start("app_pages/1_Map.py", corpus="words", encoder="tfidf", method="pca").run()
    first.selectbox(key="_w_colour").select("clusters").run()
    before = len(caches.SHARED)
    second = start("app_pages/1_Map.py", corpus="words", encoder="tfidf", method="pca").run()
    second.selectbox(key="_w_colour").select("clusters").run()
    assert_clean(second)
    assert len(caches.SHARED) == before   # the second session found the first one's clusters
    assert map_data(second)["legend"] == map_data(first)["legend"]
