import multiprocessing
import time

import numpy as np

import core
from core.cache.disk import DiskCache
from core.encoders.base import Encoder
from core.cache.keys import key_digest
from core.pipeline import embedding_key, map_coordinates


def test_round_trip_returns_identical_arrays(tmp_path):
    cache = DiskCache(tmp_path)
    array = np.random.default_rng(0).normal(size=(50, 7)).astype(np.float32)
    cache.save("k1", {"array": array, "ids": np.arange(3)}, {"key": {"a": 1}, "seconds": 1.5})
    arrays, meta = DiskCache(tmp_path).load("k1")
    loaded = arrays["array"]
    assert np.array_equal(arrays["ids"], np.arange(3)) and loaded.dtype == np.float32 and np.array_equal(loaded, array)
    assert meta == {"key": {"a": 1}, "seconds": 1.5}
    assert not list(tmp_path.glob("*.tmp"))


def count_encoder_calls(monkeypatch) -> list[str]:
    """A list that grows by "fit" or "transform" whenever any encoder does either."""
    calls = []
    for name in ("fit", "transform"):
        def counted(self, *args, _original=getattr(Encoder, name), _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)
        monkeypatch.setattr(Encoder, name, counted)
    return calls


def test_embeddings_survive_a_restart_without_recomputing(tmp_path, flutter, monkeypatch):
    calls = count_encoder_calls(monkeypatch)
    first = core.embed(flutter, "lsa", cache=DiskCache(tmp_path))
    assert calls == ["fit", "transform"]  # the counter sees a real computation
    calls.clear()
    second = core.embed(flutter, "lsa", cache=DiskCache(tmp_path))  # a new cache object: as after a restart
    assert calls == [], "the stored embeddings were recomputed"
    assert np.array_equal(first.vectors, second.vectors) and second.seconds == first.seconds
    assert np.array_equal(second.vectors, core.embed(flutter, "lsa").vectors)  # and they are the right ones
    assert second.encoder.transform(["a bird"]).shape == (1, first.dimension)  # fitted lazily when needed
    coords = map_coordinates(first, cache=DiskCache(tmp_path))
    assert np.array_equal(coords, map_coordinates(second, cache=DiskCache(tmp_path)))


def _slow_writer(folder, marker):
    def compute():
        with open(marker, "a") as out:
            out.write("computed\n")
        time.sleep(0.5)
        return {"array": np.arange(1000, dtype=np.float32)}, {"seconds": 0.5}

    DiskCache(folder).get_or_compute("shared", compute)


def test_two_concurrent_writers_leave_one_valid_file_and_compute_once(tmp_path):
    marker = tmp_path / "marker.txt"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_slow_writer, args=(tmp_path / "cache", marker)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert all(worker.exitcode == 0 for worker in workers)
    assert marker.read_text().count("computed") == 1
    files = list((tmp_path / "cache").glob("*.npz"))
    assert len(files) == 1 and np.array_equal(DiskCache(tmp_path / "cache").load("shared")[0]["array"], np.arange(1000))


def test_corrupt_file_is_recomputed(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    cache = DiskCache(tmp_path)
    arrays, _ = cache.get_or_compute("bad", lambda: ({"array": np.ones(3)}, {}))
    assert np.array_equal(arrays["array"], np.ones(3)) and np.array_equal(cache.load("bad")[0]["array"], np.ones(3))


def test_shipped_seed_matches_a_fresh_computation(root, flutter, flutter_minilm):
    seed = DiskCache(None, seeds=(root / "data" / "cache",))
    stored = seed.load(key_digest(embedding_key(flutter, "minilm")))
    assert stored is not None, "data/cache is stale: run python -m core precompute flutter --encoder minilm"
    fresh = flutter_minilm.vectors   # core.embed without a disk cache: computed, never read from the seed
    assert np.abs(stored[0]["array"] - fresh).max() < 1e-5
