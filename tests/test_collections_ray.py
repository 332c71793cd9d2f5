"""The Ray engine of a collection build: the same collection as the local engine (the reference), built as Ray Data
batch inference. One local Ray cluster serves the whole module (each start costs 13-18 s on 2 cores)."""
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest

from core import open_collection
from core.__main__ import main
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents

pytest.importorskip("ray.data", reason="the Ray engine needs requirements-scale.txt (in the dev requirements)")

ROWS, CHUNK = 3000, 700   # 5 chunks, the last one short; short rows, spread over the actors in blocks


@pytest.fixture(scope="module")
def ray_cluster():
    from core.collections.ray_engine import ray_session

    with ray_session():
        yield


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source")
    frame = synthetic_documents(ROWS, seed=5)
    frame.loc[11, "text"] = ""   # an empty document keeps its row
    frame.loc[12, "label"] = None
    frame.to_csv(folder / "docs.csv", index=False)
    return folder / "docs.csv"


@pytest.fixture(scope="module")
def local_and_ray(source, ray_cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("built")
    options = dict(encoder="minilm-static", rows_per_chunk=CHUNK, projection="pca")
    local = build_collection(source, out=folder / "local", **options)
    ray = build_collection(source, out=folder / "ray", engine="ray", workers=2, **options)
    return local, ray


def test_ray_builds_the_same_vectors_in_the_same_order_as_the_local_engine(local_and_ray):
    local, ray = (open_collection(path) for path in local_and_ray)
    assert len(ray) == len(local) == ROWS
    assert np.abs(np.asarray(ray.vectors) - np.asarray(local.vectors)).max() <= 1e-5
    assert [ray.text(i) for i in range(ROWS)] == [local.text(i) for i in range(ROWS)]
    assert ray.manifest["engine"] == "ray" and local.manifest["engine"] == "local"


def test_ray_writes_the_same_documents_map_and_index(local_and_ray):
    local, ray = local_and_ray
    assert pq.read_table(ray / "documents.parquet").equals(pq.read_table(local / "documents.parquet"))
    np.testing.assert_allclose(np.load(ray / "coords.npy"), np.load(local / "coords.npy"), atol=1e-4)
    collection = open_collection(ray)
    found = collection.search(7, 5)
    assert found.indices.tolist() == open_collection(local).search(7, 5).indices.tolist()


def test_the_ray_vectors_are_the_encoders_vectors_of_each_row(local_and_ray, source):
    """Against the source itself: row i's vector is the encoder's vector of the source's text i."""
    import pandas as pd

    from core.encoders import get_encoder

    texts = pd.read_csv(source, dtype=str, keep_default_na=False)["text"].tolist()
    reference = get_encoder("minilm-static").fit(["x"]).transform(texts)
    np.testing.assert_allclose(open_collection(local_and_ray[1]).vectors, reference, atol=1e-6)


def test_ray_resumes_a_build_the_local_engine_began(source, ray_cluster, tmp_path, monkeypatch):
    from test_collections import interrupt_after_two_chunks

    interrupt_after_two_chunks(monkeypatch)
    out = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        build_collection(source, encoder="minilm-static", out=out, rows_per_chunk=CHUNK, projection="pca")
    monkeypatch.undo()
    work = out.with_name("resumed.building") / "work"
    assert sorted(path.name for path in work.glob("chunk-*.npy")) == ["chunk-000000.npy", "chunk-000001.npy"]
    planted = -np.load(work / "chunk-000001.npy")   # a stored chunk that Ray must keep, not embed again
    np.save(work / "chunk-000001.npy", planted)
    build_collection(source, encoder="minilm-static", out=out, rows_per_chunk=CHUNK, projection="pca", engine="ray")
    whole = build_collection(source, encoder="minilm-static", out=tmp_path / "whole", rows_per_chunk=CHUNK,
                             projection="pca")
    resumed, reference = open_collection(out).vectors, open_collection(whole).vectors
    np.testing.assert_array_equal(resumed[CHUNK:2 * CHUNK], planted)
    np.testing.assert_array_equal(np.delete(resumed, np.s_[CHUNK:2 * CHUNK], axis=0),
                                  np.delete(reference, np.s_[CHUNK:2 * CHUNK], axis=0))
    assert open_collection(out).manifest["engine"] == "ray"


def test_an_error_inside_ray_reaches_the_user_as_one_sentence(tmp_path, ray_cluster, capsys):
    folder = tmp_path / "mixed"
    folder.mkdir()
    docs = synthetic_documents(300, seed=3)
    docs.iloc[:200].to_csv(folder / "a.csv", index=False)
    docs.iloc[200:][["id", "label"]].to_csv(folder / "b.csv", index=False)   # read by the Ray task, not here
    assert main(["build", str(folder), "--encoder", "minilm-static", "--out", str(tmp_path / "out"),
                 "--engine", "ray", "--batch-size", "100", "--projection", "pca"]) == 2
    err = capsys.readouterr().err
    assert err.endswith("error: b.csv has no column 'text' for the text. Its columns are: id, label.\n"), err
    assert "Traceback" not in err and "retr" not in err   # nor Ray's advice on retries


def test_an_address_where_no_cluster_listens_is_refused_in_seconds(source, tmp_path, capsys):
    assert main(["build", str(source), "--encoder", "minilm-static", "--out", str(tmp_path / "x"),
                 "--engine", "ray", "--address", "127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "Cannot join the Ray cluster at 127.0.0.1:9" in err and "ray start --head" in err
    assert not (tmp_path / "x").exists()


def test_without_ray_the_engine_names_the_requirements_to_install(source, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)   # `import ray` now fails as if it were not installed
    monkeypatch.setitem(sys.modules, "ray.data", None)
    assert main(["build", str(source), "--encoder", "minilm-static", "--out", str(tmp_path / "x"),
                 "--engine", "ray"]) == 2
    assert "pip install -r requirements-scale.txt" in capsys.readouterr().err
