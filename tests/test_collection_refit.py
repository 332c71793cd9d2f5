"""Refitting a collection's map (issue 22 part 2): the new map is turned onto the old, its movement and
trustworthiness are reported, it is kept beside the map in use until someone switches (and a switch can be
undone), appends extend every kept map, and a refit never runs beside an append."""
import numpy as np
import pandas as pd
import pytest
from scipy.spatial import procrustes
from sklearn.manifold import trustworthiness

import core
from core.collections import build_collection, open_collection
from core.collections.append import LOCK, append_collection
from core.collections.build import TRUST_SAMPLE
from core.collections.refit import align, movement, refit_collection, use_map
from core.collections.sources import CollectionError
from core.collections.synthetic import synthetic_documents
from core.neighbours.similarity import normalize_rows
from core.quality.stored import build_digest


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """A UMAP collection of 600 synthetic documents with 300 anime quotes appended (another kind of text, which
    the append could only place among the old points)."""
    folder = tmp_path_factory.mktemp("refit")
    synthetic_documents(600, seed=1).to_csv(folder / "old.csv", index=False)
    quotes = core.load_corpus("anime-quotes")
    pd.DataFrame({"text": quotes.texts[:300], "label": quotes.labels[:300]}).to_csv(folder / "new.csv", index=False)
    out = build_collection(folder / "old.csv", encoder="minilm-static", out=folder / "c", projection="umap")
    append_collection(out, folder / "new.csv")
    return out


def test_alignment_matches_scipy_procrustes_and_undoes_a_turn_a_mirror_and_a_scale():
    rng = np.random.default_rng(0)
    old = rng.normal(size=(400, 2)) * [3.0, 1.0]
    turn = np.array([[0.0, -1.0], [1.0, 0.0]]) @ np.diag([1.0, -1.0])         # 90 degrees, then a mirror
    noise = rng.normal(scale=0.01, size=old.shape)
    new = 5.0 * (old + noise) @ turn + [40.0, -7.0]
    aligned = align(new, old)
    assert np.abs(aligned - old).max() < 0.1
    standard_old, fitted, _ = procrustes(old, new)                             # both centred and scaled to norm 1
    centre, norm = old.mean(axis=0), np.linalg.norm(old - old.mean(axis=0))
    assert np.allclose((aligned - centre) / norm, fitted, atol=1e-9)
    moved = movement(aligned, old)
    assert moved["median"] < 0.01 and moved["share_over_0.1"] == 0
    assert movement(old[::-1], old)["median"] > 0.5                          # points swapped: far moved


def test_a_refit_is_kept_beside_the_map_in_use_until_switched_and_the_switch_can_be_undone(grown, tmp_path):
    import shutil

    out = shutil.copytree(grown, tmp_path / "c")
    before = open_collection(out)
    in_use, digest = np.array(before.coords), build_digest(before.manifest)
    record = refit_collection(out)
    kept = np.load(out / record["file"])
    assert np.array(open_collection(out).coords).tobytes() == in_use.tobytes()   # nothing changed for the app
    assert record["name"] == "refit 1" and kept.shape == in_use.shape and not np.array_equal(kept, in_use)
    assert record["projection"]["moved"] == movement(kept.astype(np.float64), in_use.astype(np.float64))

    rows = np.sort(np.random.default_rng(0).choice(len(before), TRUST_SAMPLE, replace=False)) \
        if len(before) > TRUST_SAMPLE else np.arange(len(before))
    unit = normalize_rows(np.asarray(before.vectors, dtype=np.float32)[rows])
    for coords, reported in ((kept, record["projection"]), (in_use, record["before"])):
        expected = trustworthiness(unit, coords[rows], n_neighbors=record["projection"]["quality_k"], metric="cosine")
        assert reported["trustworthiness"] == pytest.approx(expected, abs=1e-6)

    use_map(out, "refit 1")
    switched = open_collection(out)
    assert np.array(switched.coords).tobytes() == kept.tobytes()
    assert switched.manifest["projection"]["trustworthiness"] == record["projection"]["trustworthiness"]
    assert build_digest(switched.manifest) == digest              # stored quality results stay valid
    assert [m["name"] for m in switched.manifest["maps"]] == ["built"]
    use_map(out, "built")
    assert np.array(open_collection(out).coords).tobytes() == in_use.tobytes()
    with pytest.raises(CollectionError, match="no kept map named 'refit 7'. Kept maps: refit 1"):
        use_map(out, "refit 7")


def test_a_full_refit_lays_the_appended_batch_out_from_the_collection_s_own_neighbours(grown, tmp_path):
    import shutil

    out = shutil.copytree(grown, tmp_path / "c")
    record = refit_collection(out, mode="full")
    # The anime quotes were placed among the synthetic documents by their neighbours' mean positions; a map of
    # every document, from the exact kNN graph, keeps more of the neighbourhoods than that.
    assert record["projection"]["placed_by"] == "fit" and record["projection"]["fitted_on"] == 900
    assert record["projection"]["trustworthiness"] > record["before"]["trustworthiness"] + 0.01


def test_an_append_extends_every_kept_map_and_old_points_stay_put_on_each(grown, tmp_path):
    import shutil

    out = shutil.copytree(grown, tmp_path / "c")
    record = refit_collection(out)
    kept_before = np.load(out / record["file"])
    synthetic_documents(50, seed=9).to_csv(tmp_path / "more.csv", index=False)
    append_collection(out, tmp_path / "more.csv")
    after = open_collection(out)
    entry = after.manifest["maps"][0]
    kept_after = np.load(out / entry["file"])
    assert kept_after.shape == (950, 2) and kept_after[:900].tobytes() == kept_before.tobytes()
    assert np.isfinite(kept_after).all() and entry["name"] == "refit 1"
    use_map(out, "refit 1")
    assert np.array(open_collection(out).coords).tobytes() == kept_after.tobytes()


def test_a_refit_waits_for_no_append_and_a_damaged_kept_map_is_named(grown, tmp_path, capsys):
    import shutil

    from core.__main__ import main

    out = shutil.copytree(grown, tmp_path / "c")
    (out / LOCK).write_text("123 earlier\n")
    with pytest.raises(CollectionError, match="Another append or refit of c is running"):
        refit_collection(out)
    (out / LOCK).unlink()
    assert main(["refit", str(out)]) == 0
    said = capsys.readouterr().out
    assert "refit 1 of c (sample" in said and "trustworthiness" in said and "--use 'refit 1'" in said
    assert main(["maps", str(out)]) == 0
    assert "refit 1" in capsys.readouterr().out
    kept = out / open_collection(out).manifest["maps"][0]["file"]
    kept.write_bytes(kept.read_bytes()[:-8])
    with pytest.raises(CollectionError, match="the kept map 'refit 1', is missing or changed"):
        open_collection(out)


def test_the_home_page_lists_the_maps_and_the_app_draws_the_one_in_use(grown, tmp_path, monkeypatch):
    import shutil

    from conftest import shown
    from test_app import assert_clean, map_data, start

    out = shutil.copytree(grown, tmp_path / "c")
    record = refit_collection(out)
    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(tmp_path))
    at = start("app_pages/home.py", corpus="collection: c").run()
    assert_clean(at)
    panel = [e for e in at.expander if shown(e.label).startswith("This map: built")][0]
    table = panel.dataframe[0].value
    assert table["map"].tolist() == ["built", "refit 1"] and table["in use"].tolist() == [True, False]
    assert table["trustworthiness"][1] == pytest.approx(record["projection"]["trustworthiness"])
    before = map_data(at)["points_key"]
    use_map(out, "refit 1")
    at = start("app_pages/home.py", corpus="collection: c").run()
    assert_clean(at)
    assert any(shown(e.label).startswith("This map: refit 1") for e in at.expander)
    assert map_data(at)["points_key"] != before                       # the switched map is what is drawn


def test_a_pca_collection_refits_pca_and_lands_on_its_old_map(tmp_path):
    synthetic_documents(500, seed=1).to_csv(tmp_path / "old.csv", index=False)
    synthetic_documents(50, seed=2).to_csv(tmp_path / "new.csv", index=False)
    out = build_collection(tmp_path / "old.csv", encoder="minilm-static", out=tmp_path / "pca", projection="pca")
    append_collection(out, tmp_path / "new.csv")
    record = refit_collection(out)
    # PCA of 550 documents of one kind has nearly the axes of the PCA of 500; whatever sign or order its axes
    # come in, the alignment puts the points back near where they were (unaligned here: median 0.18, 82 % of the
    # points more than 0.1 away; aligned: 0.03 and none).
    moved = record["projection"]["moved"]
    assert record["projection"]["method"] == "pca" and moved["median"] < 0.06 and moved["share_over_0.1"] < 0.05


def test_a_full_refit_reads_the_neighbours_the_quality_command_stored(grown, tmp_path, monkeypatch):
    import shutil

    from core.__main__ import main
    from core.collections.collection import Collection

    out = shutil.copytree(grown, tmp_path / "c")
    assert main(["quality", str(out)]) == 0                          # stores every document's 10 neighbours
    monkeypatch.setattr(Collection, "neighbour_table", lambda *a, **k: pytest.fail("searched the index again"))
    record = refit_collection(out, mode="full")
    assert record["projection"]["neighbours"] == 10 and record["projection"]["fitted_on"] == 900
