"""The Drift page with the Flutter seasons example in a real browser (Debian's chromium, Playwright)."""
import os

import pytest

from conftest import CHROMIUM, SHOTS, require_chromium

require_chromium()


@pytest.fixture(scope="module")
def page(root):
    from playwright.sync_api import sync_playwright
    from testkit.live_server import ARGS, server

    SHOTS.mkdir(exist_ok=True)
    with server(root / "app.py", root, cache=os.environ["MURMURATION_CACHE_DIR"]) as url, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/Drift?corpus=flutter-seasons&encoder=minilm-static")
        yield page
        browser.close()


def settled(page):
    page.wait_for_selector(".js-plotly-plot", timeout=180_000)
    page.wait_for_function("document.body.innerText.includes('Words that rose and fell')", timeout=180_000)
    page.wait_for_function("!document.querySelector('[data-testid=stSpinner]')", timeout=180_000)
    # the run is over (not a fixed wait): everything it draws is on the page
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=180_000)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.inner_text("body")


def test_seasons_over_the_year_then_spring_against_autumn(page):
    settled(page)
    # a fresh server whose first request names a page still lists the pages through app.py's navigation
    assert "Home" in page.locator("[data-testid=stSidebarNav]").inner_text()
    body = page.inner_text("body")
    assert "Each month against the reference month 2025-03" in body and "Drifted" in body
    assert page.locator(".js-plotly-plot").count() == 3  # timeline, map, cluster shares
    page.screenshot(path=str(SHOTS / "drift_timeline.png"))
    page.get_by_text("Both sets on one map").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "drift_map.png"))
    page.get_by_text("Words that rose and fell").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "drift_words.png"))

    # type into the pickers and press Enter: their option lists are virtual, so an option may not be in the DOM
    page.locator("[data-testid=stSelectbox]").filter(has_text="Split by").first.click()
    page.keyboard.type("season")
    page.keyboard.press("Enter")
    page.wait_for_function("document.body.innerText.includes('Current: rows whose season is')", timeout=60_000)
    page.locator("[data-testid=stMultiSelect]").filter(has_text="Current: rows").first.click()
    page.keyboard.type("autumn")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("document.body.innerText.includes('season = autumn against season = spring')",
                           timeout=120_000)
    settled(page)
    page.get_by_text("Score (AUC)").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "drift_spring_autumn.png"))
