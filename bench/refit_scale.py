"""The map of a big collection two ways (issue 22 parts 2 and 4): the build's UMAP fitted on a 20,000-document
sample with the rest placed by `transform`, then `python -m core refit` of it: `--map sample` (fitted again,
started from the current positions) and `--map full` (UMAP on every document, with the collection's own kNN
graph from its ANN index as `precomputed_knn`). Synthetic documents, minilm-static; a batch of another seed is
appended first (a tenth of the size), so that the refit also lays out appended points.

    python bench/refit_scale.py --docs 200000 [--folder DIR]

Prints each step's time and each map's trustworthiness and continuity on the same seeded sample of 3,000
documents, and how far the refits moved points (in units of the map's spread).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from core.collections import build_collection, open_collection
from core.collections.append import append_collection
from core.collections.refit import refit_collection
from core.collections.synthetic import synthetic_documents


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--folder", type=Path, help="where to build (default: a new temporary folder)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="refit-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    synthetic_documents(args.docs, seed=1).to_csv(folder / "old.csv", index=False)
    synthetic_documents(args.docs // 10, seed=2).to_csv(folder / "new.csv", index=False)
    started = time.perf_counter()
    out = build_collection(folder / "old.csv", encoder="minilm-static", out=folder / "c", projection="umap")
    built = open_collection(out).manifest
    print(f"build of {args.docs:,}: {time.perf_counter() - started:.0f} s "
          f"({', '.join(f'{k} {v:.0f} s' for k, v in built['build_seconds'].items())}); sample+transform map: "
          f"trustworthiness {built['projection']['trustworthiness']:.3f}, continuity "
          f"{built['projection']['continuity']:.3f}", flush=True)
    started = time.perf_counter()
    batch = append_collection(out, folder / "new.csv")
    projection = open_collection(out).manifest["projection"]
    print(f"append of {batch['count']:,}: {time.perf_counter() - started:.0f} s; map with them: trustworthiness "
          f"{projection['trustworthiness']:.3f}, continuity {projection['continuity']:.3f}", flush=True)
    for mode in ("sample", "full"):
        record = refit_collection(out, mode=mode)
        after = record["projection"]
        print(f"refit --map {mode}: {record['seconds']:.0f} s; trustworthiness {record['before']['trustworthiness']:.3f}"
              f" -> {after['trustworthiness']:.3f}, continuity {record['before']['continuity']:.3f} -> "
              f"{after['continuity']:.3f}; moved median {after['moved']['median']:.3f}, 90th percentile "
              f"{after['moved']['p90']:.3f} of the spread" + (f" (neighbours {after['neighbours_s']:.0f} s, layout "
                                                             f"{after['layout_s']:.0f} s)" if mode == "full" else ""),
              flush=True)


if __name__ == "__main__":
    main()
