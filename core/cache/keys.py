"""Explicit keys for computed artifacts: what a cache, an export and a share link carry."""
from __future__ import annotations

import hashlib
import json

FORMAT_VERSION = 1


def artifact_key(*, corpus_fingerprint: str, encoder: str, params: dict, model_revision: str, **extra) -> dict:
    """Everything that decides an artifact's content, plus a format version to invalidate old caches."""
    key = {"version": FORMAT_VERSION, "corpus": corpus_fingerprint, "encoder": encoder,
           "params": dict(sorted(params.items())), "model_revision": model_revision}
    key.update(extra)
    return key


def key_digest(key: dict) -> str:
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:20]
