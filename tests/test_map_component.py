"""The WebGL map component: its data preparation in Python, then the real thing in headless chromium.

The browser tests know where every point is from the seeded data (tests/apps/map_data.py) and the
documented placement (bounding-box centre, one scale for both axes, 5 % padding, canvas aspect kept),
so they check what a user sees against values computed here, not against the component's own maths."""
import io
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import murmuration_map as mc
from conftest import SHOTS
from core.sources.corpus import shorten
from murmuration_map import colours, streamlit_host

from testkit.live_server import ARGS, server
from testkit.map_data import CLUSTERS, blobs, topic_names
from testkit.map_screen import click_point, isolated_point, screen_positions

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MAP = "[data-testid=murmuration-map]"


# ---- data preparation (no browser) ----

def test_rows_with_nan_or_infinite_coordinates_are_left_out_and_counted():
    xy = np.arange(20, dtype=float).reshape(10, 2)
    xy[[2, 7], 0] = np.nan
    xy[5, 1] = np.inf
    prepared = mc.prepare_map(xy)
    assert prepared.left_out == 3
    assert len(prepared.data["points"]) == 7
    assert prepared.kept.tolist() == [0, 1, 3, 4, 6, 8, 9]
    assert "3 left out" in prepared.data["note"]
    assert np.isfinite(prepared.data["points"][["x", "y"]].to_numpy()).all()


def test_placement_keeps_the_shape_and_fits_the_canvas():
    rng = np.random.default_rng(1)
    xy = rng.normal(size=(500, 2)) * [30, 2] + [1000, -5]
    points = mc.prepare_map(xy).data["points"]
    placed = points[["x", "y"]].to_numpy(np.float64)
    assert np.abs(placed).max() <= 1.0
    # distances shrink by one common factor: the picture is not stretched along either axis
    ratio = np.linalg.norm(placed[1:] - placed[0], axis=1) / np.linalg.norm(xy[1:] - xy[0], axis=1)
    assert np.allclose(ratio, ratio[0], rtol=1e-4)
    assert points["x"].dtype == np.float32 and points["y"].dtype == np.float32


@pytest.mark.parametrize("xy", [np.array([[4.0, 2.0]]), np.full((50, 2), 7.5)], ids=["one point", "one place"])
def test_a_single_point_or_one_place_is_drawn_at_the_centre(xy):
    prepared = mc.prepare_map(xy)
    assert prepared.left_out == 0
    assert np.allclose(prepared.data["points"][["x", "y"]].to_numpy(), 0.0)


def test_a_hundred_labels_get_twenty_colours_and_an_other_entry():
    rng = np.random.default_rng(2)
    labels = [f"label {i}" for i in rng.zipf(1.3, size=5000) % 100]
    legend = mc.prepare_map(rng.normal(size=(5000, 2)), categories=labels).data["legend"]
    counts = Counter(labels)
    assert len(legend["items"]) == 20
    assert {item["name"]: item["count"] for item in legend["items"]} == dict(counts.most_common(20))
    assert legend["other"]["categories"] == len(counts) - 20
    assert legend["other"]["count"] == 5000 - sum(c for _, c in counts.most_common(20))
    assert len({tuple(item["color"]) for item in legend["items"]}) == 20


def test_points_of_rare_labels_are_coloured_as_other():
    labels = ["a"] * 30 + [f"rare {i}" for i in range(25)]
    prepared = mc.prepare_map(np.random.default_rng(3).normal(size=(55, 2)), categories=labels)
    codes = prepared.data["style"]["z"].to_numpy()
    names = [item["name"] for item in prepared.data["legend"]["items"]]
    other_code = len(names)
    assert (codes[:30] == names.index("a")).all()
    assert (codes[30:] < other_code).sum() == 19 and (codes[30:] == other_code).sum() == 6


def test_label_names_with_markup_travel_as_typed():
    names = topic_names(3)
    prepared = mc.prepare_map(np.eye(3, 2), categories=[0, 1, 2], category_names=names)
    assert [item["name"] for item in prepared.data["legend"]["items"]] == names
    assert prepared.data["category_names"][:3] == names


def test_values_follow_the_colour_ramp_in_order():
    values = np.array([5.0, -1.0, 2.0, np.nan, 11.0])
    prepared = mc.prepare_map(np.random.default_rng(4).normal(size=(5, 2)), values=values)
    codes = prepared.data["style"]["z"].to_numpy()
    assert codes[1] == 0 and codes[4] == colours.VALUE_STEPS - 1
    assert codes[1] < codes[2] < codes[0] < codes[4]
    assert codes[3] == colours.VALUE_STEPS  # no value: the grey entry after the ramp
    legend = prepared.data["legend"]
    assert (legend["min"], legend["max"]) == (-1.0, 11.0)


def test_sizes_and_fixed_colours_reach_the_points():
    prepared = mc.prepare_map(np.random.default_rng(10).normal(size=(4, 2)), sizes=[1.0, 3.0, 2.0, 5.0],
                              categories=["a", "b", "a", "c"], colors={"b": "#ff0000"})
    assert prepared.data["style"]["w"].tolist() == [0.0, 0.5, 0.25, 1.0]
    items = {item["name"]: item["color"] for item in prepared.data["legend"]["items"]}
    assert items["b"][:3] == [1.0, 0.0, 0.0]
    assert items["a"][:3] != [1.0, 0.0, 0.0]


def test_the_filter_fades_exactly_the_rows_outside_it():
    xy = np.random.default_rng(5).normal(size=(300, 2))
    mask = xy[:, 0] > 0.3
    prepared = mc.prepare_map(xy, categories=np.arange(300) % 4, filter_mask=mask)
    inside = np.unpackbits(prepared.data["filter"]["bits"].to_numpy(), count=300, bitorder="little")
    assert (inside.astype(bool) == mask).all()
    assert prepared.data["filter"]["bits"].nbytes == 38  # one bit a point
    palette = prepared.data["palette"]
    assert all(faded_colour[3] < colour[3] for colour, faded_colour in zip(palette, palette[prepared.data["n_codes"]:]))


def test_parts_the_browser_holds_are_not_sent_again():
    xy = np.random.default_rng(11).normal(size=(400, 2))
    options = {"categories": np.arange(400) % 5, "hover_labels": [f"doc {i}" for i in range(400)]}
    first = mc.prepare_map(xy, filter_mask=xy[:, 0] > 0, **options)
    assert all(first.data[part] is not None for part in ("points", "style", "filter", "texts"))
    # a click: the same points, style, filter and texts; only the small parts travel
    click = mc.prepare_map(xy, filter_mask=xy[:, 0] > 0, highlight=7, neighbours=[8, 9], held=first.keys, **options)
    assert [click.data[part] for part in ("points", "style", "filter", "texts")] == [None] * 4
    assert (click.data["highlight"], click.data["neighbours"]) == (7, [8, 9])
    assert click.keys == first.keys
    # a new filter: only its bits travel; new coordinates: the points travel
    refilter = mc.prepare_map(xy, filter_mask=xy[:, 1] > 0, held=first.keys, **options)
    assert [part for part in ("points", "style", "filter", "texts") if refilter.data[part] is not None] == ["filter"]
    moved = mc.prepare_map(xy * 2 + 1e-3 * np.arange(400)[:, None], filter_mask=xy[:, 0] > 0, held=first.keys,
                           **options)
    assert moved.data["points"] is not None and moved.data["style"] is None
    recoloured = mc.prepare_map(xy, filter_mask=xy[:, 0] > 0, held=first.keys, values=xy[:, 0],
                                hover_labels=options["hover_labels"])
    assert recoloured.data["style"] is not None and recoloured.data["points"] is None
    # another column with the same codes (country and its code): the legend's names and title change
    renamed = mc.prepare_map(xy, filter_mask=xy[:, 0] > 0, held=first.keys, categories=np.arange(400) % 5,
                             category_names=list("abcde"), title="code", hover_labels=options["hover_labels"])
    assert renamed.data["style"] is not None


def _component_proto():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("apps/map_component_app.py", default_timeout=120)
    at.query_params["n"] = "50"
    at.run()
    assert not at.exception
    return next(e.proto for e in at.get("bidi_component") if e.proto.component_name == streamlit_host.NAME)


def test_the_bundle_is_fetched_as_a_file_not_sent_with_every_message():
    proto = _component_proto()
    assert (proto.js_source_path, proto.css_source_path) == ("map.js", "map.css") and not proto.js_content
    assert (mc.BUNDLE / proto.js_source_path).stat().st_size > 100_000   # what the asset route serves


def test_a_package_pip_never_installed_sends_its_bundle_inline(monkeypatch):
    """Imported from a folder pip never installed, the package has no manifest Streamlit reads: the bundle
    travels inline instead of failing."""
    assert streamlit_host.installed()
    monkeypatch.setattr(streamlit_host, "installed", lambda: False)
    monkeypatch.setattr(streamlit_host, "_declared", {})
    proto = _component_proto()
    assert proto.js_content.endswith(streamlit_host.BUNDLE_JS.read_text(encoding="utf-8")) and not proto.js_source_path


FRONTEND = Path(mc.__file__).resolve().parent / "frontend"


def test_the_package_needs_neither_streamlit_nor_the_app(tmp_path):
    """murmuration_map takes plain columns: importing it and preparing a map loads no Streamlit and nothing of
    the app (core, ui), so other hosts (a notebook widget, a static page) can use it."""
    probe = ("import sys, numpy as np, murmuration_map as m; m.prepare_map(np.zeros((3, 2)), categories=list('abc'));"
             "print(sorted({name.split('.')[0] for name in sys.modules} & {'streamlit', 'core', 'ui'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=tmp_path).stdout.strip()   # the installed package, away from the app's folders
    assert loaded == "[]"
    sources = "\n".join(path.read_text(encoding="utf-8") for path in FRONTEND.parent.glob("*.py"))
    assert not re.search(r"^\s*(from|import) (core|ui)\b", sources, re.M)


def test_the_package_manifest_declares_the_component_and_its_bundle():
    """Streamlit finds the asset folder by "<[project] name>.<component name>" of the pyproject.toml shipped inside
    the package: a rename on either side would send the bundle inline again."""
    import tomllib

    manifest = tomllib.loads((FRONTEND.parent / "pyproject.toml").read_text(encoding="utf-8"))
    (component,) = manifest["tool"]["streamlit"]["component"]["components"]
    assert f"{manifest['project']['name']}.{component['name']}" == mc.NAME
    assert (FRONTEND.parent / component["asset_dir"]) == mc.BUNDLE
    assert "pyproject.toml" in manifest["tool"]["setuptools"]["package-data"]["murmuration_map"]
    assert {"map.js", "map.css"} <= {path.name for path in mc.BUNDLE.iterdir()}


def test_the_committed_bundle_is_what_the_build_makes_from_the_sources(tmp_path):
    """One build command makes frontend/build/ from frontend/src/ (esbuild is deterministic): rebuilt in a copy
    of the frontend folder, every file must come out byte for byte as committed. Needs node and npm; CI would
    install Debian's packages (apt-get install -y nodejs npm), and the frontend's own packages come from its
    package-lock.json (npm ci) unless frontend/node_modules is already there."""
    npm = shutil.which("npm")
    if not (shutil.which("node") and npm):
        pytest.skip("node and npm are not installed, so the map's bundle cannot be rebuilt to compare "
                    "(Debian: apt-get install -y nodejs npm)")
    work = tmp_path / "frontend"
    shutil.copytree(FRONTEND, work, ignore=shutil.ignore_patterns("node_modules", "build"))
    if (FRONTEND / "node_modules").is_dir():
        (work / "node_modules").symlink_to(FRONTEND / "node_modules")
    else:
        installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=work, capture_output=True, text=True,
                                   timeout=600)
        if installed.returncode:
            pytest.skip(f"npm ci could not install the frontend's packages: {installed.stderr[-300:]}")
    subprocess.run([npm, "run", "build"], cwd=work, capture_output=True, text=True, check=True, timeout=300)
    built = sorted(path.name for path in (work / "build").iterdir())
    assert built == sorted(path.name for path in (FRONTEND / "build").iterdir()), "the build makes other files"
    stale = [name for name in built if (work / "build" / name).read_bytes() != (FRONTEND / "build" / name).read_bytes()]
    assert not stale, (f"The committed bundle ({', '.join(stale)}) is not what murmuration_map/frontend/src builds: "
                       "rebuild it (cd murmuration_map/frontend && npm ci && npm run build) and commit build/.")


def test_hover_texts_are_cut_like_the_rest_of_the_app():
    texts = ["short", "x" * 80, "y" * 81, "é" * 200, None]
    prepared = mc.prepare_map(np.random.default_rng(6).normal(size=(5, 2)), hover_labels=texts)
    sent = prepared.data["texts"]["text"].tolist()
    assert sent == [shorten(t or "", mc.HOVER_CHARS) for t in texts]


def test_a_million_points_fit_one_message_and_texts_come_on_demand():
    from streamlit.dataframe_util import convert_anything_to_arrow_bytes

    n = 1_000_000
    rng = np.random.default_rng(7)
    texts = np.array([f"document {i} " + "w" * 100 for i in range(n)], dtype=object)
    prepared = mc.prepare_map(rng.normal(size=(n, 2)), categories=rng.integers(0, 30, n), hover_labels=texts)
    assert prepared.data["texts"] is None and prepared.data["text_on_demand"]
    size = sum(len(convert_anything_to_arrow_bytes(prepared.data[part])) for part in ("points", "style"))
    assert size < 12_000_000  # x, y float32, colour code uint8, category uint16; the server's limit is 200 MB
    # the browser asked for map point 123456 and 7: the next run carries just those texts
    again = mc.prepare_map(rng.normal(size=(n, 2)), hover_labels=texts, hover_text={123456: "", 7: ""})
    assert again.data["hover_text"] == {"123456": shorten(texts[123456], 80), "7": shorten(texts[7], 80)}


def test_events_come_back_in_the_callers_rows():
    xy = np.random.default_rng(8).normal(size=(12, 2))
    xy[[0, 4]] = np.nan
    prepared = mc.prepare_map(xy, highlight=5, neighbours=[4, 6, 11], selection=[1, 4, 9])
    # map point i is row kept[i]: rows 1..3 -> 0..2, 5..11 -> 3..9
    assert prepared.data["highlight"] == 3
    assert prepared.data["neighbours"] == [4, 9]  # row 4 has no coordinates
    assert prepared.data["selection"] == [0, 7]
    event = mc.event_from_state({"clicked": 3, "selection": [7, 0, 2]}, prepared)
    assert event.clicked == 5
    assert event.selection.tolist() == [1, 3, 9]
    assert (event.points_drawn, event.points_left_out) == (10, 2)


def test_cluster_labels_sit_where_their_points_sit():
    xy = np.random.default_rng(9).normal(size=(40, 2)) * 50
    prepared = mc.prepare_map(xy, cluster_labels=pd.DataFrame({"x": xy[[3, 17], 0], "y": xy[[3, 17], 1],
                                                               "label": ["<b>a</b>", "b & 'c'"]}))
    clusters = prepared.data["clusters"]
    points = prepared.data["points"]
    for cluster, row in zip(clusters, [3, 17]):
        assert cluster["x"] == pytest.approx(points["x"][row], abs=1e-6)
        assert cluster["y"] == pytest.approx(points["y"][row], abs=1e-6)
    assert [c["text"] for c in clusters] == ["<b>a</b>", "b & 'c'"]


@pytest.mark.parametrize("bad, message", [
    ({"coords2d": np.zeros((3, 3))}, "shape (n, 2)"),
    ({"coords2d": np.zeros((3, 2)), "categories": [1, 2]}, "2 entries for 3 points"),
    ({"coords2d": np.zeros((3, 2)), "filter_mask": [True]}, "filter_mask"),
    ({"coords2d": np.zeros((3, 2)), "categories": [1, 2, 3], "values": [1, 2, 3]}, "not both"),
])
def test_bad_arguments_get_a_sentence(bad, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        mc.prepare_map(**bad)


# ---- the component in a real browser ----

browser_only = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")


@pytest.fixture(scope="module")
def app_url(root):
    with server(root / "tests" / "apps" / "map_component_app.py", root) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    yield page
    page.close()


def open_map(page, app_url, query="n=2000"):
    page.goto(f"{app_url}/?{query}")
    page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
    page.wait_for_timeout(300)
    return page.locator(MAP)


def shown(page, name):
    return re.search(rf"^{name}=(.*)$", page.inner_text("body"), re.M).group(1)


def wait_for_text(page, text):
    page.wait_for_function(f"document.body.innerText.includes({json.dumps(text)})", timeout=60_000)


def under(screen, box, margin=0.0):
    """Which screen positions lie inside the box (grown by margin pixels)."""
    return ((screen[:, 0] > box["x"] - margin) & (screen[:, 0] < box["x"] + box["width"] + margin)
            & (screen[:, 1] > box["y"] - margin) & (screen[:, 1] < box["y"] + box["height"] + margin))


def overlap(a, b) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def inside_polygon(points, polygon):
    """Even-odd ray casting, written here as the reference."""
    inside = np.zeros(len(points), dtype=bool)
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1]):
        crosses = (y1 > points[:, 1]) != (y2 > points[:, 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = x1 + (points[:, 1] - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (points[:, 0] < x_cross)
    return inside


def near_edges(points, polygon, pixels=3.0):
    near = np.zeros(len(points), dtype=bool)
    for a, b in zip(np.array(polygon), np.array(polygon[1:] + polygon[:1])):
        t = np.clip(((points - a) @ (b - a)) / ((b - a) @ (b - a)), 0, 1)
        near |= np.linalg.norm(points - (a + t[:, None] * (b - a)), axis=1) < pixels
    return near


def drag_through(page, polygon, steps=12):
    page.mouse.move(*polygon[0])
    page.mouse.down()
    for a, b in zip(polygon, polygon[1:] + polygon[:1]):
        for t in np.linspace(0, 1, steps)[1:]:
            page.mouse.move(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            page.wait_for_timeout(8)
    page.mouse.up()


@browser_only
def test_every_point_is_drawn(page, app_url):
    root = open_map(page, app_url, "n=3000")
    assert root.get_attribute("data-points-drawn") == "3000"
    assert shown(page, "drawn") == "3000 left_out=0"


@browser_only
def test_the_browser_fetches_the_bundle_as_a_file(page, app_url):
    """Streamlit serves the package's built bundle from its asset folder (declared in its pyproject.toml)."""
    fetched = []
    page.on("response", lambda response: fetched.append((response.url, response.status)))
    open_map(page, app_url, "n=200")
    for name in ("map.js", "map.css"):
        assert (f"{app_url}/_stcore/bidi-components/{streamlit_host.NAME}/{name}", 200) in fetched


@browser_only
def test_a_click_returns_the_row_and_rings_its_neighbours(page, app_url):
    open_map(page, app_url)
    xy, _, _ = blobs(2000)
    screen, _ = screen_positions(page, xy)
    row = isolated_point(screen)
    click_point(page, screen[row])
    tooltip = page.locator(".mm-tooltip")
    assert tooltip.inner_text().startswith(topic_names(CLUSTERS)[row % CLUSTERS])
    assert f"Flit {row}: <i>hold</i>" in tooltip.inner_text()
    wait_for_text(page, f"clicked={row}")
    page.wait_for_selector(".mm-neighbour")
    distances = np.linalg.norm(xy - xy[row], axis=1)
    distances[row] = np.inf
    ringed = {int(ring.get_attribute("data-index")) for ring in page.locator(".mm-neighbour").all()}
    assert ringed == set(np.argsort(distances)[:8].tolist())  # no NaN rows: map index == row
    assert page.locator(".mm-focus").get_attribute("data-index") == str(row)


def map_messages(page):
    """The arrow bytes of every map message the page receives (a list that fills as they arrive)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    sizes = []

    def on_frame(payload):
        if not isinstance(payload, bytes):
            return
        message = ForwardMsg.FromString(payload)
        if message.WhichOneof("type") == "delta" and message.delta.new_element.WhichOneof("type") == "bidi_component":
            blobs = message.delta.new_element.bidi_component.mixed.arrow_blobs
            sizes.append(sum(len(blob.data) for blob in blobs.values()))

    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))
    return sizes


@browser_only
@pytest.mark.parametrize("layout", ["same", "switch"])
def test_a_rerun_does_not_resend_the_points_the_browser_holds(page, app_url, layout):
    """A click reruns the script: the points stay in the browser (x, y alone are 8 bytes a point), also when
    the page moves the map into a column (the drawn map moves along); a reload gets them all again."""
    n = 3_000   # isolated_point compares every pair of points: 20,000 took a minute
    sizes = map_messages(page)
    open_map(page, app_url, f"n={n}&layout={layout}")
    assert sizes[0] > 8 * n
    xy, _, _ = blobs(n)
    screen, _ = screen_positions(page, xy)
    row = isolated_point(screen)
    click_point(page, screen[row])
    wait_for_text(page, f"clicked={row}")
    page.wait_for_selector(f"{MAP}[data-ready=true] .mm-neighbour", timeout=60_000)
    assert page.locator(MAP).get_attribute("data-points-drawn") == str(n)
    assert sizes[1:] == [0]
    page.reload()  # a new session: everything again
    page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
    assert page.locator(MAP).get_attribute("data-points-drawn") == str(n) and sizes[-1] > 8 * n


@browser_only
def test_a_map_that_leaves_the_page_and_comes_back_is_drawn_whole(page, app_url):
    """The browser forgot the points, the server's run did not: the map asks, and the next run sends them
    (Streamlit may send that message as a reference to the identical first one, which the browser cached)."""
    n = 20_000
    open_map(page, app_url, f"n={n}&hide=1")
    page.get_by_text("Hide the map").click()
    page.wait_for_selector(MAP, state="detached")
    page.wait_for_timeout(4000)  # longer than a remount's grace: the browser forgets the drawn map
    page.get_by_text("Hide the map").click()
    page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
    assert page.locator(MAP).get_attribute("data-points-drawn") == str(n)
    assert page.locator(".mm-legend-row").count() == CLUSTERS


@browser_only
def test_a_lasso_returns_the_rows_inside_it(page, app_url):
    root = open_map(page, app_url)
    xy, _, _ = blobs(2000)
    screen, box = screen_positions(page, xy)
    polygon = [(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
               for fx, fy in [(0.3, 0.3), (0.6, 0.22), (0.72, 0.6), (0.45, 0.55), (0.38, 0.8)]]
    page.get_by_role("button", name="Lasso").click()
    drag_through(page, polygon)
    page.wait_for_selector(f"{MAP}[data-selected]:not([data-selected='0'])")
    wait_for_text(page, "selection=[")
    page.wait_for_function("!document.body.innerText.includes('selection=[]')", timeout=60_000)
    selected = set(json.loads(shown(page, "selection")))
    expected = inside_polygon(screen, polygon)
    sure = ~near_edges(screen, polygon)
    assert expected.sum() > 100
    assert {i for i in selected if sure[i]} == set(np.flatnonzero(expected & sure).tolist())
    assert root.get_attribute("data-selected") == str(len(selected))


def box_select(page, left, top, right, bottom) -> list[int]:
    """Drag a box with the Box tool; the rows Python got back."""
    page.get_by_role("button", name="Box").click()
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move(left + 1, top + 1)  # the library starts the rectangle at the first move
    for t in np.linspace(0, 1, 15)[1:]:
        page.mouse.move(left + (right - left) * t, top + (bottom - top) * t)
        page.wait_for_timeout(8)
    page.mouse.up()
    page.wait_for_function("!document.body.innerText.includes('selection=[]')", timeout=60_000)
    return json.loads(shown(page, "selection"))


@browser_only
def test_selected_points_keep_their_colour_and_get_an_outline(page, themed_app_url):
    """Read from the screen, on a light and a dark page, after a box selection: the middle of each selected point
    that stands alone has the colour its topic's legend swatch shows (not one colour for all), a ring of the
    theme's text colour runs round it, and the points left out of the box are still drawn, fainter than the
    selected ones but clearly off the background. A hovered point still takes the text colour."""
    open_map(page, themed_app_url, "n=2000&labels=0")
    xy, blob, _ = blobs(2000)
    screen, box = screen_positions(page, xy)
    selected = box_select(page, box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.2,
                          box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.8)
    page.mouse.move(5, 5)   # nothing hovered
    page.wait_for_timeout(300)
    pixels = screenshot_rgb(page)
    background = pixels[int(box["y"]) + 5, int(box["x"]) + 5]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"map_selection_{'light' if background.mean() > 0.5 else 'dark'}.png"))
    ink = css_rgb(page.locator(MAP).evaluate("e => getComputedStyle(e).color"))
    # each topic's colour as the legend shows it: the middle pixel of its swatch, found by the topic's name
    names = page.locator(".mm-legend-name").all_inner_texts()
    swatches = [page.locator(".mm-swatch").nth(names.index(name)).bounding_box() for name in topic_names(CLUSTERS)]
    seen = np.array([pixels[round(b["y"] + b["height"] / 2), round(b["x"] + b["width"] / 2)] for b in swatches])
    gaps = np.linalg.norm(screen[:, None] - screen[None], axis=2)
    np.fill_diagonal(gaps, np.inf)
    alone = gaps.min(axis=1) > 10   # no other point (nor its ring) reaches its middle or its ring
    picked = np.zeros(len(xy), dtype=bool)
    picked[selected] = True
    chosen = np.flatnonzero(alone & picked)
    assert len(chosen) >= 10 and len(set(blob[chosen])) >= 4
    middles = pixels[np.round(screen[chosen, 1]).astype(int), np.round(screen[chosen, 0]).astype(int)]
    assert np.abs(middles - seen[blob[chosen]]).max() < 0.04   # its own colour, not one blue for all
    for i in chosen:   # most of the way round it, 3-5 px from its middle, pixels nearer the ink than its colour
        ring = ring_pixels(pixels, screen[i], ink)
        assert sum(np.abs(r - ink).sum() < np.abs(r - seen[blob[i]]).sum() for r in ring) >= 5
    # the points outside the box: faded, not gone
    others = np.flatnonzero(alone & ~picked)
    under_others = pixels[np.round(screen[others, 1]).astype(int), np.round(screen[others, 0]).astype(int)]
    faded = np.median([_contrast(colour, background) for colour in under_others])
    assert faded > 1.15
    assert np.median([_contrast(colour, background) for colour in middles]) > 1.3 * faded
    # hovering one of them draws it in the text colour, as without a selection
    page.get_by_role("button", name="Pan").click()
    hovered = others[np.argmax(gaps[others].min(axis=1))]
    page.mouse.move(*screen[hovered])
    page.locator(".mm-tooltip").wait_for(state="visible")
    page.wait_for_timeout(200)
    middle = screenshot_rgb(page)[round(screen[hovered, 1]), round(screen[hovered, 0])]
    assert np.abs(middle - ink).max() < 0.1


def css_rgb(colour: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"[\d.]+", colour)[:3]]) / 255


def ring_pixels(pixels, centre, ink):
    """In each eighth of the ring 3 to 5 px around the centre, the pixel nearest the ink."""
    x, y = centre
    rows, cols = np.mgrid[round(y) - 6:round(y) + 7, round(x) - 6:round(x) + 7]
    distance = np.hypot(cols - x, rows - y)
    sector = ((np.arctan2(rows - y, cols - x) + np.pi) / (2 * np.pi) * 8).astype(int) % 8
    patch = pixels[rows, cols]
    out = []
    for eighth in range(8):
        ring = patch[(distance >= 3) & (distance <= 5) & (sector == eighth)]
        out.append(ring[np.abs(ring - ink).sum(axis=1).argmin()])
    return out


@browser_only
def test_a_box_selection_survives_a_rerun(page, app_url):
    root = open_map(page, app_url)
    xy, _, _ = blobs(2000)
    screen, box = screen_positions(page, xy)
    left, top = box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.4
    right, bottom = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.9
    selected = box_select(page, left, top, right, bottom)
    within = (screen[:, 0] > left + 2) & (screen[:, 0] < right - 2) & (screen[:, 1] > top + 2) & (screen[:, 1] < bottom - 2)
    outside = (screen[:, 0] < left - 2) | (screen[:, 0] > right + 2) | (screen[:, 1] < top - 2) | (screen[:, 1] > bottom + 2)
    assert set(np.flatnonzero(within).tolist()) <= set(selected)
    assert not set(np.flatnonzero(outside).tolist()) & set(selected)
    # a click elsewhere reruns the script; the selection stays on the map and in Python
    page.get_by_role("button", name="Pan").click()
    far = isolated_point(screen, exclude=selected)
    click_point(page, screen[far])
    wait_for_text(page, f"clicked={far}")
    assert json.loads(shown(page, "selection")) == selected
    assert root.get_attribute("data-selected") == str(len(selected))


@pytest.fixture(scope="module", params=["light", "dark"])
def theme(request):
    return request.param


@pytest.fixture(scope="module")
def themed_app_url(theme, root):
    """The test app served in Streamlit's light or dark theme: one server per theme for the whole module."""
    with server(root / "tests" / "apps" / "map_component_app.py", root, options=("--theme.base", theme)) as url:
        yield url


@browser_only
def test_a_filter_greys_out_the_points_outside_it_and_keeps_them_in_sight(page, themed_app_url):
    """Grey out rather than hide: on a light and a dark page, the points outside the filter are plain grey and
    stand out from the background (the map keeps its shape), and the points inside stand out far more."""
    root = open_map(page, themed_app_url, "n=2000&filter=1&labels=0")
    xy, _, _ = blobs(2000)
    keep = xy[:, 0] > 0
    assert root.get_attribute("data-points-drawn") == "2000"
    assert root.get_attribute("data-points-in-filter") == str(int(keep.sum()))
    assert f"{int(keep.sum()):,} match the filter" in page.locator(".mm-note").inner_text()
    screen, box = screen_positions(page, xy)
    pixels = screenshot_rgb(page)
    background = pixels[int(box["y"]) + 5, int(box["x"]) + 5]
    under_points = pixels[np.round(screen[:, 1]).astype(int), np.round(screen[:, 0]).astype(int)]
    contrast = np.array([_contrast(colour, background) for colour in under_points])
    assert np.median(contrast[~keep]) > 1.4   # in sight: WCAG contrast with the page of 1.6 (light), 2.4 (dark)
    assert np.median(np.ptp(under_points[~keep], axis=1)) < 0.05   # grey, not a pale copy of their colour
    assert np.median(contrast[keep]) > 1.5 * np.median(contrast[~keep])


def screenshot_rgb(page):
    """The page as the eye sees it: RGB in 0-1, indexed [y, x]."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB"), dtype=float) / 255


@browser_only
def test_cluster_labels_are_drawn_as_text_and_declutter(page, app_url):
    root = open_map(page, app_url)
    labels = page.locator(".mm-label")
    assert labels.count() == CLUSTERS
    assert sorted(labels.all_inner_texts()) == sorted(topic_names(CLUSTERS))
    assert page.locator(".mm-label b, .mm-legend b").count() == 0  # markup shown, never rendered
    visible = int(root.get_attribute("data-labels-visible"))
    assert 0 < visible <= CLUSTERS
    boxes = [b for b in (label.bounding_box() for label in labels.all()) if b]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                    or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
    # zoom out: labels crowd together, so fewer stay visible
    canvas = page.locator(f"{MAP} canvas").bounding_box()
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    for _ in range(6):
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(150)
    page.wait_for_timeout(500)
    assert int(root.get_attribute("data-labels-visible")) < visible


@browser_only
@pytest.mark.parametrize("query, drawn, left_out", [("n=500&bad=7", 493, 7), ("n=1", 1, 0), ("n=300&same=1", 300, 0)],
                         ids=["nan rows", "one point", "one place"])
def test_awkward_inputs_draw_what_they_can(page, app_url, query, drawn, left_out):
    root = open_map(page, app_url, query)
    assert root.get_attribute("data-points-drawn") == str(drawn)
    assert shown(page, "drawn") == f"{drawn} left_out={left_out}"
    if left_out:
        assert f"{left_out} left out" in page.locator(".mm-note").inner_text()
    assert "Traceback" not in page.inner_text("body")


@browser_only
@pytest.mark.parametrize("colour", ["category", "many", "value"])
def test_the_legend_sits_beside_the_map_and_covers_no_point(page, app_url, colour):
    open_map(page, app_url, f"n=3000&colour={colour}")
    canvas = page.locator(f"{MAP} canvas").bounding_box()
    legend = page.locator(".mm-legend").bounding_box()
    assert not overlap(legend, canvas)
    screen, _ = screen_positions(page, blobs(3000)[0])
    assert under(screen, canvas).all() and not under(screen, legend, margin=4).any()
    assert legend["height"] <= canvas["height"] + 2   # long legends scroll inside their own box


@browser_only
def test_in_a_narrow_column_the_legend_is_a_band_below_the_map_that_scrolls(browser, app_url):
    page = browser.new_page(viewport={"width": 460, "height": 900})
    open_map(page, app_url, "n=3000&colour=many&labels=0")
    canvas = page.locator(f"{MAP} canvas").bounding_box()
    legend = page.locator(".mm-legend")
    box = legend.bounding_box()
    assert box["y"] >= canvas["y"] + canvas["height"] and box["height"] < 150
    assert legend.evaluate("e => e.scrollHeight > e.clientHeight")   # 21 rows: they scroll inside the band
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")  # nothing sideways
    page.close()


@browser_only
def test_a_hundred_labels_show_twenty_and_say_the_rest_are_other(page, app_url):
    open_map(page, app_url, "n=3000&colour=many&labels=0")
    rows = page.locator(".mm-legend-row")
    assert rows.count() == 21
    assert rows.last.inner_text().startswith("other (80 more categories)")


@browser_only
def test_the_legend_labels_and_canvas_follow_the_theme(browser, themed_app_url, theme):
    """What the eye sees in Streamlit's light and dark themes: the empty canvas has the page's own background
    (a pixel of the page beside the map), and the legend and the labels sit on it, not on white patches in
    dark mode, with text that contrasts with it."""
    from PIL import Image

    def pixels(shot, mode="L"):
        return np.asarray(Image.open(io.BytesIO(shot)).convert(mode), dtype=float)

    light, url = theme == "light", themed_app_url
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    open_map(page, url, "n=2000")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"map_theme_{theme}.png"))
    canvas = page.locator(f"{MAP} canvas").bounding_box()
    assert not overlap(page.locator(".mm-legend").bounding_box(), canvas)   # beside the map in either theme
    beside = {"x": canvas["x"] - 40, "y": canvas["y"] + canvas["height"] / 2, "width": 10, "height": 10}
    corner = {"x": canvas["x"] + 4, "y": canvas["y"] + canvas["height"] - 14, "width": 10, "height": 10}
    background = pixels(page.screenshot(clip=beside), "RGB").reshape(-1, 3).mean(axis=0)
    assert (background.mean() > 200) == light
    assert np.abs(pixels(page.screenshot(clip=corner), "RGB").reshape(-1, 3).mean(axis=0) - background).max() < 6
    for part in (".mm-legend", ".mm-label >> nth=0"):
        shot = pixels(page.locator(part).screenshot())
        assert (np.median(shot) > 180) == light  # its background follows the page's
        text = shot[np.abs(shot - np.median(shot)) > 60]
        assert text.size and (np.median(text) < np.median(shot)) == light  # text contrasts with it
    open_map(page, url, "n=2000&colour=many&labels=0")   # all 20 colours of the palette
    swatches = [[float(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3]] for colour in
                page.locator(".mm-swatch").evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")]
    assert len(swatches) == 21
    if light:   # the palette as Python sent it
        assert swatches[0] == [c / 255 for c in (0x00, 0x67, 0xA5)]
    else:       # every colour stands out from the dark page (WCAG asks 3:1 of graphics; the map 3.5:1)
        assert min(_contrast(colour, background / 255) for colour in swatches) >= 3.4
    open_map(page, url, "n=2000&colour=value&labels=0")
    gradient = page.locator(".mm-ramp").evaluate("e => getComputedStyle(e).backgroundImage")
    stops = [[float(v) / 255 for v in stop[:3]] for stop in re.findall(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)", gradient)]
    assert len(stops) == 9
    lightness = [_contrast(stop, [0, 0, 0]) for stop in stops]
    assert lightness == sorted(lightness)   # still dark to light: a lighter point means a higher value
    assert min(_contrast(stop, background / 255) for stop in stops) >= (1 if light else 3.4)
    page.close()


def _contrast(a, b) -> float:
    def luminance(rgb):
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)
