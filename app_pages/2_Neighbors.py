"""Nearest neighbours of a document or of a typed query, by exact cosine similarity."""
import streamlit as st

from ui import collection_view, session, share, views

views.header(
    "Nearest neighbours", "The documents whose vectors point in the most similar direction (cosine similarity, "
    "exact search). For a document, compare them with its neighbours on the map: the projection keeps some, "
    "tears some apart and invents others.")
collection = session.current_collection()
corpus, emb = (None, None) if collection is not None else views.corpus_and_embeddings()
if collection is not None:
    collection_view.neighbours_section(collection)
    share.share_panel()
elif emb is not None and views.needs(corpus, 2, "Finding neighbours"):
    mode, k = views.neighbours_controls(len(corpus))
    if mode == "a document":
        session.replace_view(session.view().fit_to(len(corpus))[0])
        index = session.bound(st.selectbox, "Document", "doc", options=range(len(corpus)),
                              format_func=lambda i: views.document_label(corpus, i))
        st.text(corpus.texts[index])
        views.neighbours_with_map(corpus, emb, index, k)
        share.share_panel()
    else:
        typed = st.text_input("Text", "Hold fast to dreams, for if dreams die, life is a broken-winged bird "
                                      "that cannot fly.", max_chars=2000)
        views.neighbours_of_text(corpus, emb, typed, k)
