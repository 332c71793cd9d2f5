"""The map: every document as a point, projected to 2D or 3D with PCA or UMAP."""
import streamlit as st

from ui import state, views

st.set_page_config(page_title="Map · Murmuration", page_icon="🐦", layout="wide")
state.sidebar()
st.title("Map")
st.caption(views.context_line())
st.write("Hover a point to read the document. Click a legend entry to hide a group, double-click to show it alone.")

corpus = state.current_corpus()
emb = state.guarded(state.embeddings, corpus)
if emb is not None:
    options = views.map_controls(corpus)
    views.show_map(corpus, emb, **options)
