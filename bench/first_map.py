"""Seconds from opening the home page on a started server to the first drawn map, in headless chromium.

    python bench/first_map.py

Starts the app with an empty disk cache (as a fresh deployment: only the artifacts shipped in
data/cache), waits until the server answers, then opens the page three times in new browser
sessions. Needs chromium and playwright (requirements-dev.txt). Traffic stays on 127.0.0.1.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    port = free_port()
    env = {**os.environ, "MURMURATION_CACHE_DIR": tempfile.mkdtemp()}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for attempt in range(3):
                page = browser.new_context().new_page()
                started = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(".js-plotly-plot .scatterlayer, .js-plotly-plot canvas", timeout=120_000)
                print(f"visit {attempt + 1}: first map after {time.perf_counter() - started:.2f} s", flush=True)
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
