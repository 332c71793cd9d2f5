"""Nearest neighbours of a document or of a typed query, by exact cosine similarity."""
import streamlit as st

from ui import share, views

corpus, emb = views.page(
    "Nearest neighbours", "The documents whose vectors point in the most similar direction (cosine similarity, "
    "exact search). For a document, compare them with its neighbours on the map: the projection keeps some, "
    "tears some apart and invents others.")
if emb is not None:
    mode = st.radio("Find neighbours of", ["a document", "my own text"], horizontal=True)
    k = st.slider("How many", 1, min(50, max(1, len(corpus) - 1)), min(10, max(1, len(corpus) - 1)))
    if mode == "a document":
        if st.session_state.get("neighbour_doc", 0) >= len(corpus):
            st.session_state.pop("neighbour_doc")
        index = st.selectbox("Document", range(len(corpus)), key="neighbour_doc",
                             format_func=lambda i: views.document_label(corpus, i))
        st.text(corpus.texts[index])
        views.neighbours_with_map(corpus, emb, index, k)
        share.share_panel({"doc": index})
    else:
        typed = st.text_input("Text", "Hold fast to dreams, for if dreams die, life is a broken-winged bird "
                                      "that cannot fly.", max_chars=2000)
        views.neighbours_of_text(corpus, emb, typed, k)
