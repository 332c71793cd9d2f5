"""The index build's time against its recall, on a built collection's vectors: usearch HNSW built again with each
setting, searched with typed sentences of other corpora (at the app's query effort) and with the collection's
own rows (at the build's effort, as the neighbour table searches), beside exact search in the same run.

    python bench/index_build.py COLLECTION [--settings 16/64,16/32,12/48] [--rows 1000]

A setting is connectivity/expansion_add. Prints, per setting: build time and documents a second, recall@10 for
typed queries and for rows (a result counts when its exact cosine is at least the exact 10th best).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from core.collections import open_collection
from core.collections.index import DEFAULTS, QUERY_EFFORT, AnnIndex
from core.neighbours.similarity import normalize_rows
from typed_recall import K, exact_scores, typed_queries


def recall(index: AnnIndex, vectors, queries: np.ndarray, truth: np.ndarray, leave_out=None) -> float:
    hits = 0
    for i, (query, exact) in enumerate(zip(queries, truth)):
        found = index.search(query, K + (leave_out is not None))
        if leave_out is not None:
            found = found[found != leave_out[i]][:K]
        scores = normalize_rows(np.asarray(vectors[np.sort(found)], dtype=np.float32)) @ query
        hits += int((scores >= exact[-1] - 1e-5).sum())
    return hits / (K * len(queries))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("collection")
    parser.add_argument("--settings", default="16/64,16/32,12/48")
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    collection = open_collection(args.collection)
    vectors = collection.vectors
    typed = normalize_rows(collection.encode(typed_queries(300)))
    rows = np.random.default_rng(5).choice(len(vectors), args.rows, replace=False)
    own = normalize_rows(np.asarray(vectors[np.sort(rows)], dtype=np.float32))
    rows = np.sort(rows)
    typed_truth = exact_scores(vectors, typed)
    own_truth = exact_scores(vectors, own, K + 1)[:, 1:]    # each row itself is its own best
    print(f"{len(vectors):,} vectors; {len(typed)} typed queries, {len(rows):,} rows as queries", flush=True)
    for setting in args.settings.split(","):
        connectivity, expansion_add = (int(part) for part in setting.split("/"))
        started = time.perf_counter()
        index = AnnIndex.build(vectors, connectivity=connectivity, expansion_add=expansion_add)
        seconds = time.perf_counter() - started
        typed_recall = recall(index, vectors, typed, typed_truth)
        index.query_effort = DEFAULTS["expansion_search"]
        rows_recall = recall(index, vectors, own, own_truth, leave_out=rows)
        print(f"connectivity {connectivity}, expansion_add {expansion_add}: built in {seconds:.0f} s "
              f"({len(vectors) / seconds:,.0f} documents/s); typed recall@10 {typed_recall:.3f} (effort "
              f"{QUERY_EFFORT}), rows {rows_recall:.3f} (effort {DEFAULTS['expansion_search']})", flush=True)


if __name__ == "__main__":
    main()
