"""Idea 6: embeddings as the engine of a recommender, in four stages, with an offline evaluation."""
import streamlit as st

import core
from core.sources.bundled import flutter_likes
from core.analyses.recommend import recommend
from ui import compute, recommend_view, session, views

views.header("Recommend",
             "Flutter's home feed recommends flits. A bird's taste is the average direction of the flits it liked; "
             "**candidate generation** takes the flits nearest that direction, **ranking** scores them "
             "(score = cosine + popularity weight × log(1 + likes) / log(1 + most likes)), **filtering** applies "
             "business rules, and **retrieval** serves the top of what is left. Change the encoder in the sidebar: "
             "the whole feed changes.",
             context=False)

corpus = core.load_corpus("flutter")
if session.view().corpus != "flutter":
    st.info("Recommendations use the Flutter flits and their likes, whatever corpus is chosen elsewhere.")
emb = compute.guarded(compute.embeddings, corpus)
if emb is not None:
    liked_by = flutter_likes()
    controls, results = st.columns([1, 2])
    with controls:
        bird = recommend_view.pick_bird(corpus, liked_by)
        rules, settings = recommend_view.pick_rules(sorted(set(corpus.labels)))
    feed = recommend(emb.vectors, liked_by[bird], likes=corpus.metadata.likes.to_numpy(), topics=corpus.labels,
                     rules=rules, **settings)
    with results:
        st.dataframe(recommend_view.stages_table(feed), hide_index=True, width="stretch")
        st.subheader(f"Feed for {bird}")
        st.dataframe(recommend_view.feed_table(corpus, feed), hide_index=True, width="stretch")
    st.subheader("Offline evaluation: which encoder recommends best?")
    st.write("For every bird, 20% of its likes are hidden; the recommender sees the rest. Hit rate@10 is the "
             "share of birds for whom at least one hidden flit comes back in the top 10; recall@10 is the share "
             "of hidden flits that come back.")
    st.dataframe(recommend_view.evaluation_table(corpus, compute.embeddings, 10, settings["popularity_weight"]),
                 hide_index=True, width="stretch")
