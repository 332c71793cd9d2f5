"""The Similarity page's heatmap: its colours span the similarities it shows, and each label is written once."""
import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest

from core.view import ViewState

TIMEOUT = 180


def run_page(page="app_pages/3_Similarity.py", **view):
    at = AppTest.from_file(f"../{page}", default_timeout=TIMEOUT)
    at.session_state["view"] = ViewState(**view)
    return at.run()


def heatmap_spec(at) -> dict:
    assert not at.exception, [e.value for e in at.exception]
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    heatmaps = [spec for spec in specs if spec["data"][0]["type"] == "heatmap"]
    assert heatmaps, "no heatmap on the page"
    return heatmaps[0]


def array(value) -> np.ndarray:
    """A figure's array as the browser gets it: plotly sends numpy arrays as typed arrays (base64)."""
    if isinstance(value, dict):
        shape = [int(side) for side in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.asarray(value)


def off_diagonal(z) -> np.ndarray:
    z = array(z).astype(np.float64)
    return z[~np.eye(len(z), dtype=bool)]


def test_the_colour_scale_spans_the_similarities_between_different_documents():
    """Before, the scale ran from 0 (or -1) to 1 and same-label blocks looked faint."""
    at = run_page(corpus="flutter", encoder="minilm-static")
    spec = heatmap_spec(at)
    heat = spec["data"][0]
    values = off_diagonal(heat["z"])
    assert (heat["zmin"], heat["zmax"]) == (float(values.min()), float(values.max()))
    shown = f"{values.min():.2f} – {values.max():.2f}"
    assert shown in heat["colorbar"]["title"]["text"]
    assert any(f"Colour scale fitted to the values shown: {shown}" in caption.value for caption in at.caption)


def test_each_label_is_written_once_beside_its_block(flutter):
    at = run_page(corpus="flutter", encoder="tfidf")
    assert at.radio[0].value == "labels"
    spec = heatmap_spec(at)
    yaxis, xaxis = spec["layout"]["yaxis"], spec["layout"]["xaxis"]
    ticks = yaxis["ticktext"]
    assert len(ticks) == len(set(ticks)) == len(set(flutter.labels))   # once each
    assert xaxis["ticktext"] == ticks
    n = len(array(spec["data"][0]["z"]))
    centres = yaxis["tickvals"]
    assert centres == sorted(centres) and 0 <= centres[0] and centres[-1] <= n - 1
    lines = [shape for shape in spec["layout"].get("shapes", []) if shape["type"] == "line"]
    assert len(lines) == 2 * (len(ticks) - 1)   # one line across and one down between two blocks
    edges = [-0.5] + sorted({line["y0"] for line in lines if line["y0"] == line["y1"]}) + [n - 0.5]
    assert [(low + high) / 2 for low, high in zip(edges, edges[1:])] == centres   # each label centred on its block
    assert {high - low for low, high in zip(edges, edges[1:])} == {8}   # 8 documents of each label, by default


def test_the_heatmap_of_the_map_pages_selection_fits_its_scale_too():
    """The Map page draws the same figure for a lasso selection."""
    from ui.plots import similarity_heatmap

    S = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
    heat = similarity_heatmap(S, ["a", "b", "c"], labels=["x", "x", "y"]).data[0]
    assert (heat.zmin, heat.zmax) == (0.3, 0.5)
