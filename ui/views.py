"""Rendering pieces used by more than one page: the map with its controls, and the corpus header."""
from __future__ import annotations

import threading

import streamlit as st

import core
from core.dataset import Dataset, InMemoryDataset
from ui import compute, session, shelf, sidebar, text


_ENTRY = threading.local()   # .sidebar: True while app.py runs a page under the sidebar it drew (one script thread)


def run(navigation) -> None:
    """app.py's last step: the sidebar, then the page chosen in the navigation.

    The sidebar belongs to app.py rather than to each page because of what a page link sends: the values of
    app.py's widgets, not those of the page's (whose ids differ from page to page anyway). A choice in the sidebar
    reaches the server as a rerun carrying the widget's new value, and a page link clicked a moment later stops
    that rerun (Streamlit's fast reruns), possibly before the value was applied. Made in app.py's sidebar, the
    choice arrives again with the page change, and the view gets it before the new page reads it (see
    session.choice for a rerun stopped after the value was applied)."""
    st.set_page_config(page_icon="🐦", layout="wide")   # before the sidebar, which may open a collection for seconds
    sidebar.sidebar()
    _ENTRY.sidebar = True
    try:
        navigation.run()
    finally:
        _ENTRY.sidebar = False


def header(title: str, intro: str, *, context: bool = True) -> None:
    """The start every page shares: config, sidebar (unless app.py drew it), title, the corpus and encoder,
    what the page shows."""
    st.set_page_config(page_title="Murmuration · embedding explorer" if title == "Murmuration" else f"{title} · Murmuration", page_icon="🐦", layout="wide")
    if not getattr(_ENTRY, "sidebar", False):   # a page run on its own (AppTest of a page file)
        sidebar.sidebar()
    st.title(title)
    if context:
        st.caption(context_line())
    st.write(intro)


def page(title: str, intro: str):
    """`header`, then the chosen corpus and its embeddings with the chosen encoder (None after a clear error)."""
    header(title, intro)
    return corpus_and_embeddings()


def corpus_and_embeddings():
    """The chosen corpus (see `corpus`) and its embeddings (None after a clear error)."""
    chosen = corpus()
    return chosen, compute.guarded(compute.embeddings, chosen)


def dataset() -> Dataset | None:
    """The chosen corpus as a Dataset (None after a clear error): a collection as it is, anything else through
    the pipeline (its embeddings, kNN graph and 2D map, computed once)."""
    collection = session.current_collection()
    if collection is not None:
        return shelf.dataset(collection)
    chosen, emb = corpus_and_embeddings()
    if emb is None:
        return None
    return InMemoryDataset.from_analysis(chosen, compute.analysis(chosen, session.view(), dims=2, emb=emb))


def corpus() -> core.Corpus:
    """The chosen corpus; for a collection, its working set, and a sentence saying so."""
    chosen = session.current_corpus()
    working = session.working_set(chosen)
    if working is not None:
        st.info(shelf.describe(session.current_collection(), *working))
    return chosen


def needs(corpus, documents: int, what: str) -> bool:
    """True if the corpus (or dataset) is big enough for `what`; otherwise says so on the page."""
    if len(corpus) >= documents:
        return True
    st.info(f"{what} needs at least {documents} documents; this corpus has {len(corpus)}. "
            "Upload a bigger file or pick a bundled corpus.")
    return False


def count_slider(label: str, most: int, default: int, *, key: str | None = None, cap: int = 50) -> int:
    """A slider from 1 to `most` (at most `cap`); with room for only one, no slider at all."""
    most = min(cap, most)
    if most <= 1:
        return max(most, 0)
    return st.slider(label, 1, most, min(default, most), key=key)


def context_line() -> str:
    """Corpus and encoder, escaped for Markdown: an upload's file name is user text."""
    collection = session.current_collection()
    if collection is not None:
        encoder = sidebar.encoder_title(collection.manifest["encoder"])
    else:
        imported = session.imported_embeddings(session.current_corpus())
        encoder = sidebar.encoder_title("imported" if imported else session.view().encoder)
    return text.plain(f"{session.corpus_title(session.view().corpus)} · {encoder}")


def corpus_header(corpus: core.Corpus, emb=None) -> None:
    """The corpus and encoder, then one line of figures and the corpus's description (kept short so that the
    home map starts in the first screen)."""
    summary = corpus.summary()
    st.subheader(context_line())
    figures = [f"{summary['documents']:,} documents", f"{summary['labels'] or 'no'} labels",
               f"median {summary['median words']} words"]
    if emb is not None:
        figures.append(f"{emb.dimension:,} dimensions (computed in {emb.seconds:.1f} s)")
    st.caption(" · ".join(figures) + (f". {corpus.description}" if corpus.description else ""))
    for notice in corpus.notices + (emb.notes if emb is not None else ()):
        st.info(text.plain(notice))


COSINE_BAR = {"cosine": st.column_config.ProgressColumn("cosine", min_value=-1, max_value=1, format="%.3f")}


def neighbours_controls(n_documents: int) -> tuple[str, int]:
    """Neighbours of what ("a document" or "my own text"), and how many."""
    mode = st.radio("Find neighbours of", ["a document", "my own text"], horizontal=True)
    return mode, count_slider("How many", n_documents - 1, 10)
