"""MiniLM on ONNX Runtime: the export in the disk cache, its rebuild, the torch fallback, hostile input."""
import logging
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from core.encoders import get_encoder
from core.encoders import onnx_runtime


@pytest.fixture(scope="module")
def reference(sentence_transformer):
    return sentence_transformer


def test_minilm_runs_on_onnx_runtime_from_a_file_named_by_revision_opset_and_version():
    import onnxruntime

    encoder = get_encoder("minilm").fit(["x"])
    assert isinstance(encoder.runner_, onnx_runtime.OnnxRunner)
    path = onnx_runtime.model_file()
    assert path.parent == onnx_runtime.models_folder() and path.exists()
    assert f"opset{onnx_runtime.OPSET}" in path.name and f"ort{onnxruntime.__version__}" in path.name
    assert "minilm-0.1.0" in path.name


def test_without_onnxruntime_minilm_falls_back_to_torch_with_one_warning(monkeypatch, caplog, reference):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)     # "import onnxruntime" now raises ImportError
    texts = ["The heron waits by the river.", "Interest rates rose again."]
    with caplog.at_level(logging.WARNING, logger="core.encoders.onnx_runtime"):
        vectors = get_encoder("minilm").fit_transform(texts)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "torch" in warnings[0].getMessage() and "\n" not in warnings[0].getMessage()
    assert np.abs(vectors - reference.encode(texts, normalize_embeddings=True)).max() < 1e-5


def test_a_corrupt_model_file_is_rebuilt_with_a_warning(caplog, reference):
    texts = ["Swallows fly south before the winter."]
    path = onnx_runtime.model_file(quantized=True)
    path.write_bytes(b"this is not an onnx model")
    onnx_runtime._session_unlocked.cache_clear()                # a new process would open the file again
    with caplog.at_level(logging.WARNING, logger="core.encoders.onnx_runtime"):
        vectors = get_encoder("minilm-int8").fit_transform(texts)
    assert any("could not be loaded" in r.getMessage() for r in caplog.records)
    assert float(vectors[0] @ reference.encode(texts, normalize_embeddings=True)[0]) > 0.95
    assert path.stat().st_size > 1_000_000


def _build_slowly(path, log):
    def build(temporary):
        with open(log, "a") as out:
            out.write("built\n")
        time.sleep(0.5)
        temporary.write_bytes(b"model")
    onnx_runtime._build_once(path, build)


def test_two_processes_asking_at_once_build_the_file_once(tmp_path):
    path, log = tmp_path / "model.onnx", tmp_path / "builds.txt"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_build_slowly, args=(path, log)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert log.read_text() == "built\n" and path.read_bytes() == b"model"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".onnx"] == ["model.onnx"]  # no temporary left


@pytest.mark.parametrize("name", ["minilm", "minilm-torch", "minilm-int8"])
def test_hostile_documents_get_a_finite_vector_each(name):
    megabyte = ("The quick brown fox jumps over the lazy dog. " * 23_000)[:1_000_000]
    texts = ["", "   ", megabyte, "ᱚᱞ ᱪᱤᱠᱤ 𐀀𐀁𐀂 ꦗꦮ", "\x00\x01\ufffd", "ok"]
    # the whole megabyte is tokenised; 4 windows spread over it keep the test fast (the default is 64)
    vectors = get_encoder(name, max_windows=4).fit(["x"]).transform(texts)
    assert vectors.shape == (len(texts), 384) and np.isfinite(vectors).all()
    assert not vectors[:2].any()
    np.testing.assert_allclose(np.linalg.norm(vectors[2:], axis=1), 1.0, atol=1e-4)


WARM_UP_SERVER = """
import sys
from streamlit.testing.v1 import AppTest
AppTest.from_file("app.py", default_timeout=300).run()
from ui import compute
child = compute.start_warmup()
print("warm-up", "core.warmup" in child.args[-1], child.wait(timeout=600), "torch in server:", "torch" in sys.modules)
"""


ROOT = Path(__file__).resolve().parent.parent


def _with_cache(folder) -> dict:
    """This process's environment with `folder` as the disk cache and the project importable."""
    return {**os.environ, "MURMURATION_CACHE_DIR": str(folder), "PYTHONPATH": str(ROOT)}


def test_the_apps_warm_up_runs_in_a_child_process_and_keeps_torch_out_of_the_server(tmp_path):
    """The warm-up child loads what the visitors' pages will use. Its cache starts with the session's export (the
    test session exports MiniLM once; the next test sees a warm-up export it in a child)."""
    get_encoder("minilm").fit(["x"])   # the session's export, if no test made it yet
    models = tmp_path / "models"
    models.mkdir()
    model = models / onnx_runtime.model_file().name
    model.write_bytes(onnx_runtime.model_file().read_bytes())
    written = model.stat().st_mtime_ns
    done = subprocess.run([sys.executable, "-c", WARM_UP_SERVER], cwd=ROOT, env=_with_cache(tmp_path),
                          capture_output=True, text=True, timeout=900)
    assert done.stdout.strip().endswith("warm-up True 0 torch in server: False"), done.stdout + done.stderr
    assert model.stat().st_mtime_ns == written   # used, not exported again


def test_a_warm_up_stopped_during_the_export_leaves_no_half_written_model(tmp_path):
    from core import warmup

    child = subprocess.Popen([sys.executable, "-c", warmup.COMMAND], cwd=ROOT, env=_with_cache(tmp_path),
                             stderr=subprocess.PIPE, text=True)
    for line in child.stderr:   # the export is announced, then takes seconds (torch's import, the tracing)
        if "Preparing" in line:
            break
    time.sleep(1)
    assert list((tmp_path / "models").glob(".minilm-*.onnx"))   # the export is being written
    child.terminate()
    assert child.wait(timeout=120) == 143
    assert list((tmp_path / "models").glob("*.onnx")) == []     # neither the half-written file nor a model
