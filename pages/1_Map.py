"""The map: every document as a point, projected to 2D or 3D, with how far to trust it."""
import streamlit as st

from ui import map_view, state, views

st.set_page_config(page_title="Map · Murmuration", page_icon="🐦", layout="wide")
state.sidebar()
st.title("Map")
st.caption(views.context_line())
st.write("Hover a point to read the document; click a legend entry to hide a group. A projection distorts: "
         "colour by neighbour preservation to see where the map tears neighbourhoods apart.")

corpus = state.current_corpus()
emb = state.guarded(state.embeddings, corpus)
if emb is not None:
    options = map_view.controls(corpus)
    selected = map_view.show(corpus, emb, **options)
    map_view.selection_panel(corpus, emb, selected)
