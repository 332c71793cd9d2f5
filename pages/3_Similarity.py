"""Cosine similarity heatmap of a subset, ordered so that groups show as blocks."""
import streamlit as st

from core.plots import similarity_heatmap
from core.similarity import ordered_subset
from ui import similarity_view, state, views

st.set_page_config(page_title="Similarity · Murmuration", page_icon="🐦", layout="wide")
state.sidebar()
st.title("Similarity")
st.caption(views.context_line())
st.write("Each cell is the cosine similarity of two documents. Rows are grouped by label and, within a "
         "group, by similarity: bright squares on the diagonal mean the encoder sees the groups.")

corpus = state.current_corpus()
emb = state.guarded(state.embeddings, corpus)
if emb is not None:
    rows, S, labels = ordered_subset(emb.vectors, similarity_view.subset_picker(corpus), corpus.labels)
    similarity_view.block_summary(S, labels)
    st.plotly_chart(similarity_heatmap(S, [corpus.texts[i] for i in rows], labels=labels), width="stretch")
