"""Murmuration home: pick a corpus (or upload one) and an encoder, and see the map."""
import streamlit as st

from ui import map_view, state, views
from ui.upload import import_form, upload_form

st.set_page_config(page_title="Murmuration · embedding explorer", page_icon="🐦", layout="wide")
state.sidebar()

st.title("Murmuration")
st.write("See how text becomes vectors. Pick a corpus and an encoder in the sidebar; every point below is one "
         "document, and documents the encoder finds similar sit close together. The other pages show a bigger "
         "map, nearest neighbours and similarity heatmaps.")

corpus = state.current_corpus()
emb = state.guarded(state.embeddings, corpus)
views.corpus_header(corpus, emb)
with st.expander("Upload your own text"):
    upload_form()
with st.expander("Import vectors made elsewhere"):
    import_form()
if emb is not None:
    map_view.show(corpus, emb, colour="label" if corpus.labels else map_view.NO_COLOUR, selectable=False)
