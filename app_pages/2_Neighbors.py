"""Nearest neighbours of a document or of a typed query, by cosine similarity, for any dataset."""
from ui import neighbors_view, views

views.header(
    "Nearest neighbours", "The documents whose vectors point in the most similar direction (cosine similarity). "
    "For a document, compare them with its neighbours on the map: the projection keeps some, tears some apart "
    "and invents others.")
dataset = views.dataset()
if dataset is not None and views.needs(dataset, 2, "Finding neighbours"):
    neighbors_view.show(dataset)
