"""Share links: the URL's query parameters carry the view, so opening it elsewhere shows the same map.

Only bundled corpora go into a link; an upload stays in the session that made it. Everything read
from a link is validated against what exists; anything else in it is ignored.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

import core
from core.encoders import ENCODERS, default_params
from ui import state

APPLIED = "_share_link_applied"
WIDGETS = {"method": ("map_method", ("pca", "umap")), "dims": ("map_dims", (2, 3))}


def apply_link() -> None:
    """Once per session, before any widget exists: copy a link's choices into session state."""
    if st.session_state.get(APPLIED):
        return
    st.session_state[APPLIED] = True
    query = st.query_params
    if query.get("corpus") in core.BUNDLED:
        st.session_state[state.CORPUS] = query["corpus"]
    encoder = query.get("encoder")
    if encoder in ENCODERS:
        st.session_state[state.ENCODER] = encoder
        params = _params(encoder, query.get("params", ""))
        if params:
            st.session_state[state.PARAMS][encoder] = params
    for name, (key, allowed) in WIDGETS.items():
        value = _typed(query.get(name), allowed)
        if value is not None:
            st.session_state[key] = value
    for name, key in (("colour", "map_colour"), ("search", "map_search")):
        if query.get(name):
            st.session_state[key] = query[name][:200]
    for name, key in (("seed", "map_seed"), ("doc", "neighbour_doc")):
        if str(query.get(name, "")).isdigit():
            st.session_state[key] = int(query[name])


def _typed(value, allowed):
    for option in allowed:
        if value is not None and str(option) == str(value):
            return option
    return None


def _params(encoder: str, text: str) -> dict:
    """Known parameters with values of the default's type, within the widget's bounds or options."""
    try:
        given = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    chosen = {}
    for param in ENCODERS[encoder].params:
        value = given.get(param.name) if isinstance(given, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            if (param.options and value in param.options) or (param.bounds and
                                                              param.bounds[0] <= value <= param.bounds[1]):
                chosen[param.name] = value
    return {**default_params(encoder), **chosen} if chosen else {}


def current_view(extra: dict) -> dict:
    """The query parameters for what this session shows now (no upload is ever named)."""
    view = {"encoder": st.session_state[state.ENCODER]}
    corpus = st.session_state[state.CORPUS]
    if not corpus.startswith(state.UPLOAD_PREFIX):
        view["corpus"] = corpus
    params = state.current_params()
    if params != default_params(view["encoder"]):
        view["params"] = json.dumps(params, separators=(",", ":"), sort_keys=True)
    view.update({k: str(v) for k, v in extra.items() if v not in (None, "")})
    return view


def share_panel(extra: dict) -> None:
    """Keep the address bar in step with the view, and offer the link with a copy button."""
    view = current_view(extra)
    st.query_params.from_dict(view)
    base = (st.context.url or "").split("?")[0]
    with st.expander("Share this view"):
        st.code(f"{base}?{urlencode(view)}", language=None)
        st.caption("Copy the link with the button at the right of the box. "
                   + ("Links never carry uploaded data: this one opens the same view of the default corpus."
                      if "corpus" not in view else "Opening it shows the same map with identical coordinates."))
