"""A new map of every document of a collection, aligned to the one in use: `python -m core refit COLLECTION`.

After appends, the map holds points placed one batch at a time around a layout fitted before them. A refit lays
out every document again, starting from where each one is now, so that the new map reads like the old one:

- `sample` (the default): UMAP fitted on a seeded sample as a build does, its start the sample's current
  positions, the rest placed by transform; PCA collections fit PCA again.
- `full`: UMAP on every document with the collection's own kNN graph (its stored quality neighbours, else a
  search of the ANN index) as `precomputed_knn`, starting from every document's current position.

The new map is then turned, scaled and shifted onto the old (orthogonal Procrustes, reflection allowed), and
the command reports how far points moved and the trustworthiness before and after on one seeded sample. It is
kept beside the map in use (`maps` in the manifest) until `python -m core maps COLLECTION --use NAME` switches
to it; the map it replaces is kept in turn, so a switch can be undone.
"""
from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from core.collections.append import locked, slug
from core.collections.build import MAP_SAMPLE, map_coords, sampled_quality
from core.collections.chunks import save_array, write_atomically
from core.collections.collection import Collection, open_collection
from core.collections.manifest import COORDS, MANIFEST, file_path
from core.collections.sources import CollectionError
from core.progress import progress_bar

MODES = ("sample", "full")
FULL_K = 15           # UMAP's neighbourhood
# From a good start, a shorter and gentler optimisation than UMAP's (200 epochs at rate 1 for big data) keeps more
# of the layout and of its trustworthiness: anime quotes with the Flutter flits appended, 0.851 at 100/0.25 against
# 0.820 at 100/1 (the median point moved 0.56 and 0.73 of the map's spread).
FULL_EPOCHS = 100
FULL_LEARNING_RATE = 0.25
BUILT = "built"


def refit_collection(folder, *, mode: str = "sample", seed: int = 0, map_sample: int = MAP_SAMPLE,
                     progress: bool = False) -> dict:
    """Compute and keep a new map of the collection `folder` aligned to the one in use; returns its record."""
    if mode not in MODES:
        raise CollectionError(f"--map must be one of {', '.join(MODES)}, not {mode}.")
    folder = Path(folder)
    with locked(folder):
        collection = open_collection(folder)
        started = time.perf_counter()
        old = np.asarray(collection.coords, dtype=np.float64)
        method = collection.manifest["projection"]["method"]
        if mode == "full" and method == "umap":
            coords, info = _full_umap(collection, old.astype(np.float32), seed, progress)
        else:
            coords, info = map_coords(collection.vectors, method, map_sample, seed, progress,
                                      init=old.astype(np.float32) if method == "umap" else None)
        aligned = align(coords, old).astype(np.float32)
        name = _next_name(collection.manifest)
        record = {"name": name, "file": f"coords-{slug(name)}-v{collection.manifest.get('version', 1)}.npy",
                  "made": datetime.now(timezone.utc).isoformat(timespec="seconds"), "mode": mode,
                  "seconds": round(time.perf_counter() - started, 1),
                  "projection": {**info, **sampled_quality(collection.vectors, aligned, seed), "mode": mode,
                                 "moved": movement(aligned.astype(np.float64), old)},
                  "before": {key: value for key, value in sampled_quality(collection.vectors, old, seed).items()
                             if key in ("trustworthiness", "continuity")}}
        save_array(folder / record["file"], aligned)
        record["size"] = (folder / record["file"]).stat().st_size
        manifest = {**collection.manifest, "maps": [*collection.manifest.get("maps", []), record]}
        write_atomically(folder / MANIFEST, json.dumps(manifest, indent=2, default=str).encode())
        return record


def _next_name(manifest: dict) -> str:
    """'refit N', N one more than any refit's number among the map in use and the kept ones."""
    names = [manifest.get("map_name", BUILT)] + [entry["name"] for entry in manifest.get("maps", [])]
    numbers = [int(match.group(1)) for match in map(re.compile(r"refit (\d+)$").match, names) if match]
    return f"refit {max(numbers, default=0) + 1}"


def _full_umap(collection: Collection, start: np.ndarray, seed: int, progress: bool) -> tuple[np.ndarray, dict]:
    """UMAP on every document from the collection's kNN graph (itself first, as UMAP's own search gives it)."""
    from core.maps.projection import import_umap

    n = len(collection)
    started = time.perf_counter()
    rows, cosines = _neighbours(collection, progress)
    k = min(FULL_K, rows.shape[1])
    knn = np.hstack([np.arange(n)[:, None], rows[:, :k]]).astype(np.int64)
    distances = np.hstack([np.zeros((n, 1)), 1.0 - cosines[:, :k]]).astype(np.float32)
    distances[knn < 0] = np.inf
    searched = time.perf_counter()
    umap = import_umap()
    reducer = umap.UMAP(n_components=2, n_neighbors=k + 1, metric="cosine", min_dist=0.1, random_state=seed,
                        n_jobs=1, init=start, precomputed_knn=(knn, distances), n_epochs=FULL_EPOCHS,
                        learning_rate=FULL_LEARNING_RATE)
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*knn_search_index.*")   # no transform needed: every row is in
        coords = reducer.fit_transform(start).astype(np.float32)
    info = {"method": "umap", "fitted_on": n, "distinct_fitted": n, "placed_by": "fit", "pca_first": 0,
            "seed": seed, "neighbours": k, "epochs": FULL_EPOCHS, "learning_rate": FULL_LEARNING_RATE,
            "neighbours_s": round(searched - started, 1), "layout_s": round(time.perf_counter() - searched, 1)}
    return coords, info


def _neighbours(collection: Collection, progress: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every document's FULL_K nearest: those `python -m core quality` stored (its k, 10 by default, is enough for
    UMAP and saves the search: 43 minutes at 1,100,000 documents on 2 cores), else a search of the index."""
    from core.quality.stored import stored

    kept = stored(collection)
    if kept is not None:
        return kept.neighbour_table(min(FULL_K, kept.k))
    with progress_bar("neighbours", len(collection), enabled=progress) as bar:
        return collection.neighbour_table(FULL_K, progress=lambda done, total: bar.update(done - bar.n))


def align(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """`new` turned (or mirrored), scaled and shifted to lie as close as possible to `old`, point by point (the
    orthogonal Procrustes solution, by least squares over every point)."""
    new, old = np.asarray(new, dtype=np.float64), np.asarray(old, dtype=np.float64)
    new_mean, old_mean = new.mean(axis=0), old.mean(axis=0)
    a, b = new - new_mean, old - old_mean
    u, s, vt = np.linalg.svd(a.T @ b)
    rotation = u @ vt
    scale = s.sum() / max((a ** 2).sum(), 1e-300)
    return scale * a @ rotation + old_mean


def movement(aligned: np.ndarray, old: np.ndarray) -> dict:
    """How far points moved, in units of the old map's spread (the root mean square distance of its points from
    their centre): the median, the 90th percentile, and the share that moved more than a tenth of it."""
    spread = float(np.sqrt(((old - old.mean(axis=0)) ** 2).sum(axis=1).mean())) or 1.0
    moved = np.linalg.norm(aligned - old, axis=1) / spread
    return {"median": round(float(np.median(moved)), 4), "p90": round(float(np.quantile(moved, 0.9)), 4),
            "share_over_0.1": round(float((moved > 0.1).mean()), 4)}


def use_map(folder, name: str) -> dict:
    """Make the kept map `name` the one in use; the map it replaces is kept under its own name. Returns the
    manifest written."""
    folder = Path(folder)
    with locked(folder):
        manifest = open_collection(folder).manifest
        kept = {entry["name"]: entry for entry in manifest.get("maps", [])}
        if name not in kept:
            names = ", ".join(kept) or "none (run `python -m core refit` first)"
            raise CollectionError(f"{folder.name} has no kept map named '{name}'. Kept maps: {names}.")
        chosen = kept.pop(name)
        current = {"name": manifest.get("map_name", BUILT), "file": file_path(folder, manifest, COORDS).name,
                   "size": manifest["files"][COORDS], "projection": manifest["projection"]}
        updated = {**manifest, "map_name": name, "projection": chosen["projection"],
                   "file_names": {**manifest.get("file_names", {}), COORDS: chosen["file"]},
                   "files": {**manifest["files"], COORDS: chosen["size"]},
                   "maps": [*kept.values(), current]}
        write_atomically(folder / MANIFEST, json.dumps(updated, indent=2, default=str).encode())
        return updated


def maps_table(manifest: dict):
    """The map in use and the kept ones, a line each: name, method, trustworthiness, continuity, and for a refit
    how far its points lay from those of the map in use when it was made (the median, in units of its spread)."""
    import pandas as pd

    def line(name, projection, in_use):
        return {"map": name, "in use": in_use, "method": projection.get("method"),
                "mode": projection.get("mode", "build"), "trustworthiness": projection.get("trustworthiness"),
                "continuity": projection.get("continuity"),
                "median move": projection.get("moved", {}).get("median")}

    lines = [line(manifest.get("map_name", BUILT), manifest["projection"], True)]
    lines += [line(entry["name"], entry["projection"], False) for entry in manifest.get("maps", [])]
    return pd.DataFrame(lines)
