"""Seconds from opening the home page on a started server to the first drawn map, in headless chromium,
beside the same browser's time for a bare Streamlit page holding one 3-point plotly chart (the floor).

    python bench/first_map.py

Each app starts with an empty disk cache (as a fresh deployment: only the artifacts shipped in
data/cache); each visit is a new browser session. Needs chromium and playwright
(requirements-dev.txt). Traffic stays on 127.0.0.1.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BARE_APP = """import plotly.graph_objects as go
import streamlit as st
st.title("bare")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[1, 3, 2], mode="markers")))
"""


@contextmanager
def server(script: Path, cwd: Path, with_process: bool = False):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "MURMURATION_CACHE_DIR": tempfile.mkdtemp()}
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                                "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield (url, process) if with_process else url
    finally:
        process.terminate()
        process.wait(timeout=20)


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
