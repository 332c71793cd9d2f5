"""How long the drift test takes for 10,000 vs 10,000 documents: python bench/drift.py [--docs N]

The documents are recombined Flutter-seasons flits (each a mix of words from two or three flits, so no two
are alike) embedded with `minilm-static` (256 dimensions): spring-like against spring-like (no drift) and
spring-like against autumn-like (drift). Prints seconds, score, p-value and permutations spent for each
method, and the time of the "what drifted" pieces.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import core  # noqa: E402
from core.drift import cluster_shares, drift, typical_documents, words_that_moved  # noqa: E402


def recombined(texts: list[str], n: int, rng: np.random.Generator) -> list[str]:
    words = [t.split() for t in texts]
    return [" ".join(w for i in rng.choice(len(words), rng.integers(2, 4)) for w in words[i][:8]) for _ in range(n)]


def timed(action):
    """Wall seconds (what a user waits) with the process's CPU seconds (what the machine's load does not
    inflate) in brackets, and the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return f"{time.perf_counter() - wall:.2f} ({time.process_time() - cpu:.2f} CPU)", result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000, help="documents per set")
    args = parser.parse_args()
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
