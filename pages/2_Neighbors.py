"""Nearest neighbours of a document or of a typed query, by exact cosine similarity."""
import streamlit as st

import core
from ui import state, views

st.set_page_config(page_title="Neighbors · Murmuration", page_icon="🐦", layout="wide")
state.sidebar()
st.title("Nearest neighbours")
st.caption(views.context_line())
st.write("The documents whose vectors point in the most similar direction (cosine similarity, exact search).")

corpus = state.current_corpus()
emb = state.guarded(state.embeddings, corpus)
if emb is not None:
    mode = st.radio("Find neighbours of", ["a document", "my own text"], horizontal=True)
    k = st.slider("How many", 1, min(50, max(1, len(corpus) - 1)), min(10, max(1, len(corpus) - 1)))
    query = None
    if mode == "a document":
        query = st.selectbox("Document", range(len(corpus)), format_func=lambda i: views.document_label(corpus, i))
        st.markdown(f"**Query:** {corpus.texts[query]}", help="the document itself is left out of the results")
    else:
        typed = st.text_input("Text", "Hold fast to dreams, for if dreams die, life is a broken-winged bird "
                                      "that cannot fly.", max_chars=2000)
        if typed.strip():
            query = emb.encoder.transform([typed])[0]
            if not query.any():
                st.warning(f"{core.ENCODERS[emb.key['encoder']].title} knows none of these words, "
                           "so the query has no direction. Try other words or another encoder.")
                query = None
    if query is not None:
        found = core.nearest_neighbors(emb.vectors, query, k)
        st.dataframe(views.neighbours_table(corpus, found), hide_index=True, width="stretch",
                     column_config={"cosine": st.column_config.ProgressColumn("cosine", min_value=-1, max_value=1,
                                                                              format="%.3f")})
