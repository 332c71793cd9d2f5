"""From a file to a UMAP map with 15 neighbours per document, in a fresh process: where the time goes.

    python bench/map_path.py [--docs 2500]

Each row is a new Python process with an empty embeddings cache, on the same CSV of short texts
(anime quotes under 20 words and flits, like a file of headlines):
- before: what the project did until now (MiniLM on torch, UMAP searching its own neighbours, UMAP's
  numba code compiled in every process);
- now, first process: MiniLM on ONNX Runtime, one exact kNN graph handed to UMAP, and the UMAP code
  that umap-learn compiles in every process not yet in numba's disk cache;
- now, later process: the same, with that code read from numba's disk cache;
- now, overlapped: as later, with umap imported and compiled in a background thread while encoding.
The ONNX export happens once per installation, before these runs; its time is printed first.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
K = 15


def child(mode: str, csv_path: Path) -> None:
    steps, mark = {}, [time.perf_counter()]

    def step(name):
        now = time.perf_counter()
        steps[name] = steps.get(name, 0.0) + now - mark[0]
        mark[0] = now

    import numpy as np

    import core
    from core.maps import projection
    if mode == "clear":  # forget the compiled UMAP code that import_umap caches on disk: a first process
        projection.import_umap()
        for function in projection.CACHED_BY_US:
            function._cache.flush()
        return
    step("import core")
    if mode == "overlapped":
        projection.start_umap_warmup()
    corpus = core.load_corpus(("upload.csv", csv_path.read_bytes()))
    step("read file")
    from core.encoders import get_encoder
    encoder = get_encoder("minilm-torch" if mode == "before" else "minilm").fit(["x"])
    step("tokenizer + model load")
    X = encoder.transform(corpus.texts)
    step("encode")
    if mode == "before":
        from core.neighbours.similarity import cosine_knn
        neighbours = cosine_knn(X, K)
        step("kNN (15 per document)")
        import umap
        step("import umap")
        coords = umap.UMAP(n_neighbors=K, metric="cosine", min_dist=0.1, random_state=0, n_jobs=1,
                           init="spectral").fit_transform(X)
        step("UMAP first call (compile + fit)")
        steps["total (process start to map + neighbours)"] = time.perf_counter() - STARTED
        umap.UMAP(n_neighbors=K, metric="cosine", min_dist=0.1, random_state=1, n_jobs=1,
                  init="spectral").fit_transform(X)
        steps["of which fit (a second call, not in the total)"] = time.perf_counter() - mark[0]
    else:
        indices, distances = projection.exact_cosine_knn(X, K)
        neighbours = indices
        step("kNN (15 per document)")
        if mode == "overlapped":
            projection.start_umap_warmup().join()
            step("wait for the background UMAP warm-up")
        else:
            projection.import_umap()
            step("import umap")
            projection.warm_up_umap()
            step("UMAP compile (tiny input)")
        coords = projection.project(X, method="umap", knn=(indices, distances))
        step("UMAP fit")
    assert coords.shape == (len(X), 2) and neighbours.shape == (len(X), K) and np.isfinite(coords).all()
    steps.setdefault("total (process start to map + neighbours)", time.perf_counter() - STARTED)
    print(json.dumps({"documents": len(X), "steps": steps}))


def run_child(mode: str, csv_path: Path, cache: Path) -> dict:
    env = {**os.environ, "MURMURATION_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--csv", str(csv_path)], env=env,
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1]) if mode != "clear" else {}


def fresh_cache(models: Path, work: Path, name: str) -> Path:
    """An empty embeddings cache holding only the exported model (made once per installation)."""
    cache = work / name
    shutil.copytree(models, cache / "models")
    return cache


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2500)
    parser.add_argument("--child")
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.csv)
    from upload_to_map import upload_bytes

    work = Path(tempfile.mkdtemp(prefix="murmuration-map-path-"))
    csv_path = work / "texts.csv"
    csv_path.write_bytes(upload_bytes(args.docs, short=True))
    started = time.perf_counter()
    export = subprocess.run([sys.executable, "-c", "from core.encoders.onnx_runtime import model_file; model_file()"],
                            env={**os.environ, "MURMURATION_CACHE_DIR": str(work / "export")}, cwd=ROOT,
                            capture_output=True, text=True)
    assert export.returncode == 0, export.stderr
    print(f"one-time ONNX export (fresh process): {time.perf_counter() - started:.1f} s")
    models = work / "export" / "models"
    results = {}
    for label, mode in (("before", "before"), ("now, first process", "sequential"),
                        ("now, later process", "sequential"), ("now, overlapped", "overlapped")):
        if label == "now, first process":
            run_child("clear", csv_path, work / "clear")
        load = os.getloadavg()[0]
        results[label] = run_child(mode, csv_path, fresh_cache(models, work, label.replace(", ", "-")))
        print(f"{label}: {results[label]['steps']['total (process start to map + neighbours)']:.1f} s "
              f"(load average {load:.1f})", flush=True)
    documents = next(iter(results.values()))["documents"]
    print(f"\n{documents:,} short texts, file to UMAP map + {K} neighbours each, fresh process, empty cache\n")
    names = list(dict.fromkeys(name for r in results.values() for name in r["steps"]))
    print("| step | " + " | ".join(results) + " |\n| --- |" + " --- |" * len(results))
    for name in names:
        cells = [f"{r['steps'][name]:.2f}" if name in r["steps"] else "" for r in results.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
