"""Drift page pieces: choosing a reference and a current set (the view's drift_* fields, so share links carry
them); the verdict and what drifted are in ui/drift_results.py, the progress line in ui/drift_steps.py."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

import core
from core.analyses import drift_explained
from core.analyses import windows as dating
from core.analyses.drift import MIN_DOCUMENTS
from core.analyses.compare import most_changed, neighbour_overlap
from core.encoders import ENCODERS, default_params
from ui import caches, compute, drift_steps, session, text
from ui.drift_results import Sets, score_name, verdict, what_drifted
from ui.drift_steps import AFTER_VERDICT
from ui.plots import over_time_figure

EXAMPLE = "flutter-seasons"
SPLIT, CORPORA, ENCODERS_MODE = "split", "corpora", "encoders"   # the view's drift_mode
MODE_TITLES = {SPLIT: "one corpus, split by a column", CORPORA: "two corpora",
               ENCODERS_MODE: "the same texts under two encoders"}
METHOD_TITLES = {"classifier": "classifier (AUC)", "mmd": "MMD (kernel distance)"}
MAX_LABEL_VALUES = 60
__all__ = ["choose_sets", "controls", "example_button", "steps", "vectors", "verdict", "what_drifted"]   # the page's


# --- what is computed, and what is still to come -------------------------------------------------

def _plan_for(mode: str, dated: bool) -> tuple[str, ...]:
    if mode == ENCODERS_MODE:
        return "vectors", "second vectors", "overlap"
    if mode == CORPORA:
        return ("vectors", "both vectors") + AFTER_VERDICT
    return ("vectors", "timeline", "year clusters") + AFTER_VERDICT if dated else ("vectors",) + AFTER_VERDICT


def steps(corpus: core.Corpus):
    """The page's progress line (ui.drift_steps), expecting the steps the view's choices will ask for."""
    return drift_steps.steps(_expected_plan(corpus))


def _expected_plan(corpus: core.Corpus) -> tuple[str, ...]:
    """The steps the controls will ask for: the view's choices for this corpus, else the controls' defaults."""
    return _plan_for(_mode(corpus), _column(corpus) in _date_columns(corpus))


def _modes(corpus: core.Corpus) -> list[str]:
    return [SPLIT, CORPORA, ENCODERS_MODE] if date_or_group_columns(corpus) else [CORPORA, ENCODERS_MODE]


def _mode(corpus: core.Corpus) -> str:
    modes = _modes(corpus)
    return session.view().drift_mode if session.view().drift_mode in modes else modes[0]


def _column(corpus: core.Corpus) -> str | None:
    columns = date_or_group_columns(corpus)
    return session.view().drift_column if session.view().drift_column in columns else (columns or [None])[0]


def vectors(corpus: core.Corpus):
    """The corpus's vectors for the sidebar's encoder (shipped precomputed for the seasons example)."""
    with drift_steps.step("vectors", f"getting the vectors of {len(corpus):,} documents"):
        return compute.guarded(compute.embeddings, corpus)


def example_button(corpus: core.Corpus) -> None:
    if corpus.name != EXAMPLE and st.button("Open the Flutter seasons example",
                                            help="A year of dated flits whose topics follow the seasons."):
        session.switch_corpus(EXAMPLE)
        st.rerun()


def controls(corpus: core.Corpus, emb) -> tuple[str, str]:
    st.caption(text.plain(f"Corpus: {corpus.name} · encoder: {_encoder_title(emb.key['encoder'])} "
                          "(both chosen in the sidebar)"))
    left, right = st.columns([3, 2])
    mode = session.bound(left.radio, "Compare", "drift_mode", options=_modes(corpus), horizontal=True,
                         format_func=MODE_TITLES.get, shown=lambda _: _mode(corpus))
    method = session.bound(right.radio, "Test", "drift_method", options=list(METHOD_TITLES), horizontal=True,
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
    drift_steps.plan(*_plan_for(mode, dated=False))
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


def _one_of(chosen: tuple, options: list):
    """The view's one chosen value when the options hold it, else the first option."""
    return chosen[0] if chosen and chosen[0] in options else options[0]


def column_values(corpus: core.Corpus, column: str) -> pd.Series:
    return pd.Series(corpus.labels) if column == "label" else corpus.metadata[column].astype(str)


def _sets(corpus, texts, vectors, is_current, reference_name, current_name, key) -> Sets | None:
    is_current = np.asarray(is_current, dtype=bool)
    digest = hashlib.sha256(f"{key}|".encode() + np.packbits(is_current).tobytes()).hexdigest()[:20]
    return Sets(list(texts), np.asarray(vectors), is_current, reference_name, current_name, digest,
                session.is_bundled(corpus))


# --- one corpus split by a column ---------------------------------------------------------------

def split_by_column(corpus: core.Corpus, emb, method: str) -> Sets | None:
    first, *rest = st.columns(3)
    column = session.bound(first.selectbox, "Split by", "drift_column", options=date_or_group_columns(corpus),
                           shown=lambda _: _column(corpus))
    dated = column in _date_columns(corpus)
    drift_steps.plan(*_plan_for(SPLIT, dated))
    if dated:
        return _split_by_date(corpus, emb, column, method, rest)
    values = column_values(corpus, column)
    order = list(dict.fromkeys(values))
    left, right = st.columns(2)
    reference = session.bound(left.multiselect, f"Reference: rows whose {column} is", "drift_reference",
                              options=order, shown=lambda v: [x for x in v if x in order] or order[:1],
                              stored=tuple)
    rest = [v for v in order if v not in reference]
    chosen = session.bound(right.multiselect, f"Current: rows whose {column} is (empty: all the rest)",
                           "drift_current", options=rest, shown=lambda v: [x for x in v if x in rest], stored=tuple)
    current = chosen or rest
    if not reference or not current:
        st.info("Pick at least one value for the reference and leave at least one for the current set.")
        return None
    keep = values.isin(reference + current).to_numpy()
    rows = np.flatnonzero(keep)
    return _sets(corpus, [corpus.texts[i] for i in rows], emb.vectors[rows], values[keep].isin(current).to_numpy(),
                 f"{column} = {', '.join(reference)}", f"{column} = {', '.join(chosen) or 'any other value'}",
                 f"{emb.digest}|{column}|{reference}|{current}")


def _split_by_date(corpus: core.Corpus, emb, column: str, method: str, places) -> Sets | None:
    window = session.bound(places[0].radio, "Window", "drift_window", options=list(dating.WINDOWS), horizontal=True)
    windows = dating.windows_of(corpus.metadata[column], window)
    labels = sorted(windows.dropna().unique())
    counts = windows.value_counts()
    big_enough = [w for w in labels if counts[w] >= MIN_DOCUMENTS]
    if len(big_enough) < 2:
        st.warning(f"Fewer than two {window}s have {MIN_DOCUMENTS} or more documents: choose a longer "
                   "window.")
        return None
    reference = session.bound(places[1].selectbox, f"Reference {window}", "drift_reference", options=big_enough,
                              shown=lambda v: _one_of(v, big_enough), stored=lambda value: (value,))
    with drift_steps.step("timeline", f"testing each {window} against {text.plain(reference)}"):
        timeline = caches.remembered(
            "drift over time", {"embedding": emb.digest, "column": column, "window": window, "reference": reference,
                                "method": method},
            lambda: dating.drift_over_time(emb.vectors, windows, reference, method=method),
            shared=session.is_bundled(corpus), spinner="Testing each window…")
    st.plotly_chart(over_time_figure(timeline, score_name(method), window), width="stretch")
    drifted = timeline[timeline.drifted]
    st.caption(f"{len(drifted)} of {timeline.score.notna().sum()} {window}s drifted away from {reference} "
               "(red; p-values corrected for testing many windows with Holm's method, so a window that crosses 5% "
               "by chance is not flagged). Hover a point for its score and p-value.")
    _cluster_moves(corpus, emb, windows, reference, window)
    others = timeline.dropna(subset=["score"]).sort_values("score", ascending=False).window.tolist()
    current = session.bound(st.columns(3)[0].selectbox, f"Look closer: compare {reference} with", "drift_current",
                            options=others, shown=lambda v: _one_of(v, others), stored=lambda value: (value,),
                            help=f"The {window}s from the most to the least drifted.")
    keep = windows.isin([reference, current]).to_numpy()
    rows = np.flatnonzero(keep)
    return _sets(corpus, [corpus.texts[i] for i in rows], emb.vectors[rows], (windows[keep] == current).to_numpy(),
                 f"{window} {reference}", f"{window} {current}", f"{emb.digest}|{column}|{reference}|{current}")


def _cluster_moves(corpus: core.Corpus, emb, windows: pd.Series, reference: str, window: str) -> None:
    with st.expander(f"Clusters ranked by how far their share moved from the reference {window}"), \
            drift_steps.step("year clusters", f"clustering all {len(corpus):,} documents"):
        names = caches.remembered("drift clusters", {"embedding": emb.digest},
                                  lambda: drift_explained.named_clusters(corpus.texts, emb.vectors),
                                  shared=session.is_bundled(corpus), spinner="Clustering…")
        moves = drift_explained.shares_over_time(names, windows, reference)
        st.dataframe(moves.style.format("{:.0%}"), width="stretch")


# --- two corpora, two encoders ------------------------------------------------------------------

def two_corpora(corpus: core.Corpus) -> Sets | None:
    others = [name for name in core.BUNDLED if name != corpus.name] or list(core.BUNDLED)
    other = session.bound(st.selectbox, f"Reference: {corpus.name} (the sidebar's corpus). Current:", "drift_other",
                          options=others, shown=lambda v: v if v in others else others[0])
    current = core.load_corpus(other)
    # One embedding of both, so that corpus-fitted encoders (TF-IDF, LSA, ...) put them in one space.
    both = core.Corpus(name=f"{corpus.name}+{other}", texts=corpus.texts + current.texts)
    with drift_steps.step("both vectors", f"the vectors of {len(both):,} documents from both corpora"):
        emb = compute.guarded(compute.embeddings, both)
    if emb is None:
        return None
    is_current = np.r_[np.zeros(len(corpus), dtype=bool), np.ones(len(current), dtype=bool)]
    return _sets(corpus, both.texts, emb.vectors, is_current, corpus.name, other, f"{emb.digest}|corpora")


def two_encoders(corpus: core.Corpus, emb) -> None:
    """Model-version drift: two encoders' vectors live in different spaces, so compare neighbourhoods."""
    names = [n for n in ENCODERS if n != emb.key["encoder"]]
    other = session.bound(st.selectbox, "Second encoder (the new model version)", "drift_encoder", options=names,
                          shown=lambda v: v if v in names else names[0], format_func=lambda n: ENCODERS[n].title)
    with drift_steps.step("second vectors", f"the {ENCODERS[other].title} vectors of {len(corpus):,} documents"):
        emb_b = compute.guarded(compute.embeddings, corpus, other, default_params(other))
    if emb_b is None:
        return
    k = 10
    with drift_steps.step("overlap", "comparing each document's neighbours under the two encoders"):
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
