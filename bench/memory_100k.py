"""Server memory for 100,000 imported vectors: import them, see the home page, then the Map page.

    python bench/memory_100k.py [--rows 100000] [--dims 64]

Runs the app's pages with AppTest in this one process (the server-side code a Streamlit server
runs), through the real import form (a .npy of vectors and a metadata CSV), and prints the time of
each step and the process's peak resident memory. The goal (issue 9) is at most 2 GB.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("MURMURATION_CACHE_DIR", "off")
os.environ.setdefault("MURMURATION_MAX_ROWS", "200000")


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def files(rows: int, dims: int) -> tuple[bytes, bytes]:
    """Vectors around 20 centres (so the map has structure) and one short text per row."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(20, dims))
    group = rng.integers(0, 20, rows)
    vectors = (centres[group] + 0.6 * rng.normal(size=(rows, dims))).astype(np.float32)
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    metadata = "text,topic\n" + "".join(f"document {i} about topic {g},topic {g}\n" for i, g in enumerate(group))
    return buffer.getvalue(), metadata.encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dims", type=int, default=64)
    args = parser.parse_args()
    from streamlit.testing.v1 import AppTest

    vectors, metadata = files(args.rows, args.dims)
    print(f"before the app: {peak_gb():.2f} GB peak", flush=True)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800).run()
    started = time.perf_counter()
    at.file_uploader(key="vectors_upload").upload("vectors.npy", vectors, "application/octet-stream")
    at.file_uploader(key="vectors_upload").upload("metadata.csv", metadata, "text/csv")
    at.run()
    at.button[-1].click().run()
    assert not at.exception and not at.error, [e.value for e in list(at.exception) + list(at.error)]
    print(f"import and home page: {time.perf_counter() - started:.1f} s, {peak_gb():.2f} GB peak", flush=True)
    started = time.perf_counter()
    at.switch_page("app_pages/1_Map.py").run()
    assert not at.exception and not at.error, [e.value for e in list(at.exception) + list(at.error)]
    print(f"Map page: {time.perf_counter() - started:.1f} s, {peak_gb():.2f} GB peak", flush=True)
    print(f"peak resident memory of the server-side code: {peak_gb():.2f} GB (goal: at most 2 GB)")


if __name__ == "__main__":
    main()
