"""The same corpus through every encoder, in the order the ideas arrived."""
import pandas as pd
import streamlit as st

from ui import encoders_view, views

views.header("Encoders through history",
             "One corpus, every encoder, in the order the ideas arrived: counting words (one-hot, TF-IDF), "
             "compressing counts (LSA, LDA), learning word vectors (Word2Vec, GloVe), reading whole sentences "
             "(MiniLM), and MiniLM distilled back into a fast table of word pieces (MiniLM static). Each map is "
             "PCA of that encoder's vectors, coloured by label. Where the corpus has labels, "
             "kNN label agreement is how often a document's nearest neighbour shares its label (higher is better).",
             context=False)

corpus = views.corpus()
st.caption(views.context_line().split(" · ")[0] + " · every encoder with its default settings")
rows = encoders_view.all_cards(corpus)
if rows:
    st.subheader("Side by side")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Seconds are the time to fit and embed when first computed; later visits reuse the cache.")
