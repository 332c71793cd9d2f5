"""Reproducible synthetic documents for benchmarks and tests: varied short texts made by recombining the
words of the bundled Flutter flits (per topic) with the bundled word list. No downloads."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from core.encoders.base import tokenize

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


def synthetic_documents(n: int, seed: int = 0) -> pd.DataFrame:
    """`n` documents with columns id, text, label (the Flutter topic their words mostly come from)."""
    flits = pd.read_csv(DATA_DIR / "flutter_flits.csv")
    extra = pd.read_csv(DATA_DIR / "words.csv")["word"].astype(str).to_numpy()
    topics = sorted(flits["topic"].unique())
    pools = [np.array(sorted({w for t in flits.loc[flits.topic == topic, "text"] for w in tokenize(t)}))
             for topic in topics]
    sizes = np.array([len(pool) for pool in pools])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    vocabulary = np.concatenate(pools)
    rng = np.random.default_rng(seed)
    topic_of = rng.integers(0, len(topics), n)
    lengths = rng.integers(4, 19, n)
    owner = np.repeat(topic_of, lengths)
    words = vocabulary[offsets[owner] + (rng.random(len(owner)) * sizes[owner]).astype(np.int64)]
    mixed = rng.random(len(words)) < 0.15   # words from anywhere keep documents from repeating
    words[mixed] = extra[rng.integers(0, len(extra), int(mixed.sum()))]
    words = words.astype(object)
    ends = np.cumsum(lengths)
    texts = [" ".join(words[end - length:end]) for end, length in zip(ends, lengths)]
    return pd.DataFrame({"id": np.arange(n), "text": texts, "label": np.asarray(topics, dtype=object)[topic_of]})
