"""Concept axes: the corpus placed along the direction between two phrases' embeddings."""
from ui import concept_axes_view, views

corpus, emb = views.page(
    "Concept axes", "Type two phrases. Their embeddings define a direction, and every document is placed along it "
    "by the cosine of its vector with that direction. Unlike a PCA or UMAP map, each axis here means something "
    "you chose.")
if emb is not None:
    low, high = concept_axes_view.phrase_pair("Horizontal", "x")
    x = concept_axes_view.axis(emb, low, high)
    y, y_title = concept_axes_view.y_axis(emb)
    if x is not None and y is not None:
        concept_axes_view.placed_map(corpus, x, y, f"{low} → {high}", y_title)
        concept_axes_view.extremes(corpus, x, low, high)
