"""Murmuration home: pick a corpus (or upload one) and an encoder, and see the map."""
import streamlit as st

from ui import collection_view, compute, map_view, session, views
from ui.upload import import_form, upload_form

views.header("Murmuration", "See how text becomes vectors. Pick a corpus and an encoder in the sidebar; every point "
             "below is one document, and documents the encoder finds similar sit close together. The other pages "
             "show a bigger map, nearest neighbours and similarity heatmaps.", context=False)
collection = session.current_collection()
if collection is not None:
    st.subheader(views.context_line())
    collection_view.summary(collection)
    collection_view.map_section(collection, key="home_map", selectable=False)
else:
    corpus = session.current_corpus()
    emb = compute.guarded(compute.embeddings, corpus)
    views.corpus_header(corpus, emb)
with st.expander("Upload your own text"):
    upload_form()
with st.expander("Import vectors made elsewhere"):
    import_form()
if collection is None and emb is not None:
    result = compute.analysis(corpus, session.view(), dims=2, emb=emb)
    map_view.show(corpus, result, colour=map_view.default_colour(corpus), selectable=False, key="home_map")
