"""Appending to a collection (issue 22 part 1): old points never move, new ones are searchable and placed where
their neighbours are, each batch gets a drift verdict, an interrupted append leaves the collection as it was and
resumes, two appends never interleave, and a reader of the old version keeps a consistent view."""
import json

import numpy as np
import pandas as pd
import pytest

import core
from core.collections import build_collection, open_collection
from core.collections.append import LOCK, append_collection
from core.collections.sources import CollectionError
from core.collections.synthetic import synthetic_documents

OLD = 500


@pytest.fixture
def folder(tmp_path):
    synthetic_documents(OLD, seed=1).to_csv(tmp_path / "old.csv", index=False)
    return tmp_path


def build(folder, projection="pca"):
    return build_collection(folder / "old.csv", encoder="minilm-static", out=folder / projection,
                            projection=projection)


def write(folder, name: str, frame: pd.DataFrame):
    frame.to_csv(folder / name, index=False)
    return folder / name


@pytest.mark.parametrize("projection", ["pca", "umap"])
def test_old_points_stay_bit_identical_and_copies_land_on_their_originals(folder, projection):
    out = build(folder, projection)
    before = open_collection(out)
    old_coords, old_vectors = np.array(before.coords), np.array(before.vectors)
    originals = [3, 77, 420]
    batch = synthetic_documents(40, seed=2)
    batch.loc[:2, "text"] = [before.text(i) for i in originals]            # exact copies of three old documents
    record = append_collection(out, write(folder, "new.csv", batch))
    after = open_collection(out)
    assert len(after) == OLD + 40 and record["first_row"] == OLD and record["count"] == 40
    assert np.asarray(after.coords)[:OLD].tobytes() == old_coords.tobytes()
    assert np.asarray(after.vectors)[:OLD].tobytes() == old_vectors.tobytes()
    assert after.texts(range(OLD, OLD + 40)) == batch.text.tolist()
    copies = np.asarray(after.coords)[OLD:OLD + 3]
    spread = np.ptp(old_coords, axis=0).max()
    tolerance = 1e-4 if projection == "pca" else 0.1                      # PCA's linear map is recovered exactly
    assert np.abs(copies - old_coords[originals]).max() <= tolerance * spread
    found = after.search(after.encode([batch.text[20]])[0], 1)            # a new document is found by its text
    assert found.indices[0] == OLD + 20 and found.scores[0] == pytest.approx(1.0, abs=1e-5)


def test_each_batch_gets_a_drift_verdict_and_its_grown_clusters(folder, capsys):
    from core.__main__ import main

    out = build(folder)
    same = write(folder, "same.csv", synthetic_documents(200, seed=7))
    quotes = write(folder, "quotes.csv", pd.DataFrame({"text": core.load_corpus("anime-quotes").texts[:200]}))
    assert main(["append", str(out), str(same)]) == 0
    assert "batch 1: 200 documents" in capsys.readouterr().out
    assert main(["append", str(out), str(quotes)]) == 0
    said = capsys.readouterr().out
    batches = json.loads((out / "manifest.json").read_text())["batches"]
    assert [b["count"] for b in batches] == [200, 200] and batches[1]["first_row"] == OLD + 200
    assert not batches[0]["drift"]["drifted"] and batches[1]["drift"]["drifted"]
    assert batches[1]["drift"]["p_value"] < 0.01 and "(drifted); grew: " in said
    assert batches[1]["grew"][0]["batch"] > batches[1]["grew"][0]["before"]
    collection = open_collection(out)
    assert collection.labels[OLD + 200:].tolist() == [None] * 200          # the quotes came without labels
    assert sorted(p.name for p in out.glob("vectors*")) == ["vectors-v2.npy", "vectors-v3.npy"]   # v1 removed


def test_an_interrupted_append_leaves_the_collection_as_it_was_and_resumes(folder, monkeypatch, capsys):
    from core.collections import append as append_module

    out = build(folder)
    manifest = (out / "manifest.json").read_bytes()
    new = write(folder, "new.csv", synthetic_documents(300, seed=3))

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(append_module, "_write_version", stopped)
    with pytest.raises(KeyboardInterrupt):
        append_collection(out, new, rows_per_chunk=100)
    assert (out / "manifest.json").read_bytes() == manifest and len(open_collection(out)) == OLD
    assert not (out / LOCK).exists()
    monkeypatch.undo()
    embedded = []
    monkeypatch.setattr(append_module, "embed_locally",
                        lambda job, progress: _embed_and_count(job, progress, embedded))
    append_collection(out, new, rows_per_chunk=100)
    assert embedded == [frozenset({0, 1, 2})]                              # all three chunks were already there
    assert "resuming the unfinished build" in capsys.readouterr().err
    assert len(open_collection(out)) == OLD + 300 and not (out / "append.partial").exists()


def _embed_and_count(job, progress, embedded):
    from core.collections.chunks import embed_locally

    embedded.append(job.done_chunks())
    embed_locally(job, progress=progress)


def test_a_second_append_waits_its_turn_and_bad_sources_are_refused(folder):
    out = build(folder)
    (out / LOCK).write_text("123 2026-12-07T10:00:00\n")                  # an append is running
    new = write(folder, "new.csv", synthetic_documents(50, seed=4))
    with pytest.raises(CollectionError, match="Another append or refit of pca is running"):
        append_collection(out, new)
    assert len(open_collection(out)) == OLD and (out / LOCK).exists()      # the running one's lock is kept
    (out / LOCK).unlink()
    wrong = write(folder, "wrong.csv", pd.DataFrame({"body": ["a bird"] * 20, "when": [1] * 20}))
    with pytest.raises(CollectionError, match="has no column 'text'.*Its columns are: body, when"):
        append_collection(out, wrong)
    assert not (out / LOCK).exists() and len(open_collection(out)) == OLD


def test_a_reader_of_the_old_version_keeps_it_and_stored_quality_is_left_for_the_old_build(folder):
    from core.__main__ import main

    out = build(folder)
    assert main(["quality", str(out)]) == 0
    reader = open_collection(out)
    texts, near = reader.texts([0, OLD - 1]), reader.search(7, 5).indices
    batch = synthetic_documents(60, seed=5)
    batch["mood"] = "calm"                                                 # a column the collection lacks
    append_collection(out, write(folder, "new.csv", batch))
    assert len(reader) == OLD and reader.texts([0, OLD - 1]) == texts and len(reader.vectors) == OLD
    np.testing.assert_array_equal(reader.search(7, 5).indices, near)       # its index is the old one, still there
    fresh = core.open_dataset(out)
    assert len(fresh) == OLD + 60 and fresh.stored_quality is None         # the stored results were for 500
    moods = fresh.metadata(range(OLD - 2, OLD + 2), ["mood"])["mood"].tolist()
    assert moods[2:] == ["calm", "calm"] and all(pd.isna(m) for m in moods[:2])


def test_the_app_lists_the_batches_and_colours_the_map_by_batch(folder, monkeypatch):
    from conftest import shown
    from test_app import assert_clean, legend_names, map_data, start

    out = build(folder)
    quotes = write(folder, "quotes.csv", pd.DataFrame({"text": core.load_corpus("anime-quotes").texts[:120]}))
    append_collection(out, quotes)
    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(folder))
    at = start("app_pages/home.py", corpus="collection: pca").run()
    assert_clean(at)
    panel = at.expander[0]
    assert shown(panel.label).startswith("1 batch appended since the build; the latest, batch 1: 120 documents, drift p")
    table = panel.dataframe[0].value
    assert table.source.tolist() == ["quotes.csv"] and table.verdict.tolist() == ["drifted"]
    at = start("app_pages/1_Map.py", corpus="collection: pca", colour="batch").run()
    assert_clean(at)
    assert set(legend_names(at)) == {"built", "batch 1"}
    at = start("app_pages/1_Map.py", corpus="collection: pca", filters={"batch": ["batch 1"]}).run()
    assert_clean(at)
    assert map_data(at)["note"] == "620 points · 120 match the filter"
