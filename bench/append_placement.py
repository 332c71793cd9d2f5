"""Where appended documents land on a UMAP map: the append's placement (the cosine-weighted mean position of each
new document's 10 nearest old ones) beside UMAP's own `transform` with the reducer the build fitted (made again
here from the same sample and seed), on held-out documents: another seed of the synthetic generator, and
sentences of another corpus (anime quotes).

    python bench/append_placement.py [--docs 30000] [--new 3000]

For each way and each batch: neighbour preservation of the new points (the share of each new document's 10
nearest in the original space, among old and new together, that are also its 10 nearest on the map) and the
time to place them.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

import core
from core.collections import build_collection, open_collection
from core.collections.append import _place
from core.collections.build import MAP_SAMPLE, _fit_umap
from core.collections.synthetic import synthetic_documents
from core.maps.copies import distinct_rows
from core.neighbours.similarity import normalize_rows

K = 10


def preservation(vectors: np.ndarray, coords: np.ndarray, new: np.ndarray) -> float:
    """Mean share of each new row's K nearest by cosine that are also its K nearest on the map."""
    space = NearestNeighbors(n_neighbors=K + 1, metric="cosine").fit(vectors).kneighbors(vectors[new])[1][:, 1:]
    plane = NearestNeighbors(n_neighbors=K + 1).fit(coords).kneighbors(coords[new])[1][:, 1:]
    return float(np.mean([len(np.intersect1d(a, b)) / K for a, b in zip(space, plane)]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=30_000)
    parser.add_argument("--new", type=int, default=3_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="append-placement-"))
    synthetic_documents(args.docs, seed=1).to_csv(folder / "old.csv", index=False)
    collection = open_collection(build_collection(folder / "old.csv", encoder="minilm-static", out=folder / "c",
                                                  projection="umap"))
    old_vectors = normalize_rows(np.asarray(collection.vectors, dtype=np.float32))
    sample = np.sort(np.random.default_rng(0).choice(len(collection), min(len(collection), MAP_SAMPLE),
                                                     replace=False))
    first, copy_of = distinct_rows(old_vectors[sample])
    fitted = _fit_umap(old_vectors[sample], first, copy_of, seed=0)   # the build's reducer, made again
    batches = {"synthetic, another seed": synthetic_documents(args.new, seed=99).text.tolist(),
               "anime quotes": core.load_corpus("anime-quotes").texts[:args.new]}
    print(f"{len(collection):,} documents (UMAP fitted on {len(sample):,}); new batches of {args.new:,}", flush=True)
    for name, texts in batches.items():
        added = normalize_rows(collection.encode(texts))
        vectors = np.vstack([old_vectors, added])
        new = np.arange(len(collection), len(vectors))
        for way, place in (("neighbour mean (append)", lambda: _place(collection, added, collection.coords)),
                           ("UMAP transform", lambda: fitted.place(added, seed=1))):
            started = time.perf_counter()
            coords = np.vstack([np.asarray(collection.coords), place()])
            seconds = time.perf_counter() - started
            print(f"{name}: {way}: preservation@{K} {preservation(vectors, coords, new):.3f}, placed in "
                  f"{seconds:.1f} s", flush=True)
    print(pd.Series({"old points' own preservation": preservation(old_vectors, np.asarray(collection.coords),
                                                                   np.arange(0, len(collection), 10))}).to_string())


if __name__ == "__main__":
    main()
