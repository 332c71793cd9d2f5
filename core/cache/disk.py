"""Arrays persisted by their artifact key, so a restart recomputes nothing.

One `.npz` file per key holding one or more named arrays (no pickles: loaded with
allow_pickle=False). Writes go to a temporary file in the same folder and are renamed into place,
so a reader never sees a torn file. A lock file per key (`filelock`, so it works on Windows too)
makes a second process wait for the first one's result instead of computing it too.
Read-only seed folders (artifacts shipped with the app) are consulted after the writable folder.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from filelock import FileLock

ENV_FOLDER = "MURMURATION_CACHE_DIR"


def default_folder() -> Path | None:
    """$MURMURATION_CACHE_DIR, or ~/.cache/murmuration; "off" disables the disk cache."""
    value = os.environ.get(ENV_FOLDER, "")
    if value.lower() == "off":
        return None
    return Path(value) if value else Path.home() / ".cache" / "murmuration"


class DiskCache:
    def __init__(self, folder: Path | str | None, seeds: tuple[Path, ...] = ()):
        self.folder = Path(folder) if folder else None
        self.seeds = tuple(Path(s) for s in seeds)
        if self.folder:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError:  # a read-only home: run without persistence rather than fail
                self.folder = None

    def load(self, digest: str) -> tuple[dict[str, np.ndarray], dict] | None:
        for folder in ((self.folder,) if self.folder else ()) + self.seeds:
            path = folder / f"{digest}.npz"
            if path.exists():
                try:
                    with np.load(path, allow_pickle=False) as stored:
                        arrays = {name: stored[name] for name in stored.files if name != "meta"}
                        return arrays, json.loads(str(stored["meta"]))
                except (OSError, ValueError, KeyError):
                    continue  # unreadable: compute again and overwrite
        return None

    def save(self, digest: str, arrays: dict[str, np.ndarray], meta: dict) -> None:
        if not self.folder:
            return
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{digest}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **{name: np.asarray(a) for name, a in arrays.items()},
                         meta=np.array(json.dumps(meta, default=str)))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.folder / f"{digest}.npz")
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def get_or_compute(self, digest: str, compute) -> tuple[dict[str, np.ndarray], dict]:
        """The stored ({name: array}, meta), or `compute()`'s, stored for next time."""
        found = self.load(digest)
        if found is not None:
            return found
        with self._lock(digest):
            found = self.load(digest)  # another process may have finished while we waited
            if found is not None:
                return found
            arrays, meta = compute()
            self.save(digest, arrays, meta)
            return arrays, meta

    @contextmanager
    def _lock(self, digest: str):
        if not self.folder:
            yield
            return
        with FileLock(self.folder / f".{digest}.lock"):
            yield
