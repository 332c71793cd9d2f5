"""Start the app (or any Streamlit script) on a free loopback port, for benchmarks and browser tests."""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def server(script: Path, cwd: Path, with_process: bool = False, cache: str | None = None, options=()):
    """Yield the URL (and the process if asked) once the server answers; stop it afterwards.
    The server gets `cache` as its disk cache folder, or a new empty one that is removed when it stops, and
    `options` as extra command-line settings (e.g. "--theme.base", "dark")."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="murmuration-server-cache-", ignore_cleanup_errors=True) as empty:
        env = {**os.environ, "MURMURATION_CACHE_DIR": cache or empty}
        process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                                    "--server.address", "127.0.0.1", "--server.headless", "true", *options], cwd=cwd,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            yield (url, process) if with_process else url
        finally:
            process.terminate()
            process.wait(timeout=20)


def tree_memory_mb(pid: int, file: str = "status", field: str = "VmRSS:") -> float:
    """A memory figure of a process and all its descendants, in MB, summed from /proc/PID/`file`'s `field`:
    resident memory by default; file="smaps_rollup", field="Pss:" for the proportional set size, which counts
    the pages a fork server shares with its children once in all rather than once per process."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/{file}") as figures:
                total += next(int(line.split()[1]) for line in figures if line.startswith(field)) / 1024
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total
