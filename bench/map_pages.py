"""The real Map page with 100,000 imported vectors against a bare plotly page, in headless chromium, one run.

    python bench/map_pages.py [--rows 100000] [--visits 3]

A browser session imports a .npy of vectors and a metadata CSV through the home page's "Import vectors
made elsewhere" form (the same files as bench/memory_100k.py) and waits for the home page's map (the
import computes the UMAP map, minutes here). Then, each visit: go to another page, click "Map" in the
sidebar, and time the click to the Map page's `[data-testid=murmuration-map][data-ready=true]`.
The reference is a bare Streamlit app of two pages whose second page holds one plotly scattergl chart of
as many points with the same hover texts (coordinates: the vectors' first two principal components, as
plotly's draw time does not depend on where the points are): timed from the click on its link to
plotly's trace on screen. Both are in-app page switches (no Streamlit start-up in either).
Prints both, their ratio, and the server's and chromium's memory. Traffic stays on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from testkit.live_server import ARGS, server
from map_component import process_tree_mb, status_kb
from map_timeline import describe_back, describe_forward
from memory_100k import files

ROOT = Path(__file__).resolve().parent.parent
PLOTLY_READY = ("() => { const h = document.querySelector('h1'); return h && h.innerText.startsWith('Chart') "
                "&& Boolean(document.querySelector('.js-plotly-plot .scatterlayer .trace, .js-plotly-plot canvas')); }")


def map_ready(points: int) -> str:
    """A script for wait_for_function: the map inside the component's shadow root has `points` points drawn."""
    return ("() => Array.from(document.querySelectorAll('[data-testid=stBidiComponentIsolated]')).some(e => "
            "e.shadowRoot && e.shadowRoot.querySelector("
            f"'[data-testid=murmuration-map][data-ready=true][data-points-drawn=\"{points}\"]'))")


BARE_APP = """import numpy as np
import plotly.graph_objects as go
import streamlit as st


@st.cache_data
def points(path):
    vectors = np.load(path)
    centred = vectors - vectors.mean(axis=0)
    xy = centred @ np.linalg.svd(centred[::10], full_matrices=False)[2][:2].T
    texts = [line.split(",")[0][:80] for line in open(path[:-4] + ".csv").read().splitlines()[1:]]
    return xy, texts


def chart():
    st.title("Chart")
    xy, texts = points({vectors!r})
    figure = go.Figure(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers", text=texts, hoverinfo="text",
                                    marker={{"size": 3}}))
    figure.update_layout(height=620)
    st.plotly_chart(figure)


def start():
    st.title("Start")


st.navigation([st.Page(start, title="Start", default=True), st.Page(chart, title="Chart")]).run()
"""


def switch_seconds(page, link: str, ready: str, away: str, log: list | None = None) -> float:
    """Go to the `away` page, let it settle, then time the click on `link` until `ready` holds
    (with `log`: the websocket messages meanwhile, ms from the click)."""
    before = page.locator("h1").first.inner_text()
    if not before.startswith(away):
        page.get_by_role("link", name=away).first.click()
        page.wait_for_function(f"() => document.querySelector('h1') && document.querySelector('h1').innerText !== {before!r}")
    page.wait_for_timeout(1500)
    started = time.perf_counter()
    if log is not None:
        log.clear()
        log.append(started)
    page.get_by_role("link", name=link).first.click()
    page.wait_for_function(ready, timeout=600_000, polling="raf")
    return time.perf_counter() - started


def record(page, log: list) -> None:
    """Append (seconds, text) for every websocket message once `log` holds a start time."""
    def note(text):
        if log:
            log.append((time.perf_counter() - log[0], text))

    page.on("websocket", lambda socket: (
        socket.on("framereceived", lambda p: note("<- " + describe_forward(p)) if isinstance(p, bytes) else None),
        socket.on("framesent", lambda p: note("-> " + describe_back(p)))))


def import_vectors(page, url: str, folder: Path, rows: int) -> float:
    page.goto(url)
    page.wait_for_selector("[data-testid=murmuration-map][data-ready=true]", timeout=300_000)
    expander = page.get_by_text("Import vectors made elsewhere")
    expander.click()
    page.get_by_text("Import precomputed vectors").wait_for(state="visible")
    page.locator("input[type=file]").last.set_input_files([str(folder / "vectors.npy"), str(folder / "vectors.csv")])
    button = page.get_by_role("button", name="Explore these vectors")
    for _ in range(3):  # the upload's rerun may fold the expander again
        try:
            button.wait_for(state="visible", timeout=20_000)
            break
        except Exception:
            expander.click()
    started = time.perf_counter()
    button.click()
    page.wait_for_function(map_ready(rows), timeout=1_800_000, polling=1000)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--visits", type=int, default=3)
    args = parser.parse_args()
    os.environ["MURMURATION_MAX_ROWS"] = str(max(args.rows, 100_000))
    folder = Path(tempfile.mkdtemp())
    vectors, metadata = files(args.rows, args.dims)
    (folder / "vectors.npy").write_bytes(vectors)
    (folder / "vectors.csv").write_bytes(metadata)
    bare = folder / "bare.py"
    bare.write_text(BARE_APP.format(vectors=str(folder / "vectors.npy")))
    with sync_playwright() as playwright, \
            server(ROOT / "app.py", ROOT, with_process=True) as (app_url, app_server), \
            server(bare, folder) as bare_url:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=[*ARGS, "--enable-precise-memory-info"])
        app = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        log = []
        record(app, log)
        imported = import_vectors(app, app_url, folder, args.rows)
        reference = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        reference.goto(bare_url)
        reference.wait_for_selector("h1:has-text('Start')")
        switch_seconds(reference, "Chart", PLOTLY_READY, "Start")  # unmeasured: computes and caches the points
        times = {"map page": [], "plotly": []}
        for _ in range(args.visits):
            times["map page"].append(switch_seconds(app, "Map", map_ready(args.rows), "Words", log))
            print(f"Map page visit: {times['map page'][-1]:.2f} s; messages (ms from the click): " + "; ".join(
                f"{at * 1000:.0f} {text}" for at, text in log[1:] if "bidi" in text or not text.startswith("<- delta")))
            times["plotly"].append(switch_seconds(reference, "Chart", PLOTLY_READY, "Start"))
        drawn = app.locator("[data-testid=murmuration-map]").get_attribute("data-points-drawn")
        heap = app.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1e6 : 0")
        chromium = process_tree_mb(os.getpid(), exclude={os.getpid()})
        server_mb = status_kb(app_server.pid, "VmRSS") / 1024, status_kb(app_server.pid, "VmHWM") / 1024
        browser.close()
    median = {kind: statistics.median(seconds) for kind, seconds in times.items()}
    print(f"{args.rows:,} imported vectors ({args.dims} dims): import to the home page's map {imported:.0f} s")
    print("seconds from the click on the page's link to its points on screen:")
    for kind, seconds in times.items():
        print(f"  {kind:9s} " + ", ".join(f"{s:.2f}" for s in seconds) + f"  (median {median[kind]:.2f})")
    print(f"  ratio Map page / bare plotly page: {median['map page'] / median['plotly']:.2f}x; drawn {drawn}")
    print(f"memory: app server RSS {server_mb[0]:.0f} MB (peak {server_mb[1]:.0f} MB); chromium PSS {chromium:.0f} MB "
          f"(both pages open); the Map page's JS heap {heap:.0f} MB")


if __name__ == "__main__":
    main()
