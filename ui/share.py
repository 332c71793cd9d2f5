"""Share links: the address bar carries the session's view, so opening it elsewhere shows the same map.

The link is `core.view.to_query(view)`: only bundled corpora and the server's collections are ever named
(an upload stays in the session that made it), and `core.view.parse_view` validates everything on the way back in.
"""
from __future__ import annotations

import threading
from urllib.parse import urlencode

import streamlit as st

import core
from core.view import LINK_MAX_SELECTION, to_query
from ui import session, shelf


_RUN = threading.local()   # .shared: whether this script run drew the panel (one script thread per run)


def start_run() -> None:
    _RUN.shared = False


def shared_this_run() -> bool:
    return getattr(_RUN, "shared", False)


def share_panel() -> None:
    """Keep the address bar in step with the view, and offer the link with a copy button."""
    _RUN.shared = True
    query = to_query(session.view(), shareable_corpora=(*core.BUNDLED, *shelf.names()))
    if shelf.is_collection(session.view().corpus):   # its encoder is the collection's own
        query.pop("encoder", None)
        query.pop("params", None)
    st.query_params.from_dict(query)
    base = (st.context.url or "").split("?")[0]
    with st.expander("Share this view"):
        st.code(f"{base}?{urlencode(query)}", language=None)
        st.caption("Copy the link with the button at the right of the box. "
                   + ("Links never carry uploaded data: this one opens the same view of the default corpus."
                      if "corpus" not in query else "Opening it shows the same map with identical coordinates.")
                   + (f" The selection ({len(session.view().selection):,} documents) is too big for a link and stays "
                      "in this session." if len(session.view().selection) > LINK_MAX_SELECTION else ""))
