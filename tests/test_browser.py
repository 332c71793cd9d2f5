"""The main journey in a real browser: Debian's chromium driven by Playwright against a live server."""
import json
from urllib.parse import urlencode

import numpy as np
import pytest

import core
from conftest import SHOTS, require_chromium

MAP = "[data-testid=murmuration-map]"

require_chromium()


def wait_for_map(page):
    page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
    run_over(page)


def run_over(page):
    """Wait until the page's script run is over (everything it draws is on the page), rather than a fixed time."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)


def no_error_text(page):
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.inner_text("body")


def test_a_share_link_to_the_map_as_a_fresh_servers_first_request(root):
    """The first request to a new server names a page: the Map page opens through app.py's navigation (its
    sections, Home first, and no page called "app" from Streamlit's legacy pages-directory mode), with its map."""
    import os

    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM
    from testkit.live_server import ARGS, server as live_server

    with live_server(root / "app.py", root, cache=os.environ["MURMURATION_CACHE_DIR"]) as url, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/Map?corpus=flutter&encoder=minilm-static&colour=label")
        wait_for_map(page)
        no_error_text(page)
        navigation = page.locator("[data-testid=stSidebarNav]").inner_text().split("\n")
        assert {"Explore", "Home", "Map", "Ideas"} <= set(navigation) and "app" not in navigation
        assert page.locator(MAP).get_attribute("data-points-drawn") == str(len(core.load_corpus("flutter")))
        assert page.title() == "Map · Murmuration" and page.url.startswith(f"{url}/Map")
        browser.close()


def test_home_shows_a_map_of_the_default_corpus(page, server):
    page.goto(server)
    wait_for_map(page)
    no_error_text(page)
    assert "Flutter · MiniLM" in page.inner_text("body")
    navigation = page.locator("[data-testid=stSidebarNav]").inner_text()
    assert "Home" in navigation and "app" not in navigation.split()  # the first page is not called "app"
    page.screenshot(path=str(SHOTS / "home.png"))


def test_the_home_map_and_the_names_of_its_areas_fit_the_first_screen(page, server):
    page.set_viewport_size({"width": 1400, "height": 900})
    try:
        page.goto(server)
        wait_for_map(page)
        box = page.locator(MAP).bounding_box()
        assert box["y"] + box["height"] <= 900, "the home map runs below the first screen"
        names = [n for n in page.locator(f"{MAP} .mm-label").all_inner_texts() if n.strip()]
        assert int(page.locator(MAP).get_attribute("data-labels-visible")) >= 4 and len(names) >= 4
        assert all(" · " in name for name in names)   # each area named by its two most distinctive words
        page.screenshot(path=str(SHOTS / "home_first_screen.png"))
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


FORMS = {"Upload your own text": ("birds.csv", "Explore this corpus"),
         "Import vectors made elsewhere": ("vectors.tsv", "Explore these vectors")}


@pytest.mark.parametrize("form_title", FORMS)
def test_a_chosen_file_keeps_its_form_open_with_its_explore_button(page, server, tmp_path, form_title):
    name, button = FORMS[form_title]
    chosen = tmp_path / name
    chosen.write_text("text,label\n" + "\n".join(f"bird {i} sings at dawn,a" for i in range(30)) if name.endswith(
        "csv") else "\n".join(f"{i}\t{i % 3}\t1" for i in range(30)))
    page.goto(server)
    wait_for_map(page)
    form = page.locator("[data-testid=stExpander]").filter(has_text=form_title)
    form.locator("summary").click()
    form.locator("input[type=file]").set_input_files(str(chosen))
    page.get_by_role("button", name=button).wait_for(timeout=60_000)
    page.locator(MAP).hover()             # the map answers the hover: one more rerun
    page.wait_for_timeout(3000)           # and any rerun the chosen file started is over
    assert page.get_by_role("button", name=button).is_visible()


@pytest.mark.parametrize("name", ["Map", "Neighbors", "Similarity", "Encoding_features", "Words", "Context",
                                  "Encoders", "Recommend", "Compare", "Concept_axes", "Drift", "Quality"])
def test_each_page_renders_without_error(page, server, name):
    page.goto(f"{server}/{name}")
    page.wait_for_selector("h1", timeout=60_000)
    ready = {"Neighbors": "[data-testid=stDataFrame]", "Recommend": "[data-testid=stDataFrame]",
             "Map": f"{MAP}[data-ready=true]", "Quality": f"{MAP}[data-ready=true]"}
    page.wait_for_selector(ready.get(name, ".js-plotly-plot"), timeout=120_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=120_000)
    run_over(page)
    no_error_text(page)
    page.screenshot(path=str(SHOTS / f"{name.lower()}.png"))


def upload(page, url: str, source) -> None:
    """Upload `source` from the home page's form and wait until the app has taken it (MiniLM by default)."""
    page.goto(url)
    wait_for_map(page)
    page.get_by_text("Upload your own text").click()
    page.locator("input[type=file]").first.set_input_files(str(source))
    page.get_by_role("button", name="Explore this corpus").click()
    page.wait_for_function(f"document.body.innerText.includes('{source.name} · MiniLM')", timeout=120_000)


def test_upload_a_file_and_see_its_map(page, server, tmp_path):
    source = tmp_path / "my_posts.csv"
    source.write_text("text,topic\n" + "\n".join(
        f"{word} post number {i} about {word},{word}" for i in range(30) for word in ("rain", "song", "nest")))
    upload(page, server, source)
    wait_for_map(page)
    no_error_text(page)
    assert "90 documents · 3 labels" in page.inner_text("[data-testid=stMain]")
    page.screenshot(path=str(SHOTS / "upload.png"))


def map_page(page, server, query=""):
    """The Map page of the default view (Flutter, MiniLM, UMAP), its map ready; and where each document is
    on screen, from the coordinates the pipeline gives this view."""
    from core.sources.bundled import DATA_DIR
    from core.cache.disk import DiskCache
    from core.pipeline import analyse
    from testkit.map_screen import screen_positions

    page.set_viewport_size({"width": 1400, "height": 1400})  # the whole map on screen
    page.goto(f"{server}/Map{query}")
    page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=180_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=120_000)
    page.locator(MAP).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    corpus = core.load_corpus("flutter")
    result = analyse(corpus, "minilm", method="umap", cache=DiskCache(None, seeds=(DATA_DIR / "cache",)))
    return corpus, result, *screen_positions(page, result.map.coords.astype(np.float64))


def test_the_map_draws_every_document_and_a_click_rings_its_nearest_neighbours(page, server):
    from testkit.map_screen import click_point, isolated_point

    corpus, result, screen, _ = map_page(page, server)
    assert page.locator(MAP).get_attribute("data-points-drawn") == str(len(corpus))
    row = isolated_point(screen)
    click_point(page, screen[row])
    page.wait_for_selector(".mm-neighbour", timeout=60_000)
    page.wait_for_function("document.body.innerText.includes('nearest neighbours in the original space')",
                           timeout=60_000)
    ringed = {int(ring.get_attribute("data-index")) for ring in page.locator(".mm-neighbour").all()}
    exact = core.nearest_neighbors(result.embeddings.vectors, row, 10).indices  # core's exact cosine search
    assert ringed == set(exact.tolist()) and f"Document #{row}" in page.inner_text("body")
    distances = np.linalg.norm(result.map.coords - result.map.coords[row], axis=1)
    distances[row] = np.inf
    kept = len(set(np.argsort(distances)[:10].tolist()) & set(exact.tolist()))
    assert f"on the map ({kept} of 10)" in page.inner_text("body")
    no_error_text(page)
    page.screenshot(path=str(SHOTS / "map_click.png"))


def test_a_lasso_on_the_map_lists_the_documents_inside_it_and_their_heatmap(page, server):
    from test_map_component import drag_through, inside_polygon, near_edges

    corpus, result, screen, box = map_page(page, server)
    polygon = [(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
               for fx, fy in [(0.3, 0.3), (0.6, 0.22), (0.72, 0.6), (0.45, 0.55), (0.38, 0.8)]]
    page.get_by_role("button", name="Lasso").click()
    drag_through(page, polygon)
    page.wait_for_function("document.body.innerText.includes('selected documents')", timeout=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)  # the heatmap of the selection
    listed = int(page.get_by_text("selected documents").inner_text().split()[0].replace(",", ""))
    inside, sure = inside_polygon(screen, polygon), ~near_edges(screen, polygon)
    assert (inside & sure).sum() <= listed <= (inside | ~sure).sum() and listed > 10
    assert "Cosine similarity within the selection" in page.inner_text("body")
    page.wait_for_function("!document.querySelector('[data-stale=true]')", timeout=60_000)
    assert page.locator(MAP).get_attribute("data-selected") == str(listed)  # the map still shows it
    no_error_text(page)
    page.screenshot(path=str(SHOTS / "selection.png"), full_page=True)


def test_a_filter_in_a_share_link_fades_what_it_leaves_out(page, server):
    query = "?" + urlencode({"filters": json.dumps({"label": ["song", "nesting"]})})
    corpus, *_ = map_page(page, server, query)
    kept = sum(label in ("song", "nesting") for label in corpus.labels)
    assert page.locator(MAP).get_attribute("data-points-in-filter") == str(kept)
    assert page.locator(MAP).get_attribute("data-points-drawn") == str(len(corpus))
    no_error_text(page)
