"""Two encoders (or two settings of one) on the same corpus: aligned maps and what changed."""
import streamlit as st

from ui import compare_view, compute, similarity_view, views

views.header("Compare encoders",
             "Two encoders give two different worlds. The maps are aligned (B is rotated onto A), and a box or lasso "
             "selection on either map rings the same documents on both. Below: how many neighbours each document "
             "keeps, the documents that moved most, and where the similarities differ.",
             context=False)

corpus = views.corpus()
if not views.needs(corpus, 3, "Comparing two encoders"):
    st.stop()
(name_a, params_a), (name_b, params_b), method, k = compare_view.pick_sides()
steps = compare_view.steps()   # says what is computed and what is still to come
with steps.step("a", f"encoding the texts with A ({compare_view.title(name_a)})"):
    emb_a = compute.guarded(compute.embeddings, corpus, name_a, params_a)
with steps.step("b", f"encoding the texts with B ({compare_view.title(name_b)})"):
    emb_b = compute.guarded(compute.embeddings, corpus, name_b, params_b)
if emb_a is not None and emb_b is not None:
    with steps.step("overlap", "comparing each document's neighbours"):
        compare_view.summary(corpus, emb_a, emb_b, k)
    with steps.step("maps", "drawing both maps"):
        compare_view.aligned_maps(corpus, emb_a, emb_b, method)
    with steps.step("changed", "finding the documents that changed most"):
        compare_view.changed_table(corpus, emb_a, emb_b)
    st.subheader("Where B sees more (or less) similarity than A")
    with steps.step("difference", "computing the difference of similarities"):
        compare_view.difference_heatmap(corpus, emb_a, emb_b, similarity_view.subset_picker(corpus))
steps.finish()
