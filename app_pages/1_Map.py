"""The map: every document as a point, projected to 2D or 3D, with how far to trust it."""
from ui import collection_view, compute, map_view, session, share, views

views.header(
    "Map", "Every document is a point. Scroll to zoom, drag to pan, hover to read a document, click it to ring its "
    "nearest neighbours; the Lasso and Box buttons select. A projection distorts: colour by neighbour "
    "preservation to see where the map tears neighbourhoods apart.")
collection = session.current_collection()
if collection is not None:
    collection_view.summary(collection)
    colour = collection_view.colour_control(collection)
    collection_view.filter_section(collection)
    collection_view.map_section(collection, colour=colour)
    collection_view.selection_section(collection)
    share.share_panel()
else:
    corpus, emb = views.corpus_and_embeddings()
    if emb is not None:
        options = map_view.controls(corpus)
        map_view.filter_controls(corpus)
        result = compute.analysis(corpus, session.view(), emb=emb)
        selected = map_view.show(corpus, result, **options)
        map_view.selection_panel(corpus, emb, selected)
        share.share_panel()
