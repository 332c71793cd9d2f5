"""Quality results kept in a collection folder by `python -m core quality COLLECTION`, so that the app lists and
colours a million documents' findings without searching the index again:

    quality/neighbours.npy   (n, k) int32, each document's k nearest rows (-1 where fewer were found)
    quality/cosines.npy      (n, k) float32, their exact cosines
    quality/report.parquet   one line a document (core.quality.quality_report) at the threshold below
    quality/quality.json     the build it belongs to (the manifest's digest, the map left out), k, threshold, the label sentence and
                             every file's size: written last, so a folder without it (or not matching) is ignored

A rebuilt collection has another manifest, so results of an earlier build are never read for it.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from core.cache.keys import key_digest
from core.collections.manifest import check_inside
from core.collections.sources import CollectionError

FOLDER = "quality"
NEIGHBOURS, COSINES, REPORT, META = "neighbours.npy", "cosines.npy", "report.parquet", "quality.json"


MAP_ENTRIES = ("projection", "maps", "map_name")


def build_digest(manifest: dict) -> str:
    """Names the collection's documents and vectors: another build or an append changes it, another map in use
    (`python -m core maps --use`) does not, as the neighbours do not depend on the map."""
    from core.collections.manifest import COORDS

    content = {key: value for key, value in manifest.items() if key not in MAP_ENTRIES}
    for key in ("files", "file_names"):
        content[key] = {file: value for file, value in manifest.get(key, {}).items() if file != COORDS}
    return key_digest({"collection documents": content})


def store(collection, graph: tuple[np.ndarray, np.ndarray], report: pd.DataFrame, *, threshold: float,
          label_note: str) -> Path:
    """Write the neighbour table and the report into the collection's quality/ folder, replacing earlier ones."""
    rows, cosines = graph
    final, partial = collection.folder / FOLDER, collection.folder / f"{FOLDER}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    np.save(partial / NEIGHBOURS, np.asarray(rows, dtype=np.int32))
    np.save(partial / COSINES, np.asarray(cosines, dtype=np.float32))
    report.to_parquet(partial / REPORT, index=False)
    meta = {"digest": build_digest(collection.manifest), "rows": len(collection), "k": int(rows.shape[1]),
            "threshold": float(threshold), "label_note": label_note,
            "files": {name: (partial / name).stat().st_size for name in (NEIGHBOURS, COSINES, REPORT)}}
    (partial / META).write_text(json.dumps(meta, indent=1))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(partial, final)
    return final


class StoredQuality:
    """What `store` wrote for this very build of the collection (see `stored`)."""

    def __init__(self, folder: Path, meta: dict):
        self.folder, self.meta = folder, meta
        self.k, self.threshold, self.label_note = meta["k"], meta["threshold"], meta["label_note"]

    def neighbour_table(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        rows = np.load(self.folder / NEIGHBOURS, mmap_mode="r")[:, :k]
        cosines = np.load(self.folder / COSINES, mmap_mode="r")[:, :k]
        return np.asarray(rows, dtype=np.int64), np.asarray(cosines)

    def report(self) -> pd.DataFrame:
        return pd.read_parquet(self.folder / REPORT)


def stored(collection) -> StoredQuality | None:
    """The collection's stored quality results, or None when there are none for this build (never computed,
    computed for an earlier build, or a file changed since)."""
    folder = collection.folder / FOLDER
    try:
        meta = json.loads((folder / META).read_text())
        check_inside(collection.folder, [f"{FOLDER}/{name}" for name in (META, *meta["files"])])
        intact = all((folder / name).stat().st_size == size for name, size in meta["files"].items())
        arrays = [np.load(folder / name, mmap_mode="r") for name in (NEIGHBOURS, COSINES)]
        shapes_fit = all(array.shape == (len(collection), meta["k"]) for array in arrays)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, CollectionError):
        return None
    if meta.get("digest") != build_digest(collection.manifest) or not intact or not shapes_fit:
        return None
    return StoredQuality(folder, meta)
