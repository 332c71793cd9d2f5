"""Words page pieces: which word vectors, nearest words, analogies, and the word map."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import core
from core.encoders.static import load_glove
from core.view import COLOUR_MAX_CHARS, DIMS, METHODS, WORDS_MAX_CHARS
from core.analyses.words import UnknownWordError, analogy, nearest_words, word_vectors
from ui import caches, compute, session, text
from ui.plots import map_figure


VECTOR_TITLES = {"glove": "GloVe 6B, 50d (pretrained)", "word2vec": "Word2Vec trained on the chosen corpus"}


def pick_vectors():
    choice = session.bound(st.radio, "Word vectors", "words_vectors", options=list(VECTOR_TITLES), horizontal=True,
                           format_func=VECTOR_TITLES.get)
    if choice == "glove":
        return load_glove(), "GloVe", "glove"
    corpus = session.current_corpus()
    emb = compute.guarded(compute.embeddings, corpus, "word2vec", core.encoders.default_params("word2vec"))
    if emb is None:
        return None, "", ""
    wv = emb.encoder.word_vectors
    st.caption(text.plain(f"Word2Vec (skip-gram, {wv.vector_size}d) trained on "
                          f"{session.corpus_title(corpus.name)}: {len(wv):,} words."))
    return wv, f"Word2Vec trained on {session.corpus_title(corpus.name)}", emb.digest


def _scores_table(result, column: str) -> pd.DataFrame:
    return pd.DataFrame({column: result.words, "cosine": result.scores})


def nearest_words_panel(wv, source: str) -> None:
    st.subheader("Nearest words")
    fallback = "bird" if "bird" in wv.key_to_index else wv.index_to_key[50]
    word = session.bound(st.text_input, "Word", "words_nearest", shown=lambda typed: typed or fallback,
                         stored=lambda typed: "" if typed == fallback else typed, max_chars=COLOUR_MAX_CHARS)
    k = session.bound(st.slider, "How many", "words_k", min_value=3, max_value=30)
    try:
        st.dataframe(_scores_table(nearest_words(wv, word, k, source=source), "word"), hide_index=True,
                     width="stretch")
    except UnknownWordError as error:
        st.warning(text.plain(error))


def analogy_panel(wv, source: str) -> None:
    st.subheader("Analogy: a − b + c")
    cols = st.columns(3)
    a = cols[0].text_input("a", "king")
    b = cols[1].text_input("− b", "man")
    c = cols[2].text_input("+ c", "woman")
    try:
        st.dataframe(_scores_table(analogy(wv, a, b, c, 5, source=source), "answer"), hide_index=True,
                     width="stretch")
        st.caption("The three input words are left out of the answers, as is usual.")
    except UnknownWordError as error:
        st.warning(text.plain(error))


def word_map_panel(wv, source: str, vectors_key: str) -> None:
    st.subheader("A map of words")
    typed = session.bound(st.text_area, "Words to map (leave empty for the bundled Words list, coloured by group)",
                          "words", max_chars=WORDS_MAX_CHARS, placeholder="e.g. eagle sparrow owl red blue green happy sad")
    cols = st.columns(2)
    method = session.bound(cols[0].radio, "Projection", "words_method", options=list(METHODS), horizontal=True,
                           format_func=str.upper)
    dims = session.bound(cols[1].radio, "Dimensions", "words_dims", options=list(DIMS), horizontal=True)
    if typed.strip():
        words, groups = typed.replace(",", " ").split(), None
    else:
        bundled = core.load_corpus("words")
        words, groups = bundled.texts, dict(zip(bundled.texts, bundled.labels))
    vectors, known, unknown = word_vectors(wv, words)
    if unknown:
        st.info(text.plain(f"{source} does not know {len(unknown)} of these words, left off the map: "
                + ", ".join(unknown[:30]) + (" …" if len(unknown) > 30 else "")))
    if len(known) < 2:
        st.warning("Give at least two words the model knows.")
        return
    coords = caches.remembered("word map", {"vectors": vectors_key, "words": known, "method": method, "dims": dims},
                               lambda: core.project(vectors, method=method, n_components=dims),
                               shared=not typed.strip() and vectors_key == "glove",   # not typed, not an upload's
                               spinner="Projecting the words…")
    labels = [groups[w] for w in known] if groups else None
    st.plotly_chart(map_figure(coords, known, labels=labels, point_size=7, text_labels=len(known) <= 80),
                    width="stretch")
