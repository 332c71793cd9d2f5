"""The same collection built by the local engine and by the Ray engine, side by side in one run.

    python bench/ray_vs_local.py [--n 5000 20000] [--encoder minilm-static] [--workers N]

For each N: writes N synthetic documents (core.collections.synthetic, no downloads) to a CSV, builds it with
`--engine local`, then with `--engine ray` (a local Ray cluster started and shut down by the build, as the
command line does), and prints both times (whole build and embed step), the largest difference between their
vectors, and whether their documents.parquet hold the same table. Map (PCA) and index are the same code in both.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


from core.collections import build_collection
from core.collections.synthetic import synthetic_documents


def timed_build(source: Path, out: Path, encoder: str, **engine) -> tuple[float, float]:
    started = time.perf_counter()
    build_collection(source, encoder=encoder, out=out, projection="pca", **engine)
    total = time.perf_counter() - started
    return total, json.loads((out / "manifest.json").read_text())["build_seconds"]["embed_s"]


def compare(n: int, encoder: str, workers: int | None, folder: Path) -> None:
    import pyarrow.parquet as pq

    source = folder / f"docs-{n}.csv"
    synthetic_documents(n, seed=n).to_csv(source, index=False)
    local, ray = folder / f"local-{n}", folder / f"ray-{n}"
    local_total, local_embed = timed_build(source, local, encoder)
    ray_total, ray_embed = timed_build(source, ray, encoder, engine="ray", workers=workers)
    difference = np.abs(np.load(ray / "vectors.npy") - np.load(local / "vectors.npy")).max()
    same_documents = pq.read_table(ray / "documents.parquet").equals(pq.read_table(local / "documents.parquet"))
    print(f"{n:>7,} docs, {encoder}: local {local_total:6.1f} s (embed {local_embed:5.1f} s) | "
          f"ray {ray_total:6.1f} s (embed {ray_embed:5.1f} s, Ray start included) | "
          f"max |difference| {difference:.1e} | same documents.parquet: {same_documents}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[5000])
    parser.add_argument("--encoder", default="minilm-static")
    parser.add_argument("--workers", type=int, help="Ray actors (default: one per CPU)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for n in args.n:
            compare(n, args.encoder, args.workers, Path(folder))


if __name__ == "__main__":
    main()
