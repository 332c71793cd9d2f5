"""Idea 4: static word vectors. One vector per word: neighbours, analogies, and a map of words."""
import streamlit as st

from ui import views, words_view

views.header("Words",
             "Static word vectors give every word one point in space. Words used in similar contexts get nearby "
             "vectors, and some directions carry meaning: king − man + woman lands near queen. GloVe was trained on "
             "6 billion words; the Word2Vec model here was trained just now on the chosen corpus, so compare how "
             "little it knows.",
             context=False)

wv, source, vectors_key = words_view.pick_vectors()
if wv is not None:
    left, right = st.columns(2)
    with left:
        words_view.nearest_words_panel(wv, source)
    with right:
        words_view.analogy_panel(wv, source)
    words_view.word_map_panel(wv, source, vectors_key)
