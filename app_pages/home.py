"""Murmuration home: pick a corpus (or upload one) and an encoder, and see the map; the forms to bring your own
data sit under it, side by side."""
import streamlit as st

from ui import collection_view, compute, map_view, session, views
from ui.upload import IMPORT_KEY, UPLOAD_KEY, import_form, upload_form

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
    if emb is not None:
        result = compute.analysis(corpus, session.view(), dims=2, emb=emb)
        map_view.show(corpus, result, colour=map_view.default_colour(corpus), selectable=False, key="home_map",
                      height=460, name_regions=True)
upload, vectors = st.columns(2)
# A form holding a chosen file stays open through the reruns its widgets cause.
with upload.expander("Upload your own text", expanded=bool(st.session_state.get(UPLOAD_KEY))):
    upload_form()
with vectors.expander("Import vectors made elsewhere", expanded=bool(st.session_state.get(IMPORT_KEY))):
    import_form()
