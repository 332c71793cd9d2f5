"""Building a collection from a source, chunk by chunk.

1. embed: read the source in chunks of `rows_per_chunk`, encode each, and store it in the work folder
   (chunk-NNNNNN.parquet and .npy in the folder `work` inside `OUT.building`, each written atomically, the vectors
   last). A rerun after an interruption skips the chunks already stored, if the source, encoder and options are the
   same. The engine that encodes is pluggable: `local` (this process, core.collections.chunks) or `ray` (Ray Data,
   `core.collections.ray_engine`); both take an `EmbedJob` and store the same chunks, so either resumes the other.
2. assemble: documents.parquet (a row group per chunk) and vectors.npy, streamed chunk by chunk.
3. map: 2D coordinates. UMAP is fitted on a seeded sample (on its 50-d PCA) and places the other documents
   with `transform`; or PCA (fitted on the sample). UMAP maps each distinct vector once: copies of a document
   go beside it. Trustworthiness is measured on a sample.
4. index: the ANN index over the vectors.
5. manifest, then the building folder is renamed to OUT: nothing half-written is ever opened.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from core.collections.chunks import EmbedJob, embed_locally, save_array, write_atomically
from core.collections.manifest import COORDS, DOCUMENTS, FORMAT_VERSION, INDEX, MANIFEST, VECTORS
from core.collections.index import AnnIndex
from core.collections.sources import (CollectionError, Columns, Source, choose_columns, note, open_source,
                                      read_chunks)
from core.progress import progress_bar
from core.maps.copies import distinct_rows, place_copies
from core.maps.projection import import_umap
from core.neighbours.similarity import normalize_rows

ROWS_PER_CHUNK = 10_000
MAP_SAMPLE = 20_000
MIN_ROWS = 10   # UMAP's and the trust measures' smallest sensible sample
TRUST_SAMPLE = 3_000
MAP_PCA_DIMS = 50
PROJECTIONS = ("umap", "pca")
DTYPES = ("float32", "float16")
ENGINES = ("local", "ray")


def build_collection(source, *, encoder: str, out, text_column: str | None = None, label_column: str | None = None,
                     rows_per_chunk: int = ROWS_PER_CHUNK, dtype: str = "float32", projection: str = "umap",
                     params: dict | None = None, map_sample: int = MAP_SAMPLE, seed: int = 0,
                     engine: str = "local", address: str | None = None, workers: int | None = None,
                     progress: bool = False) -> Path:
    """Build the collection folder `out` from `source`; returns its path. See the module's steps. `address` and
    `workers` are the Ray engine's: the cluster to join (default: start a local one) and its number of actors."""
    from core.encoders import ENCODERS, default_params, get_encoder

    out = Path(out)
    _check_options(encoder, dtype, projection, rows_per_chunk, out, ENCODERS)
    check_engine(engine, address, workers)
    src = open_source(source)
    for message in src.skipped:
        note(message)
    params = {**default_params(encoder), **(params or {})}
    model = get_encoder(encoder, **params)
    plan = {"format_version": FORMAT_VERSION, "encoder": encoder, "params": model.get_params(),
            "model_revision": model.model_revision, "source_fingerprint": src.fingerprint,
            "text_column": text_column, "label_column": label_column, "rows_per_chunk": rows_per_chunk,
            "dtype": dtype}
    building = out.with_name(out.name + ".building")
    work = work_folder(building, plan)
    timings = {}
    started = time.perf_counter()
    columns, source_columns = _first_columns(src, plan)
    job = EmbedJob(src, columns, work, plan)
    if engine == "ray":
        from core.collections.ray_engine import embed_with_ray

        embed_with_ray(job, address=address, workers=workers, progress=progress)
    else:
        embed_locally(job, progress=progress)
    timings["embed_s"] = time.perf_counter() - started
    rows, dims = _assemble(work, building, dtype)
    if rows < MIN_ROWS:
        shutil.rmtree(building)
        raise CollectionError(f"A collection needs at least {MIN_ROWS} documents to draw a map; this source has "
                              f"{rows}. Upload a small corpus on the app's home page instead.")
    vectors = np.load(building / VECTORS, mmap_mode="r")
    t = time.perf_counter()
    coords, projection_info = map_coords(vectors, projection, map_sample, seed, progress)
    save_array(building / COORDS, coords)
    timings["map_s"] = time.perf_counter() - t
    t = time.perf_counter()
    index = _index(vectors, progress)
    index.save(building / INDEX)
    timings["index_s"] = time.perf_counter() - t
    manifest = {**plan, "rows": rows, "dimensions": dims, "columns": source_columns, "source": str(source),
                "text_column": columns.text, "label_column": columns.label,
                "stored_columns": _stored_columns(building), "projection": projection_info,
                "index": index.manifest, "engine": engine, "build_seconds": timings,
                "files": {name: (building / name).stat().st_size for name in (DOCUMENTS, VECTORS, COORDS, INDEX)}}
    t = time.perf_counter()
    _topics(building, coords, progress)
    timings["topics_s"] = time.perf_counter() - t
    write_atomically(building / MANIFEST, json.dumps(manifest, indent=2, default=str).encode())
    shutil.rmtree(work)
    os.rename(building, out)
    return out


def _check_options(encoder, dtype, projection, rows_per_chunk, out: Path, encoders) -> None:
    if encoder not in encoders:
        raise CollectionError(f"Unknown encoder '{encoder}'. Known encoders: {', '.join(encoders)}.")
    if encoders[encoder].needs_corpus_fit:
        usable = ", ".join(name for name, info in encoders.items() if not info.needs_corpus_fit)
        raise CollectionError(f"{encoder} is fitted on the whole corpus, which a build reads one chunk at a time; "
                              f"use one of: {usable}.")
    if dtype not in DTYPES:
        raise CollectionError(f"--dtype must be one of {', '.join(DTYPES)}, not {dtype}.")
    if projection not in PROJECTIONS:
        raise CollectionError(f"--projection must be one of {', '.join(PROJECTIONS)}, not {projection}.")
    if rows_per_chunk < 1:
        raise CollectionError("--batch-size must be at least 1.")
    if out.exists():
        raise CollectionError(f"{out} already exists; remove it or choose another --out.")


def work_folder(building: Path, plan: dict) -> Path:
    """The work folder of an unfinished build of the same plan, or a fresh one (an old plan's is discarded)."""
    work = building / "work"
    plan_file = work / "plan.json"
    if building.exists():
        stored = json.loads(plan_file.read_text()) if plan_file.is_file() else None
        if stored != plan:
            note(f"discarding the unfinished build in {building}: it was made from another source or with "
                 "other options")
            shutil.rmtree(building)
        else:
            note(f"resuming the unfinished build in {building}")
    work.mkdir(parents=True, exist_ok=True)
    if not plan_file.is_file():
        write_atomically(plan_file, json.dumps(plan, sort_keys=True).encode())
    return work


def check_engine(engine: str, address: str | None, workers: int | None) -> None:
    if engine not in ENGINES:
        raise CollectionError(f"--engine must be one of {', '.join(ENGINES)}, not {engine}.")
    if engine != "ray" and (address is not None or workers is not None):
        raise CollectionError("--address and --workers are options of the Ray engine; add --engine ray.")
    if workers is not None and workers < 1:
        raise CollectionError("--workers must be at least 1.")
    if engine == "ray":
        from core.collections.ray_engine import require_ray

        require_ray()


def _first_columns(src: Source, plan: dict) -> tuple[Columns, list[str]]:
    """The text and label columns (named, or guessed from the first chunk), and the source's columns."""
    path, frame = first_chunk(src, plan["rows_per_chunk"])
    return choose_columns(path, frame, plan["text_column"], plan["label_column"]), [str(c) for c in frame.columns]


def first_chunk(src: Source, rows_per_chunk: int):
    """The source's first chunk and the file it comes from (what its columns are judged by)."""
    for path in src.files:
        for frame in read_chunks(path, rows_per_chunk):
            return path, frame
    raise CollectionError("The source holds no documents.")


def _assemble(work: Path, building: Path, dtype: str) -> tuple[int, int]:
    """documents.parquet and vectors.npy from the chunks, one chunk in memory at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    chunks = sorted(work.glob("chunk-*.npy"))
    shapes = [np.load(path, mmap_mode="r").shape for path in chunks]
    rows, dims = sum(s[0] for s in shapes), shapes[0][1]
    vectors = np.lib.format.open_memmap(building / VECTORS, mode="w+", dtype=dtype, shape=(rows, dims))
    schema, writer, start = None, None, 0
    for path in chunks:
        block = np.load(path)
        vectors[start:start + len(block)] = block
        start += len(block)
        table = pq.read_table(path.with_suffix(".parquet"))
        if schema is None:
            schema = table.schema
            writer = pq.ParquetWriter(building / DOCUMENTS, schema)
        columns = [table.column(f.name) if f.name in table.column_names else pa.nulls(len(table), pa.string())
                   for f in schema]
        writer.write_table(pa.Table.from_arrays(columns, schema=schema))
    writer.close()
    vectors.flush()
    del vectors
    return rows, dims


def _stored_columns(building: Path) -> list[str]:
    import pyarrow.parquet as pq

    return pq.ParquetFile(building / DOCUMENTS).schema_arrow.names


def map_coords(vectors, projection: str, map_sample: int, seed: int, progress: bool,
               init: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """2D coordinates for every row, fitted on a sample and placed by transform, and how to trust them. The
    progress bar counts documents, fitted or placed. `init`: every row's position on an earlier map, where a UMAP
    fit starts (a refit), instead of its spectral layout."""
    n = len(vectors)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, min(n, map_sample), replace=False))
    coords = np.zeros((n, 2), dtype=np.float32)
    step = 20_000
    placed = np.ones(n, dtype=bool)
    X = normalize_rows(vectors[sample])
    first, copy_of = distinct_rows(X)
    _explain_copies(projection, len(first), len(X))
    with progress_bar(f"map ({projection})", n, enabled=progress) as bar:
        fitted = _fit_projection(X, first, copy_of, projection, seed, None if init is None else init[sample])
        if fitted.embedding is not None:
            coords[sample], placed[sample] = fitted.embedding, False   # the sample keeps its fitted positions
            bar.update(len(sample))
        for start in range(0, n, step):
            rows = start + np.flatnonzero(placed[start:start + step])
            if len(rows):
                coords[rows] = fitted.place(normalize_rows(vectors[rows]), seed=seed + 1 + start)
            bar.update(len(rows))
    info = {"method": fitted.method, "fitted_on": len(sample), "distinct_fitted": len(first),
            "placed_by": "transform" if len(sample) < n else "fit",
            "pca_first": MAP_PCA_DIMS if fitted.method == "umap" else 0, "seed": seed,
            **sampled_quality(vectors, coords, seed)}
    return coords, info


def sampled_quality(vectors, coords: np.ndarray, seed: int = 0) -> dict:
    """The map's trustworthiness and continuity on a seeded sample of TRUST_SAMPLE documents (the same sample
    for two maps of one collection), as a manifest's projection records them."""
    from core.neighbours.trust import map_quality

    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), min(len(vectors), TRUST_SAMPLE), replace=False))
    quality = map_quality(normalize_rows(vectors[rows]), np.asarray(coords[rows]), seed=seed)
    return {"trustworthiness": quality["trustworthiness"], "continuity": quality["continuity"],
            "quality_k": quality["k"], "quality_sample": len(rows)}


class _Fitted:
    """A projection fitted on a sample: `place` puts more rows on its map. `known`, `known_coords`: the distinct
    vectors it was fitted on and their positions (UMAP only): a row that repeats one of them goes beside it."""

    def __init__(self, method, reduce, project, embedding=None, known=None, known_coords=None):
        self.method, self.reduce, self.project, self.embedding = method, reduce, project, embedding
        self.known, self.known_coords = known, known_coords

    def __call__(self, X):
        return np.nan_to_num(self.project(self.reduce(X))).astype(np.float32)

    def place(self, X, seed: int = 0) -> np.ndarray:
        """Coordinates of the rows X. With UMAP, each distinct vector is placed once by transform, or not at all
        if the map already holds it; its copies go beside it (core.maps.copies.place_copies). Without copies, just
        the transform of X."""
        if self.known is None:
            return self(X)
        m = len(self.known)
        first, copy_of = distinct_rows(np.vstack([self.known, X]))   # the known rows are distinct: first[:m] is 0..m-1
        new = first[m:] - m
        if len(new) == len(X):
            return self(X)
        distinct_coords = np.vstack([self.known_coords, self(X[new])]) if len(new) else self.known_coords
        return place_copies(distinct_coords, copy_of, seed)[m:]


def _explain_copies(projection: str, distinct: int, sampled: int) -> None:
    if projection == "umap" and distinct < MIN_ROWS:
        note(f"the map's sample holds only {distinct} distinct vectors, too few for UMAP: PCA draws the map")
    elif projection == "umap" and distinct < sampled:
        note(f"{sampled - distinct:,} of the map's {sampled:,} sampled documents repeat another's vector: UMAP maps "
             f"the {distinct:,} distinct vectors once and places each copy beside its original")


def _fit_projection(X: np.ndarray, first, copy_of, projection: str, seed: int, init=None) -> _Fitted:
    """PCA; or UMAP on the distinct rows of X (`first`, `copy_of`: core.maps.copies.distinct_rows), unless there
    are fewer than MIN_ROWS of them, starting from `init` (X's rows' positions) when given."""
    from sklearn.decomposition import PCA

    if projection == "umap" and len(first) >= MIN_ROWS:
        return _fit_umap(X, first, copy_of, seed, init)
    pca = PCA(n_components=2, random_state=seed).fit(X)
    return _Fitted("pca", pca.transform, lambda Z: Z)


def _fit_umap(X: np.ndarray, first, copy_of, seed: int, init=None) -> _Fitted:
    """UMAP on the 50-d PCA of the distinct rows, each copy placed beside its original. UMAP's graph of exact
    copies falls apart into islands and its spectral start fails ("Falling back to random initialisation")."""
    from sklearn.decomposition import PCA

    umap = import_umap()
    distinct = X[first]
    pca = PCA(n_components=min(MAP_PCA_DIMS, X.shape[1], len(first)), random_state=seed).fit(distinct)
    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, len(first) - 1), metric="cosine", min_dist=0.1,
                        random_state=seed, n_jobs=1,
                        init="spectral" if init is None else np.asarray(init, dtype=np.float32)[first])
    distinct_coords = reducer.fit_transform(pca.transform(distinct)).astype(np.float32)
    return _Fitted("umap", pca.transform, reducer.transform, place_copies(distinct_coords, copy_of, seed),
                   known=distinct, known_coords=distinct_coords)


def _topics(building: Path, coords: np.ndarray, progress: bool) -> None:
    """The map's topics at several levels, named (core.maps.topics), kept in the folder for the app."""
    import pyarrow.parquet as pq

    from core.maps.topics import store_in_folder

    with progress_bar("topics", len(coords), enabled=progress) as bar:
        texts = pq.read_table(building / DOCUMENTS, columns=["text"]).column("text").to_pylist()
        store_in_folder(building, coords, texts)
        bar.update(len(coords))


def _index(vectors, progress: bool) -> AnnIndex:
    with progress_bar("index", len(vectors), enabled=progress) as bar:
        return AnnIndex.build(vectors, progress=lambda done, total: bar.update(done - bar.n))
