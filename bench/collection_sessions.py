"""Several browser sessions on one big collection's Map page: the server's memory, and each session's time
to a drawn map with every point.

    python bench/collection_sessions.py FOLDER [--sessions 4]

FOLDER holds a collection (e.g. the `collection` folder that `python bench/collection_scale.py --n 1000000
--folder DIR` leaves in DIR, with `DIR` as FOLDER's parent). The app is started with MURMURATION_COLLECTIONS
set to FOLDER's parent; each session is a new headless chromium context opening the Map page of the
collection, and they stay open together; then each clicks its map. Prints, per session, the seconds to
`data-ready` and the points drawn, and to the click's neighbours; then the server's resident memory (process and children) at its peak, sampled every 0.2 s, and the
browser's. The goal (issue 12): at most 2 GB of server memory with 4 sessions and every point drawn.
"""
from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

from testkit.live_server import ARGS, server, tree_memory_mb

ROOT = Path(__file__).resolve().parent.parent
MAP = "[data-testid=murmuration-map]"


def resident_mb(pid: int) -> float:
    return tree_memory_mb(pid)


def own_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


class PeakSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, resident_mb(self.pid))
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path, help="a collection folder")
    parser.add_argument("--sessions", type=int, default=4)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = args.folder.resolve()
    os.environ["MURMURATION_COLLECTIONS"] = str(folder.parent)
    link = f"/Map?corpus={quote_plus('collection: ' + folder.name)}"
    with server(ROOT / "app.py", ROOT, with_process=True) as (url, process), sync_playwright() as playwright:
        print(f"server started: {resident_mb(process.pid):.0f} MB", flush=True)
        sampler = PeakSampler(process.pid)
        sampler.start()
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        pages = []
        for number in range(1, args.sessions + 1):
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            started = time.perf_counter()
            page.goto(url + link)
            page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=900_000)
            drawn = int(page.get_attribute(MAP, "data-points-drawn"))
            pages.append(page)
            print(f"session {number}: {drawn:,} points drawn in {time.perf_counter() - started:.1f} s; server now "
                  f"{resident_mb(process.pid):.0f} MB", flush=True)
        for number, page in enumerate(pages, 1):   # then each clicks the middle of its map: neighbours
            started = time.perf_counter()
            box = page.locator(f"{MAP} canvas").first.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_function("document.body.innerText.includes('nearest neighbours in the original space')",
                                   timeout=300_000)
            print(f"session {number}: a click's neighbours listed in {time.perf_counter() - started:.1f} s; "
                  f"server now {resident_mb(process.pid):.0f} MB", flush=True)
        time.sleep(5)
        sampler.running = False
        sampler.join()
        server_now = resident_mb(process.pid)
        browser_mb = resident_mb(os.getpid()) - server_now - own_mb()   # the driver and chromium, our children
        print(f"server peak with {args.sessions} sessions open: {sampler.peak:.0f} MB (goal: at most 2,048 MB)")
        print(f"browser and its driver, {args.sessions} sessions: {browser_mb:.0f} MB")
        browser.close()


if __name__ == "__main__":
    main()
