"""Topics at several levels (issue 20 part 1): nested levels from a few broad topics to many fine ones, each named
by words that are more frequent inside it than outside and never repeat an ancestor's, computed once per map
(kept in the disk cache for a corpus, in the folder for a collection) and honest about small or wordless corpora."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_mutual_info_score

import core
from core.cache.disk import DiskCache
from core.collections import build_collection, open_collection
from core.collections.append import append_collection
from core.collections.synthetic import synthetic_documents
from core.dataset import open_dataset
from core.maps import topics as topics_module
from core.maps.topics import MIN_DOCUMENTS, topic_hierarchy


@pytest.fixture(scope="module")
def flutter():
    return open_dataset("flutter")


@pytest.fixture(scope="module")
def hierarchy(flutter, tmp_path_factory):
    return core.topics(flutter, cache=DiskCache(tmp_path_factory.mktemp("topics-cache")))


def words_of(name: str) -> list[str]:
    return name.split(" · ")


def test_levels_nest_from_broad_to_fine_and_every_document_has_a_topic(flutter, hierarchy):
    sizes = [len(s) for s in hierarchy.sizes]
    assert len(hierarchy.levels) >= 3 and sizes == sorted(sizes) and sizes[0] < sizes[-1]
    for depth, level in enumerate(hierarchy.levels):
        assert len(level) == len(flutter) and level.min() == 0 and set(hierarchy.names[depth]) == set(range(sizes[depth]))
        assert np.array_equal(np.bincount(level), hierarchy.sizes[depth])
        if depth:
            assert np.array_equal(hierarchy.parents[depth][level], hierarchy.levels[depth - 1])   # one parent each


def test_each_name_is_made_of_words_frequent_inside_its_topic_and_new_below_its_ancestors(flutter, hierarchy):
    texts = pd.Series(flutter.all_texts()).str.lower()
    for depth, level in enumerate(hierarchy.levels):
        for topic, name in hierarchy.names[depth].items():
            inside = level == topic
            for word in words_of(name):
                share = texts.str.contains(rf"\b{word}\b", regex=True)
                assert share[inside].mean() > share[~inside].mean(), (depth, name, word)
            ancestor, above = topic, depth
            while above:
                ancestor, above = int(hierarchy.parents[above][ancestor]), above - 1
                older = {w[:4] for w in words_of(hierarchy.names[above][ancestor])}
                assert not older & {w[:4] for w in words_of(name)}, (name, hierarchy.names[above][ancestor])


def test_the_fine_levels_follow_the_labels_better_than_chance(flutter, hierarchy):
    labels = np.asarray(flutter.labels)
    shuffled = np.random.default_rng(0).permutation(hierarchy.levels[-1])
    scores = [adjusted_mutual_info_score(labels, level) for level in hierarchy.levels]
    assert min(scores) > 0.2 > adjusted_mutual_info_score(labels, shuffled)


def test_the_hierarchy_is_computed_once_per_map_and_read_back_from_the_disk_cache(flutter, tmp_path, monkeypatch):
    cache = DiskCache(tmp_path)
    first = core.topics(flutter, cache=cache)
    monkeypatch.setattr(topics_module, "topic_hierarchy", lambda *a, **k: pytest.fail("computed twice"))
    again = core.topics(flutter, cache=cache)
    assert again.names == first.names and all(np.array_equal(a, b) for a, b in zip(again.levels, first.levels))
    other_map = open_dataset("flutter", method="pca")
    with pytest.raises(pytest.fail.Exception, match="computed twice"):
        core.topics(other_map, cache=cache)       # another map: other topics


def test_a_small_corpus_gets_one_level_and_a_sentence_and_wordless_topics_are_named_by_a_document():
    rng = np.random.default_rng(0)
    small = topic_hierarchy(rng.normal(size=(30, 2)), ["birds sing at dawn"] * 30)
    assert len(small.levels) == 1 and f"at least {MIN_DOCUMENTS}" in small.note
    coords = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + 50])
    texts = ["herons wade in the marsh"] * 60 + ["the and of it is"] * 60    # the second area: stop words only
    found = topic_hierarchy(coords, texts)
    for depth, level in enumerate(found.levels):
        wordless = set(level[60:].tolist())
        assert not wordless & set(level[:60].tolist())                     # the two areas never share a topic
        assert {found.names[depth][t] for t in wordless} == {"the and of it …"}
        assert all(found.names[depth][t] != "the and of it …" for t in set(level[:60].tolist()))


def test_a_build_keeps_the_topics_an_append_makes_them_stale_and_the_command_makes_them_again(tmp_path, capsys):
    from core.__main__ import main

    synthetic_documents(400, seed=1).to_csv(tmp_path / "old.csv", index=False)
    synthetic_documents(40, seed=2).to_csv(tmp_path / "new.csv", index=False)
    out = build_collection(tmp_path / "old.csv", encoder="minilm-static", out=tmp_path / "c", projection="pca")
    dataset = open_dataset(out)
    stored = dataset.stored_topics
    computed = topic_hierarchy(dataset.coords, dataset.all_texts())
    assert stored is not None and stored.names == computed.names
    assert core.topics(dataset).names == computed.names
    append_collection(out, tmp_path / "new.csv")
    assert open_dataset(out).stored_topics is None                 # made for the map before the append
    assert main(["topics", str(out)]) == 0
    assert "topics by level" in capsys.readouterr().out
    refreshed = open_dataset(out).stored_topics
    assert refreshed is not None and len(refreshed.levels[-1]) == 440
    (out / topics_module.FILE).unlink()
    assert open_collection(out) is not None and open_dataset(out).stored_topics is None   # an older collection


def test_the_map_page_sends_every_level_s_names_and_lists_them_as_a_table_of_contents(flutter):
    from test_app import assert_clean, map_data, start

    at = start("app_pages/1_Map.py", corpus="flutter", encoder="minilm", method="umap").run()
    assert_clean(at)
    expected = topic_hierarchy(flutter.coords, flutter.all_texts())
    sent = map_data(at)["clusters"]
    assert sorted((c["level"], c["text"]) for c in sent) == sorted(
        (depth, name) for depth, names in enumerate(expected.names) for name in names.values())
    panel = next(e for e in at.expander if e.label.startswith("Topics: 4 / 8 / 16 by level"))
    table = panel.dataframe[0].value
    assert len(table) == 28 and table.level.tolist()[:2] == [0, 1]
    assert table.topic[0] == expected.names[0][0] and table.topic[1].strip() == expected.names[1][
        int(np.flatnonzero(expected.parents[1] == 0)[0])]                 # the first broad topic, then its first child


def test_a_big_map_without_stored_topics_says_so_and_names_them_on_request(tmp_path, monkeypatch):
    from test_app import assert_clean, map_data, start

    synthetic_documents(300, seed=1).to_csv(tmp_path / "docs.csv", index=False)
    out = build_collection(tmp_path / "docs.csv", encoder="minilm-static", out=tmp_path / "c", projection="pca")
    (out / topics_module.FILE).unlink()                                 # as a collection built before topics
    monkeypatch.setattr("ui.map_colours.TOPICS_UP_TO", 100)
    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(tmp_path))
    at = start("app_pages/1_Map.py", corpus="collection: c").run()
    assert_clean(at)
    assert map_data(at)["clusters"] == []
    assert any("has no topic names yet" in caption.value for caption in at.caption)
    next(b for b in at.button if b.label == "Name its topics now").click().run()
    assert_clean(at)
    levels = {c["level"] for c in map_data(at)["clusters"]}
    assert levels == {0, 1, 2} and any(e.label.startswith("Topics:") for e in at.expander)
