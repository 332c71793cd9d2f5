"""A big collection's map as one HTML file and as a published folder, in one run.

Builds a collection of synthetic short documents (MiniLM static, PCA map), computes every document's 10
neighbours once, writes both forms, then serves the folder with `python -m http.server` and opens it in headless
chromium: the time to the first points and to every point, and a click checked against the collection's index.
Also opens the one file from file:// when it is not too big for the browser.

    python bench/publish_scale.py [--docs 1000000]
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import core
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents
from core.maps.html import map_file_options
from murmuration_map.published import publish_map
from murmuration_map.static_page import map_html, write_html
from testkit.live_server import ARGS
from testkit.map_screen import MAP, click_point, isolated_point, screen_positions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="publish-scale-"))
    source = folder / "docs.csv"
    synthetic_documents(args.docs, seed=13).to_csv(source, index=False)
    started = time.perf_counter()
    build_collection(source, encoder="minilm-static", out=folder / "docs", projection="pca")
    print(f"collection of {args.docs:,} built in {time.perf_counter() - started:.0f} s", flush=True)
    dataset = core.open_dataset(folder / "docs")
    started = time.perf_counter()
    options = map_file_options(dataset)
    print(f"neighbours, texts and region names in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    site = publish_map(folder / "site", dataset.coords, page_title="Published", **options)
    size = sum(path.stat().st_size for path in site.iterdir())
    print(f"published folder: {size / 1e6:.1f} MB in {len(list(site.iterdir()))} files, written in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    one_file = write_html(folder / "map.html", map_html(dataset.coords, page_title="One file", **options))
    print(f"one HTML file: {one_file.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - started:.0f} s",
          flush=True)
    _open_published(site, dataset)
    _open_file(one_file, len(dataset))


def _open_published(site: Path, dataset) -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                               str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function(f"Number(document.querySelector('{MAP}')?.dataset.pointsDrawn) > 0",
                                   timeout=600_000, polling=20)
            first = time.perf_counter() - started
            first_count = page.locator(MAP).get_attribute("data-points-drawn")
            page.wait_for_function(f"document.querySelector('{MAP}').dataset.pointsDrawn === '{len(dataset)}' && "
                                   f"document.querySelector('{MAP}').dataset.ready === 'true'", timeout=600_000)
            print(f"published, over http.server: first {int(first_count):,} points drawn in {first:.1f} s, all "
                  f"{len(dataset):,} in {time.perf_counter() - started:.1f} s", flush=True)
            screen, _ = screen_positions(page, np.asarray(dataset.coords, dtype=np.float64))
            row = isolated_point(screen)
            click_point(page, screen[row])
            page.wait_for_selector(".mm-page-neighbour", timeout=60_000)
            listed = [int(item.get_attribute("data-row")) for item in page.locator(".mm-page-neighbour").all()]
            same = listed == dataset.neighbours(row, 10).indices.tolist()
            print(f"click on row {row}: {'the same' if same else 'OTHER'} 10 neighbours as the collection's index")
            browser.close()
    finally:
        server.terminate()


def _open_file(path: Path, count: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        started = time.perf_counter()
        try:
            page.goto(path.as_uri(), timeout=600_000)
            page.wait_for_function(f"document.querySelector('{MAP}')?.dataset.pointsDrawn === '{count}'",
                                   timeout=600_000, polling=50)
            print(f"one file from file://: all {count:,} points drawn in {time.perf_counter() - started:.1f} s")
        except Exception as error:
            print(f"one file from file://: not drawn ({type(error).__name__}: {str(error).splitlines()[0][:100]})")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
