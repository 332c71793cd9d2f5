"""Murmuration home: pick a corpus (or upload one) and an encoder, and see the map; the forms to bring your own
data sit under it, side by side."""
import streamlit as st

from ui import map_view, views
from ui.upload import IMPORT_KEY, UPLOAD_KEY, import_form, upload_form

views.header("Murmuration", "See how text becomes vectors. Pick a corpus and an encoder in the sidebar; every point "
             "below is one document, and documents the encoder finds similar sit close together. The other pages "
             "show a bigger map, nearest neighbours and similarity heatmaps.", context=False)
dataset = views.dataset()
if dataset is not None:
    views.dataset_header(dataset)
    map_view.show(dataset, colour=map_view.default_colour(dataset), selectable=False, key="home_map", height=460,
                  name_regions=True)
upload, vectors = st.columns(2)
# A form holding a chosen file stays open through the reruns its widgets cause.
with upload.expander("Upload your own text", expanded=bool(st.session_state.get(UPLOAD_KEY))):
    upload_form()
with vectors.expander("Import vectors made elsewhere", expanded=bool(st.session_state.get(IMPORT_KEY))):
    import_form()
