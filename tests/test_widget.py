"""The map as a notebook widget (issue 19 part 1): the same bundle in a real JupyterLab, a box selection that
reaches Python and a selection set in Python that the browser shows; and, without a browser, the widget's
columns, rows left out, clicks answered with the dataset's neighbours, and its HTML file."""
import json
import time

import numpy as np
import pandas as pd
import pytest

import core
from murmuration_map import Map
from murmuration_map.static_page import unpack
from testkit.map_screen import MAP, screen_positions

POINTS = 100_000


def frame_of(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x": rng.normal(size=n), "y": rng.normal(size=n)})
    frame["text"] = [f"point {i}" for i in range(n)]
    frame["label"] = np.where(frame.x > 0, "east", "west")
    return frame


def test_a_frame_without_the_named_columns_is_refused_naming_the_columns_it_has():
    with pytest.raises(ValueError, match=r"no column 'colour'; its columns are 'x', 'y', 'text', 'label'"):
        Map(frame_of(5), color="colour")


def test_rows_without_coordinates_are_left_out_and_counted_and_selections_speak_in_rows():
    frame = frame_of(6)
    frame.loc[2, "x"] = np.nan
    frame.loc[4, "y"] = np.inf
    widget = Map(frame, text="text", color="label")
    assert "2 left out" in widget._data["note"]
    assert len(unpack(widget._points)["x"]) == 4
    heard = []
    widget.observe(lambda change: heard.append(change["new"]), names="selection")
    widget._selected_indices = [1, 2]              # the browser's lasso, in map indices: rows 1 and 3
    assert widget.selection == [1, 3] and heard == [[1, 3]]
    widget.selection = [0, 2, 5]                    # from Python: row 2 has no point
    assert widget._data["selection"] == [0, 3]


def test_a_click_on_a_datasets_map_rings_its_neighbours(flutter):
    dataset = core.open_dataset(flutter, encoder="tfidf", method="pca")
    widget = Map.from_dataset(dataset)
    clicks = []
    widget.observe(lambda change: clicks.append(change["new"]), names="clicked")
    widget._clicked_index = 42
    assert clicks == [42] and widget._data["highlight"] == 42
    assert widget._data["neighbours"] == dataset.neighbours(42, 10).indices.tolist()
    assert len(widget._data["legend"]["items"]) == len(set(flutter.labels))


def test_the_widgets_html_file_holds_its_selection_and_the_datasets_neighbours(flutter, tmp_path):
    dataset = core.open_dataset(flutter, encoder="tfidf", method="pca")
    widget = Map.from_dataset(dataset)
    widget.selection = [3, 4]
    html = widget.to_html(tmp_path / "map.html").read_text()
    assert '"selection":[3,4]' in html and 'id="mm-neighbours"' in html and 'id="mm-texts"' in html


@pytest.fixture(scope="module")
def notebook(page, tmp_path_factory):
    """JupyterLab with a notebook of two cells: a widget of POINTS points whose selection an observer writes to
    a file, then `m.selection = list(range(50))`. The first cell run, the widget drawn."""
    import nbformat

    from testkit.jupyter import jupyterlab

    folder = tmp_path_factory.mktemp("notebook")
    written = folder / "selection.json"
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell(
        "import json\nfrom test_widget import frame_of\nfrom murmuration_map import Map\n"
        f"m = Map(frame_of({POINTS}), text='text', color='label', height=500)\n"
        f"m.observe(lambda change: open({str(written)!r}, 'w').write(json.dumps(change['new'])), names='selection')\n"
        "m"), nbformat.v4.new_code_cell("m.selection = list(range(50))")]
    nbformat.write(book, folder / "widget.ipynb")
    (folder / "test_widget.py").write_text(open(__file__).read())   # the kernel imports frame_of from here
    with jupyterlab(folder) as url:
        lab = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        lab.goto(f"{url}/lab/tree/widget.ipynb")
        lab.wait_for_function("document.body.innerText.includes('Python 3 (ipykernel) | Idle')", timeout=120_000)
        lab.locator(".jp-Cell").nth(0).locator(".jp-InputArea-editor").click()
        lab.keyboard.press("Shift+Enter")
        lab.wait_for_selector(f"{MAP}[data-ready=true]", timeout=180_000)
        yield lab, written
        lab.close()


def read_when_whole(path, seconds: float = 30):
    """The JSON the kernel writes to `path`, once it is all there (it may be read half-written)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_in_jupyterlab_every_point_is_drawn_and_the_selection_goes_both_ways(notebook):
    lab, written = notebook
    root = lab.locator(MAP)
    assert root.get_attribute("data-points-drawn") == str(POINTS)
    frame = frame_of(POINTS)
    screen, box = screen_positions(lab, frame[["x", "y"]].to_numpy())
    left, top = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45
    right, bottom = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.55
    root.get_by_role("button", name="Box").click()
    lab.mouse.move(left, top)
    lab.mouse.down()
    for t in np.linspace(0, 1, 15):
        lab.mouse.move(left + 1 + (right - left) * t, top + 1 + (bottom - top) * t)
        lab.wait_for_timeout(8)
    lab.mouse.up()
    selected = set(read_when_whole(written))                   # what Python's observer heard
    within = (screen[:, 0] > left + 3) & (screen[:, 0] < right - 3) & (screen[:, 1] > top + 3) & (screen[:, 1] < bottom - 3)
    outside = (screen[:, 0] < left - 3) | (screen[:, 0] > right + 3) | (screen[:, 1] < top - 3) | (screen[:, 1] > bottom + 3)
    assert within.sum() > 100 and set(np.flatnonzero(within).tolist()) <= selected
    assert not set(np.flatnonzero(outside).tolist()) & selected
    assert root.get_attribute("data-selected") == str(len(selected))
    lab.locator(".jp-Cell").nth(1).locator(".jp-InputArea-editor").click()
    lab.keyboard.press("Shift+Enter")                           # m.selection = list(range(50)) in Python
    lab.wait_for_function(f"document.querySelector('{MAP}').dataset.selected === '50'", timeout=30_000)


def test_the_example_notebook_runs_top_to_bottom_offline(root, tmp_path):
    import nbclient
    import nbformat

    book = nbformat.read(root / "examples" / "map_widget.ipynb", as_version=4)
    nbclient.NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                            ).execute()
    outputs = [output for cell in book.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    assert (tmp_path / "flutter-map.html").stat().st_size > 100_000
    assert any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in outputs)


def test_python_and_the_browser_take_turns_on_the_selection_without_losing_either():
    widget = Map(frame_of(6), selection=[1])
    assert widget.selection == [1] and widget._data["selection"] == [1]
    widget._selected_indices = [2, 3]                  # a lasso in the browser
    key = widget._data["selection_key"]
    widget.selection = []                              # cleared in Python: sent, though the browser saw [] before
    assert widget._data["selection"] == [] and widget._data["selection_key"] != key
    widget.selection = [1, 2]
    widget._selected_indices = []                      # the browser's "Clear selection"
    assert widget.selection == []
    widget._selected_indices = [4]
    widget.selection = []
    widget.selection = [4]                             # the browser's old lasso again, from Python: sent
    assert widget._data["selection"] == [4]


def test_the_batch_neighbour_search_answers_a_chunk_of_one_row_and_k_zero(tmp_path):
    from core.collections.index import AnnIndex, neighbour_table

    vectors = np.random.default_rng(2).normal(size=(9, 8)).astype(np.float32)
    index = AnnIndex.build(vectors)
    rows, scores = neighbour_table(vectors, index, 3, chunk=4)     # the last chunk holds one row
    assert rows.shape == (9, 3) and (rows != np.arange(9)[:, None]).all() and (rows >= 0).all()
    assert neighbour_table(vectors, index, 0)[0].shape == (9, 0)
