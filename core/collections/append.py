"""Appending documents to a built collection: `python -m core append COLLECTION SOURCE` (issue 22).

1. lock: `append.lock` in the folder, made exclusively; a second append is refused with a sentence, never mixed.
2. embed: the new documents with the collection's own encoder (the collection must open, so its encoder revision
   is this installation's), chunk by chunk in `append.partial/work` exactly as a build does: an interrupted
   append resumes from the chunks already embedded, and the collection is untouched until step 4.
3. write the next version of every file beside the current one (vectors-vN.npy, documents-vN.parquet,
   coords-vN.npy, index-vN.usearch): the old rows copied byte for byte (old points never move), the new rows
   after them. New points go where the map puts what is near them: for a PCA map, the same linear map (recovered
   exactly from stored rows by least squares); for UMAP, the cosine-weighted mean position of their 10 nearest
   old documents (what UMAP's own transform starts from).
4. the manifest, replaced atomically, names the new files and records the batch (count, time, source) with its
   drift verdict against the documents before it (core.analyses.drift) and the clusters that grew. A reader that
   opened the old version keeps its files (the previous version stays on disk until the next append).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from core.collections.build import ROWS_PER_CHUNK, check_engine, first_chunk, sampled_quality, work_folder
from core.collections.chunks import EmbedJob, embed_locally, save_array, write_atomically
from core.collections.collection import Collection, open_collection
from core.collections.index import AnnIndex, take_rows
from core.collections.manifest import COORDS, DOCUMENTS, FILES, INDEX, MANIFEST, VECTORS
from core.collections.sources import CollectionError, Columns, note, open_source
from core.neighbours.similarity import normalize_rows
from core.progress import progress_bar

LOCK = "append.lock"
PARTIAL = "append.partial"
NEIGHBOURS_PLACING = 10
DRIFT_SAMPLE = 5_000
COPY_BLOCK = 100_000


def append_collection(folder, source, *, engine: str = "local", address: str | None = None,
                      workers: int | None = None, rows_per_chunk: int = ROWS_PER_CHUNK,
                      progress: bool = False) -> dict:
    """Append the documents of `source` to the collection `folder`; returns the batch's record."""
    folder = Path(folder)
    check_engine(engine, address, workers)
    with locked(folder):
        collection = open_collection(folder)
        started = time.perf_counter()
        src = open_source(source)
        columns = _columns(src, collection.manifest, rows_per_chunk)
        plan = {**{key: collection.manifest[key] for key in ("format_version", "encoder", "params",
                                                             "model_revision", "dtype")},
                "appending_to": collection.digest, "source_fingerprint": src.fingerprint,
                "text_column": columns.text, "label_column": columns.label, "rows_per_chunk": rows_per_chunk}
        work = work_folder(folder / PARTIAL, plan)
        job = EmbedJob(src, columns, work, plan)
        if engine == "ray":
            from core.collections.ray_engine import embed_with_ray

            embed_with_ray(job, address=address, workers=workers, progress=progress)
        else:
            embed_locally(job, progress=progress)
        record = _write_version(collection, work, str(source), started, progress)
        shutil.rmtree(folder / PARTIAL)
        return record


@contextmanager
def locked(folder: Path):
    if not (folder / MANIFEST).is_file():
        open_collection(folder)   # says what the folder is instead
    try:
        handle = os.open(folder / LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise CollectionError(f"Another append or refit of {folder.name} is running (it holds {LOCK}); wait for it "
                              f"to finish. If none is running (a machine stopped during one), remove "
                              f"{folder.name}/{LOCK} and run the command again: an append resumes.") from None
    os.write(handle, f"{os.getpid()} {datetime.now(timezone.utc).isoformat()}\n".encode())
    os.close(handle)
    try:
        yield
    finally:
        (folder / LOCK).unlink(missing_ok=True)


def _columns(src, manifest: dict, rows_per_chunk: int) -> Columns:
    """The collection's text column (refused when the source lacks it) and its label column when present;
    columns the collection does not have are kept, empty for the older rows (and said so)."""
    path, frame = first_chunk(src, rows_per_chunk)
    have = [str(c) for c in frame.columns]
    if manifest["text_column"] not in have:
        raise CollectionError(f"{path.name} has no column '{manifest['text_column']}', the collection's "
                              f"text. Its columns are: {', '.join(have)}.")
    extra = [c for c in have if c not in manifest["columns"]]
    if extra:
        note(f"{', '.join(extra)}: not in the collection; older documents get them empty")
    return Columns(manifest["text_column"], manifest["label_column"] if manifest["label_column"] in have else None)


def _write_version(collection: Collection, work: Path, source: str, started: float, progress: bool) -> dict:
    manifest, folder = collection.manifest, collection.folder
    version = manifest.get("version", 1) + 1
    names = {file: _versioned(file, version) for file in FILES}
    chunks = sorted(work.glob("chunk-*.npy"))
    old, new = len(collection), sum(np.load(path, mmap_mode="r").shape[0] for path in chunks)
    vectors = _write_vectors(collection, chunks, folder / names[VECTORS], old + new)
    added = normalize_rows(np.asarray(vectors[old:], dtype=np.float32))
    new_texts = _write_documents(collection, chunks, folder / names[DOCUMENTS])
    coords = np.vstack([np.asarray(collection.coords), _place(collection, added, collection.coords)])
    save_array(folder / names[COORDS], coords.astype(np.float32))
    kept_maps = [_extended(collection, entry, vectors, added, version) for entry in manifest.get("maps", [])]
    index = AnnIndex.load(collection.path(INDEX), manifest["index"], in_memory=True)
    with progress_bar("index", new, enabled=progress) as bar:
        index.add(added, first_key=old, progress=lambda done, total: bar.update(done - bar.n))
    index.save(folder / names[INDEX])
    record = {"batch": len(manifest.get("batches", [])) + 1, "first_row": old, "count": new, "source": source,
              "appended": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "seconds": round(time.perf_counter() - started, 1), **_drift(collection, added, new_texts)}
    import pyarrow.parquet as pq

    stored_columns = pq.ParquetFile(folder / names[DOCUMENTS]).schema_arrow.names
    projection = {**manifest["projection"], **sampled_quality(vectors, coords)}   # the map with the new points
    updated = {**manifest, "rows": old + new, "version": version, "file_names": names, "projection": projection,
               "files": {file: (folder / names[file]).stat().st_size for file in FILES},
               "columns": manifest["columns"] + [c for c in stored_columns if c not in manifest["columns"]
                                                 and c not in ("text", "label")],
               "stored_columns": stored_columns, "batches": [*manifest.get("batches", []), record],
               **({"maps": kept_maps} if kept_maps else {})}
    write_atomically(folder / MANIFEST, json.dumps(updated, indent=2, default=str).encode())
    _remove_older_versions(folder, version)
    return record


def _extended(collection: Collection, entry: dict, vectors, added: np.ndarray, version: int) -> dict:
    """A kept map (`python -m core refit`) with the new points placed on it as on the map in use, as a file of
    the new version, and its trustworthiness measured again."""
    folder = collection.folder
    old = np.load(folder / entry["file"])
    coords = np.vstack([old, _place(collection, added, old)]).astype(np.float32)
    file = f"coords-{slug(entry['name'])}-v{version}.npy"
    save_array(folder / file, coords)
    return {**entry, "file": file, "size": (folder / file).stat().st_size,
            "projection": {**entry["projection"], **sampled_quality(vectors, coords)}}


def slug(name: str) -> str:
    """A map's name as part of a file name: 'refit 2' -> 'refit-2'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _versioned(file: str, version: int) -> str:
    stem, suffix = file.split(".", 1)
    return f"{stem}-v{version}.{suffix}"


def _write_vectors(collection: Collection, chunks, path: Path, rows: int) -> np.ndarray:
    old = collection.vectors
    vectors = np.lib.format.open_memmap(path, mode="w+", dtype=old.dtype, shape=(rows, old.shape[1]))
    for start in range(0, len(old), COPY_BLOCK):
        end = min(start + COPY_BLOCK, len(old))
        vectors[start:end] = old[start:end]
    start = len(old)
    for chunk in chunks:
        block = np.load(chunk)
        vectors[start:start + len(block)] = block
        start += len(block)
    vectors.flush()
    return vectors


def _write_documents(collection: Collection, chunks, path: Path) -> list[str]:
    """The old row groups as they are, then each chunk's (a column one side lacks is empty there); returns the
    new documents' texts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    old = pq.ParquetFile(collection.path(DOCUMENTS))
    tables = [pq.read_table(chunk.with_suffix(".parquet")) for chunk in chunks]
    schema = pa.unify_schemas([old.schema_arrow, *[table.schema for table in tables]], promote_options="permissive")
    with pq.ParquetWriter(path, schema) as writer:
        for group in range(old.num_row_groups):
            writer.write_table(_conformed(old.read_row_group(group), schema))
        for table in tables:
            writer.write_table(_conformed(table, schema))
    return [text for table in tables for text in table.column("text").to_pylist()]


def _conformed(table, schema):
    import pyarrow as pa

    return pa.Table.from_arrays([table.column(field.name).cast(field.type) if field.name in table.column_names
                                 else pa.nulls(len(table), field.type) for field in schema], schema=schema)


def _place(collection: Collection, added: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Positions on the map `coords` (of the collection's rows) for new unit vectors (see the module's step 3)."""
    if collection.manifest["projection"]["method"] == "pca":
        rows = np.sort(np.random.default_rng(0).choice(len(collection), min(len(collection), 20_000), replace=False))
        X = np.hstack([normalize_rows(np.asarray(collection.vectors[rows], dtype=np.float32)),
                       np.ones((len(rows), 1), np.float32)])
        linear, *_ = np.linalg.lstsq(X, np.asarray(coords[rows], dtype=np.float64), rcond=None)
        return np.hstack([added, np.ones((len(added), 1), np.float32)]) @ linear
    found = collection.index.search_many(added, NEIGHBOURS_PLACING)
    near = normalize_rows(take_rows(collection.vectors, np.maximum(found, 0).ravel())).reshape(
        len(added), found.shape[1], -1)
    weights = np.where(found >= 0, np.maximum(np.einsum("ij,ikj->ik", added, near), 1e-3), 0.0)
    neighbours = np.asarray(coords)[np.maximum(found, 0)]
    return (weights[..., None] * neighbours).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)[:, None]


def _drift(collection: Collection, added: np.ndarray, new_texts: list[str]) -> dict:
    """The batch against a seeded sample of the documents before it: the classifier test's score and p-value,
    and the clusters (of both together, named by their words) whose share grew most in the batch."""
    from core.analyses.drift import MIN_DOCUMENTS, drift
    from core.analyses.drift_explained import cluster_shares

    if len(added) < MIN_DOCUMENTS:
        return {"drift": None, "grew": [], "note": f"fewer than {MIN_DOCUMENTS} documents: no drift test"}
    rng = np.random.default_rng(0)
    before = np.sort(rng.choice(len(collection), min(len(collection), DRIFT_SAMPLE), replace=False))
    batch = np.sort(rng.choice(len(added), min(len(added), DRIFT_SAMPLE), replace=False))
    reference = normalize_rows(np.asarray(collection.vectors[before], dtype=np.float32))
    result = drift(reference, added[batch], seed=0)
    shares = cluster_shares(collection.texts(before) + [new_texts[i] or "" for i in batch],
                            np.vstack([reference, added[batch]]), np.r_[np.zeros(len(before)), np.ones(len(batch))])
    grown = shares[shares.change > 0].head(3)
    return {"drift": {"score": round(result.score, 4), "p_value": result.p_value, "drifted": result.drifted},
            "grew": [{"cluster": str(line.cluster), "before": round(float(line["reference share"]), 4),
                      "batch": round(float(line["current share"]), 4)} for _, line in grown.iterrows()]}


def _remove_older_versions(folder: Path, version: int) -> None:
    """The files of versions before the previous one (a reader may still hold the previous one open), kept maps'
    among them."""
    for older in range(1, version - 1):
        for file in FILES:
            (folder / (file if older == 1 else _versioned(file, older))).unlink(missing_ok=True)
        for kept in folder.glob(f"coords-*-v{older}.npy"):
            kept.unlink()


def batches_table(manifest: dict):
    """The batches appended to a collection, one line each, for people: its number, documents, when, the source
    file's name (never the server's path), the drift verdict against what came before, and what grew."""
    import pandas as pd

    lines = []
    for batch in manifest.get("batches", []):
        verdict = batch.get("drift")
        lines.append({"batch": batch["batch"], "documents": batch["count"], "appended": batch["appended"],
                      "source": Path(batch["source"]).name,
                      "drift p": None if verdict is None else verdict["p_value"],
                      "verdict": "no test" if verdict is None else drift_word(batch),
                      "grew": ", ".join(g["cluster"] for g in grown(batch))})
    return pd.DataFrame(lines)


def drift_word(batch: dict) -> str:
    return "drifted" if batch["drift"]["drifted"] else "no drift"


def drift_verdict(batch: dict) -> str:
    """'drift p = 0.003 (drifted)', or why the batch was not tested."""
    if batch["drift"] is None:
        return batch.get("note", "no drift test")
    return f"drift p = {batch['drift']['p_value']:.3g} ({drift_word(batch)})"


def grown(batch: dict) -> list[dict]:
    """The clusters that grew in a batch, when it drifted (otherwise their changes are noise)."""
    return batch["grew"] if batch["drift"] is not None and batch["drift"]["drifted"] else []
