"""Placing topic names by zoom, and density contours, in the browser (issue 20 parts 2 and 3): the map component
with N points (half of them passing a filter) and names at three levels (N/100, N/10 and N names: 10, 100 and
1,000 by default), zoomed in and out and panned in headless chromium; after each step the component reports how
long its last placement of names took (data-label-ms: the names in view counted by level, the level chosen, the
fine-level boxes measured and decluttered, the DOM written). Then the contours are switched on: data-contour-ms is
the density of the points passing the filter, its isolines and their SVG paths, as after every filter change.

    python bench/names_by_zoom.py [--points 1000000] [--names 1000] [--steps 40]

The goals at 1,000,000 points: names placed within one frame (16 ms) with 1,000 names, contours within 200 ms.
"""
import argparse
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from testkit.live_server import ARGS, server

ROOT = Path(__file__).resolve().parent.parent
MAP = "[data-testid=murmuration-map]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, default=1_000)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    with server(ROOT / "tests" / "apps" / "map_component_app.py", ROOT) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/?n={args.points}&names={args.names}&text=0&colour=none&filter=1")
        root = page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=600_000)
        box = page.locator(f"{MAP} canvas").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.45)
        times, levels, shown = [], [], []
        for step in range(args.steps):
            if step % 4 == 3:   # a drag now and then
                page.mouse.down()
                page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5, steps=3)
                page.mouse.up()
                page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.45)
            else:
                page.mouse.wheel(0, -150 if step < args.steps // 2 else 150)
            page.wait_for_timeout(120)
            times.append(float(root.get_attribute("data-label-ms")))
            levels.append(root.get_attribute("data-label-level"))
            shown.append(int(root.get_attribute("data-labels-visible")))
        contour_ms = []
        for _ in range(3):
            page.get_by_role("button", name="Contours").click()
            page.wait_for_function("root => root.dataset.contours === 'on'", arg=root)
            contour_ms.append(float(root.get_attribute("data-contour-ms")))
            page.get_by_role("button", name="Contours").click()
        browser.close()
    print(f"{args.points:,} points, {args.names:,} finest names ({args.names // 100 + args.names // 10 + args.names:,} "
          f"in all), {args.steps} zoom and pan steps: placement median {statistics.median(times):.2f} ms, "
          f"max {max(times):.2f} ms; levels shown {sorted(set(levels))}; names on screen {min(shown)}-{max(shown)}; "
          f"contours of the filtered points {', '.join(f'{ms:.0f}' for ms in contour_ms)} ms")


if __name__ == "__main__":
    main()
