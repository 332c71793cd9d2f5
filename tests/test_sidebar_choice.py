"""Issue 23: a corpus chosen in the sidebar just before a page change is never lost, with several sessions at once.

Four browser sessions share one server. Each picks a corpus in the sidebar and clicks a page link in the same
instant: the link is clicked as soon as the browser has sent the choice (the rerun message carrying the option's
label), the tightest a person can click. The server then gets the choice's rerun and the page change back to
back, from four sessions at once, and the page change stops the choice's rerun (Streamlit's fast reruns), often
before its on_change callback ran. Before the fix, about a third of the choices were lost: the new page drew the
corpus the session had before.
"""

import pytest
from streamlit.testing.v1 import AppTest

import core
from conftest import CHROMIUM, app_serving, require_chromium
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents

require_chromium()

MAP = "[data-testid=murmuration-map]"
SESSIONS = 4
ROUNDS = 2
ROWS = 2_000
COLLECTION = "birds (collection)"       # the sidebar's labels
CORPUS, CORPUS_NAME = "Anime quotes", "anime-quotes"
HOME, MAP_PAGE = ("/", "Murmuration"), ("/Map", "Map")   # path, title

# Opens the sidebar's option `label` and follows the page link to `path` the moment the browser has sent the
# choice: a hook on WebSocket.send clicks the link right after the message that carries the label (in a microtask,
# so that the frontend has finished its own sending first).
CHOOSE_AND_LEAVE = """([label, path]) => {
    const option = [...document.querySelectorAll('[role=option]')].find(e => e.innerText.trim() === label);
    const link = [...document.querySelectorAll('[data-testid=stSidebarNav] a')]
        .find(a => new URL(a.href).pathname === path);
    if (!option || !link) throw new Error(`no option ${label} or no link to ${path}`);
    if (option.getAttribute('aria-selected') === 'true') {   // chosen already (a choice lost earlier): just go
        link.click();
        return;
    }
    const wanted = new TextEncoder().encode(label);
    const carries = data => {
        const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
                                               : new Uint8Array(data);
        search: for (let i = 0; i + wanted.length <= bytes.length; i++) {
            for (let j = 0; j < wanted.length; j++) if (bytes[i + j] !== wanted[j]) continue search;
            return true;
        }
        return false;
    };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        send.call(this, data);
        if (typeof data !== 'string' && !(data instanceof Blob) && carries(data)) {
            WebSocket.prototype.send = send;
            queueMicrotask(() => link.click());   // once the frontend has finished sending
        }
    };
    option.click();
}"""


@pytest.fixture(scope="module")
def shelf(tmp_path_factory):
    source = tmp_path_factory.mktemp("source") / "birds.csv"
    synthetic_documents(ROWS, seed=4).to_csv(source, index=False)
    folder = tmp_path_factory.mktemp("collections")
    build_collection(source, encoder="minilm-static", out=folder / "birds", projection="pca")
    return folder


@pytest.fixture(scope="module")
def server(shelf, root):
    with app_serving(root, shelf) as url:
        yield url


@pytest.fixture(scope="module")
def sessions(server):
    """SESSIONS browser sessions on the home page, its map drawn. The link picks MiniLM static (no model to
    export into a fresh disk cache) and PCA, so a bundled corpus's map is ready in a second."""
    from playwright.sync_api import sync_playwright

    from testkit.live_server import ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = [browser.new_context(viewport={"width": 1300, "height": 900}).new_page() for _ in range(SESSIONS)]
        for page in pages:
            page.goto(f"{server}/?encoder=minilm-static&method=pca")
        for page in pages:
            settled(page, "Murmuration")
        yield pages
        browser.close()


def settled(page, title: str) -> str:
    """The points the map of page `title` drew once its run has finished."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(f"h1:has-text('{title}')", timeout=120_000)
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
        page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
    except PlaywrightTimeout:
        state = page.locator("[data-testid=stApp]").get_attribute("data-test-script-state")
        pytest.fail(f"page {title} not drawn: at {page.url}, headings {page.locator('h1').all_inner_texts()}, "
                    f"script {state}")
    return page.locator(MAP).get_attribute("data-points-drawn")


def choose_and_leave(pages, label: str, to: tuple[str, str]) -> list[str]:
    """Every session picks `label` in the sidebar and leaves for page `to` at once; the points each then draws."""
    for page in pages:
        page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
        page.get_by_role("option", name=label, exact=True).wait_for()
    for page in pages:
        page.evaluate(CHOOSE_AND_LEAVE, [label, to[0]])
    return [settled(page, to[1]) for page in pages]


def test_a_choice_followed_at_once_by_a_page_change_is_kept_in_every_session(sessions):
    quotes = len(core.load_corpus(CORPUS_NAME))
    lost = []
    for round_ in range(ROUNDS):
        for label, to, expected in ((COLLECTION, MAP_PAGE, ROWS), (CORPUS, HOME, quotes)):
            drawn = choose_and_leave(sessions, label, to)
            lost += [f"round {round_}, session {number}: {label} then {to[1]} drew {points} points, not {expected}"
                     for number, points in enumerate(drawn) if points != str(expected)]
    assert not lost, lost
    for page in sessions:   # the page names the corpus it drew
        assert f"{CORPUS} · MiniLM static" in page.inner_text("body")
        assert "Traceback" not in page.inner_text("body")


def test_a_choice_applied_to_the_widget_whose_callback_never_ran_still_reaches_the_view():
    """What the browser test provokes, without a browser: the picker holds a new value that no on_change callback
    wrote to the view (the rerun that applied it was stopped first; a page change then calls no callback for a
    value already applied). The next run gives the view that value, and switching corpus starts afresh."""
    from core.view import ViewState

    at = AppTest.from_file("../app.py", default_timeout=180)
    at.session_state["view"] = ViewState(encoder="minilm-static", doc=5)
    at.run()
    at.session_state["_w_corpus"] = "words"   # set as the browser's value is, without its callback
    at.run()
    assert not at.exception
    assert at.session_state["view"].corpus == "words" and at.session_state["view"].doc == 0
    assert at.sidebar.selectbox(key="_w_corpus").value == "words"
