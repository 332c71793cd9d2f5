"""The map as one HTML file (issue 19 part 2): it opens from disk with no server and no network request, draws
every point, answers a click with the dataset's own neighbours, filters by typed words, and shows hostile text
as text. Checked in Debian's chromium against the collection's index."""
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import core
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents
from core.maps.html import export_html
from murmuration_map.static_page import SCORE_SCALE, TEXT_CHARS, map_html, neighbour_columns, pack, text_columns, unpack

ROWS = 1500
HOSTILE = "<img src=x onerror=\"document.title='owned'\"></script><script>document.title='owned'</script>"
MAP = "[data-testid=murmuration-map]"


def cut(text: str) -> str:
    """A text as the file holds it: TEXT_CHARS characters at most, the last one an ellipsis when cut."""
    return text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS - 1] + "…"


def test_packed_columns_come_back_as_they_went_each_aligned_for_the_browser():
    rng = np.random.default_rng(0)
    columns = {"x": rng.normal(size=7).astype(np.float32), "codes": np.arange(5, dtype=np.uint8),
               "rows": np.arange(3, dtype=np.int32) - 1, "scores": np.array([1, -2], dtype=np.int16)}
    buffer = pack(columns)
    back = unpack(buffer)
    assert list(back) == list(columns)
    for name, values in columns.items():
        assert back[name].dtype == values.dtype and back[name].tolist() == values.tolist()
    header = json.loads(buffer[4:4 + int.from_bytes(buffer[:4], "little")])
    assert all(entry["offset"] % 8 == 0 for entry in header)   # a typed array views it in place


def test_texts_are_cut_and_neighbours_follow_the_points_left_out():
    texts = ["é" * 300, "short", None, "owl"]
    columns = text_columns(texts, np.array([0, 1, 3]), text_chars=10)
    decoded = [bytes(columns["bytes"][a:b]).decode() for a, b in zip(columns["offsets"], columns["offsets"][1:])]
    assert decoded == ["é" * 9 + "…", "short", "owl"]
    # row 2 is left out of the map (no coordinates): map indices are 0, 1, 2 for rows 0, 1, 3
    neighbours = np.array([[1, 2], [3, 0], [0, 1], [2, 1]])
    scores = np.array([[0.9, 0.5], [0.8, 0.7], [0.9, 0.1], [0.6, -0.25]])
    packed = neighbour_columns(neighbours, scores, np.array([0, 1, 3]), 4)
    assert packed["indices"].tolist() == [[1, -1], [2, 0], [-1, 1]]
    np.testing.assert_allclose(packed["scores"] / SCORE_SCALE, scores[[0, 1, 3]], atol=1 / SCORE_SCALE)


def test_no_text_can_close_the_files_script_elements():
    labels = [HOSTILE, "birds"] * 3
    html = map_html(np.random.default_rng(1).normal(size=(6, 2)), texts=[HOSTILE] * 6, categories=labels,
                    page_title=HOSTILE)
    elements = Elements()
    elements.feed(html)
    # the JSON data, the points, the texts and the page's module, and nothing made of a text
    assert elements.tags.count("script") == 4 and "img" not in elements.tags and elements.title.startswith("<img")


class Elements(HTMLParser):
    """The tags of a page as a browser's parser sees them (script contents are text up to </script>)."""
    def __init__(self):
        super().__init__()
        self.tags, self.title, self._in_title = [], "", False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    source = tmp_path_factory.mktemp("source") / "docs.csv"
    frame = synthetic_documents(ROWS, seed=5)
    frame.loc[::3, "text"] = HOSTILE + " " + frame.text[::3]    # markup in every third document
    frame.to_csv(source, index=False)
    out = tmp_path_factory.mktemp("built") / "docs"
    build_collection(source, encoder="minilm-static", out=out, projection="pca")
    return core.open_dataset(out)


@pytest.fixture(scope="module")
def opened(collection, page, tmp_path_factory):
    """The collection's HTML file opened from disk in chromium (a page of its own), its points drawn, and every
    request it made."""
    path = export_html(collection, tmp_path_factory.mktemp("html") / "map.html", title="Synthetic docs")
    own = page.context.browser.new_page(viewport={"width": 1400, "height": 900})
    requests = []
    own.on("request", lambda request: requests.append(request.url))
    own.goto(path.as_uri())
    own.wait_for_selector(f"{MAP}[data-ready=true]", timeout=60_000)
    own.wait_for_function("!document.querySelector('.mm-page-search').disabled", timeout=60_000)
    yield own, requests, path
    own.close()


def test_the_file_draws_every_point_from_disk_without_a_request(opened):
    page, requests, path = opened
    assert page.locator(MAP).get_attribute("data-points-drawn") == str(ROWS)
    assert requests == [path.as_uri()]       # the file itself, nothing else
    assert page.title() == "Synthetic docs" and page.locator(".mm-legend-row").count() > 1
    assert page.locator(".mm-label").count() > 0       # the regions' names


def test_a_click_lists_the_same_neighbours_as_the_collections_index(opened, collection):
    from testkit.map_screen import click_point, isolated_point, screen_positions

    page, _, _ = opened
    screen, _ = screen_positions(page, np.asarray(collection.coords, dtype=np.float64))
    row = isolated_point(screen)
    click_point(page, screen[row])
    page.wait_for_selector(".mm-page-neighbour")
    assert page.locator(".mm-page-heading").first.inner_text() == f"Document {row}"
    listed = [int(item.get_attribute("data-row")) for item in page.locator(".mm-page-neighbour").all()]
    expected = collection.neighbours(row, 10)
    assert listed == expected.indices.tolist()
    shown = [float(text) for text in page.locator(".mm-page-cosine").all_inner_texts()]
    np.testing.assert_allclose(shown, expected.scores, atol=6e-4)
    ringed = {int(ring.get_attribute("data-index")) for ring in page.locator(".mm-neighbour").all()}
    assert ringed == set(listed)


def test_typed_words_fade_the_documents_without_them(opened, collection):
    page, _, _ = opened
    texts = collection.all_texts()
    word = "seeds"
    expected = sum(word in cut(text).lower() for text in texts)
    assert 0 < expected < ROWS
    page.fill(".mm-page-search", word.upper())
    page.wait_for_function(f"document.querySelector('{MAP}').dataset.pointsInFilter === '{expected}'", timeout=10_000)
    assert f"{expected:,} match the filter" in page.locator(".mm-page-summary").inner_text()
    page.fill(".mm-page-search", "")
    page.wait_for_function(f"document.querySelector('{MAP}').dataset.pointsInFilter === '{ROWS}'", timeout=10_000)


def test_hostile_text_shows_as_text(opened, collection):
    from testkit.map_screen import click_point, isolated_point, screen_positions

    page, _, _ = opened
    screen, _ = screen_positions(page, np.asarray(collection.coords, dtype=np.float64))
    row = isolated_point(screen, exclude=[r for r in range(ROWS) if r % 3])
    click_point(page, screen[row])
    page.wait_for_function(f"document.querySelector('.mm-page-heading')?.innerText === 'Document {row}'")
    shown = page.locator(".mm-page-text").inner_text()
    assert shown.startswith(HOSTILE) and shown == cut(collection.texts([row])[0])
    assert HOSTILE in page.locator(".mm-tooltip").inner_text()
    assert page.title() == "Synthetic docs" and page.locator("#mm-app img, #mm-app script").count() == 0


def test_the_map_page_downloads_the_map_on_screen_as_one_file(page, server, flutter, tmp_path):
    """The Map page's download: the filter, the colours and the selection shown in the app, in a file that opens
    from disk on its own."""
    from urllib.parse import quote

    topic = flutter.labels[0]
    filters = quote(json.dumps({"label": [topic]}))
    page.goto(f"{server}/Map?encoder=tfidf&method=pca&selection=3,4,5&filters={filters}")
    page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=120_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    page.get_by_text("Export", exact=True).click()
    button = page.get_by_role("button", name=re.compile(r"Download this map \(HTML, 513 points, about 0\.\d MB\)"))
    with page.expect_download(timeout=120_000) as download:
        button.click()
    saved = tmp_path / "map.html"
    download.value.save_as(saved)
    page.goto(saved.as_uri())
    root = page.wait_for_selector(f"{MAP}[data-ready=true]", timeout=60_000)
    page.wait_for_function(f"document.querySelector('{MAP}').dataset.selected === '3'", timeout=10_000)
    assert root.get_attribute("data-points-drawn") == "513"
    matching = flutter.labels.count(topic)
    assert root.get_attribute("data-points-in-filter") == str(matching)
    assert f"513 points · {matching} match the filter" in page.locator(".mm-page-summary").inner_text()
    assert page.locator(".mm-legend-row").count() == len(set(flutter.labels))


@pytest.fixture(scope="module")
def published(collection, tmp_path_factory):
    """The collection published in small chunks (4 of points, 5 of texts and of neighbours) and served by
    `python -m http.server`, as the README says."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from core.maps.html import map_file_options
    from murmuration_map.published import publish_map

    site = publish_map(tmp_path_factory.mktemp("published") / "site", collection.coords, page_title="Published",
                       point_chunk=400, text_chunk=300, **map_file_options(collection))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory",
                               str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield site, url
    server.terminate()
    server.wait(timeout=10)


def test_a_published_folder_streams_every_point_and_fetches_texts_and_neighbours_when_asked(published, collection,
                                                                                             page):
    from testkit.map_screen import click_point, isolated_point, screen_positions

    site, url = published
    assert sorted(path.name for path in site.glob("points-*")) == [f"points-00{i}.bin.gz" for i in range(4)]
    own = page.context.browser.new_page(viewport={"width": 1400, "height": 900})
    fetched = []
    own.on("request", lambda request: fetched.append(request.url.removeprefix(url)))
    own.goto(url)
    own.wait_for_function(f"document.querySelector('{MAP}')?.dataset.pointsDrawn === '{ROWS}'", timeout=60_000)
    assert {f"points-00{i}.bin.gz" for i in range(4)} <= set(fetched)
    assert not [name for name in fetched if name.startswith(("texts-", "neighbours-"))]   # none until asked for
    screen, _ = screen_positions(own, np.asarray(collection.coords, dtype=np.float64))
    last = isolated_point(screen, exclude=range(1200))       # a point of the last chunk keeps its label's colour
    own.mouse.move(*screen[last])
    own.locator(".mm-tooltip-label").wait_for(state="visible")
    assert own.locator(".mm-tooltip-label").inner_text() == str(collection.labels[last])
    row = isolated_point(screen)
    click_point(own, screen[row])
    own.wait_for_selector(".mm-page-neighbour")
    listed = [int(item.get_attribute("data-row")) for item in own.locator(".mm-page-neighbour").all()]
    assert listed == collection.neighbours(row, 10).indices.tolist()
    own.wait_for_function("!(document.querySelector('.mm-page-text')?.innerText ?? '…').startsWith('…')", timeout=10_000)
    assert own.locator(".mm-page-text").inner_text() == cut(collection.texts([row])[0])
    assert f"neighbours-000{row // 300}.bin.gz" in fetched and len([n for n in fetched if n.startswith("neighbours-")]) == 1
    assert all(name.startswith(("points-", "texts-", "neighbours-")) or name in ("", "page.js", "map.css", "favicon.ico")
               for name in fetched)
    own.close()


def test_publishing_refuses_a_folder_it_did_not_make_and_replaces_its_own(tmp_path):
    from murmuration_map.published import PublishError, publish_map

    xy = np.random.default_rng(3).normal(size=(20, 2))
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    with pytest.raises(PublishError, match="is not a folder published by Murmuration"):
        publish_map(mine, xy)
    assert (mine / "thesis.txt").read_text() == "years of work"
    site = publish_map(tmp_path / "site", xy)
    (site / "stale.bin.gz").write_bytes(b"old")
    publish_map(site, xy)          # an earlier publish is replaced whole
    assert not (site / "stale.bin.gz").exists() and (site / "index.html").exists()


def test_a_map_too_big_for_one_file_is_refused_with_the_folder_offered_instead(monkeypatch, tmp_path, capsys):
    from core.__main__ import main
    from murmuration_map import static_page

    monkeypatch.setattr(static_page, "FILE_LIMIT", 100_000)     # the Flutter map's file is about 0.3 MB
    assert main(["export-html", "flutter", "--encoder", "tfidf", "--method", "pca",
                 "--out", str(tmp_path / "map.html")]) == 2
    error = capsys.readouterr().err
    assert "would be one file of about 0.3 MB, more than the 0.1 MB" in error and "python -m core publish" in error
    assert not (tmp_path / "map.html").exists()
    assert main(["publish", "flutter", "--encoder", "tfidf", "--method", "pca", "--out", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "index.html").exists()
