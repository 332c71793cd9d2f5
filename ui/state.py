"""Everything Streamlit-specific that pages share: session keys, the shared sidebar, cached computations.

Caches are keyed by content (corpus fingerprint, encoder, parameters, model revision), so sharing
them between sessions never leaks one user's data to another: a key can only be produced by
holding the same data. Uploaded corpora themselves live in the uploader's session state only.
"""
from __future__ import annotations

import threading

import numpy as np
import streamlit as st

import core
from core.cache import BoundedCache
from core.encoders import ENCODERS, default_params
from core.datasets import DATA_DIR
from core.disk_cache import DiskCache, default_folder
from core.pipeline import Embeddings, map_coordinates

CORPUS = "corpus"          # name of the chosen corpus: a bundled name or "upload: <file>"
ENCODER = "encoder"        # registry name of the chosen encoder
PARAMS = "encoder_params"  # {encoder name: {param: value}}
UPLOADS = "uploads"        # {"upload: <file>": Corpus}, this session only
IMPORTED = "imported"      # {"upload: <file>": Embeddings} of vectors imported with their corpus, this session only
UPLOAD_PREFIX = "upload: "
DEFAULT_CORPUS, DEFAULT_ENCODER = "flutter", "minilm"


def init_state() -> None:
    """Shared choices live under keys no widget owns, so they survive page changes."""
    st.session_state.setdefault(CORPUS, DEFAULT_CORPUS)
    st.session_state.setdefault(ENCODER, DEFAULT_ENCODER)
    st.session_state.setdefault(PARAMS, {})
    st.session_state.setdefault(UPLOADS, {})
    st.session_state.setdefault(IMPORTED, {})


def corpus_names() -> list[str]:
    return list(core.BUNDLED) + list(st.session_state[UPLOADS])


def current_corpus() -> core.Corpus:
    name = st.session_state[CORPUS]
    if name.startswith(UPLOAD_PREFIX):
        upload = st.session_state[UPLOADS].get(name)
        if upload is not None:
            return upload
        st.session_state[CORPUS] = name = DEFAULT_CORPUS
    return core.load_corpus(name)


def corpus_title(name: str) -> str:
    return name.removeprefix(UPLOAD_PREFIX) if name.startswith(UPLOAD_PREFIX) else name.replace("-", " ").capitalize()


def current_params() -> dict:
    name = st.session_state[ENCODER]
    return {**default_params(name), **st.session_state[PARAMS].get(name, {})}


def add_upload(corpus: core.Corpus, imported: Embeddings | None = None) -> None:
    name = UPLOAD_PREFIX + corpus.name
    st.session_state[UPLOADS][name] = corpus
    st.session_state[IMPORTED].pop(name, None)
    if imported is not None:
        st.session_state[IMPORTED][name] = imported
    st.session_state[CORPUS] = name


def imported_embeddings() -> Embeddings | None:
    """Vectors imported with the chosen corpus, which replace the chosen encoder for it."""
    return st.session_state.get(IMPORTED, {}).get(st.session_state.get(CORPUS, ""))


def encoder_title(name: str) -> str:
    return "imported vectors" if name == "imported" else ENCODERS[name].title


def _copy_widget(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def sidebar() -> None:
    """Corpus and encoder pickers, shown on every page."""
    from ui.share import apply_link

    init_state()
    apply_link()
    start_warmup()
    names = corpus_names()
    with st.sidebar:
        # The widget's own key is set from the shared choice on every run: widget state does not
        # survive a page change, and the browser would otherwise send back a stale selection.
        st.session_state["_w_corpus"] = st.session_state[CORPUS]
        st.session_state["_w_encoder"] = st.session_state[ENCODER]
        st.selectbox("Corpus", names, key="_w_corpus",
                     on_change=_copy_widget, args=("_w_corpus", CORPUS),
                     format_func=lambda n: n if n.startswith(UPLOAD_PREFIX) else corpus_title(n))
        encoders = list(ENCODERS)
        st.selectbox("Encoder", encoders, key="_w_encoder",
                     on_change=_copy_widget, args=("_w_encoder", ENCODER),
                     format_func=_encoder_label)
        info = ENCODERS[st.session_state[ENCODER]]
        st.caption(f"{info.description} Dimensions: {info.dims}.")
        if info.params:
            with st.expander("Encoder settings"):
                st.session_state[PARAMS][info.name] = param_inputs(info, current_params(), "_w_param")


def _encoder_label(name: str) -> str:
    size = ENCODERS[name].dims.split(" ")[0]
    return f"{ENCODERS[name].title} ({size} dims)" if size.isdigit() else ENCODERS[name].title


def param_inputs(info, current: dict, key_prefix: str) -> dict:
    """One input per main parameter of an encoder, starting from `current`; returns the chosen values."""
    chosen = dict(current)
    for param in info.params:
        key = f"{key_prefix}_{info.name}_{param.name}"
        if param.options:
            chosen[param.name] = st.selectbox(param.label, param.options, key=key, help=param.help or None,
                                              index=param.options.index(chosen[param.name]),
                                              format_func=lambda v, p=param: _option_label(p, v))
        else:
            low, high = param.bounds
            chosen[param.name] = int(st.number_input(param.label, low, high, int(chosen[param.name]), key=key,
                                                     help=param.help or None))
    return chosen


def _option_label(param, value) -> str:
    if param.name == "sg":
        return "skip-gram" if value == 1 else "CBOW"
    return str(value)


# --- cached computations: bounded, keyed by content, results read-only and shared -------------

EMBEDDINGS = BoundedCache(max_entries=24)
DISK = DiskCache(default_folder(), seeds=(DATA_DIR / "cache",))


def _cached_embed(corpus: core.Corpus, encoder: str, params: dict, progress=None) -> Embeddings:
    """Memory, then disk, then compute: one computation per key however many sessions ask."""
    key = core.key_digest(core.embedding_key(corpus, encoder, params))
    return EMBEDDINGS.get_or_compute(key, lambda: core.embed(corpus, encoder, params, progress=progress,
                                                             cache=DISK))


def embeddings(corpus: core.Corpus, encoder: str | None = None, params: dict | None = None) -> Embeddings:
    """Embeddings of the corpus, computed once per key for all sessions, with a progress bar the first time."""
    imported = imported_embeddings()
    if encoder is None and imported is not None and len(imported.vectors) == len(corpus):
        return imported
    encoder = encoder or st.session_state[ENCODER]
    params = params if params is not None else current_params()
    cached = EMBEDDINGS.get(core.key_digest(core.embedding_key(corpus, encoder, params)))
    if cached is not None:
        return cached
    title = ENCODERS[encoder].title
    bar = st.progress(0.0, text=f"Computing {title} embeddings for {len(corpus):,} documents…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Embedding with {title}: {done:,} of {total:,} documents")

    try:
        return _cached_embed(corpus, encoder, params, progress)
    finally:
        bar.empty()


@st.cache_resource(max_entries=48, show_spinner=False)
def _projection(_emb: Embeddings, digest: str, method: str, n_components: int, seed: int) -> np.ndarray:
    return map_coordinates(_emb, method=method, n_components=n_components, seed=seed, cache=DISK)


def projection(emb: Embeddings, method: str, n_components: int, seed: int = 0) -> np.ndarray:
    label = "UMAP" if method == "umap" else "PCA"
    with st.spinner(f"Projecting {len(emb.vectors):,} points with {label}…"):
        return _projection(emb, emb.digest, method, n_components, seed)


@st.cache_resource(show_spinner=False)
def start_warmup() -> threading.Thread:
    """Once per server process: load the models and compile UMAP in the background."""
    def warm():
        from core.encoders.static import load_glove, load_static_minilm
        from core.encoders.transformer import load_transformer
        from core.projection import warm_up_umap

        default = _cached_embed(core.load_corpus(DEFAULT_CORPUS), DEFAULT_ENCODER, default_params(DEFAULT_ENCODER))
        map_coordinates(default, cache=DISK)
        load_static_minilm()
        load_glove()
        warm_up_umap()
        load_transformer(None)

    thread = threading.Thread(target=warm, name="murmuration-warmup", daemon=True)
    thread.start()
    return thread


def show_notices(corpus: core.Corpus) -> None:
    for notice in corpus.notices:
        st.info(notice)


def guarded(action, *args, **kwargs):
    """Run `action`; a CorpusError or EncoderError becomes a clear message on the page and None."""
    try:
        return action(*args, **kwargs)
    except (core.CorpusError, core.EncoderError) as error:
        st.error(str(error))
        return None
