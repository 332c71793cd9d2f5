"""Peak memory of each MiniLM encoder while it encodes 10,000 documents, one fresh process per encoder.

    python bench/encoder_memory.py [--docs 10000]

Prints the resident set size after loading the model and the peak while encoding (ru_maxrss).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(name: str, docs: int) -> None:
    from run import mixed_texts

    from core.encoders import get_encoder

    texts = mixed_texts(docs)
    encoder = get_encoder(name).fit(["x"])
    loaded = rss_mb()
    vectors = encoder.transform(texts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {name} | {len(vectors):,} | {loaded:.0f} MB | {peak:.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.docs)
    print("| encoder | documents | RSS after loading the model | peak RSS while encoding |\n| --- | --- | --- | --- |")
    for name in ("minilm", "minilm-int8", "minilm-torch"):
        out = subprocess.run([sys.executable, __file__, "--child", name, "--docs", str(args.docs)], cwd=ROOT,
                             capture_output=True, text=True)
        print(out.stdout.strip() or out.stderr.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
