"""The cached computations pages call: embeddings, and one analysis (the pipeline's steps) per view.

Bundled corpora: results are shared by every session (memory, keyed by content) and persisted in the
disk cache. Uploads: results stay in the uploader's session, in a small bounded cache, and are never
written to disk, so nothing of one visitor's data is readable by the next (ui.caches says which is which).
"""
from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import streamlit as st

import core
from core import warmup
from core.cache import BoundedCache
from core.cache.disk import DiskCache
from core.encoders import ENCODERS, default_params
from core.pipeline import Analysis, Embeddings, analyse, embedding_key
from core.maps.projection import start_umap_warmup
from core.view import ViewState
from ui import caches, session, text
from ui.progress import progress_line

def _store_for(corpus: core.Corpus) -> tuple[BoundedCache, DiskCache | None]:
    """Where this corpus's results go (see ui.caches): bundled ones are shared and go to disk too."""
    bundled = session.is_bundled(corpus)
    return caches.store(bundled), caches.DISK if bundled else None


def embeddings(corpus: core.Corpus, encoder: str | None = None, params: dict | None = None) -> Embeddings:
    """The corpus's embeddings: vectors imported with it, else the encoder's (the view's by default),
    computed once per key, with a progress bar the first time."""
    if encoder is None:
        imported = session.imported_embeddings(corpus)
        if imported is not None:
            return imported
        view = session.view()
        encoder, params = view.encoder, view.encoder_params()
    params = {**default_params(encoder), **(params or {})}
    store, disk = _store_for(corpus)
    digest = core.key_digest(embedding_key(corpus, encoder, params))
    cached = store.get(digest)
    if cached is not None:
        return cached
    title = ENCODERS[encoder].title
    start_umap_warmup()  # compiles in the background while the encoder runs
    with progress_line(f"Computing {title} embeddings for {len(corpus):,} documents…",
                       f"Embedding with {title}") as progress:
        return store.get_or_compute(digest, lambda: core.embed(corpus, encoder, params, progress=progress,
                                                               cache=disk))


def analysis(corpus: core.Corpus, view: ViewState, *, dims: int | None = None,
             emb: Embeddings | None = None) -> Analysis:
    """The pipeline for this view (embeddings, kNN graph, map), computed once per key."""
    emb = emb or embeddings(corpus)
    dims = dims or view.dims
    store, disk = _store_for(corpus)
    digest = core.key_digest({"analysis": emb.digest, "method": view.method, "dims": dims, "seed": view.seed})
    cached = store.get(digest)
    if cached is not None:
        return cached
    label = "UMAP" if view.method == "umap" else "PCA"
    with st.spinner(f"Finding neighbours and projecting {len(emb.vectors):,} points with {label}…"):
        return store.get_or_compute(digest, lambda: analyse(corpus, emb.key["encoder"], method=view.method,
                                                            n_components=dims, seed=view.seed, cache=disk,
                                                            embeddings=emb))


def guarded(action, *args, **kwargs):
    """Run `action`; a CorpusError or EncoderError becomes a clear message on the page and None."""
    try:
        return action(*args, **kwargs)
    except (core.CorpusError, core.EncoderError) as error:
        st.error(text.plain(error))
        return None


@st.cache_resource(show_spinner=False)
def start_warmup() -> subprocess.Popen | None:
    """Once per server process: fill the disk caches (the ONNX export of MiniLM, UMAP's compiled code) in a
    child process at the lowest priority (core/warmup.py), so that the first visitors' pages, which need
    none of it (the default view ships in data/cache), do not share the GIL with an export or a compiler."""
    root = Path(core.__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    try:
        child = subprocess.Popen([sys.executable, "-c", warmup.COMMAND], cwd=root, env=env, stdout=subprocess.DEVNULL,
                                 creationflags=getattr(subprocess, "IDLE_PRIORITY_CLASS", 0))   # Windows: no nice()
    except OSError as error:  # no interpreter to start: every model loads at its first use instead
        logging.getLogger(__name__).warning("The warm-up could not start (%s).", error)
        return None
    atexit.register(child.terminate)   # a server that stops takes its warm-up with it
    threading.Thread(target=child.wait, name="murmuration-warmup-reaper", daemon=True).start()  # no zombie
    return child
