import ast
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd

from core.cache import BoundedCache


def test_cache_is_bounded_and_least_recently_used_goes_first():
    cache = BoundedCache(max_entries=2)
    for key in "abc":
        cache.get_or_compute(key, lambda k=key: k.upper())
    assert len(cache) == 2 and "a" not in cache and cache.get_or_compute("c", lambda: "recomputed") == "C"


def test_concurrent_callers_of_one_key_compute_once():
    cache, calls = BoundedCache(max_entries=4), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return np.ones(3)

    threads = [threading.Thread(target=cache.get_or_compute, args=("k", slow)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1


def test_core_never_imports_streamlit(root):
    """Every module of core, in every stage folder (the Ray engine aside: an optional dependency)."""
    code = ("import sys, importlib, pkgutil, core\n"
            "for m in pkgutil.walk_packages(core.__path__, 'core.'):\n"
            "    if m.name not in ('core.__main__', 'core.collections.ray_engine'): importlib.import_module(m.name)\n"
            "assert 'streamlit' not in sys.modules, 'core imported streamlit'\n"
            "assert len([m for m in sys.modules if m.startswith('core.')]) > 50\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_cli_embeds_to_npy_and_parquet(root, tmp_path):
    source = tmp_path / "posts.csv"
    source.write_text("text,topic\nbirds sing at dawn,song\nthe owl hunts at night,predators\n"
                      "rain all day again,weather\n")
    out = tmp_path / "v.npy"
    run = subprocess.run([sys.executable, "-m", "core", "embed", str(source), "--encoder", "tfidf", "--out", str(out)],
                         cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "embedded 3 documents" in run.stdout and np.load(out).shape[0] == 3
    out = tmp_path / "v.parquet"
    run = subprocess.run([sys.executable, "-m", "core", "embed", "flutter", "--encoder", "lsa", "--param",
                          "n_components=16", "--out", str(out)], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    frame = pd.read_parquet(out)
    assert len(frame) == 513 and len(frame.vector[0]) == 16 and set(frame.columns) == {"text", "label", "vector"}


def test_cli_bad_input_is_a_message_not_a_traceback(root, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    run = subprocess.run([sys.executable, "-m", "core", "embed", str(empty), "--encoder", "tfidf", "--out",
                          str(tmp_path / "x.npy")], cwd=root, capture_output=True, text=True)
    assert run.returncode == 2 and "is empty" in run.stderr and "Traceback" not in run.stderr


def test_flutter_files_are_what_the_generator_writes(root, monkeypatch):
    monkeypatch.syspath_prepend(str(root / "data"))  # the generator scripts import each other, as scripts do
    from make_flutter import build

    flits, users, likes = build()
    shipped_flits = pd.read_csv(root / "data" / "flutter_flits.csv", keep_default_na=False)
    shipped_users = pd.read_csv(root / "data" / "flutter_users.csv", keep_default_na=False)
    pd.testing.assert_frame_equal(flits, shipped_flits, check_dtype=False)
    pd.testing.assert_frame_equal(users.reset_index(drop=True), shipped_users, check_dtype=False)
    pd.testing.assert_frame_equal(likes, pd.read_csv(root / "data" / "flutter_likes.csv"), check_dtype=False)
    assert len(flits) >= 400 and flits.topic.nunique() >= 8
    assert set(users.columns) >= {"bird_id", "bird_posts", "bird_geo", "bird_likes"}
    assert set(users.bird_geo) == {"US", "UK", "NZ"}


def test_flutter_has_words_in_more_than_one_sense(flutter):
    texts = [t.lower() for t in flutter.texts]
    for word in ("fly", "bank", "crane", "swallow"):
        topics = {label for text, label in zip(texts, flutter.labels) if word in text.split() or f" {word}" in text}
        assert len(topics) >= 2, word


def test_get_returns_none_until_computed():
    cache = BoundedCache(max_entries=2)
    assert cache.get("k") is None
    cache.get_or_compute("k", lambda: 5)
    assert cache.get("k") == 5


def navigation(root) -> list[tuple[str, str]]:
    """app.py's pages in navigation order, as (file, title)."""
    assignment = next(node for node in ast.parse((root / "app.py").read_text()).body
                      if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES")
    return [(file, title) for pages in ast.literal_eval(assignment.value).values() for file, title, _ in pages]


def ui_imports(path) -> set[str]:
    """The ui modules a file imports (from ui import a, b; from ui.c import d; import ui.e)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "ui":
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ui."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("ui.")}
    return names


def test_page_files_are_numbered_in_navigation_order_and_named_like_their_titles(root):
    """A page's number is its place in the navigation and its name is its title, which is also its URL
    (st.Page drops the number: 4_Compare.py is /Compare); home.py is the default page, at /."""
    pages = navigation(root)
    named = ["home.py"] + [f"{number}_{title.replace(' ', '_')}.py" for number, (_, title) in enumerate(pages[1:], 1)]
    assert [file for file, _ in pages] == named
    assert sorted(path.name for path in (root / "app_pages").glob("*.py")) == sorted(named)


def test_a_view_module_of_one_page_is_named_like_that_page(root):
    """ui/<page>_view.py holds a page's own pieces; a ui module that only one page imports is that page's."""
    importers = {}
    for path in [*(root / "app_pages").glob("*.py"), *(root / "ui").glob("*.py"), root / "app.py"]:
        for module in ui_imports(path):
            importers.setdefault(module, set()).add(path)
    for file, title in navigation(root)[1:]:
        page = root / "app_pages" / file
        own = {module for module, paths in importers.items() if paths == {page}}
        assert own <= {title.lower().replace(" ", "_") + "_view"}, (file, own)
