"""Regenerate data/minilm_static.npy, the `minilm-static` encoder's table:

    python data/distill_minilm_static.py

Distils the bundled all-MiniLM-L6-v2 into one 256-d vector per WordPiece token (see core/analyses/distill.py),
stored as float16 (about 15 MB). Takes about half a minute on 2 cores; needs no network.
"""
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from core.analyses.distill import distil
from core.encoders.transformer import load_transformer

if __name__ == "__main__":
    started = time.perf_counter()
    tokenizer, network = load_transformer(None)
    table = distil(tokenizer, network)
    np.save(ROOT / "data" / "minilm_static.npy", table.astype(np.float16))
    print(f"distilled {table.shape[0]:,} tokens x {table.shape[1]} dims in {time.perf_counter() - started:.1f} s")
