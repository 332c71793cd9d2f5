"""What a collection folder must hold, checked when it opens: the manifest's format version and shape, every
file there with the size the manifest recorded and inside the folder, the arrays' shapes, the Parquet footer,
the index, and the installed encoder's revision. A failure is a CollectionError naming files relative to the
folder, never by the server's absolute path."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.collections.index import AnnIndex
from core.collections.sources import CollectionError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCUMENTS = "documents.parquet"
VECTORS = "vectors.npy"
COORDS = "coords.npy"
INDEX = "index.usearch"
FILES = (DOCUMENTS, VECTORS, COORDS, INDEX)
DTYPES = ("float32", "float16")
MANIFEST_MAX_BYTES = 10_000_000   # a build writes a few kilobytes


def _whole(low: int):
    return lambda value: isinstance(value, int) and not isinstance(value, bool) and value >= low


def _is(*kinds):
    return lambda value: isinstance(value, kinds) and not isinstance(value, bool)


def _text(value) -> bool:
    return isinstance(value, str) and len(value) <= 1000   # names and revisions are short; messages quote them


def _projection_ok(projection) -> bool:
    """The projection's entries that pages show (see core.dataset.CollectionDataset.map_quality and map_notes)."""
    checks = {"method": _is(str), "placed_by": _is(str), "fitted_on": _whole(0), "quality_k": _whole(0),
              "quality_sample": _whole(0), "trustworthiness": _is(int, float, type(None))}
    return isinstance(projection, dict) and all(key in projection and check(projection[key])
                                                for key, check in checks.items())


def _files_ok(files) -> bool:
    return isinstance(files, dict) and set(files) == set(FILES) and all(map(_whole(0), files.values()))


# Every key the app reads from a manifest: a check of its value, and what it must be, in words.
MANIFEST_SHAPE = {
    "format_version": (_whole(1), "a whole number"),
    "encoder": (_text, "a name"),
    "params": (_is(dict), "an object"),
    "model_revision": (_text, "a text"),
    "rows": (_whole(1), "a whole number of at least 1"),
    "dimensions": (_whole(1), "a whole number of at least 1"),
    "dtype": (lambda value: value in DTYPES, " or ".join(DTYPES)),
    "source_fingerprint": (_text, "a text"),
    "columns": (_is(list), "a list"),
    "text_column": (_text, "a column name"),
    "label_column": (lambda value: value is None or _text(value), "a column name or null"),
    "projection": (_projection_ok, "an object with method, placed_by, fitted_on, quality_k, quality_sample and "
                                   "trustworthiness"),
    "index": (_is(dict), "an object"),
    "files": (_files_ok, f"an object giving the size in bytes of each of {', '.join(FILES)}"),
}


def file_path(folder: Path, manifest: dict, file: str) -> Path:
    """Where one of FILES is: its own name, or the name an append gave this version of it (`file_names`)."""
    return folder / manifest.get("file_names", {}).get(file, file)


def _plain_name(name) -> bool:
    return isinstance(name, str) and 0 < len(name) <= 200 and Path(name).name == name and not name.startswith(".")


def _file_names_ok(names) -> bool:
    """An appended collection's current files: plain names in the folder, one per entry of FILES."""
    return isinstance(names, dict) and set(names) <= set(FILES) and all(map(_plain_name, names.values()))


def _maps_ok(maps) -> bool:
    """Maps kept beside the one in use (`python -m core refit`): each named, with its file and size."""
    return isinstance(maps, list) and len(maps) <= 100 and all(
        isinstance(entry, dict) and _text(entry.get("name")) and _plain_name(entry.get("file"))
        and _whole(0)(entry.get("size")) and _projection_ok(entry.get("projection")) for entry in maps)


OPTIONAL_SHAPE = {"file_names": (_file_names_ok, "an object naming the current file of some of "
                                                 f"{', '.join(FILES)}, each a plain file name"),
                  "maps": (_maps_ok, "a list of kept maps, each with a name, a file, its size and a projection"),
                  "map_name": (_text, "a name")}


def read_manifest(folder: Path) -> dict:
    name = _name(folder)
    if not folder.is_dir():
        raise CollectionError(f"{name} is not a folder; a collection is a folder made by `python -m core build`.")
    if not (folder / MANIFEST).is_file():
        raise CollectionError(f"{name} has no {MANIFEST}: it is not a collection, or its build did not finish.")
    check_inside(folder, [MANIFEST])
    if (folder / MANIFEST).stat().st_size > MANIFEST_MAX_BYTES:
        raise CollectionError(f"{name}/{MANIFEST} is larger than a manifest can be; rebuild the collection.")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CollectionError(f"{name}/{MANIFEST} is not valid JSON ({error}); rebuild the collection.") from error
    except RecursionError:
        raise CollectionError(f"{name}/{MANIFEST} nests too deep to be a manifest; rebuild the collection.") from None
    if not isinstance(manifest, dict):
        raise CollectionError(f"{name}/{MANIFEST} does not hold a manifest; rebuild the collection.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        shown = repr(version)[:20] if isinstance(version, (int, float, str)) else "unknown"
        raise CollectionError(f"{name} has collection format version {shown}; this Murmuration reads version "
                              f"{FORMAT_VERSION}. Rebuild it with `python -m core build`.")
    check_manifest_shape(name, manifest)
    return manifest


def check_manifest_shape(name: str, manifest: dict) -> None:
    """Every key the app reads is there and holds what a build writes, so nothing fails later, on a page."""
    missing = [key for key in MANIFEST_SHAPE if key not in manifest]
    if missing:
        raise CollectionError(f"{name}/{MANIFEST} lacks {', '.join(missing)}; rebuild the collection.")
    wrong = [f"{key} must be {words}" for key, (check, words) in {**MANIFEST_SHAPE, **OPTIONAL_SHAPE}.items()
             if key in manifest and not check(manifest[key])]
    if wrong:
        raise CollectionError(f"{name}/{MANIFEST} is damaged: {'; '.join(wrong)}. Rebuild the collection.")


def check_inside(folder: Path, names) -> None:
    """Refuse a file that is a link leading out of the collection folder: a folder shared with the app must not
    make it read (or tell the size of) a file elsewhere on the server. Links within the folder are fine."""
    home = folder.resolve()
    for file in names:
        if not (folder / file).resolve().is_relative_to(home):
            raise CollectionError(f"{_name(folder)}/{file} is a link to a file outside the collection folder; "
                                  "a collection's files must be inside it. Rebuild the collection.")


def check_files(folder: Path, manifest: dict) -> None:
    name = _name(folder)
    current = {file: file_path(folder, manifest, file).name for file in FILES}   # an append's versions
    missing = [current[file] for file in FILES if not (folder / current[file]).is_file()]
    if missing:
        raise CollectionError(f"{name} is missing {', '.join(missing)}; rebuild the collection.")
    check_inside(folder, current.values())
    changed = [f"{current[file]} ({(folder / current[file]).stat().st_size:,} bytes, the manifest says {size:,})"
               for file, size in manifest["files"].items() if (folder / current[file]).stat().st_size != size]
    if changed:
        raise CollectionError(f"{name} has files truncated or changed since it was built: "
                              f"{'; '.join(changed)}. Rebuild the collection.")
    rows, dims = manifest["rows"], manifest["dimensions"]
    expected = {VECTORS: ((rows, dims), manifest["dtype"]), COORDS: ((rows, 2), "float32")}
    for file, (shape, dtype) in expected.items():
        _check_array(folder, current[file], shape, dtype)
    _check_kept_maps(folder, manifest)
    _check_documents(folder, manifest)


def _check_array(folder: Path, file: str, shape: tuple, dtype: str) -> None:
    array = _load_array(folder, file)
    if array.shape != shape or array.dtype != np.dtype(dtype):
        raise CollectionError(f"{_name(folder)}/{file} holds {array.shape} {array.dtype}, but the manifest says "
                              f"{shape} {dtype}. Rebuild the collection.")


def _check_kept_maps(folder: Path, manifest: dict) -> None:
    """The maps kept beside the one in use (`python -m core refit`) are there, whole, a position per document."""
    for entry in manifest.get("maps", []):
        path = folder / entry["file"]
        if not path.is_file() or path.stat().st_size != entry["size"]:
            raise CollectionError(f"{_name(folder)}/{entry['file']}, the kept map '{entry['name']}', is missing or "
                                  "changed since it was made: remove its entry from the manifest's maps, or run "
                                  "`python -m core refit` again.")
        check_inside(folder, [entry["file"]])
        _check_array(folder, entry["file"], (manifest["rows"], 2), "float32")


def _load_array(folder: Path, file: str) -> np.ndarray:
    try:
        return np.load(folder / file, mmap_mode="r")
    except (ValueError, OSError, EOFError) as error:
        raise CollectionError(f"{_name(folder)}/{file} is not a NumPy array file ({_reason(error, folder)}); "
                              "rebuild the collection.") from error


def _check_documents(folder: Path, manifest: dict) -> None:
    """documents.parquet opens as Parquet (its footer only), with a row per vector and the columns pages read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = file_path(folder, manifest, DOCUMENTS)
    where = f"{_name(folder)}/{path.name}"
    try:
        metadata = pq.ParquetFile(path).metadata
    except (pa.ArrowException, OSError) as error:
        raise CollectionError(f"{where} cannot be read as Parquet ({_reason(error, folder)}); "
                              "rebuild the collection.") from error
    needed = ["text"] + (["label"] if manifest["label_column"] is not None else [])
    lacking = [column for column in needed if column not in metadata.schema.names]
    if lacking:
        raise CollectionError(f"{where} has no {' or '.join(lacking)} column; rebuild the collection.")
    if metadata.num_rows != manifest["rows"]:
        raise CollectionError(f"{where} holds {metadata.num_rows:,} rows, but the manifest says "
                              f"{manifest['rows']:,}. Rebuild the collection.")


def _name(folder: Path) -> str:
    """The collection folder's own name, which messages use instead of its path on the server."""
    return folder.name or folder.resolve().name


def _reason(error: Exception, folder: Path) -> str:
    """The first line of a library's error, with the folder's path on the server cut down to its name."""
    line = (str(error).splitlines() or [type(error).__name__])[0]
    for path in sorted({str(folder.resolve()), str(folder.absolute())}, key=len, reverse=True):
        line = line.replace(path, _name(folder))
    return line[:300]


def check_encoder_revision(manifest: dict) -> None:
    from core.encoders import EncoderError, get_encoder

    try:
        installed = get_encoder(manifest["encoder"], **manifest["params"]).model_revision
    except EncoderError as error:
        raise CollectionError(f"This collection's encoder cannot be made here: {error}") from error
    if installed != manifest["model_revision"]:
        raise CollectionError(f"This collection was built with {manifest['encoder']} revision "
                              f"'{manifest['model_revision']}', but this installation has '{installed}': "
                              f"queries would not match its vectors. Rebuild it with `python -m core build`.")


def load_index(folder: Path, manifest: dict) -> AnnIndex:
    path = file_path(folder, manifest, INDEX)
    try:
        index = AnnIndex.load(path, manifest["index"])
    except (ValueError, RuntimeError) as error:
        raise CollectionError(f"{_name(folder)}/{path.name} cannot be opened ({_reason(error, folder)}); "
                              "rebuild the collection.") from error
    if len(index) != manifest["rows"]:
        raise CollectionError(f"{_name(folder)}/{path.name} holds {len(index):,} vectors, but the manifest says "
                              f"{manifest['rows']:,}. Rebuild the collection.")
    return index
