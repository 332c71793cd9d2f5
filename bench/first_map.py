"""Seconds from opening the home page on a started server to the first drawn map, in headless chromium,
beside the same browser's time for a bare Streamlit page holding one 3-point plotly chart (the floor).

    python bench/first_map.py

Each app starts with an empty disk cache (as a fresh deployment: only the artifacts shipped in
data/cache); each visit is a new browser session. Needs chromium and playwright
(requirements-dev.txt). Traffic stays on 127.0.0.1.
"""
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_server import ARGS, server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = """import plotly.graph_objects as go
import streamlit as st
st.title("bare")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2], mode="markers")))
"""


def visits(browser, url: str, count: int) -> list[float]:
    seconds = []
    for _ in range(count):
        page = browser.new_context().new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(".js-plotly-plot .scatterlayer, .js-plotly-plot canvas", timeout=120_000)
        seconds.append(time.perf_counter() - started)
        page.close()
    return seconds


def main() -> None:
    bare = Path(tempfile.mkdtemp()) / "bare.py"
    bare.write_text(BARE_APP)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        with server(bare, bare.parent) as url:
            floor = visits(browser, url, 3)
        with server(ROOT / "app.py", ROOT) as url:
            first = visits(browser, url, 3)
            time.sleep(60)  # the background warm-up (model loads, UMAP compile) is over by now
            settled = visits(browser, url, 2)
        browser.close()
    print("bare page, one plotly chart: " + ", ".join(f"{s:.2f} s" for s in floor))
    print("Murmuration home, first visits after start: " + ", ".join(f"{s:.2f} s" for s in first))
    print("Murmuration home, after the warm-up: " + ", ".join(f"{s:.2f} s" for s in settled))
    print(f"ratio to the bare page (median): {sorted(first)[1] / sorted(floor)[1]:.2f}x")


if __name__ == "__main__":
    main()
