"""The map as one HTML file, beside what a user would make otherwise, in one run.

Builds a collection of synthetic short documents (MiniLM static, PCA map), writes its map three ways and opens
each from file:// in headless chromium, three times, taking the median:
  - ours: `core.maps.html.export_html` (texts cut to 200 characters, 10 neighbours a point);
  - plotly: a Scattergl of the same points with the same hover texts, plotly.js inline (offline);
  - DataMapPlot (`create_interactive_plot(..., inline_data=True)`), when `--datamapplot-python` names an
    interpreter that has it (it is not a dependency of this project: python -m venv dmp-venv &&
    dmp-venv/bin/pip install datamapplot, in any folder).
For each: the file's size, the time to write it, the time until its points are drawn, and the requests it made
beyond the file itself. Then a click on an isolated point of ours must list the collection index's neighbours.

    python bench/html_export.py [--docs 100000] [--datamapplot-python dmp-venv/bin/python]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import core
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents
from core.maps.html import export_html
from murmuration_map.static_page import TEXT_CHARS, estimated_bytes, text_bytes
from testkit.live_server import ARGS
from testkit.map_screen import MAP, click_point, isolated_point, screen_positions

CHROMIUM = "/usr/bin/chromium"
RUNS = 3
READY = {   # when each page has drawn its points
    "ours": f"document.querySelector('{MAP}')?.dataset.ready === 'true'",
    "plotly": "(() => { const plot = document.querySelector('.js-plotly-plot');"
              " return Boolean(plot && plot._fullLayout && plot.querySelector('canvas')); })()",
    "datamapplot": "Boolean(document.querySelector('canvas')) && (window.datamap?.deckgl ?? window.deckgl ?? true)",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--datamapplot-python")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="html-export-"))
    dataset = _collection(folder, args.docs)
    texts = [_cut(text) for text in dataset.all_texts()]
    files = {"ours": _timed(lambda: export_html(dataset, folder / "ours.html", title="Synthetic docs"))}
    files["plotly"] = _timed(lambda: _plotly(dataset, texts, folder / "plotly.html"))
    if args.datamapplot_python:
        files["datamapplot"] = _timed(lambda: _datamapplot(args.datamapplot_python, dataset, texts, folder))
    estimate = estimated_bytes(len(dataset), text_bytes(dataset.all_texts()), 10)
    print(f"{len(dataset):,} documents; our size estimate before writing: {estimate / 1e6:.1f} MB")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, (path, seconds) in files.items():
            ready, requests = _ready_times(browser, name, path)
            shown = f"{statistics.median(ready):.2f} s (runs: {', '.join(f'{r:.2f}' for r in ready)})" if ready \
                else "never (see requests)"
            print(f"{name:12s} {path.stat().st_size / 1e6:7.1f} MB  written in {seconds:5.1f} s  ready in {shown}"
                  f"  requests beyond the file: {len(requests)} {requests[:3]}")
        _check_click(browser, files["ours"][0], dataset)
        browser.close()


def _collection(folder: Path, docs: int):
    source = folder / "docs.csv"
    synthetic_documents(docs, seed=11).to_csv(source, index=False)
    started = time.perf_counter()
    build_collection(source, encoder="minilm-static", out=folder / "docs", projection="pca")
    print(f"collection of {docs:,} built in {time.perf_counter() - started:.1f} s")
    return core.open_dataset(folder / "docs")


def _plotly(dataset, texts, path: Path) -> Path:
    import plotly.graph_objects as go

    xy = np.asarray(dataset.coords, dtype=np.float32)
    labels = np.asarray(dataset.labels)
    codes = np.unique(labels, return_inverse=True)[1]
    figure = go.Figure(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers", text=texts, hoverinfo="text",
                                    marker={"size": 3, "color": codes, "colorscale": "Turbo"}))
    figure.write_html(path, include_plotlyjs=True)
    return path


DATAMAPPLOT = """
import json, sys, numpy as np, datamapplot
folder = sys.argv[1]
xy = np.load(folder + "/xy.npy")
labels = json.load(open(folder + "/labels.json"))
texts = json.load(open(folder + "/texts.json"))
plot = datamapplot.create_interactive_plot(xy, np.asarray(labels, dtype=object), hover_text=texts, inline_data=True)
plot.save(folder + "/datamapplot.html")
"""


def _datamapplot(python: str, dataset, texts, folder: Path) -> Path:
    np.save(folder / "xy.npy", np.asarray(dataset.coords, dtype=np.float32))
    (folder / "labels.json").write_text(json.dumps([str(label) for label in dataset.labels]))
    (folder / "texts.json").write_text(json.dumps(texts))
    subprocess.run([python, "-c", DATAMAPPLOT, str(folder)], check=True, timeout=1800)
    return folder / "datamapplot.html"


def _ready_times(browser, name: str, path: Path) -> tuple[list[float], list[str]]:
    ready, requests = [], []
    for _ in range(RUNS):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        started = time.perf_counter()
        try:
            page.goto(path.as_uri(), timeout=120_000)
            page.wait_for_function(READY[name], timeout=120_000, polling=20)
            ready.append(time.perf_counter() - started)
        except Exception as error:   # a page that needs the network never gets ready here
            print(f"{name}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
        page.close()
    own = path.as_uri()
    return ready, sorted({url[:100] for url in requests if url != own and not url.startswith("data:")})


def _check_click(browser, path: Path, dataset) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("!document.querySelector('.mm-page-search').disabled", timeout=120_000)
    screen, _ = screen_positions(page, dataset.coords)
    row = isolated_point(screen)
    click_point(page, screen[row])
    page.wait_for_selector(".mm-page-neighbour")
    listed = [int(item.get_attribute("data-row")) for item in page.locator(".mm-page-neighbour").all()]
    expected = dataset.neighbours(row, 10).indices.tolist()
    print(f"click on row {row}: the file lists {listed == expected and 'the same' or 'OTHER'} 10 neighbours as "
          f"the collection's index ({listed[:5]}...)")
    page.close()


def _timed(make):
    started = time.perf_counter()
    path = make()
    return path, time.perf_counter() - started


def _cut(text: str) -> str:
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
