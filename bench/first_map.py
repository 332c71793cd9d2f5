"""Seconds from opening the home page on a started server to the first drawn map, in headless chromium,
beside the same browser's time for a bare Streamlit page holding one plotly scattergl chart of the same
points (the default view's 513 flits, with their texts as hover text): the issue's reference. The bare page
is timed twice: with Streamlit's default settings, and without the file watcher, as the app is served
(.streamlit/config.toml).

    python bench/first_map.py

Each app starts with an empty disk cache (as a fresh deployment: only the artifacts shipped in
data/cache); each visit is a new browser session. Needs chromium and playwright
(requirements-dev.txt). Traffic stays on 127.0.0.1.
"""
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from testkit.live_server import ARGS, server
from ready_clock import install, ready_seconds

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = """import sys
import plotly.graph_objects as go
import streamlit as st
import core
from core.sources.bundled import DATA_DIR
from core.cache.disk import DiskCache
from core.pipeline import analyse
corpus = core.load_corpus("flutter")
xy = analyse(corpus, "minilm", method="umap", cache=DiskCache(None, seeds=(DATA_DIR / "cache",))).map.coords
st.title("bare")
st.plotly_chart(go.Figure(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers", hovertext=corpus.texts)))
"""


def visits(browser, url: str, count: int, ready: str) -> list[float]:
    """Seconds from the navigation's start to the first frame with the points on screen (ready_clock.py)."""
    seconds = []
    for _ in range(count):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        install(context)
        page = context.new_page()
        page.goto(url)
        seconds.append(ready_seconds(page, ready, timeout_ms=120_000))
        context.close()
    return seconds


def main() -> None:
    bare = Path(tempfile.mkdtemp()) / "bare.py"
    bare.write_text(BARE_APP.format(root=str(ROOT)))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        with server(bare, bare.parent) as url:
            floor = visits(browser, url, 3, "plotly")
        with server(bare, bare.parent, options=("--server.fileWatcherType", "none")) as url:
            unwatched = visits(browser, url, 3, "plotly")  # the same server setting as the app's
        with server(ROOT / "app.py", ROOT) as url:
            first = visits(browser, url, 3, "map")
            time.sleep(60)  # the background warm-up (model loads, UMAP compile) is over by now
            settled = visits(browser, url, 2, "map")
        browser.close()
    print("bare page, one plotly scattergl chart of the same 513 points with hover text: " + ", ".join(f"{s:.2f} s" for s in floor))
    print("the same bare page without the file watcher (as the app is served): "
          + ", ".join(f"{s:.2f} s" for s in unwatched))
    print("Murmuration home, first visits after start: " + ", ".join(f"{s:.2f} s" for s in first))
    print("Murmuration home, after the warm-up: " + ", ".join(f"{s:.2f} s" for s in settled))
    print(f"ratio to the bare page (medians): first visits {sorted(first)[1] / sorted(floor)[1]:.2f}x, "
          f"after the warm-up {sum(settled) / len(settled) / sorted(floor)[1]:.2f}x; to the bare page without the "
          f"file watcher: first visits {sorted(first)[1] / sorted(unwatched)[1]:.2f}x")


if __name__ == "__main__":
    main()
