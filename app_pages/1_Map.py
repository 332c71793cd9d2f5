"""The map: every document as a point, projected to 2D or 3D, with how far to trust it."""
from ui import map_view, session, share, views

views.header(
    "Map", "Every document is a point. Scroll to zoom, drag to pan, hover to read a document, click it to ring its "
    "nearest neighbours; the Lasso and Box buttons select. A projection distorts: colour by neighbour "
    "preservation to see where the map tears neighbourhoods apart.")
dataset = views.dataset(dims=session.view().dims)
if dataset is not None:
    options = map_view.controls(dataset)
    map_view.filter_controls(dataset)
    selected = map_view.show(dataset, **options, name_regions=True)
    map_view.topics_panel(dataset)
    map_view.selection_panel(dataset, selected)
    share.share_panel()
