"""The sidebar every page shares: the corpus, the encoder and its settings, all read from and written to
the session's view state. app.py draws it (ui.views.run), so that a page change carries its values."""
from __future__ import annotations

import streamlit as st

from core.encoders import ENCODERS
from ui import compute, session, shelf, text


def sidebar() -> None:
    session.init()
    compute.start_warmup()
    for notice in session.link_notices():
        st.info(text.plain(notice))
    with st.sidebar:
        session.choice(st.selectbox, "Corpus", "corpus", options=session.corpus_names(), format_func=corpus_label)
        collection = session.current_collection()
        if collection is not None:
            manifest = collection.manifest
            st.caption(f"A collection of {len(collection):,} documents, embedded with {encoder_title(manifest['encoder'])} "
                       f"({manifest['dimensions']:,} dimensions) when it was built; text you type is encoded with "
                       "the same encoder.")
            return
        corpus = session.current_corpus()
        imported = session.imported_embeddings(corpus)
        if imported is not None:
            st.caption(f"This corpus came with its own vectors ({imported.dimension:,} dimensions), so no encoder "
                       "is used on it. Pick a bundled corpus, or use the Compare page, to see an encoder's view.")
            return
        session.choice(st.selectbox, "Encoder", "encoder", options=list(ENCODERS), format_func=encoder_label)
        info = ENCODERS[session.view().encoder]
        st.caption(f"{info.description} Dimensions: {info.dims}.")
        if info.params:
            with st.expander("Encoder settings"):
                chosen = param_inputs(info, session.view().encoder_params(), "_w_param")
                if chosen != session.view().encoder_params():
                    session.set_view(params=chosen)


def corpus_label(name: str) -> str:
    """The picker's label: an upload as "upload: <file>", a collection marked as one, else the title."""
    if name.startswith(session.UPLOAD_PREFIX):
        return name
    return session.corpus_title(name) + (" (collection)" if shelf.is_collection(name) else "")


def encoder_label(name: str) -> str:
    size = ENCODERS[name].dims.split(" ")[0]
    return f"{ENCODERS[name].title} ({size} dims)" if size.isdigit() else ENCODERS[name].title


def encoder_title(name: str) -> str:
    return "imported vectors" if name == "imported" else ENCODERS[name].title if name in ENCODERS else name


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
