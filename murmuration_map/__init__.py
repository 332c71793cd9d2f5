"""murmuration-map: a WebGL map of many points (regl-scatterplot) for embedding explorers.

It takes plain columns: coordinates (x, y), and optionally a label or a number to colour by, hover texts, point
sizes, a filter, cluster labels, and the neighbours of the clicked point when the host has them. It knows
nothing of where they come from.

- `prepare_map(...)` (payload.py): the browser's payload, with no host and no Streamlit; `event_from_state`
  turns what the browser reports (map indices) back into the caller's rows.
- `scatter_map(...)`, `current_event(...)` (streamlit_host.py): the Streamlit components v2 host; Streamlit is
  imported only when they are called.
- `Map` (widget.py): the notebook widget (anywidget, imported only when `Map` is asked for:
  `pip install murmuration-map[notebook]`); `static_page.map_html`: the map as one HTML file.
- frontend/: the JavaScript sources (frontend/src, `npm run build`) and the built bundles (frontend/build): one
  `MapView` and its three hosts (Streamlit, the HTML file's page, the notebook widget).
"""
from .payload import HOVER_CHARS, INLINE_TEXT_LIMIT, MapEvent, PreparedMap, event_from_state, prepare_map
from .streamlit_host import BUNDLE, NAME, current_event, scatter_map

__all__ = ["BUNDLE", "HOVER_CHARS", "INLINE_TEXT_LIMIT", "Map", "NAME", "MapEvent", "PreparedMap", "current_event",
           "event_from_state", "prepare_map", "scatter_map"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "Map":   # anywidget is needed for the widget only
        from .widget import Map

        return Map
    raise AttributeError(f"module 'murmuration_map' has no attribute {name!r}")
