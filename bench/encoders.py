"""MiniLM encoders side by side on STS-B's 2,758 test sentences, in one process with 2 threads.

    python bench/encoders.py [--stsb ../shared/eval/stsb-test.tsv] [--rounds 3]

sentence-transformers' `encode(..., normalize_embeddings=True)` is the reference: each encoder's speed
is a ratio to it, measured in alternating rounds (a busy moment on a shared machine hurts one run, not
all of one encoder's runs), beside the largest difference to its vectors and the STS-B Spearman
correlation (cosine, x100; all-MiniLM-L6-v2's published figure is 82.03).
"""
from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

ENCODERS = ("minilm", "minilm-torch", "minilm-int8")


def read_stsb(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r[5] for r in rows], [r[6] for r in rows], np.array([float(r[4]) for r in rows])


def spearman(vectors: np.ndarray, n_pairs: int, gold: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return 100 * spearmanr((vectors[:n_pairs] * vectors[n_pairs:]).sum(axis=1), gold).statistic


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stsb", type=Path, default=ROOT.parent / "shared" / "eval" / "stsb-test.tsv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import torch
    from sentence_transformers import SentenceTransformer

    from core.encoders import get_encoder
    from core.encoders.transformer import bundled_model_path

    torch.set_num_threads(args.threads)
    first, second, gold = read_stsb(args.stsb)
    sentences = first + second
    reference = SentenceTransformer(str(bundled_model_path()), device="cpu")
    runs = {"sentence-transformers": lambda t: reference.encode(t, normalize_embeddings=True)}
    for name in ENCODERS:
        runs[name] = get_encoder(name).fit(["warm"]).transform
    for run in runs.values():
        run(sentences[:64])
    load_before = os.getloadavg()[0]
    rates, vectors = {name: [] for name in runs}, {}
    for _ in range(args.rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            vectors[name] = run(sentences)
            rates[name].append(len(sentences) / (time.perf_counter() - started))
    load_after = os.getloadavg()[0]
    expected = vectors["sentence-transformers"]
    best_reference, median_reference = max(rates["sentence-transformers"]), np.median(rates["sentence-transformers"])
    print(f"{len(sentences):,} STS-B sentences, {args.threads} threads, {args.rounds} alternating rounds; "
          f"1-minute load average {load_before:.1f} before, {load_after:.1f} after (2 cores)\n")
    print("| encoder | sentences/s (best; median) | ratio to sentence-transformers (best; median) "
          "| max abs diff | mean cosine | STS-B Spearman |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, found in vectors.items():
        diff = np.abs(found - expected).max()
        cosine = (found * expected).sum(axis=1).mean()
        print(f"| {name} | {max(rates[name]):.0f}; {np.median(rates[name]):.0f} "
              f"| {max(rates[name]) / best_reference:.2f}; {np.median(rates[name]) / median_reference:.2f} "
              f"| {diff:.1e} | {cosine:.4f} | {spearman(found, len(first), gold):.2f} |")
    print("\nrates per round: " + "; ".join(f"{k} " + ", ".join(f"{r:.0f}" for r in v) for k, v in rates.items()))


if __name__ == "__main__":
    main()
