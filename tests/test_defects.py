"""Defects a newcomer and a reviewer met: each test failed on the code before its fix."""
import importlib
import json
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import core
from core.pipeline import map_key
from core.maps.projection import plan_projection
from test_app import PAGES, TIMEOUT, assert_clean, map_data, run_page, start


def _words(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    vocabulary = core.load_corpus("words").texts
    return [" ".join(rng.choice(vocabulary, 5)) for _ in range(n)]


def test_a_share_link_with_superscript_digits_opens_with_a_notice():
    at = AppTest.from_file("../app_pages/2_Neighbors.py", default_timeout=TIMEOUT)
    at.query_params.update({"seed": "²", "doc": "²", "encoder": "tfidf"})
    at.run()
    assert_clean(at)
    assert at.session_state["view"].doc == 0 and at.session_state["view"].seed == 0
    assert sum("was ignored" in info.value for info in at.info) == 2


def test_a_searched_link_is_shown_as_text_not_as_a_link():
    at = AppTest.from_file("../app_pages/1_Map.py", default_timeout=TIMEOUT)
    at.query_params.update({"search": "[x](http://example.org)", "encoder": "tfidf"})
    at.run()
    assert_clean(at)
    caption = next(c.value for c in at.caption if "documents contain" in c.value)
    assert "[x](http" not in caption and r"\[x\]\(http" in caption


@pytest.mark.parametrize("size", [1, 2, 3])
def test_every_page_copes_with_tiny_corpora(size):
    name = f"upload: tiny{size}.csv"
    uploads = {name: core.Corpus(name=f"tiny{size}.csv", texts=_words(size), labels=["a", "b", "a"][:size])}
    for page in PAGES:
        at = start(page, uploads, corpus=name, encoder="tfidf").run()
        assert_clean(at)
        told = any("needs at least" in info.value for info in at.info) or at.warning
        shown = at.get("plotly_chart") or at.get("bidi_component") or at.dataframe
        assert told or shown, page
    if size == 1:
        at = start("app_pages/2_Neighbors.py", uploads, corpus=name, encoder="tfidf").run()
        assert "needs at least 2 documents" in at.info[0].value


def test_fifty_five_labels_on_similarity_compare_and_the_map():
    texts = _words(220)
    labels = [f"label {i % 55}" for i in range(220)]
    uploads = {"upload: many.csv": core.Corpus(name="many.csv", texts=texts, labels=labels)}
    for page in ("app_pages/3_Similarity.py", "app_pages/1_Map.py", "app_pages/4_Compare.py"):
        at = start(page, uploads, corpus="upload: many.csv", encoder="tfidf").run()
        assert_clean(at)
        if page == "app_pages/1_Map.py":
            legend = map_data(at)["legend"]
            assert len(legend["items"]) == 20 and legend["other"]["categories"] == 35
    legend = [trace["name"] for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert len(legend) == 20 and "other (36 labels)" in legend  # 19 most common labels, then the rest


def test_quotes_in_documents_show_as_quotes_on_the_compare_page():
    texts = [f'the "quoted" bird number {i} said \'hello\' & left' for i in range(12)]
    uploads = {"upload: quotes.csv": core.Corpus(name="quotes.csv", texts=texts)}
    at = start("app_pages/4_Compare.py", uploads, corpus="upload: quotes.csv", encoder="tfidf").run()
    assert_clean(at)
    specs = " ".join(chart.proto.spec for chart in at.get("plotly_chart"))
    assert '\\"quoted\\"' in specs
    assert "&quot;" not in specs and "&#x27;" not in specs and "&#39;" not in specs


def test_imported_vectors_serve_only_the_corpus_they_came_with():
    """513 imported vectors must not stand in for Flutter's 513 flits on the Recommend page."""
    from core.export import projector_tsv

    flutter = core.load_corpus("flutter")
    other = core.Corpus(name="other", texts=[t[::-1] for t in flutter.texts])
    vectors = np.random.default_rng(0).normal(size=(len(other), 8)).astype(np.float32)
    vectors_tsv, metadata_tsv = projector_tsv(other, vectors)
    plain = run_page("app_pages/12_Recommend.py", encoder="tfidf")
    at = run_page("app.py", encoder="tfidf")
    at.file_uploader(key="vectors_upload").upload("vectors.tsv", vectors_tsv, "text/tab-separated-values")
    at.file_uploader(key="vectors_upload").upload("metadata.tsv", metadata_tsv, "text/tab-separated-values")
    at.run()
    at.button[-1].click().run()
    assert_clean(at)
    assert not [box for box in at.sidebar.selectbox if box.key == "_w_encoder"]
    assert any("came with its own vectors" in caption.value for caption in at.sidebar.caption)
    at.switch_page("app_pages/12_Recommend.py").run()
    assert_clean(at)
    assert at.dataframe[1].value.equals(plain.dataframe[1].value)


def _cached_files(folder):
    return {path.name for path in folder.glob("*.npz")}


def test_an_upload_leaves_nothing_on_disk(tmp_path, monkeypatch):
    from core.cache.disk import DiskCache
    from ui import caches

    monkeypatch.setattr(caches, "DISK", DiskCache(tmp_path))
    DISK = caches.DISK
    at = run_page("app.py", encoder="lsa")
    before = _cached_files(DISK.folder)
    data = "text,topic\n" + "\n".join(f"{t},{'ab'[i % 2]}" for i, t in enumerate(_words(40, seed=3)))
    at.file_uploader[0].upload("mine.csv", data.encode(), "text/csv").run()
    at.button[0].click().run()
    at.switch_page("app_pages/1_Map.py").run()
    at.radio(key="_w_method").set_value("umap").run()
    assert_clean(at)
    assert at.session_state["view"].corpus == "upload: mine.csv"
    assert _cached_files(DISK.folder) == before
    run_page("app_pages/1_Map.py", corpus="words", encoder="lsa")  # a bundled corpus does go to the disk cache
    assert _cached_files(DISK.folder) - before


def test_map_keys_carry_the_plan_and_the_quality_settings(flutter):
    emb = core.embed(flutter, "tfidf")
    plain = plan_projection(12_000, method="umap", dims=384)
    reduced = plan_projection(12_000, method="umap", dims=20)
    assert plain.pca_first != reduced.pca_first
    assert map_key(emb, plain, 0) != map_key(emb, reduced, 0)
    assert map_key(emb, plain, 0)["quality_k"] and map_key(emb, plain, 0)["quality_sample"]


def test_the_disk_cache_works_without_fcntl(tmp_path, monkeypatch):
    """Windows has no fcntl: the cache must lock with something that exists there."""
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.delitem(sys.modules, "core.cache.disk")
    disk_cache = importlib.import_module("core.cache.disk")
    cache = disk_cache.DiskCache(tmp_path)
    arrays, _ = cache.get_or_compute("k", lambda: ({"array": np.arange(4)}, {}))
    assert np.array_equal(cache.load("k")[0]["array"], np.arange(4))


def _imports_of(path, package_names):
    """The project modules a file imports, at the top or inside functions."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in package_names}
    return found


def test_no_module_of_core_or_ui_imports_itself_through_another(root):
    import networkx

    modules = {}
    for package in ("core", "ui"):
        for path in (root / package).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = networkx.DiGraph()
    for name, path in modules.items():
        graph.add_edges_from((name, imported) for imported in _imports_of(path, modules) if imported != name)
    cycles = [cycle for cycle in networkx.simple_cycles(graph) if not any(m in ("core", "ui") for m in cycle)]
    assert cycles == []
