"""The shelf of collections: the folders under MURMURATION_COLLECTIONS, each opened once per server and
shared read-only by every session.

The Home, Map and Neighbors pages work on the whole collection (its stored map, its ANN index). The other
pages are quadratic or re-encode, so they get a working set, the collection's `subset` of the map's selection
when there is one, else of the collection, sampled down to SAMPLE documents, with the stored vectors standing in
for an encoder. The subset's `source_rows` map its rows back to the collection's.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import streamlit as st

import core
from core.collections import Collection, CollectionError, open_collection
from core.collections.manifest import MANIFEST
from core.dataset import CollectionDataset, InMemoryDataset
from ui import caches

ENVIRONMENT = "MURMURATION_COLLECTIONS"
PREFIX = "collection: "
SAMPLE = 2_000


def folder() -> Path | None:
    value = os.environ.get(ENVIRONMENT, "").strip()
    return Path(value) if value else None


def names() -> list[str]:
    """Every finished collection in the folder (a build in progress has no manifest yet), as corpus names."""
    root = folder()
    if root is None or not root.is_dir():
        return []
    found = [path.name for path in root.iterdir()
             if path.is_dir() and not path.name.endswith(".building") and (path / MANIFEST).is_file()]
    return [PREFIX + name for name in sorted(found)]


def is_collection(name: str) -> bool:
    return name.startswith(PREFIX)


def title(name: str) -> str:
    return name.removeprefix(PREFIX)


def opened(name: str) -> Collection:
    """The collection of this corpus name, opened once per server; CollectionError when it cannot be."""
    root = folder()
    if root is None or name not in names():
        raise CollectionError(f"There is no collection '{title(name)}' in {ENVIRONMENT}.")
    path = root / title(name)
    return _open(str(path), (path / MANIFEST).stat().st_mtime_ns)


@st.cache_resource(show_spinner="Opening the collection…", max_entries=8)
def _open(path: str, manifest_time: int) -> Collection:   # rebuilt, appended or switched: a new manifest time
    collection = open_collection(path)
    collection.filterable   # its columns, read now, under the spinner (about 1 s a million rows)
    return collection


def dataset(collection: Collection) -> CollectionDataset:
    """The collection as a Dataset, one per collection (it keeps the typed queries it encoded)."""
    return caches.COLLECTION_DATASETS.get_or_compute(collection.digest, lambda: CollectionDataset(collection))


def working_set(dataset: CollectionDataset, selection=(), filters=None) -> tuple[InMemoryDataset, str]:
    """The selection (when it has at least 2 documents) or the collection, restricted to the documents passing
    the map's filters, sampled down to SAMPLE documents (seeded: the same rows every time): as a subset of the
    collection (its rows, stored vectors and map positions), and where they come from (for `describe`)."""
    rows, source = _working_rows(dataset.collection, selection, filters)
    digest = core.key_digest({"collection": dataset.digest, "rows": rows.tolist()})
    return caches.WORKING_SETS.get_or_compute(digest, lambda: dataset.subset(rows)), source


def _working_rows(collection: Collection, selection, filters) -> tuple[np.ndarray, str]:
    selected = len(selection) >= 2
    rows = np.asarray(selection, dtype=np.int64) if selected else np.arange(len(collection))
    filtered, ignored = False, ""
    if filters:
        passing = rows[collection.filter_mask(filters)[rows]]
        filtered = len(passing) >= 2   # else the filters are ignored here: a page needs two documents
        rows = passing if filtered else rows
        ignored = "" if filtered else f"; your filters keep {len(passing)}, too few here, so they are ignored"
    pool = (" in your map selection" if selected else "") + (" that pass your filters" if filtered else "")
    if len(rows) <= SAMPLE:
        source = f"the documents{pool}" if filtered else "your map selection" if selected else "all of them"
        return rows, source + ignored
    if not pool:
        return collection.sample_rows(SAMPLE), "a random sample" + ignored
    sample = np.sort(np.random.default_rng(0).choice(rows, SAMPLE, replace=False))
    return sample, f"a random sample of the {len(rows):,}{pool}" + ignored


def describe(collection: Collection, rows, source: str) -> str:
    """What a page's working set is (`source`: from `working_set`)."""
    return (f"This page works on {len(rows):,} of the collection's {len(collection):,} documents ({source}): "
            "its views compare every pair of documents. The Map and Nearest neighbours pages use all of them.")
