"""A collection at scale: build N synthetic documents with minilm-static, open the result, and search it.

    python bench/collection_scale.py [--n 200000] [--projection umap|pca] [--queries 500] [--folder DIR]

Prints the build time (per step, from the manifest), size on disk, time and memory to open, recall@10 of
`Collection.search` against exact cosine search for queries NOT in the collection, and p50 query latency.
The source is a Parquet file of reproducible synthetic documents (core.collections.synthetic): no downloads.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


from core.collections import build_collection, open_collection
from core.collections.synthetic import synthetic_documents
from core.neighbours.similarity import normalize_rows

K = 10


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def write_source(n: int, path: Path) -> set[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = set()
    writer = None
    for start in range(0, n, 100_000):
        frame = synthetic_documents(min(100_000, n - start), seed=start // 100_000)
        frame["id"] += start
        texts.update(frame.text)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    writer.close()
    return texts


def exact_top(vectors, Q: np.ndarray, k: int = K) -> np.ndarray:
    """Brute-force cosine top k of each query, over the memory-mapped vectors in blocks."""
    best_scores = np.full((len(Q), k), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(Q), k), dtype=np.int64)
    for start in range(0, len(vectors), 100_000):
        scores = Q @ normalize_rows(vectors[start:start + 100_000]).T
        rows = np.broadcast_to(np.arange(start, start + scores.shape[1]), scores.shape)
        scores, rows = np.hstack([best_scores, scores]), np.hstack([best_rows, rows])
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        best_scores, best_rows = np.take_along_axis(scores, top, 1), np.take_along_axis(rows, top, 1)
    return best_rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--projection", default="umap")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--folder", type=Path, help="where to build (default: a temporary folder, removed)")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="collection-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{args.n:,} synthetic documents, minilm-static, {args.projection}, {args.dtype}; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} (other agents share the machine)", flush=True)
    started = time.perf_counter()
    in_collection = write_source(args.n, folder / "source.parquet")
    print(f"source written in {time.perf_counter() - started:.0f} s", flush=True)
    out = folder / "collection"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    build_collection(folder / "source.parquet", encoder="minilm-static", out=out, projection=args.projection,
                     dtype=args.dtype, progress=True)
    build = time.perf_counter() - started
    before = rss_mb()
    started = time.perf_counter()
    collection = open_collection(out)
    opened = time.perf_counter() - started
    steps = collection.manifest["build_seconds"]
    size = sum(f.stat().st_size for f in out.iterdir()) / 2**20
    print(f"build: {build:.0f} s (embed {steps['embed_s']:.0f} s, map {steps['map_s']:.0f} s, index "
          f"{steps['index_s']:.0f} s); on disk {size:.0f} MB; open {opened:.2f} s, "
          f"+{rss_mb() - before:.0f} MB resident", flush=True)
    projection = collection.manifest["projection"]
    print(f"map: {projection['method']} fitted on {projection['fitted_on']:,}, trustworthiness "
          f"{projection['trustworthiness']:.3f}, continuity {projection['continuity']:.3f} "
          f"(sample of {projection['quality_sample']:,})", flush=True)
    queries = synthetic_documents(args.queries * 2, seed=999_999)
    queries = queries[~queries.text.isin(in_collection)].head(args.queries)
    Q = normalize_rows(collection.encode(queries.text.tolist()))
    truth = exact_top(collection.vectors, Q)
    latencies, hits = [], 0
    for q, exact in zip(Q, truth):
        t = time.perf_counter()
        found = collection.search(q, K)
        latencies.append(time.perf_counter() - t)
        hits += len(np.intersect1d(found.indices, exact))
    print(f"search: recall@10 {hits / (K * len(Q)):.3f} on {len(Q)} queries not in the collection; "
          f"p50 {1000 * np.median(latencies):.2f} ms, p95 {1000 * np.percentile(latencies, 95):.2f} ms; "
          f"resident after the queries {rss_mb():.0f} MB", flush=True)
    if args.folder is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
