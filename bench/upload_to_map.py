"""Time from an uploaded file to a map, in a fresh process, as a user of the app would wait for it.

    python bench/upload_to_map.py [--docs 1000] [--encoder minilm]

Prints one row per step, and puts our MiniLM encoder beside sentence-transformers' own encode()
on the same texts in the same run (a ratio, since absolute times drift on a shared machine).
"""
from __future__ import annotations

import argparse
import io
import os
import time


import pandas as pd

os.environ.setdefault("MURMURATION_CACHE_DIR", "off")  # a fresh process that has computed nothing

import core


def upload_bytes(n_docs: int, short: bool = False) -> bytes:
    """n documents as a CSV upload: anime quotes and flits (only flits and quotes under 20 words if
    `short`), recycled if needed."""
    quotes, flits = core.load_corpus("anime-quotes"), core.load_corpus("flutter")
    if short:
        keep = [i for i, t in enumerate(quotes.texts) if len(t.split()) < 20]
        quotes = core.Corpus(name="short", texts=[quotes.texts[i] for i in keep],
                             labels=[quotes.labels[i] for i in keep])
    texts = (quotes.texts + flits.texts) * (1 + n_docs // (len(quotes) + len(flits)))
    labels = (quotes.labels + flits.labels) * (1 + n_docs // (len(quotes) + len(flits)))
    buffer = io.StringIO()
    pd.DataFrame({"text": texts[:n_docs], "label": labels[:n_docs]}).to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def timed(label, action, rows):
    started = time.perf_counter()
    result = action()
    rows.append((label, time.perf_counter() - started))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--encoder", default="minilm")
    parser.add_argument("--short", action="store_true", help="only documents under 20 words")
    args = parser.parse_args()
    data, rows = upload_bytes(args.docs, args.short), []
    started = time.perf_counter()
    corpus = timed("parse upload", lambda: core.load_corpus(("upload.csv", data)), rows)
    emb = timed(f"embed ({args.encoder}, incl. model load)", lambda: core.embed(corpus, args.encoder), rows)
    timed("PCA 2D", lambda: core.project(emb.vectors, method="pca"), rows)
    file_to_map = time.perf_counter() - started
    timed("UMAP 2D (first call: numba compile)", lambda: core.project(emb.vectors, method="umap"), rows)
    timed("UMAP 2D (warm)", lambda: core.project(emb.vectors, method="umap", seed=1), rows)
    print(f"{len(corpus):,} documents, median {corpus.summary()['median words']} words\n")
    print(f"{'step':45s} {'seconds':>8s}")
    for label, seconds in rows:
        print(f"{label:45s} {seconds:8.2f}")
    print(f"{'file to PCA map':45s} {file_to_map:8.2f}")
    if args.encoder == "minilm":
        compare_with_sentence_transformers(corpus.texts)


def compare_with_sentence_transformers(texts: list[str]) -> None:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        print("\n(sentence-transformers not installed: pip install -r requirements-dev.txt for the comparison)")
        return
    from core.encoders import get_encoder
    from core.encoders.transformer import bundled_model_path

    ours = get_encoder("minilm").fit(["warm"])
    reference = SentenceTransformer(str(bundled_model_path()), device="cpu")
    ours.transform(texts[:64]), reference.encode(texts[:64])  # warm both
    t0 = time.perf_counter()
    ours.transform(texts)
    t1 = time.perf_counter()
    reference.encode(texts, batch_size=32)
    t2 = time.perf_counter()
    print(f"\nMiniLM encode, warm, {len(texts):,} texts: ours {len(texts) / (t1 - t0):.0f}/s, "
          f"sentence-transformers {len(texts) / (t2 - t1):.0f}/s, ratio {(t2 - t1) / (t1 - t0):.2f}x")


if __name__ == "__main__":
    main()
