"""The map: every document as a point, projected to 2D or 3D, with how far to trust it."""
from ui import compute, map_view, session, share, views

corpus, emb = views.page(
    "Map", "Hover a point to read the document; click a legend entry to hide a group. A projection distorts: "
    "colour by neighbour preservation to see where the map tears neighbourhoods apart.")
if emb is not None:
    options = map_view.controls(corpus)
    result = compute.analysis(corpus, session.view(), emb=emb)
    selected = map_view.show(corpus, result, **options)
    map_view.selection_panel(corpus, emb, selected)
    share.share_panel()
