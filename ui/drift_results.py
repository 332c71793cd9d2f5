"""The Drift page's verdict on a reference and a current set, and what drifted: both sets on one map, clusters
that grew or shrank, the most typical current documents, and words that rose and fell."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import core
from core.analyses import drift_explained
from core.analyses.drift import DriftError, DriftResult
from ui import caches, drift_steps, text
from ui.plots import map_figure, shares_figure


@dataclass(frozen=True)
class Sets:
    """Reference and current documents as rows of one embedding, so both share one vector space."""
    texts: list[str]
    vectors: np.ndarray
    is_current: np.ndarray
    reference_name: str
    current_name: str
    digest: str  # identifies the embedding and the split, for caching
    shared: bool  # from bundled corpora only: results may be shared by every session (ui.caches)

    @property
    def reference(self) -> np.ndarray:
        return self.vectors[~self.is_current]

    @property
    def current(self) -> np.ndarray:
        return self.vectors[self.is_current]


def score_name(method: str) -> str:
    return "AUC" if method == "classifier" else "MMD²"


def _remembered(sets: Sets, what: str, compute, spinner: str, **key):
    return caches.remembered(what, {"sets": sets.digest, **key}, compute, shared=sets.shared, spinner=spinner)


def verdict(sets: Sets, method: str) -> DriftResult | None:
    try:
        with drift_steps.step("verdict", f"testing {text.plain(sets.current_name)} against {text.plain(sets.reference_name)}"):
            result = _remembered(sets, "drift test", lambda: core.drift(sets.reference, sets.current, method=method),
                                 "Testing for drift…", method=method)
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
    with drift_steps.step("map", "projecting both sets onto one map"):
        coords = _remembered(sets, "drift map", lambda: core.project(sets.vectors, method="pca", n_components=2, seed=0),
                             "Projecting both sets…")
    labels = np.where(sets.is_current, "current", "reference")
    st.plotly_chart(map_figure(coords, sets.texts, labels=labels, point_size=5,
                               title=f"reference: {sets.reference_name} · current: {sets.current_name} (PCA)"),
                    width="stretch")
    st.caption("A 2D PCA of both sets' vectors, to see where they overlap and where one of them has documents "
               "the other lacks. The test uses every dimension, so two sets that look mixed here can still differ.")
    st.subheader("Clusters that grew or shrank")
    with drift_steps.step("shares", "clustering both sets"):
        shares = _remembered(sets, "drift shares", lambda: drift_explained.cluster_shares(
            sets.texts, sets.vectors, sets.is_current), "Clustering both sets…")
    st.caption("Clusters of both sets together (k-means), named by their most distinctive words; the number in "
               "brackets is the cluster's size. Largest change first.")
    st.plotly_chart(shares_figure(shares), width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Most typical of the current set")
        st.caption("The current documents a classifier trained on both sets finds least like the reference: "
                   "P(current) is its probability that the document belongs to the current set.")
        with drift_steps.step("typical", "finding the current documents least like the reference"):
            table = drift_explained.typical_documents(sets.texts, sets.vectors, sets.is_current)
        st.dataframe(table[["P(current)", "document"]], hide_index=True, width="stretch",
                     column_config={"P(current)": st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                  format="%.2f", width="small")})
    with right:
        st.subheader("Words that rose and fell")
        n_ref, n_cur = int((~sets.is_current).sum()), int(sets.is_current.sum())
        st.caption(f"How many of the {n_ref:,} reference and {n_cur:,} current documents contain each word; log2 "
                   "change of its share: +1 = twice as common in the current set. The surest changes first.")
        with drift_steps.step("words", "counting the words in both sets"):
            rose, fell = drift_explained.words_that_moved([t for t, c in zip(sets.texts, sets.is_current) if not c],
                                                          [t for t, c in zip(sets.texts, sets.is_current) if c])
        for title, table in (("Rose", rose), ("Fell", fell)):
            st.markdown(f"**{title}**")
            st.dataframe(table, hide_index=True, width="stretch")
