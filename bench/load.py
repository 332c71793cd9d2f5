"""Many people at once: N headless chromium sessions drive the main journey against one server.

    python bench/load.py [--sessions 8]

Starts the app on 127.0.0.1 with an empty disk cache, runs the sessions in parallel processes
(open, choose a corpus, Map, Neighbors, Similarity, upload a file), prints p50/p95 seconds per step,
how many sessions succeeded, and the server's peak memory; then stops everything it started.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from testkit.live_server import ARGS, server

ROOT = Path(__file__).resolve().parent.parent

MAP = "[data-testid=murmuration-map][data-ready=true]"  # the WebGL map with its points on the canvas


def journey(url: str, number: int, upload: str, results) -> None:
    from playwright.sync_api import sync_playwright

    steps, error, current = {}, None, ["start"]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 900})

            def step(name, action, ready):
                current[0] = name
                started = time.perf_counter()
                action()
                for selector in ready if isinstance(ready, tuple) else (ready,):  # the new page, then its content
                    page.wait_for_selector(selector, timeout=300_000)
                page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=300_000)
                steps[name] = time.perf_counter() - started
                if page.locator("[data-testid=stException]").count():
                    raise RuntimeError(f"error shown after {name}")

            step("open", lambda: page.goto(url), MAP)
            corpus = "Anime quotes" if number % 2 else "Words"
            step("choose corpus", lambda: (page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
                                           .click(), page.get_by_role("option", name=corpus).click()),
                 f"text={corpus} · MiniLM")
            step("map", lambda: page.get_by_role("link", name="Map").click(), ("h1:has-text('Map')", MAP))
            step("neighbours", lambda: page.get_by_role("link", name="Neighbors").click(),
                 ("h1:has-text('Nearest neighbours')", "[data-testid=stDataFrame]"))
            step("similarity", lambda: page.get_by_role("link", name="Similarity").click(),
                 ("h1:has-text('Similarity')", ".js-plotly-plot"))

            def upload_file():
                page.get_by_role("link", name="Home").first.click()
                page.wait_for_selector("h1:has-text('Murmuration')")
                page.get_by_text("Upload your own text").click()
                page.locator("input[type=file]").first.set_input_files(upload)
                page.get_by_role("button", name="Explore this corpus").click()

            step("upload", upload_file, f"text=session_{number}.csv · MiniLM")
            browser.close()
    except Exception as exc:  # a failed journey is a result to report, not a crash of the benchmark
        error = f"{current[0]}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    results.put((number, steps, error))


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=8)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    uploads = []
    for number in range(args.sessions):
        path = folder / f"session_{number}.csv"
        path.write_text("text,topic\n" + "\n".join(f"note {i} from session {number} about {w},{w}"
                                                   for i in range(40) for w in ("rain", "song")))
        uploads.append(str(path))
    with server(ROOT / "app.py", ROOT, with_process=True) as (url, process):
        results = multiprocessing.Queue()
        workers = [multiprocessing.Process(target=journey, args=(url, n, uploads[n], results))
                   for n in range(args.sessions)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=900) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        wall = time.perf_counter() - started
        peak = peak_rss_mb(process.pid)
    ok = [steps for _, steps, error in outcomes if error is None]
    print(f"{len(ok)} of {len(outcomes)} sessions completed the journey in {wall:.0f} s")
    for number, _, error in sorted(outcomes):
        if error:
            print(f"  session {number}: {error}")
    print("| step | p50 s | p95 s |\n| --- | --- | --- |")
    for name in ("open", "choose corpus", "map", "neighbours", "similarity", "upload"):
        times = sorted(steps[name] for steps in ok if name in steps)
        if times:
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"| {name} | {statistics.median(times):.1f} | {p95:.1f} |")
    print(f"server peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
