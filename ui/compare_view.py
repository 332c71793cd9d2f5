"""Compare page pieces: choosing A and B, aligned maps with linked selection, and what changed."""
from __future__ import annotations

import numpy as np
import streamlit as st

import core
from core.analyses.compare import align, most_changed, neighbour_overlap, similarity_difference
from core.encoders import ENCODERS
from core.neighbours.metrics import knn_label_agreement
from core.view import ViewState
from ui import compute, session, sidebar
from ui.plots import map_figure, matrix_heatmap
from ui.progress import Steps
from ui.selection_panel import selected_rows


STEPS = {"a": "A's vectors", "b": "B's vectors", "overlap": "neighbour overlap", "maps": "the aligned maps",
         "changed": "the documents that changed most", "difference": "the difference heatmap"}


def steps() -> Steps:
    return Steps(st.empty(), list(STEPS), STEPS)


def title(name: str) -> str:
    return ENCODERS[name].title


def pick_sides() -> tuple[tuple[str, dict], tuple[str, dict], str, int]:
    """Encoders A and B with their settings, the maps' projection and k: all in the view (so in share links)."""
    left, right, options = st.columns([2, 2, 1])
    (a, params_a), (b, params_b) = session.view().compared()
    for column, side, name, params in ((left, "a", a, params_a), (right, "b", b, params_b)):
        with column:
            chosen = session.bound(st.selectbox, f"Encoder {side.upper()}", f"compare_{side}",
                                   options=list(ENCODERS), shown=lambda _, n=name: n,
                                   format_func=lambda n: ENCODERS[n].title)
            if ENCODERS[chosen].params:
                with st.expander(f"{side.upper()} settings"):
                    wanted = sidebar.param_inputs(ENCODERS[chosen], params, f"_w_compare_{side}")
                if wanted != params:
                    changes = {f"compare_params_{side}": wanted}
                    if side == "a":
                        changes["compare_a"] = a   # with settings of its own, A no longer follows the sidebar
                    session.set_view(**changes)
    method = session.bound(options.radio, "Projection", "compare_method", options=["pca", "umap"],
                           horizontal=True, format_func=str.upper)
    k = session.bound(options.slider, "Neighbours (k)", "compare_k", min_value=2, max_value=30)
    (a, params_a), (b, params_b) = session.view().compared()
    return (a, params_a), (b, params_b), method, k


def aligned_maps(corpus: core.Corpus, emb_a, emb_b, method: str) -> None:
    """A and B side by side, B rotated onto A; a selection on either map rings the same documents on both."""
    settings = ViewState(method=method, seed=session.view().seed)
    coords_a, coords_b = (compute.analysis(corpus, settings, dims=2, emb=emb).map.coords for emb in (emb_a, emb_b))
    coords_a, coords_b = align(coords_a, coords_b)
    marks = set(session.rows_in(corpus, session.view().marked))
    selected = sorted(marks | set(session.rows_in(corpus, session.view().selection)))   # and the map's selection
    both = np.vstack([coords_a, coords_b])
    pad = 0.05 * (both.max(axis=0) - both.min(axis=0))
    ranges = [[both[:, d].min() - pad[d], both[:, d].max() + pad[d]] for d in (0, 1)]
    for column, coords, side in zip(st.columns(2), (coords_a, coords_b), ("A", "B")):
        fig = map_figure(coords, corpus.texts, labels=corpus.labels, point_size=5, highlight=selected or None,
                         title=f"{side}: {ENCODERS[(emb_a if side == 'A' else emb_b).key['encoder']].title}")
        fig.update_layout(height=460, showlegend=side == "B", dragmode="lasso")
        fig.update_xaxes(range=ranges[0])  # one scale for both maps, so sizes compare too
        fig.update_yaxes(range=ranges[1])
        with column:
            event = st.plotly_chart(fig, width="stretch", key=f"compare_map_{side}", on_select="rerun",
                                    selection_mode=("box", "lasso"))
        rows = selected_rows(fig, event)
        if rows and set(rows) != marks:
            session.mark(corpus, rows)
            st.rerun()
    if selected:
        st.caption(f"{len(selected)} documents ringed on both maps: those selected on the Map page and those "
                   "marked here.")
    if marks:
        if st.button("Clear the marks"):
            session.mark(corpus, ())
            st.rerun()


def summary(corpus: core.Corpus, emb_a, emb_b, k: int) -> np.ndarray:
    overlap = neighbour_overlap(emb_a.vectors, emb_b.vectors, k)
    cols = st.columns(3)
    cols[0].metric(f"Mean neighbour overlap (Jaccard@{k})", f"{overlap.mean():.3f}",
                   help="1.0: every document keeps the same neighbours; near k/n: unrelated spaces.")
    if corpus.labels:
        cols[1].metric("kNN label agreement, A", f"{knn_label_agreement(emb_a.vectors, corpus.labels):.3f}")
        cols[2].metric("kNN label agreement, B", f"{knn_label_agreement(emb_b.vectors, corpus.labels):.3f}")
    return overlap


def changed_table(corpus: core.Corpus, emb_a, emb_b) -> None:
    st.subheader("Documents whose neighbourhoods changed most")
    st.dataframe(most_changed(corpus.texts, emb_a.vectors, emb_b.vectors, k=5, top=20), hide_index=True,
                 width="stretch")


def difference_heatmap(corpus: core.Corpus, emb_a, emb_b, rows) -> None:
    numbers = session.working_rows(corpus)   # a collection's documents go by their row in the collection
    names = [f"#{i if numbers is None else numbers[i]} {corpus.texts[i][:40]}" for i in rows]
    diff = similarity_difference(emb_a.vectors, emb_b.vectors, rows)
    st.plotly_chart(matrix_heatmap(diff, names, value_name="B − A", colorscale="RdBu", zmin=-1, zmax=1),
                    width="stretch")
