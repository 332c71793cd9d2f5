"""Idea 5: contextual vectors. The same word gets a different vector in every sentence, at every layer."""
import streamlit as st

from ui import context_view, text, views

views.header("Context",
             "A transformer reads the whole sentence, so 'fly' as travel, as an insect and as a bird's flight get "
             "different vectors, and each layer of the network gives a different view. Layer 0 is the input "
             "embedding (the word piece plus its position), nearly the same in every sentence; MiniLM then has 6 "
             "layers. GloVe, beside it, has one vector per word.",
             context=False)

sentences, word = context_view.inputs()
found = context_view.occurrences(tuple(sentences), word)
if isinstance(found, str):
    st.warning(text.plain(found))
else:
    if found.missing:
        st.info(text.plain(f"{len(found.missing)} sentence(s) do not contain '{found.word}' and are left out: "
                           + "; ".join(context_view.short(s) for s in found.missing)))
    st.subheader("How the tokenizer splits each sentence")
    st.caption("A word split into several pieces gets the mean of its pieces' vectors; only its first "
               "occurrence in a sentence is used.")
    st.dataframe(context_view.pieces_table(found), hide_index=True, width="stretch")
    layer = context_view.layer(found.n_layers)
    context_view.layer_views(found, layer)
    st.plotly_chart(context_view.spread_by_layer(found), width="stretch")
