"""Hostile uploads against a live server: its memory and whether it keeps answering.

    python bench/hostile_uploads.py

Starts the app (after filling its disk cache, so the warm-up child does not count), then, in a real browser,
chooses each file in its form (and clicks Explore for vector imports): an ordinary CSV of 2,000 documents as the
reference, then the issue's hostile files, made on the spot. While each runs, a thread samples every 0.1 s the
memory of the server and all its children (proportional set size) (the readers run there) and how long the health endpoint
takes to answer. Prints, per file: the server's peak memory, the slowest health answer, the seconds until the
page showed its answer, and the answer; then each peak as a ratio of the reference's.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from testkit.hostile_files import deflated_tsv_bomb, dictionary_parquet_bomb, npy_header_bomb
from testkit.live_server import ARGS, server, tree_memory_mb

ROOT = Path(__file__).resolve().parent.parent
UPLOAD, IMPORT = "Upload your own text", "Import vectors made elsewhere"
ERROR, CAPTION = "[data-testid=stAlertContentError]", "[data-testid=stCaptionContainer]"
FOUND = re.compile(r"rows, \d+ column|limit|not a|could not")   # the form's caption of what it read, or a refusal


def proportional_mb(pid: int) -> float:
    return tree_memory_mb(pid, "smaps_rollup", "Pss:")


class Sampler(threading.Thread):
    """The server tree's peak memory and the slowest health answer, while a case runs."""

    def __init__(self, url: str, pid: int):
        super().__init__(daemon=True)
        self.url, self.pid, self.running = url, pid, True
        self.peak_mb, self.slowest_health = 0.0, 0.0

    def run(self):
        while self.running:
            started = time.perf_counter()
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=30).read()
            except OSError:
                pass
            self.slowest_health = max(self.slowest_health, time.perf_counter() - started)
            self.peak_mb = max(self.peak_mb, proportional_mb(self.pid))
            time.sleep(0.1)


def reference_csv() -> bytes:
    rows = [f"flit {i} about {topic} and the weather by the river,{topic}"
            for i, topic in enumerate(["owls", "gulls", "wrens", "hawks"] * 500)]
    return ("text,label\n" + "\n".join(rows) + "\n").encode()


CASES = [  # name, form, files
    ("reference: 2,000-row CSV", UPLOAD, lambda: {"flits.csv": reference_csv()}),
    ("zip: 480 MB of '0\\t' deflated", IMPORT, lambda: {"projector.zip": deflated_tsv_bomb(480)}),
    ("Parquet: 20,000 x 540 KB string, 1 column", UPLOAD, lambda: {"long.parquet": dictionary_parquet_bomb()}),
    ("Parquet: the same in 40 columns", UPLOAD, lambda: {"wide.parquet": dictionary_parquet_bomb(columns=40)}),
    (".npy declaring 100000 x 100000", IMPORT, lambda: {"v.npy": npy_header_bomb(), "meta.csv": b"text\nx\n"}),
]


def run_case(page, url: str, form: str, files: dict[str, bytes], folder: Path) -> tuple[float, str]:
    page.goto(url)
    page.wait_for_selector("[data-testid=murmuration-map][data-ready=true]", timeout=300_000)
    expander = page.locator("[data-testid=stExpander]").filter(has_text=form)
    expander.locator("summary").click()
    paths = []
    for name, data in files.items():
        paths.append(folder / name)
        paths[-1].write_bytes(data)
    started = time.perf_counter()
    expander.locator("input[type=file]").set_input_files([str(p) for p in paths])
    if form == IMPORT:
        page.get_by_role("button", name="Explore these vectors").click()
    answer = page.locator(f"{ERROR}, {CAPTION}").filter(has_text=FOUND) if form == UPLOAD else page.locator(ERROR)
    answer = answer.first
    answer.wait_for(timeout=600_000)
    return time.perf_counter() - started, answer.inner_text().strip().replace("\n", " ")


def main() -> None:
    from playwright.sync_api import sync_playwright

    cache = tempfile.mkdtemp(prefix="murmuration-bench-cache-")
    subprocess.run([sys.executable, "-m", "core.warmup"], cwd=ROOT, env={**os.environ, "MURMURATION_CACHE_DIR": cache},
                   check=True)
    folder = Path(tempfile.mkdtemp(prefix="murmuration-hostile-"))
    with server(ROOT / "app.py", ROOT, with_process=True, cache=cache) as (url, process), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        results = []
        for name, form, make in CASES:
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            files = make()
            idle = proportional_mb(process.pid)
            sampler = Sampler(url, process.pid)
            sampler.start()
            seconds, answer = run_case(page, url, form, files, folder)
            time.sleep(2)
            sampler.running = False
            sampler.join()
            page.context.close()
            size = sum(map(len, files.values()))
            results.append((name, sampler.peak_mb))
            print(f"{name} ({size:,} bytes): server {idle:,.0f} MB before, peak {sampler.peak_mb:,.0f} MB; "
                  f"slowest health answer {sampler.slowest_health:.2f} s; answered in {seconds:.1f} s: {answer[:200]}",
                  flush=True)
        browser.close()
    reference = results[0][1]
    for name, peak in results[1:]:
        print(f"{name}: peak {peak / reference:.2f}x the reference upload's")


if __name__ == "__main__":
    main()
