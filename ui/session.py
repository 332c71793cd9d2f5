"""One session's state: its view (a `core.view.ViewState`), its uploads, and the vectors imported with them.

Pages read the view with `view()`. Widgets that change it are made with `bound(...)`: the widget shows
the view's value and writes a change back through `ViewState.with_changes`, which validates it
with the same bounds a share link gets. Widget values reset when the page changes; the view does not.
"""
from __future__ import annotations

import streamlit as st

import core
from core.pipeline import Embeddings
from core.view import DEFAULT_CORPUS, ViewState, parse_view

VIEW = "view"
UPLOADS = "uploads"            # {"upload: <file>": Corpus}, this session only
IMPORTED = "imported"          # {"upload: <file>": Embeddings} of vectors imported with their corpus
LINK_APPLIED = "_link_applied"
LINK_NOTICES = "_link_notices"
UPLOAD_PREFIX = "upload: "


def init() -> None:
    """Once per session: an empty view, then the share link's choices (before any widget exists)."""
    st.session_state.setdefault(UPLOADS, {})
    st.session_state.setdefault(IMPORTED, {})
    if VIEW not in st.session_state:
        st.session_state[VIEW] = ViewState()
    if not st.session_state.get(LINK_APPLIED):
        st.session_state[LINK_APPLIED] = True
        view, notices = parse_view(st.query_params.to_dict(), corpora=tuple(core.BUNDLED), base=st.session_state[VIEW])
        st.session_state[VIEW] = view
        st.session_state[LINK_NOTICES] = notices


def view() -> ViewState:
    init()
    return st.session_state[VIEW]


def set_view(**changes) -> ViewState:
    return replace_view(view().with_changes(**changes))


def replace_view(new: ViewState) -> ViewState:
    st.session_state[VIEW] = new
    return new


def link_notices() -> list[str]:
    """The notices of the share link this session opened with, once."""
    return st.session_state.pop(LINK_NOTICES, [])


def bound(widget, label: str, field: str, *, shown=None, stored=None, **kwargs):
    """`widget(label, ...)` showing view.<field> (through `shown`) and writing a change back (through `stored`)."""
    key = f"_w_{field}"
    value = getattr(view(), field)
    st.session_state[key] = shown(value) if shown else value
    return widget(label, key=key, on_change=_write_back, args=(key, field, stored), **kwargs)


def _write_back(key: str, field: str, stored) -> None:
    value = st.session_state[key]
    set_view(**{field: stored(value) if stored else value})


# --- corpora: bundled ones for everybody, uploads for the session that made them --------------------

def corpus_names() -> list[str]:
    return list(core.BUNDLED) + list(st.session_state[UPLOADS])


def current_corpus() -> core.Corpus:
    name = view().corpus
    if name.startswith(UPLOAD_PREFIX):
        upload = st.session_state[UPLOADS].get(name)
        if upload is not None:
            return upload
        name = set_view(corpus=DEFAULT_CORPUS).corpus
    return core.load_corpus(name)


def is_bundled(corpus: core.Corpus) -> bool:
    """A corpus that ships with the app (so its artifacts may go to the shared disk cache)."""
    return corpus.name in core.BUNDLED and core.load_corpus(corpus.name).fingerprint == corpus.fingerprint


def corpus_title(name: str) -> str:
    return name.removeprefix(UPLOAD_PREFIX) if name.startswith(UPLOAD_PREFIX) else name.replace("-", " ").capitalize()


def add_upload(corpus: core.Corpus, imported: Embeddings | None = None) -> None:
    name = UPLOAD_PREFIX + corpus.name
    st.session_state[UPLOADS][name] = corpus
    st.session_state[IMPORTED].pop(name, None)
    if imported is not None:
        st.session_state[IMPORTED][name] = imported
    set_view(corpus=name, doc=0, selection=(), filters={}, colour="")


def imported_embeddings(corpus: core.Corpus) -> Embeddings | None:
    """Vectors imported with this very corpus (matched by fingerprint, not by length)."""
    imported = st.session_state.get(IMPORTED, {}).get(UPLOAD_PREFIX + corpus.name)
    if imported is not None and imported.key.get("corpus") == corpus.fingerprint:
        return imported
    return None
