"""Search on the map (issue 20 part 4): the documents containing the typed text, taken literally and case ignored,
counted and faded in on the map, on a corpus and on a collection bigger than what the browser holds, and put into
the selection with one click."""
import numpy as np
import pandas as pd
import pytest

from core.collections import build_collection
from core.collections.synthetic import synthetic_documents
from core.dataset import open_dataset

QUERIES = ["night", "(c) ", "a.b*", "I'M", "nest"]


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search")
    frame = synthetic_documents(600, seed=4)
    frame.loc[:9, "text"] = [f"night owl (c) a.b* i'm number {i}" for i in range(10)]   # metacharacters, literally
    frame.to_csv(folder / "docs.csv", index=False)
    build_collection(folder / "docs.csv", encoder="minilm-static", out=folder / "c", projection="pca")
    return folder


@pytest.mark.parametrize("query", QUERIES)
def test_a_search_finds_what_a_pandas_substring_count_finds(collection, query):
    dataset = open_dataset(collection / "c")
    expected = pd.Series(dataset.all_texts()).str.contains(query, case=False, regex=False).to_numpy()
    assert np.array_equal(dataset.text_matches(query), expected)
    flutter = open_dataset("flutter")
    expected = pd.Series(flutter.all_texts()).str.contains(query, case=False, regex=False).to_numpy()
    assert np.array_equal(flutter.text_matches(query), expected)


def test_the_map_counts_fades_and_selects_the_matches_of_a_big_collection(collection, monkeypatch):
    from test_app import assert_clean, map_data, start, view_of

    monkeypatch.setattr("ui.map_view.INLINE_TEXT_LIMIT", 100)          # texts stay on the server, as at 1M
    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(collection))
    at = start("app_pages/1_Map.py", corpus="collection: c", search="(c) a.b*").run()
    assert_clean(at)
    assert any(caption.value.startswith("10 documents contain") for caption in at.caption)
    assert map_data(at)["note"] == "600 points · 10 match the filter"
    next(b for b in at.button if b.label == "Select these 10").click().run()
    assert_clean(at)
    assert view_of(at).selection == tuple(range(10))
