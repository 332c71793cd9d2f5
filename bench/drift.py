"""How long the drift test takes for 10,000 vs 10,000 documents: python bench/drift.py [--docs N]

The documents are recombined Flutter-seasons flits (each a mix of words from two or three flits, so no two
are alike) embedded with `minilm-static` (256 dimensions): spring-like against spring-like (no drift) and
spring-like against autumn-like (drift). Prints seconds, score, p-value and permutations spent for each
method, and the time of the "what drifted" pieces.

    python bench/drift.py --first-answer [--runs 3]

The Drift page's seasons example with MiniLM (the sidebar's default) on a cold cache: each run is a fresh
process with an empty disk cache (holding only the exported ONNX model, which the server's warm-up makes),
running app_pages/6_Drift.py through AppTest. "old": the 1,475 flits are embedded, as before their vectors
shipped; "new": their vectors come from data/cache. Prints the seconds from process start to the first drift
answer (each month tested against the reference month) and to the whole page, with CPU seconds, old and new
alternating, and the ratio old / new of the medians.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()

import numpy as np


import core
from core.analyses.drift import drift
from core.analyses.drift_explained import cluster_shares, typical_documents, words_that_moved


def recombined(texts: list[str], n: int, rng: np.random.Generator) -> list[str]:
    words = [t.split() for t in texts]
    return [" ".join(w for i in rng.choice(len(words), rng.integers(2, 4)) for w in words[i][:8]) for _ in range(n)]


def timed(action):
    """Wall seconds (what a user waits) with the process's CPU seconds (what the machine's load does not
    inflate) in brackets, and the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return f"{time.perf_counter() - wall:.2f} ({time.process_time() - cpu:.2f} CPU)", result


ROOT = Path(__file__).resolve().parent.parent
SEASONS_MINILM = "00cf5adfa8e712db66a0.npz"  # data/cache's MiniLM vectors of flutter-seasons


def first_answer_child(way: str, seeds: Path) -> None:
    """One cold visit to the Drift page's seasons example, in this fresh process; prints seconds as JSON."""
    from streamlit.testing.v1 import AppTest

    from core.analyses import windows
    from core.cache.disk import DiskCache, default_folder
    from core.encoders.base import Encoder
    from core.view import ViewState
    from ui import caches, compute

    compute.start_warmup = lambda: None   # the server's warm-up has exported the model already (see main)
    caches.DISK = DiskCache(default_folder(), seeds=(seeds,))
    marks, encoded = {}, []
    over_time, transform = windows.drift_over_time, Encoder.transform

    def timed_over_time(*args, **kwargs):
        result = over_time(*args, **kwargs)
        marks.setdefault("first answer", time.perf_counter() - STARTED)
        return result

    def counted_transform(self, texts, progress=None):
        encoded.append(len(texts))
        return transform(self, texts, progress)

    windows.drift_over_time, Encoder.transform = timed_over_time, counted_transform
    at = AppTest.from_file(str(ROOT / "app_pages" / "6_Drift.py"), default_timeout=600)
    at.session_state["view"] = ViewState(corpus="flutter-seasons", encoder="minilm")
    at.run()
    assert not at.exception and "Drifted" in at.warning[0].value, [e.value for e in at.exception]
    marks["whole page"] = time.perf_counter() - STARTED
    print(json.dumps({"way": way, **marks, "cpu": time.process_time(), "embedded": sum(encoded)}))


def first_answer(runs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="murmuration-drift-bench-"))
    try:
        export = subprocess.run([sys.executable, "-c", "from core.encoders.onnx_runtime import model_file; "
                                 "model_file()"], env={**os.environ, "MURMURATION_CACHE_DIR": str(work / "export")},
                                cwd=ROOT, capture_output=True, text=True)
        assert export.returncode == 0, export.stderr
        seeds = {"new": ROOT / "data" / "cache", "old": work / "seeds-without-seasons"}
        shutil.copytree(seeds["new"], seeds["old"], ignore=shutil.ignore_patterns(SEASONS_MINILM))
        results = {"old": [], "new": []}
        for run in range(runs):
            for way in ("old", "new"):
                cache = work / f"{way}-{run}"
                cache.mkdir()
                (cache / "models").symlink_to(work / "export" / "models")
                load = os.getloadavg()[0]
                out = subprocess.run([sys.executable, __file__, "--child", way, "--seeds", str(seeds[way])],
                                     env={**os.environ, "MURMURATION_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"},
                                     cwd=ROOT, capture_output=True, text=True)
                if out.returncode:
                    raise SystemExit(out.stderr)
                result = json.loads(out.stdout.strip().splitlines()[-1])
                results[way].append(result)
                print(f"{way}: first answer {result['first answer']:.1f} s, whole page {result['whole page']:.1f} s, "
                      f"{result['cpu']:.1f} CPU s, {result['embedded']:,} documents embedded "
                      f"(load average {load:.1f})", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n| seconds from process start (median of %d) | old: embed the 1,475 flits | new: shipped vectors | "
          "old / new |" % runs)
    print("| --- | --- | --- | --- |")
    for name in ("first answer", "whole page", "cpu"):
        old, new = (statistics.median(r[name] for r in results[way]) for way in ("old", "new"))
        print(f"| {name if name != 'cpu' else 'CPU seconds'} | {old:.1f} | {new:.1f} | {old / new:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000, help="documents per set")
    parser.add_argument("--first-answer", action="store_true", help="the seasons example on a cold cache")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--seeds", type=Path)
    args = parser.parse_args()
    if args.child:
        return first_answer_child(args.child, args.seeds)
    if args.first_answer:
        return first_answer(args.runs)
    rng = np.random.default_rng(0)
    corpus = core.load_corpus("flutter-seasons")
    season = corpus.metadata.season.to_numpy()
    spring = [t for t, s in zip(corpus.texts, season) if s == "spring"]
    autumn = [t for t, s in zip(corpus.texts, season) if s == "autumn"]
    texts = {"reference": recombined(spring, args.docs, rng), "same": recombined(spring, args.docs, rng),
             "shifted": recombined(autumn, args.docs, rng)}
    seconds, embedded = timed(lambda: {k: core.embed(core.Corpus(name=k, texts=v), "minilm-static").vectors
                                       for k, v in texts.items()})
    print(f"embedded 3 x {args.docs:,} documents with minilm-static in {seconds} s")
    print("| method | case | seconds (CPU) | score | p-value | permutations |")
    print("| --- | --- | --- | --- | --- | --- |")
    for method in ("classifier", "mmd"):
        for case in ("same", "shifted"):
            seconds, result = timed(lambda: drift(embedded["reference"], embedded[case], method=method))
            print(f"| {method} | {'no drift' if case == 'same' else 'spring vs autumn'} | {seconds} | "
                  f"{result.score:.4f} | {result.p_value:.3g} | {result.permutations:,} |")
    vectors = np.vstack([embedded["reference"], embedded["shifted"]])
    is_current = np.r_[np.zeros(args.docs, dtype=bool), np.ones(args.docs, dtype=bool)]
    both = texts["reference"] + texts["shifted"]
    for name, action in (("cluster shares", lambda: cluster_shares(both, vectors, is_current)),
                         ("typical documents", lambda: typical_documents(both, vectors, is_current)),
                         ("words that moved", lambda: words_that_moved(texts["reference"], texts["shifted"]))):
        print(f"{name}: {timed(action)[0]} s")


if __name__ == "__main__":
    main()
