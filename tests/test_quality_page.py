"""The Quality page (issue 21 part 2) and the map colourings by its findings: checked against core.quality on the
same dataset, against exact cosines, on a bundled corpus, an upload and a collection with stored results."""
import numpy as np
import pandas as pd
import pytest

import core
from conftest import shown
from core.quality import label_issues, quality_report
from test_app import assert_clean, map_data, start

PAGE = "app_pages/7_Quality.py"


def quality_page(**view):
    return start(PAGE, **view).run()


def figures(at) -> dict:
    return {metric.label: metric.value for metric in at.metric}


def test_the_label_errors_listed_are_core_quality_s_with_the_evidence_of_the_top_one():
    at = quality_page(corpus="flutter", encoder="minilm-static")
    assert_clean(at)
    issues = label_issues(core.open_dataset("flutter", encoder="minilm-static", method="pca"))
    listed = at.dataframe[1].value
    assert listed.row.tolist() == issues.row.tolist()                    # the same findings, the same ranking
    assert listed.suggested.tolist() == issues.suggested.tolist()
    assert figures(at)["Likely label errors"] == f"{len(issues):,}"
    top = int(issues.row[0])
    assert any(f"Document #{top}" in shown(md.value) for md in at.markdown)
    assert any(f"suggested label: {issues.suggested[0]}" in shown(c.value) for c in at.caption)
    evidence = at.dataframe[0].value                                     # its 10 nearest, by exact cosine
    corpus = core.load_corpus("flutter")
    vectors = core.embed(corpus, "minilm-static").vectors
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = np.delete(unit @ unit[top], top)
    np.testing.assert_allclose(evidence.cosine, np.sort(cosines)[::-1][:10], atol=1e-5)
    assert evidence.label.tolist() == [corpus.labels[i] for i in issues.neighbours[0]]
    assert map_data(at)["legend"]["title"] == "label disagrees"


def copies_corpus() -> core.Corpus:
    """Texts with no labels, three of them copied with a word changed, and one exact copy."""
    texts = [f"note {i}: the {w} {v} near the {p}" for i, (w, v, p) in enumerate(
        (w, v, p) for w in ("heron", "wren", "owl", "gull") for v in ("waits", "sings", "flies")
        for p in ("river", "barn", "cliff"))]
    texts += [texts[3].replace("waits", "waited"), texts[10] + ".", texts[20]]
    return core.Corpus(name="upload: notes.csv", texts=texts)


def test_an_upload_without_labels_gets_its_copies_a_sentence_and_the_data_without_them():
    corpus = copies_corpus()
    at = start(PAGE, uploads={corpus.name: corpus}, corpus=corpus.name, encoder="tfidf").run()
    assert_clean(at)
    assert any("no labels, so no label can be checked" in shown(c.value) for c in at.caption)
    report, _ = quality_report(core.open_dataset(corpus, encoder="tfidf", method="pca"))
    in_groups = report[report.duplicate_group >= 0]
    listed = at.dataframe[1].value
    assert sorted(listed.row) == sorted(in_groups.row) and {38, 20} <= set(listed.row)   # the planted exact copy
    assert figures(at)["Near-duplicate groups"] == str(in_groups.duplicate_group.nunique())
    at.toggle[0].set_value(True).run()                                   # what if I clean this?
    assert_clean(at)
    before_after = at.dataframe[2].value.set_index("")
    kept = len(corpus) - (len(in_groups) - in_groups.duplicate_group.nunique())   # one of each group stays
    assert before_after.loc["documents"].tolist() == [str(len(corpus)), str(kept)]
    assert before_after.loc["near-duplicate groups"].iloc[1] == "0"


@pytest.fixture(scope="module")
def kept_collection(tmp_path_factory):
    """A collection with a planted exact copy, its quality results stored by the command line."""
    from core.__main__ import main
    from core.collections import build_collection
    from core.collections.synthetic import synthetic_documents

    folder = tmp_path_factory.mktemp("quality-shelf")
    frame = synthetic_documents(500, seed=2)
    frame.loc[499, "text"] = frame.text[7]
    frame.to_csv(folder / "docs.csv", index=False)
    build_collection(folder / "docs.csv", encoder="minilm-static", out=folder / "shelf" / "wrens", projection="pca")
    build_collection(folder / "docs.csv", encoder="minilm-static", out=folder / "shelf" / "plain", projection="pca")
    assert main(["quality", str(folder / "shelf" / "wrens")]) == 0
    return folder / "shelf"


def test_a_collection_is_coloured_and_listed_from_its_stored_results_without_searching(kept_collection,
                                                                                          monkeypatch):
    from core.collections import collection as collections_module
    from core.quality.stored import stored

    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(kept_collection))
    monkeypatch.setattr(collections_module, "neighbour_table", lambda *a, **k: pytest.fail("searched the index"))
    report = stored(core.open_dataset(kept_collection / "wrens").collection).report()
    at = start("app_pages/1_Map.py", corpus="collection: wrens", colour="outlier score").run()
    assert_clean(at)
    legend = map_data(at)["legend"]
    assert (legend["min"], legend["max"]) == pytest.approx((report.outlier_score.min(), report.outlier_score.max()))
    at = start(PAGE, corpus="collection: wrens", quality_findings="duplicates").run()
    assert_clean(at)
    listed = at.dataframe[1].value
    assert {7, 499} <= set(listed.row) and sorted(listed.row) == sorted(report.row[report.duplicate_group >= 0])


def test_a_big_collection_without_stored_results_says_how_to_get_them(kept_collection, monkeypatch):
    from ui import quality_results

    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(kept_collection))
    monkeypatch.setattr(quality_results, "COMPUTE_UP_TO", 100)
    at = start(PAGE, corpus="collection: plain").run()
    assert_clean(at)
    assert "python -m core quality plain" in shown(at.info[0].value)
    at = start("app_pages/1_Map.py", corpus="collection: plain").run()
    assert "outlier score" not in at.selectbox(key="_w_colour").options


def test_the_findings_export_numbers_rows_as_in_the_whole_corpus_and_defuses_formulas():
    from core.export import findings_csv

    found = pd.DataFrame({"row": [1, 0], "score": [0.9, 0.5], "label": ["=cmd", "b"]})
    written = pd.read_csv(pd.io.common.BytesIO(findings_csv(found, ["one", "+two"], numbers=np.array([40, 41]))))
    assert written.row.tolist() == [41, 40] and written.text.tolist() == ["one", "'+two"]
    assert written.label.tolist() == ["'=cmd", "b"]


def test_in_the_browser_a_ticked_finding_shows_its_evidence_and_cleaning_draws_the_map_again(page, server):
    from playwright.sync_api import expect

    from conftest import SHOTS
    from test_browser import MAP, no_error_text, run_over, wait_for_map

    issues = label_issues(core.open_dataset("flutter", encoder="minilm-static", method="pca"))
    page.goto(f"{server}/Quality?corpus=flutter&encoder=minilm-static")
    wait_for_map(page)
    main = "[data-testid=stMain]"
    assert f"Document #{issues.row[0]}" in page.inner_text(main)         # the top finding's evidence at first
    table = page.locator("[data-testid=stDataFrame]").nth(1)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 105)                       # the second finding's tick box
    page.wait_for_function(f"document.querySelector('{main}').innerText.includes('Document #{issues.row[1]}')",
                           timeout=60_000)
    run_over(page)
    assert "Download 1 finding (CSV)" in page.inner_text(main)
    page.get_by_text("What if I clean this?").click()
    page.wait_for_function(f"document.querySelector('{main}').innerText.includes('Without 1 document')",
                           timeout=120_000)
    expect(page.locator(f"{MAP}[data-ready=true]")).to_have_count(2, timeout=120_000)   # the map shadow roots
    run_over(page)
    assert page.locator(MAP).nth(1).get_attribute("data-points-drawn") == str(len(core.load_corpus("flutter")) - 1)
    no_error_text(page)
    page.get_by_text("Without 1 document").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "quality.png"))


def test_in_the_browser_a_collection_s_stored_copies_and_an_upload_s_findings(kept_collection, root, tmp_path, page):
    from conftest import app_serving
    from test_browser import no_error_text, upload, wait_for_map

    source = tmp_path / "notes.csv"
    pd.DataFrame({"text": copies_corpus().texts}).to_csv(source, index=False)
    with app_serving(root, kept_collection) as url:
        page.goto(f"{url}/Quality?corpus=collection%3A+wrens&quality_findings=duplicates")
        wait_for_map(page)
        said = page.inner_text("[data-testid=stMain]")    # the table itself is drawn on a canvas
        assert "Document #7" in said and "2 near-duplicates, most likely first" in said
        no_error_text(page)
        upload(page, url, source)
        page.locator("[data-testid=stSidebarNav] a", has_text="Quality").click()
        wait_for_map(page)
        said = page.inner_text("[data-testid=stMain]")
        assert "no labels, so no label can be checked" in said and "near-duplicates" in said.lower()
        no_error_text(page)
