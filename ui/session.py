"""One session's state: its view (a `core.view.ViewState`), its uploads, and the vectors imported with them.

Pages read the view with `view()`. Widgets that change it are made with `bound(...)`: the widget shows
the view's value and writes a change back through `ViewState.with_changes`, which validates it
with the same bounds a share link gets. Widget values reset when the page changes; the view does not.
The sidebar's choices are made with `choice(...)`, which also keeps a choice whose callback a page change cut off.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

import core
from core.collections import Collection, CollectionError
from core.dataset import Dataset
from core.pipeline import Embeddings
from core.view import DEFAULT_CORPUS, ViewState, parse_view
from ui import shelf, text

VIEW = "view"
UPLOADS = "uploads"            # {"upload: <file>": Corpus}, this session only
IMPORTED = "imported"          # {"upload: <file>": Embeddings} of vectors imported with their corpus
LINK_APPLIED = "_link_applied"
LINK_NOTICES = "_link_notices"
WORKING_SET = "_working_set"   # (fingerprint, the subset Dataset, where its rows come from) of a collection's working set
DRAWN = "_drawn_choices"       # {widget key: the value a `choice` widget held when it was last drawn}
UPLOAD_PREFIX = "upload: "


def init() -> None:
    """Once per session: an empty view, then the share link's choices (before any widget exists)."""
    st.session_state.setdefault(UPLOADS, {})
    st.session_state.setdefault(IMPORTED, {})
    if VIEW not in st.session_state:
        st.session_state[VIEW] = ViewState()
    if not st.session_state.get(LINK_APPLIED):
        st.session_state[LINK_APPLIED] = True
        view, notices = parse_view(st.query_params.to_dict(), corpora=(*core.BUNDLED, *shelf.names()), base=st.session_state[VIEW])
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


def choice(widget, label: str, field: str, *, shown=None, stored=None, **kwargs):
    """`bound(...)` for a choice in the sidebar (corpus, encoder), which a page link clicked a moment later must
    not lose.

    A change reaches the server as a rerun: Streamlit applies the widget's new value, then runs its on_change
    callback. A page link stops that rerun (fast reruns) at its next yield point, and every access to
    st.session_state is one: the rerun may stop before the value is applied (the page change then carries it
    again, being app.py's widget: see ui.views.run), or after, with the callback not run or cut short, and the
    page change calls no callback for a value already applied. So the value the widget holds is also compared
    with the one it held when it was last drawn here: a difference is the visitor's choice, and the view gets
    it now if no callback gave it."""
    key = f"_w_{field}"
    drawn = st.session_state.setdefault(DRAWN, {})
    if key in st.session_state and key in drawn and st.session_state[key] != drawn[key]:
        current = getattr(view(), field)
        if st.session_state[key] != (shown(current) if shown else current):
            _write_back(key, field, stored)
    drawn[key] = bound(widget, label, field, shown=shown, stored=stored, **kwargs)
    return drawn[key]


def _write_back(key: str, field: str, stored) -> None:
    value = st.session_state[key]
    if field == "corpus":
        switch_corpus(value)
    else:
        set_view(**{field: stored(value) if stored else value})


def switch_corpus(name: str) -> None:
    """Another corpus: what pointed into the old one (document, click, selection, marks, filters, colour, the Drift
    page's column and sets) starts afresh."""
    set_view(corpus=name, doc=0, selection=(), marked=(), filters={}, colour="", clicked=None,
             drift_mode="", drift_column="", drift_reference=(), drift_current=())


# --- corpora: bundled ones for everybody, uploads for the session that made them --------------------

def corpus_names() -> list[str]:
    return list(core.BUNDLED) + shelf.names() + list(st.session_state[UPLOADS])


def current_corpus() -> core.Corpus:
    """The view's corpus; for a collection, its working set (see ui.shelf)."""
    name = view().corpus
    if name.startswith(UPLOAD_PREFIX):
        upload = st.session_state[UPLOADS].get(name)
        if upload is not None:
            return upload
        name = set_view(corpus=DEFAULT_CORPUS).corpus
    collection = current_collection()
    if collection is not None:
        working, source = shelf.working_set(shelf.dataset(collection), view().selection, view().filters)
        st.session_state[WORKING_SET] = (working.corpus.fingerprint, working, source)
        return working.corpus
    return core.load_corpus(view().corpus)


def current_collection() -> Collection | None:
    """The view's collection, opened (shared by every session); None for other corpora. A collection that
    cannot be opened is reported, and the view goes back to the default corpus."""
    name = view().corpus
    if not shelf.is_collection(name):
        return None
    try:
        collection = shelf.opened(name)
    except CollectionError as error:
        st.error(text.plain(error))
        switch_corpus(DEFAULT_CORPUS)
        return None
    # rows beyond the end (from a link) go, and filters on columns the collection does not have (the colour is
    # fitted by the page that colours: the map offers more than the stored columns)
    fitted, notices = view().fit_to(len(collection), columns=[column.name for column in collection.filterable])
    for notice in notices:
        st.info(text.plain(notice))
    replace_view(fitted)
    return collection


def working_rows(corpus: core.Corpus) -> np.ndarray | None:
    """The collection rows of a collection's working set (None for any other corpus)."""
    working = working_set(corpus)
    return None if working is None else working[0].source_rows


def working_set(corpus: core.Corpus) -> tuple | None:
    """A collection's working set: the subset Dataset and where its rows come from (None for other corpora)."""
    working = st.session_state.get(WORKING_SET)
    return working[1:] if working is not None and working[0] == corpus.fingerprint else None


def rows_in(corpus: core.Corpus, rows) -> tuple[int, ...]:
    """Rows of the whole dataset (the view's selection or marks) as rows of `corpus`: in a collection's working
    set, those of them it holds."""
    numbers = working_rows(corpus)
    if numbers is None:
        return tuple(rows)
    return tuple(np.flatnonzero(np.isin(numbers, rows)).tolist())


def mark(corpus: core.Corpus, rows) -> None:
    """Mark rows of `corpus` (rings on a page's own maps), kept in the view as rows of the whole dataset. Unlike
    the map's selection, marks do not change what the pages work on."""
    numbers = working_rows(corpus)
    rows = [int(row) for row in rows]
    set_view(marked=tuple(rows) if numbers is None else tuple(int(numbers[row]) for row in rows))


def is_bundled(corpus: core.Corpus) -> bool:
    """A corpus that ships with the app (so its artifacts may go to the shared disk cache)."""
    return corpus.name in core.BUNDLED and core.load_corpus(corpus.name).fingerprint == corpus.fingerprint


def shares(dataset: Dataset) -> bool:
    """Whether what derives from this dataset may be shared by every session (ui.caches): a collection's or a
    bundled corpus's, not an upload's."""
    return dataset.stored_map or (dataset.name in core.BUNDLED
                                  and core.load_corpus(dataset.name).fingerprint == dataset.fingerprint)


def corpus_title(name: str) -> str:
    if name.startswith(UPLOAD_PREFIX):
        return name.removeprefix(UPLOAD_PREFIX)
    if shelf.is_collection(name):
        return shelf.title(name)
    return name.replace("-", " ").capitalize()


def add_upload(corpus: core.Corpus, imported: Embeddings | None = None) -> None:
    name = UPLOAD_PREFIX + corpus.name
    st.session_state[UPLOADS][name] = corpus
    st.session_state[IMPORTED].pop(name, None)
    if imported is not None:
        st.session_state[IMPORTED][name] = imported
    switch_corpus(name)


def imported_embeddings(corpus: core.Corpus) -> Embeddings | None:
    """Vectors imported with this very corpus (matched by fingerprint, not by length)."""
    imported = st.session_state.get(IMPORTED, {}).get(UPLOAD_PREFIX + corpus.name)
    if imported is not None and imported.key.get("corpus") == corpus.fingerprint:
        return imported
    working = working_set(corpus)
    return None if working is None else working[0].embeddings
