"""The map: every document as a point, projected to 2D or 3D, with how far to trust it."""
from ui import compute, map_view, session, share, views

corpus, emb = views.page(
    "Map", "Every document is a point. Scroll to zoom, drag to pan, hover to read a document, click it to ring its "
    "nearest neighbours; the Lasso and Box buttons select. A projection distorts: colour by neighbour "
    "preservation to see where the map tears neighbourhoods apart.")
if emb is not None:
    options = map_view.controls(corpus)
    map_view.filter_controls(corpus)
    result = compute.analysis(corpus, session.view(), emb=emb)
    selected = map_view.show(corpus, result, **options)
    map_view.selection_panel(corpus, emb, selected)
    share.share_panel()
