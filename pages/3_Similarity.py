"""Cosine similarity heatmap of a subset, ordered so that groups show as blocks."""
import streamlit as st

from core.plots import similarity_heatmap
from core.similarity import ordered_subset
from ui import session, similarity_view, views

corpus, emb = views.page(
    "Similarity", "Each cell is the cosine similarity of two documents. Rows are grouped by label and, within a "
    "group, by similarity: bright squares on the diagonal mean the encoder sees the groups. A lasso or box "
    "selection on the Map page is offered here too.")
if emb is not None:
    rows, S, labels = ordered_subset(emb.vectors, similarity_view.subset_picker(corpus, session.view().selection), corpus.labels)
    similarity_view.block_summary(S, labels)
    st.plotly_chart(similarity_heatmap(S, [corpus.texts[i] for i in rows], labels=labels), width="stretch")
