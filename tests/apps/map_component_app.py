"""A tiny page around the map package (murmuration_map on its own: no core, no ui), for browser tests,
benchmarks and screenshots.

Query parameters: n (points, default 2000); colour (category | many: 100 labels | value | none);
filter (1: keep x > 0); bad (rows given NaN coordinates); same (1: every point at one place);
text (0: no hover text); labels (0: no cluster labels); names (N: N names in three levels); spread (1: neighbours from a sparse sample);
sizes (1: point size grows with |y|); layout (switch: the map moves into a column after a click);
hide (1: a checkbox takes the map off the page); sleep (seconds of work after the map)."""
import json

import numpy as np
import streamlit as st

from murmuration_map import current_event, scatter_map

from testkit.map_data import blobs, topic_names

NEIGHBOURS = 8


def flits(n: int) -> list[str]:
    """Hover texts with markup in them: the tooltip must show them as typed."""
    _, blob, centres = blobs(n)
    names = topic_names(len(centres))
    return [f"Flit {i}: <i>hold</i> fast to dreams, for if dreams die… ({names[b]})" for i, b in enumerate(blob)]


def nearest(xy, row, k):
    distances = np.linalg.norm(xy - xy[row], axis=1)
    distances[row] = np.inf
    return np.argsort(distances)[:k]


params = st.query_params
n = int(params.get("n", 2000))
xy, blob, centres = st.cache_data(max_entries=4)(blobs)(n)
xy = xy.copy()
if params.get("same") == "1":
    xy[:] = (3.0, -2.0)
xy[: int(params.get("bad", 0))] = np.nan
names = topic_names(len(centres))
colour = params.get("colour", "category")
options = {}
if colour == "category":
    options.update(categories=blob, category_names=names, title="Topic")
elif colour == "many":
    options.update(categories=[f"label {i % 100:02d}" for i in range(n)], title="Label")
elif colour == "value":
    options.update(values=xy[:, 0], value_name="x")
if params.get("text", "1") == "1":
    options["hover_labels"] = st.cache_resource(max_entries=2)(flits)(n)
if params.get("sizes") == "1":
    options["sizes"] = np.abs(xy[:, 1])
if params.get("filter") == "1":
    options["filter_mask"] = xy[:, 0] > 0
if params.get("names"):   # names=1000: names at three levels (10, 100, 1000) on seeded points, as topics by zoom
    finest = int(params["names"])
    rng = np.random.default_rng(1)
    lines = [(level, row) for level, count in enumerate((finest // 100, finest // 10, finest))
             for row in rng.choice(n, min(n, count), replace=False)]
    options["cluster_labels"] = {"x": [xy[row, 0] for _, row in lines], "y": [xy[row, 1] for _, row in lines],
                                 "label": [f"level {level} topic {row}" for level, row in lines],
                                 "level": [level for level, _ in lines], "weight": rng.random(len(lines))}
elif params.get("labels", "1") == "1":
    options["cluster_labels"] = {"x": centres[:, 0], "y": centres[:, 1], "label": names,
                                 "weight": np.bincount(blob, minlength=len(centres))}

clicked = current_event("map", xy).clicked
if clicked is not None:
    # spread=1 stands in for neighbours in the original space: the nearest among every 997th row
    pool = np.arange(0, n, 997) if params.get("spread") == "1" else np.arange(n)
    pool = np.union1d(pool, [clicked])
    found = pool[nearest(np.nan_to_num(xy[pool], nan=1e9), int(np.searchsorted(pool, clicked)), NEIGHBOURS)]
    options.update(highlight=clicked, neighbours=found)
st.title("Map component")
# layout=switch: after a click the map moves into a column, as on the Map page; the browser remounts it
holder = st.columns([2, 1])[0] if clicked is not None and params.get("layout") == "switch" else st.container()
if params.get("hide") == "1" and st.checkbox("Hide the map"):  # the map leaves the page, then comes back
    st.stop()
with holder:
    event = scatter_map(xy, key="map", selection=st.session_state.get("selection"), height=560, **options)
st.session_state["selection"] = event.selection
st.text(f"clicked={event.clicked}")
st.text(f"drawn={event.points_drawn} left_out={event.points_left_out}")
st.text("selection=" + json.dumps(event.selection.tolist()))
if params.get("sleep"):  # work after the map (bench/map_timeline.py: when does the browser draw it?)
    import time
    time.sleep(float(params["sleep"]))
    st.text("slept")
