"""Damaged and hostile collection folders: each is refused with a CollectionError whose sentence names the file
relative to the collection folder (never the server's absolute path), in Python and on every page of the app."""
import json
import os
import shutil

import numpy as np
import pytest

from core import open_collection
from core.collections import CollectionError, build_collection
from core.collections.synthetic import synthetic_documents

NAME = "copy"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    source = tmp_path_factory.mktemp("source") / "docs.csv"
    synthetic_documents(40, seed=2).to_csv(source, index=False)
    return build_collection(source, encoder="minilm-static", out=tmp_path_factory.mktemp("built") / "good",
                            projection="pca")


@pytest.fixture
def folder(built, tmp_path):
    copy = tmp_path / "shelf" / NAME
    shutil.copytree(built, copy)
    return copy


def edit_manifest(folder, **changes):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def refusal(folder) -> str:
    with pytest.raises(CollectionError) as refused:
        open_collection(folder)
    message = str(refused.value)
    assert str(folder.parent) not in message and os.sep + NAME not in message   # no path on the server
    return message


WRONG_SHAPES = {
    "files as a list": ({"files": ["documents.parquet", "vectors.npy", "coords.npy", "index.usearch"]}, "files"),
    "files naming a file elsewhere": ({"files": {"../../../etc/passwd": 1}}, "files"),
    "a file size as text": ({"files": {"documents.parquet": "3239", "vectors.npy": 1, "coords.npy": 1,
                                       "index.usearch": 1}}, "files"),
    "rows as text": ({"rows": "40"}, "rows"),
    "rows as true": ({"rows": True}, "rows"),
    "dimensions negative": ({"dimensions": -256}, "dimensions"),
    "params as a list": ({"params": ["a"]}, "params"),
    "an unknown dtype": ({"dtype": "complex128"}, "dtype"),
    "label column a number": ({"label_column": 5}, "label_column"),
    "projection empty": ({"projection": {}}, "projection"),
    "index as text": ({"index": "hnsw"}, "index"),
    "encoder as a list": ({"encoder": ["minilm-static"]}, "encoder"),
}


@pytest.mark.parametrize("damage", list(WRONG_SHAPES))
def test_a_manifest_of_the_wrong_shape_is_refused_naming_the_key(folder, damage):
    changes, key = WRONG_SHAPES[damage]
    edit_manifest(folder, **changes)
    assert f"{NAME}/manifest.json is damaged: {key} must be" in refusal(folder)


def test_a_manifest_that_is_not_json_is_named_without_the_servers_path(folder):
    (folder / "manifest.json").write_text("{rows: 3")
    assert refusal(folder).startswith(f"{NAME}/manifest.json is not valid JSON")


def test_a_manifest_nested_too_deep_is_refused(folder):
    (folder / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    assert refusal(folder).startswith(f"{NAME}/manifest.json nests too deep")


def test_a_folder_that_is_not_there_is_named_without_the_servers_path(tmp_path):
    assert refusal(tmp_path / "shelf" / NAME).startswith(f"{NAME} is not a folder")


@pytest.mark.parametrize("file", ["documents.parquet", "vectors.npy", "coords.npy", "index.usearch"])
def test_a_file_linked_to_one_outside_the_folder_is_refused_even_with_a_matching_size(folder, tmp_path, file):
    outside = tmp_path / "elsewhere" / file
    outside.parent.mkdir()
    shutil.move(folder / file, outside)   # the very file the build wrote: size, contents, everything matches
    (folder / file).symlink_to(outside)
    assert f"{NAME}/{file} is a link to a file outside the collection folder" in refusal(folder)


def test_a_linked_manifest_outside_the_folder_is_refused(folder, tmp_path):
    outside = tmp_path / "manifest.json"
    shutil.move(folder / "manifest.json", outside)
    (folder / "manifest.json").symlink_to(outside)
    assert f"{NAME}/manifest.json is a link to a file outside the collection folder" in refusal(folder)


def test_a_link_is_followed_while_it_stays_inside_the_folder(folder, tmp_path):
    shutil.move(folder / "documents.parquet", folder / "documents-kept.parquet")
    (folder / "documents.parquet").symlink_to("documents-kept.parquet")
    assert open_collection(folder).text(3)
    shutil.move(folder / "documents-kept.parquet", tmp_path / "documents-kept.parquet")
    (folder / "documents-kept.parquet").symlink_to(tmp_path / "documents-kept.parquet")   # a link to a link out
    assert f"{NAME}/documents.parquet is a link to a file outside" in refusal(folder)


@pytest.mark.parametrize("file,message", [("documents.parquet", "cannot be read as Parquet"),
                                          ("vectors.npy", "is not a NumPy array file"),
                                          ("coords.npy", "is not a NumPy array file")])
def test_a_file_of_the_recorded_size_but_other_bytes_is_refused(folder, file, message):
    size = (folder / file).stat().st_size
    (folder / file).write_bytes(np.random.default_rng(0).bytes(size))
    assert refusal(folder).startswith(f"{NAME}/{file} {message}")


@pytest.mark.parametrize("page", ["app_pages/home.py", "app_pages/1_Map.py", "app_pages/2_Neighbors.py",
                                  "app_pages/3_Similarity.py"])
def test_the_app_shows_the_refusal_as_a_sentence_and_goes_on_with_the_default_corpus(folder, monkeypatch, page):
    from conftest import shown
    from test_app import start, view_of

    edit_manifest(folder, files=["documents.parquet"])
    monkeypatch.setenv("MURMURATION_COLLECTIONS", str(folder.parent))
    at = start(page, encoder="tfidf")
    at.query_params["corpus"] = f"collection: {NAME}"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [shown(error.value) for error in at.error]
    assert errors and errors[0].startswith(f"{NAME}/manifest.json is damaged: files must be")
    assert not any(str(folder.parent) in error for error in errors)
    assert view_of(at).corpus == "flutter"
