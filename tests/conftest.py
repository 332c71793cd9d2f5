import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each test session (and the servers it starts) gets an empty disk cache, so tests compute for real; the
# folder (with the session's ONNX export in it) is removed when the session ends.
# With pytest-xdist, the workers inherit the folder the controller made (and the controller removes it).
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
CACHE = os.environ["MURMURATION_CACHE_DIR"] if WORKER else tempfile.mkdtemp(prefix="murmuration-test-cache-")
os.environ["MURMURATION_CACHE_DIR"] = CACHE

import core  # noqa: E402 (after the cache folder is set)


def pytest_unconfigure(config):
    if not WORKER:
        shutil.rmtree(CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def flutter():
    return core.load_corpus("flutter")


@pytest.fixture(scope="session")
def flutter_minilm(flutter):
    """Flutter embedded with MiniLM (ONNX Runtime), computed once per session without a disk cache (a fresh
    computation, not the shipped seed) for the tests that read those vectors."""
    return core.embed(flutter, "minilm")


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def sentence_transformer():
    """sentence-transformers' own pipeline over the shipped MiniLM weights: the independent reference that the
    MiniLM encoders are checked against (loaded once per session)."""
    from sentence_transformers import SentenceTransformer

    from core.encoders.transformer import bundled_model_path

    return SentenceTransformer(str(bundled_model_path()), device="cpu")


def shown(markdown: str) -> str:
    """What a reader sees of Markdown that the app escaped with backslashes (ui.text.plain)."""
    return re.sub(r"\\(.)", r"\1", markdown)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"


def require_chromium() -> None:
    """Browser tests drive Debian's chromium: CI installs it (and fails without it); elsewhere they skip."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI must install chromium (apt-get install chromium) for the browser tests.")
        pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@contextmanager
def app_serving(root: Path, collections: Path | None = None):
    """The app on a live server (its URL), with the test session's own disk cache (empty at first: it computes
    for real) and, when given, the collections in the folder `collections`."""
    require_chromium()
    from testkit.live_server import server as live_server

    before = os.environ.get("MURMURATION_COLLECTIONS")
    if collections is not None:
        os.environ["MURMURATION_COLLECTIONS"] = str(collections)
    try:
        with live_server(root / "app.py", root, cache=os.environ["MURMURATION_CACHE_DIR"]) as url:
            yield url
    finally:
        os.environ.pop("MURMURATION_COLLECTIONS", None)
        if before is not None:
            os.environ["MURMURATION_COLLECTIONS"] = before


@pytest.fixture(scope="session")
def server(root):
    """The app on a live server, shared by the browser tests of every module that needs no setting of its own."""
    with app_serving(root) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    """A chromium page of 1400 x 1000 pixels, for the module's tests in turn."""
    from playwright.sync_api import sync_playwright

    from testkit.live_server import ARGS

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()
