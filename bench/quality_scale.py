"""Data quality at collection scale: `python -m core quality COLLECTION` on N synthetic documents, then what the
app does with the stored results.

    python bench/quality_scale.py [--docs 1000000] [--folder DIR]

Builds the collection in DIR (kept, and reused when it is already there; a temporary folder otherwise), runs the
command line in a child process while sampling its memory every second (resident: VmRSS, of which RssAnon is the
process's own and RssFile the memory-mapped vectors and index, which the kernel can drop), then times, in this
process, what the Quality and Map pages do: read the stored report, the report again at another threshold from
the stored neighbours, each kind of findings, and each map colouring.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import core
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents
from core.quality import findings, quality_report
from core.quality.stored import stored

FIELDS = ("VmRSS:", "RssAnon:", "RssFile:")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="quality-scale-"))
    collection = folder / "docs"
    if not (collection / "manifest.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        synthetic_documents(args.docs, seed=13).to_csv(folder / "docs.csv", index=False)
        started = time.perf_counter()
        build_collection(folder / "docs.csv", encoder="minilm-static", out=collection, projection="pca")
        print(f"collection of {args.docs:,} built in {time.perf_counter() - started:.0f} s", flush=True)
    _command_line(collection)
    _app_side(collection)


def _command_line(collection: Path) -> None:
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "core", "quality", str(collection)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    peaks = dict.fromkeys(FIELDS, 0)
    while child.poll() is None:
        for field, value in _memory(child.pid).items():
            peaks[field] = max(peaks[field], value)
        time.sleep(1)
    seconds = time.perf_counter() - started
    print(child.stdout.read().strip())
    print(f"python -m core quality: {seconds:.0f} s; peak resident {peaks['VmRSS:']:,.0f} MB (own memory "
          f"{peaks['RssAnon:']:,.0f} MB, mapped collection files {peaks['RssFile:']:,.0f} MB)", flush=True)


def _memory(pid: int) -> dict:
    try:
        with open(f"/proc/{pid}/status") as status:
            return {line.split()[0]: int(line.split()[1]) / 1024 for line in status if line.split()[0] in FIELDS}
    except FileNotFoundError:
        return {}


def _app_side(collection: Path) -> None:
    dataset = core.open_dataset(collection)
    kept = stored(dataset.collection)
    report, seconds = _timed(kept.report)
    print(f"stored report read: {seconds:.2f} s ({len(report):,} lines, "
          f"{report.memory_usage(deep=True).sum() / 1e6:,.0f} MB in memory)")
    again, seconds = _timed(lambda: quality_report(dataset, threshold=0.9)[0])
    print(f"report at cosine 0.9 from the stored neighbours: {seconds:.1f} s "
          f"({int(again.duplicate_group.max()) + 1:,} groups, {int(report.duplicate_group.max()) + 1:,} at 0.95)")
    from ui.quality_results import colouring

    for kind in ("labels", "duplicates", "outliers"):
        listed, seconds = _timed(lambda: findings(report, kind))
        _, colour_seconds = _timed(lambda: colouring(report, kind))
        print(f"{kind}: {len(listed):,} listed in {seconds:.2f} s, map colouring in {colour_seconds:.2f} s")


def _timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


if __name__ == "__main__":
    main()
