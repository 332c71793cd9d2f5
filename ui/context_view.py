"""Context page pieces: the word pieces table, occurrence similarities per layer, and GloVe beside them."""
from __future__ import annotations


import numpy as np
import pandas as pd
import streamlit as st

from core.analyses.context import DEFAULT_SENTENCES, Occurrences, glove_vectors, word_in_context
from core.sources.corpus import shorten
from core.encoders import EncoderError
from core.maps.projection import pca
from core.neighbours.similarity import similarity_matrix
from core.view_fields import CONTEXT_MAX_CHARS, CONTEXT_WORD_MAX_CHARS
from ui import caches, session
from ui.plots import as_text, line_chart, map_figure, matrix_heatmap


BUNDLED_SENTENCES = "\n".join(DEFAULT_SENTENCES)


def inputs() -> tuple[list[str], str]:
    """The sentences and the word, kept in the view (the bundled sentences as "", so a link stays short)."""
    text = session.bound(st.text_area, "Sentences, one per line", "context_sentences", height=190,
                         max_chars=CONTEXT_MAX_CHARS, shown=lambda typed: typed or BUNDLED_SENTENCES,
                         stored=lambda typed: "" if typed == BUNDLED_SENTENCES else typed)
    word = session.bound(st.text_input, "Word to follow", "context_word", max_chars=CONTEXT_WORD_MAX_CHARS)
    return [line for line in text.splitlines() if line.strip()][:20], word


def layer(n_layers: int) -> int:
    """The layer shown: the view's, or the last one the model has."""
    return session.bound(st.slider, "Layer", "context_layer", min_value=0, max_value=n_layers - 1,
                         shown=lambda chosen: min(chosen, n_layers - 1))


def occurrences(sentences: tuple[str, ...], word: str) -> Occurrences | str:
    """The occurrences, or the sentence that says why there are none (kept either way, in the visitor's session:
    the sentences are what they typed)."""
    def compute():
        try:
            return word_in_context(list(sentences), word)
        except EncoderError as error:
            return str(error)

    return caches.remembered("word in context", {"sentences": list(sentences), "word": word}, compute,
                             shared=False, spinner="Running the transformer on each sentence…")


def short(sentence: str, width: int = 48) -> str:
    return shorten(sentence, width)


def pieces_table(found: Occurrences) -> pd.DataFrame:
    return pd.DataFrame({
        "sentence": [short(s, 70) for s in found.sentences],
        "word pieces": [" · ".join(p) for p in found.pieces],
        f"pieces of '{found.word}'": [" + ".join(found.pieces[i][j] for j in t) for i, t in enumerate(found.target)],
    })


def names(found: Occurrences) -> list[str]:
    return [f"#{i + 1} {short(s, 28)}" for i, s in enumerate(found.sentences)]


def layer_views(found: Occurrences, layer: int) -> None:
    vectors = found.vectors[:, layer]
    shown_word = as_text(found.word)  # plotly titles render markup
    left, right = st.columns(2)
    left.plotly_chart(matrix_heatmap(similarity_matrix(vectors), names(found), value_name="cosine", zmin=0, zmax=1,
                                     title=f"MiniLM, layer {layer}: '{shown_word}' in each sentence"),
                      width="stretch")
    static = glove_vectors(found)
    if static is not None:
        right.plotly_chart(matrix_heatmap(similarity_matrix(static), names(found), value_name="cosine", zmin=0,
                                          zmax=1, title=f"GloVe: '{shown_word}' is one vector whatever the sentence"),
                           width="stretch")
    else:
        right.info(f"GloVe has no vector for '{found.word.lower()}'.")
    coords = pca(vectors, 2)
    st.plotly_chart(map_figure(coords, found.sentences, labels=names(found), point_size=12,
                               title=f"'{shown_word}' in each sentence at layer {layer} (PCA)"), width="stretch")


def spread_by_layer(found: Occurrences):
    """Mean cosine between the occurrences at every layer: how much context pulls them apart."""
    n = len(found.sentences)
    off_diagonal = ~np.eye(n, dtype=bool)
    means = [float(similarity_matrix(found.vectors[:, layer])[off_diagonal].mean()) for layer in range(found.n_layers)]
    return line_chart(range(found.n_layers), means, x_name="layer (0 = token embeddings)",
                      y_name="mean cosine between occurrences",
                      title="The deeper the layer, the more the sentence shapes the word's vector")
