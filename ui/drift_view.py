"""Drift page pieces: choosing a reference and a current set, the test's verdict, and what drifted.

The page computes several things in turn (vectors, tests, clusters, a map, words); `steps` shows at the top
which one is running and which are still to come, and goes away when everything is on the page.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.analyses import drift_explained
from core.analyses import windows as dating
from core.analyses.drift import MIN_DOCUMENTS, DriftError, DriftResult
from core.compare import most_changed, neighbour_overlap
from core.encoders import ENCODERS, default_params
from ui import compute, session, text
from ui.plots import map_figure, over_time_figure, shares_figure
from ui.progress import Steps

EXAMPLE = "flutter-seasons"
SPLIT, CORPORA, ENCODERS_MODE = "one corpus, split by a column", "two corpora", "the same texts under two encoders"
METHOD_TITLES = {"classifier": "classifier (AUC)", "mmd": "MMD (kernel distance)"}
MAX_LABEL_VALUES = 60


@dataclass(frozen=True)
class Sets:
    """Reference and current documents as rows of one embedding, so both share one vector space."""
    texts: list[str]
    vectors: np.ndarray
    is_current: np.ndarray
    reference_name: str
    current_name: str
    digest: str  # identifies the embedding and the split, for caching

    @property
    def reference(self) -> np.ndarray:
        return self.vectors[~self.is_current]

    @property
    def current(self) -> np.ndarray:
        return self.vectors[self.is_current]


# --- what is computed, and what is still to come -------------------------------------------------

STEP_NAMES = {"vectors": "the vectors", "timeline": "a test per window", "year clusters": "clusters over time",
              "both vectors": "the vectors of both corpora", "second vectors": "the second encoder's vectors",
              "overlap": "neighbour overlap", "verdict": "the verdict", "map": "the map",
              "shares": "clusters that grew or shrank", "typical": "typical documents", "words": "words that moved"}
AFTER_VERDICT = ("verdict", "map", "shares", "typical", "words")


_STEPS: ContextVar[Steps | None] = ContextVar("drift_steps", default=None)


@contextmanager
def steps(corpus: core.Corpus):
    """Around the page's work: a progress line at this place, cleared once everything is shown. A step that
    fails leaves it, so the page still says what it was doing."""
    tracker = Steps(st.empty(), list(_expected_plan(corpus)), STEP_NAMES)
    token = _STEPS.set(tracker)
    try:
        yield tracker
    finally:
        _STEPS.reset(token)
    tracker.finish()


@contextmanager
def _step(name: str, doing: str):
    tracker = _STEPS.get()
    if tracker is None:
        yield
        return
    with tracker.step(name, doing):
        yield


def _plan(*names: str) -> None:
    tracker = _STEPS.get()
    if tracker is not None:
        tracker.plan(names)


def _plan_for(mode: str, dated: bool) -> tuple[str, ...]:
    if mode == ENCODERS_MODE:
        return "vectors", "second vectors", "overlap"
    if mode == CORPORA:
        return ("vectors", "both vectors") + AFTER_VERDICT
    return ("vectors", "timeline", "year clusters") + AFTER_VERDICT if dated else ("vectors",) + AFTER_VERDICT


def _expected_plan(corpus: core.Corpus) -> tuple[str, ...]:
    """The steps the controls will ask for: the user's choices for this corpus, else the controls' defaults."""
    columns = date_or_group_columns(corpus)
    same = st.session_state.get("drift_corpus") == corpus.fingerprint
    mode = st.session_state.get("drift_mode") if same else None
    mode = mode or (SPLIT if columns else CORPORA)
    column = (st.session_state.get("drift_column") if same else None) or (columns[0] if columns else None)
    return _plan_for(mode, column in _date_columns(corpus))


def vectors(corpus: core.Corpus):
    """The corpus's vectors for the sidebar's encoder (shipped precomputed for the seasons example)."""
    with _step("vectors", f"getting the vectors of {len(corpus):,} documents"):
        return compute.guarded(compute.embeddings, corpus)


def example_button(corpus: core.Corpus) -> None:
    if corpus.name != EXAMPLE and st.button("Open the Flutter seasons example",
                                            help="A year of dated flits whose topics follow the seasons."):
        session.set_view(corpus=EXAMPLE)
        st.rerun()


def _forget_choices_of_another_corpus(corpus: core.Corpus) -> None:
    """Columns, values and windows belong to one corpus: start afresh with the defaults for a new one."""
    if st.session_state.get("drift_corpus") != corpus.fingerprint:
        for key in [k for k in st.session_state if str(k).startswith("drift_")]:
            del st.session_state[key]
        st.session_state["drift_corpus"] = corpus.fingerprint


def controls(corpus: core.Corpus, emb) -> tuple[str, str]:
    _forget_choices_of_another_corpus(corpus)
    st.caption(text.plain(f"Corpus: {corpus.name} · encoder: {_encoder_title(emb.key['encoder'])} "
                          "(both chosen in the sidebar)"))
    left, right = st.columns([3, 2])
    modes = [SPLIT, CORPORA, ENCODERS_MODE] if date_or_group_columns(corpus) else [CORPORA, ENCODERS_MODE]
    mode = left.radio("Compare", modes, horizontal=True, key="drift_mode")
    method = right.radio("Test", list(METHOD_TITLES), horizontal=True, key="drift_method",
                         format_func=METHOD_TITLES.get, disabled=mode == ENCODERS_MODE,
                         help="Classifier: can a model tell the two sets apart on documents it has not seen? "
                              "MMD: how far apart are the two clouds of vectors, with an RBF kernel?")
    return mode, method


def _encoder_title(name: str) -> str:
    return ENCODERS[name].title if name in ENCODERS else "imported vectors"


def choose_sets(corpus: core.Corpus, emb, mode: str, method: str) -> Sets | None:
    """The reference and current sets for the chosen mode; the two-encoder view renders itself (None)."""
    if mode == SPLIT:
        return split_by_column(corpus, emb, method)
    _plan(*_plan_for(mode, dated=False))
    if mode == CORPORA:
        return two_corpora(corpus)
    two_encoders(corpus, emb)
    return None


def date_or_group_columns(corpus: core.Corpus) -> list[str]:
    dates = _date_columns(corpus)
    groups = ["label"] if corpus.labels else []
    if corpus.metadata is not None:
        groups += [c for c in corpus.metadata.columns if c not in dates and _is_grouping(corpus, corpus.metadata[c])]
    return dates + groups


def _date_columns(corpus: core.Corpus) -> list[str]:
    """The corpus's date columns, read once per corpus and session (parsing dates takes 0.4 s per 100,000 rows)."""
    found = st.session_state.get("_drift_date_columns")
    if found is None or found[0] != corpus.fingerprint:
        found = st.session_state["_drift_date_columns"] = (corpus.fingerprint, dating.date_columns(corpus.metadata))
    return list(found[1])


def _is_grouping(corpus: core.Corpus, values: pd.Series) -> bool:
    """A text column with a few values, and not a copy of the label column."""
    if pd.api.types.is_numeric_dtype(values) or not 2 <= values.nunique() <= MAX_LABEL_VALUES:
        return False
    return not corpus.labels or values.astype(str).tolist() != corpus.labels


def column_values(corpus: core.Corpus, column: str) -> pd.Series:
    return pd.Series(corpus.labels) if column == "label" else corpus.metadata[column].astype(str)


def _sets(texts, vectors, is_current, reference_name, current_name, key) -> Sets | None:
    is_current = np.asarray(is_current, dtype=bool)
    digest = hashlib.sha256(f"{key}|".encode() + np.packbits(is_current).tobytes()).hexdigest()[:20]
    return Sets(list(texts), np.asarray(vectors), is_current, reference_name, current_name, digest)


# --- one corpus split by a column ---------------------------------------------------------------

def split_by_column(corpus: core.Corpus, emb, method: str) -> Sets | None:
    first, *rest = st.columns(3)
    column = first.selectbox("Split by", date_or_group_columns(corpus), key="drift_column")
    dated = column in _date_columns(corpus)
    _plan(*_plan_for(SPLIT, dated))
    if dated:
        return _split_by_date(corpus, emb, column, method, rest)
    values = column_values(corpus, column)
    order = list(dict.fromkeys(values))
    left, right = st.columns(2)
    reference = left.multiselect(f"Reference: rows whose {column} is", order, default=order[:1],
                                 key="drift_ref_values")
    rest = [v for v in order if v not in reference]
    chosen = right.multiselect(f"Current: rows whose {column} is (empty: all the rest)", rest, key="drift_cur_values")
    current = chosen or rest
    if not reference or not current:
        st.info("Pick at least one value for the reference and leave at least one for the current set.")
        return None
    keep = values.isin(reference + current).to_numpy()
    rows = np.flatnonzero(keep)
    return _sets([corpus.texts[i] for i in rows], emb.vectors[rows], values[keep].isin(current).to_numpy(),
                 f"{column} = {', '.join(reference)}", f"{column} = {', '.join(chosen) or 'any other value'}",
                 f"{emb.digest}|{column}|{reference}|{current}")


def _split_by_date(corpus: core.Corpus, emb, column: str, method: str, places) -> Sets | None:
    window = places[0].radio("Window", list(dating.WINDOWS), index=2, horizontal=True, key="drift_window")
    windows = dating.windows_of(corpus.metadata[column], window)
    labels = sorted(windows.dropna().unique())
    counts = windows.value_counts()
    big_enough = [w for w in labels if counts[w] >= MIN_DOCUMENTS]
    if len(big_enough) < 2:
        st.warning(f"Fewer than two {window}s have {MIN_DOCUMENTS} or more documents: choose a longer "
                   "window.")
        return None
    reference = places[1].selectbox(f"Reference {window}", big_enough, key=f"drift_ref_{window}")
    with _step("timeline", f"testing each {window} against {text.plain(reference)}"):
        timeline = _over_time(emb, windows, reference, method,
                              f"{emb.digest}|{column}|{window}|{reference}|{method}")
    st.plotly_chart(over_time_figure(timeline, _score_name(method), window), width="stretch")
    drifted = timeline[timeline.drifted]
    st.caption(f"{len(drifted)} of {timeline.score.notna().sum()} {window}s drifted away from {reference} "
               "(red; p-values corrected for testing many windows with Holm's method, so a window that crosses 5% "
               "by chance is not flagged). Hover a point for its score and p-value.")
    _cluster_moves(corpus, emb, windows, reference, window)
    others = timeline.dropna(subset=["score"]).sort_values("score", ascending=False).window.tolist()
    current = st.columns(3)[0].selectbox(f"Look closer: compare {reference} with", others, key=f"drift_cur_{window}",
                                         help=f"The {window}s from the most to the least drifted.")
    keep = windows.isin([reference, current]).to_numpy()
    rows = np.flatnonzero(keep)
    return _sets([corpus.texts[i] for i in rows], emb.vectors[rows], (windows[keep] == current).to_numpy(),
                 f"{window} {reference}", f"{window} {current}", f"{emb.digest}|{column}|{reference}|{current}")


@st.cache_data(max_entries=16, show_spinner="Testing each window…")
def _over_time(_emb, _windows: pd.Series, reference: str, method: str, key: str) -> pd.DataFrame:
    return dating.drift_over_time(_emb.vectors, _windows, reference, method=method)


def _cluster_moves(corpus: core.Corpus, emb, windows: pd.Series, reference: str, window: str) -> None:
    with st.expander(f"Clusters ranked by how far their share moved from the reference {window}"), \
            _step("year clusters", f"clustering all {len(corpus):,} documents"):
        names = _cluster_names(corpus.texts, emb, emb.digest)
        moves = drift_explained.shares_over_time(names, windows, reference)
        st.dataframe(moves.style.format("{:.0%}"), width="stretch")


@st.cache_data(max_entries=8, show_spinner="Clustering…")
def _cluster_names(texts: list[str], _emb, digest: str) -> list[str]:
    return drift_explained.named_clusters(texts, _emb.vectors)


# --- two corpora, two encoders ------------------------------------------------------------------

def two_corpora(corpus: core.Corpus) -> Sets | None:
    others = [name for name in core.BUNDLED if name != corpus.name] or list(core.BUNDLED)
    other = st.selectbox(f"Reference: {corpus.name} (the sidebar's corpus). Current:", others, key="drift_other")
    current = core.load_corpus(other)
    # One embedding of both, so that corpus-fitted encoders (TF-IDF, LSA, ...) put them in one space.
    both = core.Corpus(name=f"{corpus.name}+{other}", texts=corpus.texts + current.texts)
    with _step("both vectors", f"the vectors of {len(both):,} documents from both corpora"):
        emb = compute.guarded(compute.embeddings, both)
    if emb is None:
        return None
    is_current = np.r_[np.zeros(len(corpus), dtype=bool), np.ones(len(current), dtype=bool)]
    return _sets(both.texts, emb.vectors, is_current, corpus.name, other, f"{emb.digest}|corpora")


def two_encoders(corpus: core.Corpus, emb) -> None:
    """Model-version drift: two encoders' vectors live in different spaces, so compare neighbourhoods."""
    names = [n for n in ENCODERS if n != emb.key["encoder"]]
    other = st.selectbox("Second encoder (the new model version)", names, key="drift_encoder",
                         format_func=lambda n: ENCODERS[n].title)
    with _step("second vectors", f"the {ENCODERS[other].title} vectors of {len(corpus):,} documents"):
        emb_b = compute.guarded(compute.embeddings, corpus, other, default_params(other))
    if emb_b is None:
        return
    k = 10
    with _step("overlap", "comparing each document's neighbours under the two encoders"):
        overlap = neighbour_overlap(emb.vectors, emb_b.vectors, k)
        changed = most_changed(corpus.texts, emb.vectors, emb_b.vectors, k=5, top=15)
    first, second = _encoder_title(emb.key["encoder"]), ENCODERS[other].title
    st.metric(f"Mean neighbour overlap (Jaccard@{k})", f"{overlap.mean():.3f}")
    st.write(f"Per document, the share of its {k} nearest neighbours that {first} and {second} agree on "
             f"(1: the same neighbours, about {k / len(overlap):.3f}: unrelated). Vectors from two encoders live in "
             "different spaces, so the drift test cannot compare them directly; their neighbourhoods it can. "
             f"{(overlap < 0.2).mean():.0%} of the documents keep fewer than a fifth of their neighbours.")
    st.plotly_chart(_histogram(overlap, f"Jaccard@{k}"), width="stretch")
    st.subheader("Documents whose neighbourhoods changed most")
    st.dataframe(changed, hide_index=True, width="stretch")


def _histogram(values: np.ndarray, name: str):
    import plotly.graph_objects as go

    fig = go.Figure(go.Histogram(x=values, nbinsx=20, marker_color="#4C78A8"))
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10), xaxis_title=name, yaxis_title="documents")
    return fig


# --- the verdict and what drifted ---------------------------------------------------------------

def _score_name(method: str) -> str:
    return "AUC" if method == "classifier" else "MMD²"


@st.cache_data(max_entries=32, show_spinner="Testing for drift…")
def _test(_chosen: Sets, method: str, digest: str) -> DriftResult:
    return core.drift(_chosen.reference, _chosen.current, method=method)


def verdict(sets: Sets, method: str) -> DriftResult | None:
    try:
        with _step("verdict", f"testing {text.plain(sets.current_name)} against {text.plain(sets.reference_name)}"):
            result = _test(sets, method, sets.digest)
    except DriftError as error:
        st.error(text.plain(error))
        return None
    cols = st.columns(4)
    cols[0].metric(f"Score ({result.score_name})", f"{result.score:.3f}" if method == "classifier"
                   else f"{result.score:.4f}")
    cols[1].metric("p-value", f"{result.p_value:.2g}", help=f"Below {result.threshold:g}: drifted. "
                   f"From {result.permutations:,} random relabellings of the two sets.")
    cols[2].metric("Reference documents", f"{result.n_reference:,}", help=sets.reference_name)
    cols[3].metric("Current documents", f"{result.n_current:,}", help=sets.current_name)
    (st.warning if result.drifted else st.success)(
        f"**{'Drifted' if result.drifted else 'No drift detected'}** ({text.plain(sets.current_name)} against "
        f"{text.plain(sets.reference_name)}). {result.meaning}")
    for note in result.notes:
        st.info(note)
    return result


def what_drifted(sets: Sets) -> None:
    st.subheader("Both sets on one map")
    with _step("map", "projecting both sets onto one map"):
        coords = _map(sets.vectors, sets.digest)
    labels = np.where(sets.is_current, "current", "reference")
    st.plotly_chart(map_figure(coords, sets.texts, labels=labels, point_size=5,
                               title=f"reference: {sets.reference_name} · current: {sets.current_name} (PCA)"),
                    width="stretch")
    st.caption("A 2D PCA of both sets' vectors, to see where they overlap and where one of them has documents "
               "the other lacks. The test uses every dimension, so two sets that look mixed here can still differ.")
    st.subheader("Clusters that grew or shrank")
    with _step("shares", "clustering both sets"):
        shares = _shares(sets, sets.digest)
    st.caption("Clusters of both sets together (k-means), named by their most distinctive words; the number in "
               "brackets is the cluster's size. Largest change first.")
    st.plotly_chart(shares_figure(shares), width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Most typical of the current set")
        st.caption("The current documents a classifier trained on both sets finds least like the reference: "
                   "P(current) is its probability that the document belongs to the current set.")
        with _step("typical", "finding the current documents least like the reference"):
            table = drift_explained.typical_documents(sets.texts, sets.vectors, sets.is_current)
        st.dataframe(table[["P(current)", "document"]], hide_index=True, width="stretch",
                     column_config={"P(current)": st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                  format="%.2f", width="small")})
    with right:
        st.subheader("Words that rose and fell")
        n_ref, n_cur = int((~sets.is_current).sum()), int(sets.is_current.sum())
        st.caption(f"How many of the {n_ref:,} reference and {n_cur:,} current documents contain each word; log2 "
                   "change of its share: +1 = twice as common in the current set. The surest changes first.")
        with _step("words", "counting the words in both sets"):
            rose, fell = drift_explained.words_that_moved([t for t, c in zip(sets.texts, sets.is_current) if not c],
                                                          [t for t, c in zip(sets.texts, sets.is_current) if c])
        for title, table in (("Rose", rose), ("Fell", fell)):
            st.markdown(f"**{title}**")
            st.dataframe(table, hide_index=True, width="stretch")


@st.cache_data(max_entries=16, show_spinner="Projecting both sets…")
def _map(_vectors: np.ndarray, digest: str) -> np.ndarray:
    return core.project(_vectors, method="pca", n_components=2, seed=0)


@st.cache_data(max_entries=16, show_spinner="Clustering both sets…")
def _shares(_chosen: Sets, digest: str) -> pd.DataFrame:
    return drift_explained.cluster_shares(_chosen.texts, _chosen.vectors, _chosen.is_current)
