"""The map as a Streamlit components v2 component: `scatter_map` draws it and returns what the user did.

Pan, zoom, hover, lasso and box selection stay in the browser; a click or a finished selection comes back to
Python through the component's state, and a rerun sends only the parts of the payload that changed.

The bundle is served as a file, the public components-v2 way: this package's pyproject.toml declares the
component ("map") and its asset folder (frontend/build) under [tool.streamlit.component], Streamlit finds that
manifest among the installed distributions when its runtime starts, and `js="map.js"` then names a file the
browser fetches once from /_stcore/bidi-components/murmuration-map.map/map.js and caches. That needs the
package installed (`pip install -e ./murmuration_map`, which the app's requirements.txt does); imported from a
source folder that pip never installed, Streamlit knows no asset folder for it, so the bundle travels inline
(236 KB with every message that changes it), and the server log says how to install it.
"""
from __future__ import annotations

import importlib.metadata
import logging
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .payload import MapEvent, PreparedMap, as_coordinates, event_from_state, prepare_map

# "<[project] name>.<component name>" of pyproject.toml: Streamlit finds the asset folder by this name.
DISTRIBUTION = "murmuration-map"
NAME = f"{DISTRIBUTION}.map"
BUNDLE = Path(__file__).resolve().parent / "frontend" / "build"
BUNDLE_JS, BUNDLE_CSS = BUNDLE / "map.js", BUNDLE / "map.css"
_declared: dict[str, Any] = {}   # component name -> the mount callable Streamlit returned


def scatter_map(coords2d, *, key: str, **options) -> MapEvent:
    """Draw the map and return what the user did on it. Keyword options are those of prepare_map.

    `key` is required: it keeps the component (and the user's selection) across reruns. The big parts
    (points, style, filter, hover texts) travel only when they changed since the last run that drew this
    map. The browser keeps its drawn map when the page's layout moves it (found by `key`); a browser that
    lacks a part anyway (the map left the page for a while and came back) asks, and the next run sends
    them all."""
    import streamlit as st

    previous = st.session_state.get(key) or {}
    requested = previous.get("hover_request")
    prepared = prepare_map(coords2d, hover_text=_remembered_text(key, requested), held=_held(key, previous),
                           **options)
    st.session_state[f"_{key}_sent"] = prepared.keys
    prepared.data["map_id"] = key  # the browser finds its drawn map by it when the layout moves the map
    result = component()(key=key, data=prepared.data, default={"clicked": None, "selection": []},
                         on_clicked_change=_ignore, on_selection_change=_ignore,
                         on_hover_request_change=_ignore, on_missing_change=_ignore)
    return event_from_state(dict(result) if result else {}, prepared)


def current_event(key: str, coords2d) -> MapEvent:
    """The map's latest event before scatter_map draws it in this run: a page reads the click here, computes
    its neighbours, and passes highlight= and neighbours= to scatter_map in the same run (no second rerun)."""
    import streamlit as st

    xy = as_coordinates(coords2d)
    kept = np.flatnonzero(np.isfinite(xy).all(axis=1))
    prepared = PreparedMap(data={"left_out": len(xy) - len(kept)}, kept=kept, texts=None)
    return event_from_state(dict(st.session_state.get(key) or {}), prepared)


def component(name: str | None = None):
    """The map's mount callable, declared once per process by its public name. Streamlit registers it again
    in each runtime that mounts it (AppTest makes one per test app), resolving map.js in that runtime's
    view of the installed packages."""
    name = name or NAME
    if name not in _declared:
        _declared[name] = _declare(name)
    return _declared[name]


def _declare(name: str):
    import streamlit as st

    if installed():
        return st.components.v2.component(name, js=BUNDLE_JS.name, css=BUNDLE_CSS.name)
    logging.getLogger(__name__).warning(
        "The map's bundle travels inline with every message that changes it: pip never installed the package "
        "murmuration-map, so Streamlit knows no asset folder for it. Install it (pip install -e ./murmuration_map) "
        "so that Streamlit serves the bundle as a file.")
    # the leading comment line makes Streamlit take minified one-line bundles as content, not as paths
    return st.components.v2.component(name, js="// murmuration map\n" + BUNDLE_JS.read_text(encoding="utf-8"),
                                      css="/* murmuration map */\n" + BUNDLE_CSS.read_text(encoding="utf-8"))


def installed() -> bool:
    """Whether pip installed this package: Streamlit reads components' manifests (pyproject.toml) from installed
    distributions only, so only then does `js="map.js"` name a file it serves."""
    try:
        importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _held(key: str, previous: Mapping[str, Any]) -> dict[str, str]:
    """The parts the browser holds: those the last run sent, while the session still has this map's state
    (a new session, or a run after Streamlit dropped the state of a map it did not draw, sends everything)
    and the browser did not say it lacks them."""
    import streamlit as st

    if key not in st.session_state or previous.get("missing"):
        return {}
    return dict(st.session_state.get(f"_{key}_sent") or {})


def _remembered_text(key: str, map_index) -> dict[int, str]:
    """The texts already fetched for this map, plus the one just asked for (filled in by prepare_map)."""
    import streamlit as st

    cache = st.session_state.setdefault(f"_{key}_hover_requests", [])
    if map_index is not None and map_index not in cache:
        cache.append(int(map_index))
        del cache[:-50]
    return {index: "" for index in cache}


def _ignore():
    """Declaring on_*_change callbacks is how a v2 component declares its state keys."""
