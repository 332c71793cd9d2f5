"""Rendering pieces used by more than one page: the map with its controls, and the corpus header."""
from __future__ import annotations

import threading

import numpy as np
import streamlit as st

import core
from core.dataset import Dataset, InMemoryDataset
from core.filters import filter_mask
from core.view_fields import NEIGHBOURS_K_BOUNDS, NEIGHBOURS_OF
from ui import compute, session, share, shelf, sidebar, text


_ENTRY = threading.local()   # .sidebar: True while app.py runs a page under the sidebar it drew (one script thread)


def run(navigation) -> None:
    """app.py's last step: the sidebar, then the page chosen in the navigation.

    The sidebar belongs to app.py rather than to each page because of what a page link sends: the values of
    app.py's widgets, not those of the page's (whose ids differ from page to page anyway). A choice in the sidebar
    reaches the server as a rerun carrying the widget's new value, and a page link clicked a moment later stops
    that rerun (Streamlit's fast reruns), possibly before the value was applied. Made in app.py's sidebar, the
    choice arrives again with the page change, and the view gets it before the new page reads it (see
    session.choice for a rerun stopped after the value was applied).

    Every page ends with the share link of its view (the Map and Neighbors pages place it themselves)."""
    st.set_page_config(page_icon="🐦", layout="wide")   # before the sidebar, which may open a collection for seconds
    sidebar.sidebar()
    _ENTRY.sidebar = True
    share.start_run()
    try:
        navigation.run()
    finally:
        _ENTRY.sidebar = False
    if not share.shared_this_run():
        share.share_panel()


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


def dataset(dims: int = 2) -> Dataset | None:
    """The chosen corpus as a Dataset (None after a clear error): a collection as it is, anything else through
    the pipeline (its embeddings, kNN graph and map in `dims` dimensions, computed once)."""
    collection = session.current_collection()
    if collection is not None:
        return shelf.dataset(collection)
    chosen, emb = corpus_and_embeddings()
    if emb is None:
        return None
    return InMemoryDataset.from_analysis(chosen, compute.analysis(chosen, session.view(), dims=dims, emb=emb))


def corpus() -> core.Corpus:
    """The chosen corpus; for a collection, its working set, and a sentence saying so."""
    chosen = session.current_corpus()
    working = session.working_set(chosen)
    if working is not None:
        subset, source = working
        st.info(shelf.describe(session.current_collection(), subset.source_rows, source))
    return chosen


def passing(corpus: core.Corpus) -> np.ndarray | None:
    """The rows of a corpus (a collection's working set too) that pass the view's filters; None without filters."""
    filters = session.view().filters
    return np.flatnonzero(filter_mask(corpus, filters)) if filters else None


def needs(corpus, documents: int, what: str) -> bool:
    """True if the corpus (or dataset) is big enough for `what`; otherwise says so on the page."""
    if len(corpus) >= documents:
        return True
    st.info(f"{what} needs at least {documents} documents; this corpus has {len(corpus)}. "
            "Upload a bigger file or pick a bundled corpus.")
    return False




def context_line() -> str:
    """Corpus and encoder, escaped for Markdown: an upload's file name is user text."""
    collection = session.current_collection()
    if collection is not None:
        encoder = sidebar.encoder_title(collection.manifest["encoder"])
    else:
        imported = session.imported_embeddings(session.current_corpus())
        encoder = sidebar.encoder_title("imported" if imported else session.view().encoder)
    return text.plain(f"{session.corpus_title(session.view().corpus)} · {encoder}")


def dataset_header(dataset: Dataset) -> None:
    """The corpus and encoder, then one line of figures and the dataset's description (kept short so that the
    home map starts in the first screen)."""
    st.subheader(context_line())
    labels, words = dataset.columns.get("label"), dataset.columns.get("length (words)")
    figures = [f"{len(dataset):,} documents", f"{labels.nunique() if labels is not None else 'no'} labels"]
    if words is not None:
        figures.append(f"median {int(np.sort(words.to_numpy())[len(words) // 2]) if len(words) else 0} words")
    figures.append(f"{dataset.vectors.shape[1]:,} dimensions")
    st.caption(" · ".join(figures) + (f". {dataset.description}" if dataset.description else ""))
    collection = session.current_collection()
    if collection is not None and collection.manifest.get("batches"):
        batches_panel(collection.manifest)
    if collection is not None and collection.manifest.get("maps"):
        maps_panel(collection.name, collection.manifest)
    for notice in dataset.notices:
        st.info(text.plain(notice))


def batches_panel(manifest: dict) -> None:
    """The batches appended to a collection since its build, with each one's drift verdict (colour or filter the
    map by "batch" to see where they landed)."""
    from core.collections.append import batches_table, drift_verdict

    table, latest = batches_table(manifest), manifest["batches"][-1]
    with st.expander(text.plain(f"{len(table)} batch{'es' if len(table) > 1 else ''} appended since the build; "
                                f"the latest, batch {latest['batch']}: {latest['count']:,} documents, "
                                f"{drift_verdict(latest)}")):
        st.dataframe(table, hide_index=True, column_config={
            "drift p": st.column_config.NumberColumn("drift p", format="%.3g",
                                                     help="the classifier test of the batch against the "
                                                          "documents before it (Drift page)")})
        st.caption("Colour or filter the map by \"batch\" to see where each one landed.")


def maps_panel(name: str, manifest: dict) -> None:
    """The map in use and the maps kept beside it (`python -m core refit`), with how to switch."""
    from core.collections.refit import BUILT, maps_table

    table = maps_table(manifest)
    with st.expander(text.plain(f"This map: {manifest.get('map_name', BUILT)} (trustworthiness "
                                f"{table['trustworthiness'].iloc[0]:.3f}); {len(table) - 1} other "
                                f"map{'s' if len(table) > 2 else ''} kept")):
        st.dataframe(table, hide_index=True, column_config={
            "median move": st.column_config.NumberColumn(
                "median move", format="%.3f", help="how far its points lay from the map in use when it was "
                                                   "made, in units of that map's spread")})
        st.caption("The server's operator switches maps with:")
        st.code(f'python -m core maps {name} --use "NAME"', language="bash")


COSINE_BAR = {"cosine": st.column_config.ProgressColumn("cosine", min_value=-1, max_value=1, format="%.3f")}


def neighbours_controls(n_documents: int) -> tuple[str, int]:
    """Neighbours of what ("document" or "text"), and how many (no slider when there is room for one only)."""
    mode = session.bound(st.radio, "Find neighbours of", "neighbours_of", options=list(NEIGHBOURS_OF),
                         format_func={"document": "a document", "text": "my own text"}.get, horizontal=True)
    most = min(NEIGHBOURS_K_BOUNDS[1], n_documents - 1)
    if most <= 1:
        return mode, max(most, 0)
    return mode, session.bound(st.slider, "How many", "neighbours_k", min_value=1, max_value=most,
                               shown=lambda k: min(k, most))
