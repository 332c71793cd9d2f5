"""Topic names by zoom in the browser (issue 20 part 2): the broad topics' names on the whole map, their children's
as one zooms into a topic, never two names overlapping, on the Map page of a bundled corpus."""
import numpy as np

from conftest import SHOTS
from core.dataset import open_dataset
from core.maps.topics import topic_hierarchy

MAP = "[data-testid=murmuration-map]"


def names_shown(page) -> list[tuple[int, str, dict]]:
    """(level, name, bounding box) of every name on screen."""
    names = page.locator("[data-testid=map-label]").filter(visible=True)
    return [(int(name.get_attribute("data-level")), name.inner_text(), name.bounding_box()) for name in names.all()]


def apart(boxes) -> bool:
    return all(a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] or a["y"] + a["height"] <= b["y"]
               or b["y"] + b["height"] <= a["y"] for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_zooming_into_a_topic_replaces_its_broad_name_with_finer_ones(page, server):
    page.goto(f"{server}/Map?corpus=flutter&encoder=minilm&method=umap")
    root = page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    dataset = open_dataset("flutter")
    expected = topic_hierarchy(dataset.coords, dataset.all_texts())
    before = names_shown(page)
    assert before and {level for level, _, _ in before} == {0}
    assert {name for _, name, _ in before} <= set(expected.names[0].values())
    assert apart([box for _, _, box in before])
    assert page.locator("[data-testid=map-label]").count() == sum(len(s) for s in expected.sizes)

    biggest = max(before, key=lambda shown: expected.sizes[0][_topic(expected, 0, shown[1])])
    centre = (biggest[2]["x"] + biggest[2]["width"] / 2, biggest[2]["y"] + biggest[2]["height"] / 2)
    page.mouse.move(*centre)
    for _ in range(20):                     # zoom in step by step until the names change level
        page.mouse.wheel(0, -100)
        page.wait_for_timeout(150)
        if root.get_attribute("data-label-level") != "0":
            break
    page.wait_for_timeout(300)
    after = names_shown(page)
    page.screenshot(path=str(SHOTS / "topic-names-zoomed.png"))
    levels = {level for level, _, _ in after}
    assert len(after) >= 2 and 0 not in levels and apart([box for _, _, box in after])
    finer = max(levels)
    children = {expected.names[finer][t] for t in range(len(expected.sizes[finer]))
                if _ancestor(expected, finer, t) == _topic(expected, 0, biggest[1])}
    assert children & {name for _, name, _ in after}    # the zoomed topic's own children are named
    assert float(root.get_attribute("data-label-ms")) >= 0


def _topic(found, level: int, name: str) -> int:
    return next(t for t, n in found.names[level].items() if n == name)


def _ancestor(found, level: int, topic: int) -> int:
    while level > 0:
        topic, level = int(found.parents[level][topic]), level - 1
    return topic


def test_contours_toggle_under_the_points_and_follow_the_filter(page, server):
    import json
    from urllib.parse import quote

    def contours(url):
        page.goto(url)
        root = page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
        assert root.get_attribute("data-contours") == "off" and page.locator(f"{MAP} .mm-contour").count() == 0
        page.get_by_role("button", name="Contours").click()
        page.wait_for_function("root => root.dataset.contours === 'on' && root.dataset.contourLines", arg=root)
        lines = page.locator(f"{MAP} .mm-contour")
        assert lines.count() == int(root.get_attribute("data-contour-lines")) >= 3
        return root, [line.get_attribute("d") for line in lines.all()]

    base = f"{server}/Map?corpus=flutter&encoder=minilm&method=umap"
    root, whole = contours(base)
    page.get_by_role("button", name="Contours").click()
    page.wait_for_function("root => root.dataset.contours === 'off'", arg=root)
    assert page.locator(f"{MAP} .mm-contour").count() == 0
    _, filtered = contours(base + "&filters=" + quote(json.dumps({"label": ["song"]})))
    assert filtered != whole          # the density of the documents the filter keeps, not of every point
