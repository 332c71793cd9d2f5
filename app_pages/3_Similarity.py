"""Cosine similarity heatmap of a subset, ordered so that groups show as blocks."""

from core.neighbours.similarity import ordered_subset
from ui import session, similarity_view, views

corpus, emb = views.page(
    "Similarity", "Each cell is the cosine similarity of two documents. Rows are grouped by label and, within a "
    "group, by similarity: bright squares on the diagonal mean the encoder sees the groups. A lasso or box "
    "selection on the Map page is offered here too.")
picked = similarity_view.subset_picker(corpus, session.rows_in(corpus, session.view().selection), views.passing(corpus)) \
    if emb is not None else []
if len(picked) >= 2:
    rows, S, labels = ordered_subset(emb.vectors, picked, corpus.labels)
    similarity_view.block_summary(S, labels)
    similarity_view.heatmap(corpus, rows, S, labels)
