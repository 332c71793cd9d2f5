"""The main journey in a real browser: Debian's chromium driven by Playwright against a live server."""
import os
import shutil
import sys
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "screenshots"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install chromium (apt-get install chromium) for the browser test.")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(root):
    sys.path.insert(0, str(root / "bench"))
    from live_server import server as live_server

    # the test session's own empty disk cache (conftest) is kept: the server computes for real
    with live_server(root / "app.py", root, cache=os.environ["MURMURATION_CACHE_DIR"]) as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        from live_server import ARGS

        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


def wait_for_map(page):
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point, .js-plotly-plot canvas", timeout=120_000)
    page.wait_for_timeout(1000)


def no_error_text(page):
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.inner_text("body")


def test_home_shows_a_map_of_the_default_corpus(page, server):
    page.goto(server)
    wait_for_map(page)
    no_error_text(page)
    assert "Flutter · MiniLM" in page.inner_text("body")
    navigation = page.locator("[data-testid=stSidebarNav]").inner_text()
    assert "Home" in navigation and "app" not in navigation.split()  # the first page is not called "app"
    page.screenshot(path=str(SHOTS / "home.png"))


@pytest.mark.parametrize("name", ["Map", "Neighbors", "Similarity", "Encoding_features", "Words", "Context",
                                  "Encoders", "Recommend", "Compare", "Concept_axes", "Drift"])
def test_each_page_renders_without_error(page, server, name):
    page.goto(f"{server}/{name}")
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_selector("[data-testid=stDataFrame]" if name in ("Neighbors", "Recommend") else ".js-plotly-plot",
                           timeout=120_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=120_000)
    page.wait_for_timeout(1500)
    no_error_text(page)
    page.screenshot(path=str(SHOTS / f"{name.lower()}.png"))


def test_upload_a_file_and_see_its_map(page, server, tmp_path):
    source = tmp_path / "my_posts.csv"
    source.write_text("text,topic\n" + "\n".join(
        f"{word} post number {i} about {word},{word}" for i in range(30) for word in ("rain", "song", "nest")))
    page.goto(server)
    wait_for_map(page)
    page.get_by_text("Upload your own text").click()
    page.locator("input[type=file]").first.set_input_files(str(source))
    page.get_by_role("button", name="Explore this corpus").click()
    page.wait_for_function("document.body.innerText.includes('my_posts.csv · MiniLM')", timeout=120_000)
    wait_for_map(page)
    no_error_text(page)
    assert "90" in page.inner_text("[data-testid=stMetric]")
    page.screenshot(path=str(SHOTS / "upload.png"))


POINTS_ON_SCREEN = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const points = [];
    for (const trace of gd._fullData) {
        if (!trace.customdata || trace.name === 'highlighted') continue;
        for (let i = 0; i < trace.x.length; i++) {
            points.push([Number(trace.customdata[i]), box.left + xa._offset + xa.l2p(trace.x[i]),
                         box.top + ya._offset + ya.l2p(trace.y[i])]);
        }
    }
    return points;
}"""


def test_lasso_selection_on_the_map_lists_the_documents_inside_it(page, server):
    page.goto(f"{server}/Map")
    wait_for_map(page)
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    w, h = box["width"] / 4, box["height"] / 4
    page.mouse.move(cx - w, cy - h)
    page.mouse.down()
    for x, y in [(cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h), (cx - w, cy - h)]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()
    page.wait_for_function("document.body.innerText.includes('selected documents')", timeout=60_000)
    page.wait_for_timeout(1500)
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    no_error_text(page)
    page.screenshot(path=str(SHOTS / "selection.png"), full_page=True)

    # The lasso drawn is the rectangle above: the page must list every point drawn inside it and no other.
    # The drawn positions come from plotly's own axes; points within 2 px of the edge may fall either way.
    points = page.evaluate(POINTS_ON_SCREEN)
    assert len(points) == 513
    surely_in = sum(abs(x - cx) < w - 2 and abs(y - cy) < h - 2 for _, x, y in points)
    maybe_in = sum(abs(x - cx) < w + 2 and abs(y - cy) < h + 2 for _, x, y in points)
    listed = int(page.get_by_text("selected documents").inner_text().split()[0].replace(",", ""))
    assert 0 < surely_in <= listed <= maybe_in < len(points), (surely_in, listed, maybe_in)
