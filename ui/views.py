"""Rendering pieces used by more than one page: the map with its controls, and the corpus header."""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.corpus import shorten
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


def corpus() -> core.Corpus:
    """The chosen corpus; for a collection, its working set, and a sentence saying so."""
    chosen = session.current_corpus()
    working = session.working_set(chosen)
    if working is not None:
        st.info(shelf.describe(session.current_collection(), *working))
    return chosen


def needs(corpus: core.Corpus, documents: int, what: str) -> bool:
    """True if the corpus is big enough for `what`; otherwise says so on the page."""
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


def document_label(corpus: core.Corpus, index: int, width: int = 90) -> str:
    return f"#{index}: " + shorten(corpus.texts[index], width)


def neighbours_table(texts, labels, neighbours: core.similarity.Neighbors) -> pd.DataFrame:
    """Rank, score, text (and label) of each neighbour; texts and labels: any sequences over the documents."""
    rows = {"rank": np.arange(1, len(neighbours.indices) + 1), "cosine": neighbours.scores,
            "document": [texts[int(i)] for i in neighbours.indices]}
    if labels is not None:
        rows["label"] = [labels[int(i)] for i in neighbours.indices]
    rows["row"] = neighbours.indices
    return pd.DataFrame(rows)


def neighbours_controls(n_documents: int) -> tuple[str, int]:
    """Neighbours of what ("a document" or "my own text"), and how many."""
    mode = st.radio("Find neighbours of", ["a document", "my own text"], horizontal=True)
    return mode, count_slider("How many", n_documents - 1, 10)


def neighbours_with_map(corpus: core.Corpus, emb, index: int, k: int) -> None:
    """Neighbours in the original space or on the map, marking those the other view does not share."""
    view = session.view()
    method = view.method
    coords = compute.analysis(corpus, view, dims=2, emb=emb).map.coords
    original = core.nearest_neighbors(emb.vectors, index, k)
    on_map = core.similarity.nearest_on_map(coords, index, k)
    space = st.radio("Neighbours in", ["the original space", f"the 2D {method.upper()} map"], horizontal=True)
    shared = set(original.indices.tolist()) & set(on_map.indices.tolist())
    st.metric("Shared by both views", f"{len(shared)} of {len(original.indices)}",
              help="Neighbours that exist only on the map were invented by the projection; those only in the "
                   "original space were torn apart by it.")
    if space == "the original space":
        table = neighbours_table(corpus.texts, corpus.labels, original)
        table["also on the map"] = ["✓" if i in shared else "✗ torn apart" for i in original.indices]
        column = "cosine"
    else:
        table = neighbours_table(corpus.texts, corpus.labels, on_map).rename(columns={"cosine": "map distance"})
        table["also in the original space"] = ["✓" if i in shared else "✗ invented" for i in on_map.indices]
        column = "map distance"
    st.dataframe(table, hide_index=True, width="stretch", column_config=COSINE_BAR if column == "cosine" else None)


def neighbours_of_text(corpus: core.Corpus, emb, typed: str, k: int) -> None:
    if not typed.strip():
        return
    try:
        query = emb.encoder.transform([typed])[0]
    except core.EncoderError as error:
        st.warning(text.plain(error))
        return
    if not query.any():
        st.warning(f"{sidebar.encoder_title(emb.key['encoder'])} knows none of these words, so the query has no "
                   "direction. Try other words or another encoder.")
        return
    found = core.nearest_neighbors(emb.vectors, query, k)
    st.dataframe(neighbours_table(corpus.texts, corpus.labels, found), hide_index=True, width="stretch", column_config=COSINE_BAR)
