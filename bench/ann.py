"""Which ANN library for collections? faiss-cpu (HNSW and IVF-Flat), usearch (HNSW) and hnswlib, side by
side in one process on the same vectors: recall@10 against exact cosine search, p50 single-query latency,
build time, and the index's size in memory (its serialised size, which is what it holds).

    python bench/ann.py [--n 200000] [--queries 500] [--only faiss-hnsw,usearch]

Vectors: `minilm-static` (256 dims) of reproducible synthetic documents; queries are other synthetic
documents, none of them in the collection. hnswlib has no Linux wheel on PyPI (it compiles), so it is
measured only when it happens to be importable; so is faiss-cpu (`pip install faiss-cpu==1.15.1`), which
the project does not otherwise need.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


from core.collections.synthetic import synthetic_documents
from core.encoders import get_encoder
from core.neighbours.similarity import normalize_rows

K = 10


def vectors_and_queries(n: int, n_queries: int) -> tuple[np.ndarray, np.ndarray]:
    docs = synthetic_documents(n, seed=0)
    candidates = synthetic_documents(n_queries * 2, seed=12345)
    candidates = candidates[~candidates.text.isin(set(docs.text))].head(n_queries)
    encoder = get_encoder("minilm-static").fit(["fit"])
    return (normalize_rows(encoder.transform(docs.text.tolist())),
            normalize_rows(encoder.transform(candidates.text.tolist())))


def exact_top(X: np.ndarray, Q: np.ndarray, k: int = K) -> np.ndarray:
    scores = Q @ X.T
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    return np.take_along_axis(top, np.argsort(-np.take_along_axis(scores, top, 1), axis=1), 1)


def faiss_hnsw(X, M=32, ef_construction=80, ef_search=64):
    import faiss

    index = faiss.IndexHNSWFlat(X.shape[1], M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    index.add(X)
    index.hnsw.efSearch = ef_search
    return (lambda q: index.search(q[None], K)[1][0]), len(faiss.serialize_index(index))


def faiss_ivf(X, nprobe=16):
    import faiss

    n_lists = int(4 * np.sqrt(len(X)))
    quantizer = faiss.IndexFlatIP(X.shape[1])
    index = faiss.IndexIVFFlat(quantizer, X.shape[1], n_lists, faiss.METRIC_INNER_PRODUCT)
    index.train(X[np.random.default_rng(0).choice(len(X), min(len(X), 50 * n_lists), replace=False)])
    index.add(X)
    index.nprobe = nprobe
    return (lambda q: index.search(q[None], K)[1][0]), len(faiss.serialize_index(index))


def usearch_hnsw(X, dtype="f32", connectivity=16, expansion_add=128, expansion_search=64):
    from usearch.index import Index

    index = Index(ndim=X.shape[1], metric="cos", dtype=dtype, connectivity=connectivity,
                  expansion_add=expansion_add, expansion_search=expansion_search)
    index.add(np.arange(len(X)), X, threads=os.cpu_count() or 1)
    return (lambda q: index.search(q, K, threads=1).keys), index.serialized_length


def hnswlib_hnsw(X, M=16, ef_construction=128, ef_search=64):
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=X.shape[1])
    index.init_index(max_elements=len(X), M=M, ef_construction=ef_construction, random_seed=0)
    index.add_items(X, np.arange(len(X)))
    index.set_ef(ef_search)
    index.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        index.save_index(f"{folder}/i.bin")
        size = os.path.getsize(f"{folder}/i.bin")
    return (lambda q: index.knn_query(q, K)[0][0]), size


CANDIDATES = {
    "faiss-hnsw M32 efC80": faiss_hnsw,
    "faiss-ivf-flat nprobe16": faiss_ivf,
    "faiss-ivf-flat nprobe64": lambda X: faiss_ivf(X, nprobe=64),
    "usearch f32 M16 ea128": usearch_hnsw,
    "usearch f16 M16 ea64": lambda X: usearch_sweep(X, dtype="f16", expansion_add=64),
    "hnswlib M16 efC64": lambda X: hnswlib_hnsw(X, ef_construction=64),
}


def usearch_sweep(X, dtype="f16", expansion_add=64, expansion_search=(64, 128, 256)):
    """One build, searched with several expansion_search values (a query-time setting)."""
    search, size = usearch_hnsw(X, dtype=dtype, expansion_add=expansion_add)
    index = search.__closure__[0].cell_contents

    def searcher(ef):
        def search_with(q):
            index.expansion_search = ef
            return index.search(q, K, threads=1).keys
        return search_with
    return {f"expansion_search {ef}": searcher(ef) for ef in expansion_search}, size


def measure(name, build, X, Q, truth) -> list[dict] | None:
    started = time.perf_counter()
    try:
        searches, size = build(X)
    except ImportError as error:
        print(f"{name}: not installed ({error})", flush=True)
        return None
    build_s = time.perf_counter() - started
    if callable(searches):
        searches = {"": searches}
    return [_searched(f"{name} {label}".strip(), search, build_s, size, Q, truth) for label, search in searches.items()]


def _searched(name, search, build_s, size, Q, truth) -> dict:
    latencies, hits = [], 0
    for q, exact in zip(Q, truth):
        t = time.perf_counter()
        found = search(q)
        latencies.append(time.perf_counter() - t)
        hits += len(np.intersect1d(np.asarray(found, dtype=np.int64), exact))
    row = {"index": name, "build_s": build_s, "recall@10": hits / (K * len(Q)),
           "p50_ms": 1000 * float(np.median(latencies)), "p95_ms": 1000 * float(np.percentile(latencies, 95)),
           "size_mb": size / 2**20}
    print(f"{name:18s} build {build_s:7.1f} s  recall@10 {row['recall@10']:.3f}  p50 {row['p50_ms']:.2f} ms  "
          f"p95 {row['p95_ms']:.2f} ms  index {row['size_mb']:.0f} MB", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--only", default="", help="comma-separated names (prefixes) from: " + ", ".join(CANDIDATES))
    args = parser.parse_args()
    started = time.perf_counter()
    X, Q = vectors_and_queries(args.n, args.queries)
    print(f"{len(X):,} x {X.shape[1]} vectors and {len(Q)} queries not in the collection "
          f"({time.perf_counter() - started:.0f} s); {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    t = time.perf_counter()
    truth = exact_top(X, Q)
    print(f"exact search: {1000 * (time.perf_counter() - t) / len(Q):.1f} ms a query (batched)")
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    for name, build in CANDIDATES.items():
        if wanted and not any(name.startswith(w) for w in wanted):
            continue
        if name.startswith("faiss"):
            measure(name, lambda X, b=build: _faiss_threads(b, X), X, Q, truth)
        else:
            measure(name, build, X, Q, truth)


def _faiss_threads(build, X):
    """Build on every core, then search on one: single-query latency is what the app sees."""
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    result = build(X)
    faiss.omp_set_num_threads(1)
    return result


if __name__ == "__main__":
    main()
