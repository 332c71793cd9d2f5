"""Where the app keeps what it computed, named by whose data it comes from (issue 18 part 6).

    shared    bundled corpora and collections: the same for every visitor, so one copy per server process
              (bounded, least recently used first out). Keys name content (fingerprints, digests).
    private   a visitor's upload and everything derived from it (its embeddings, maps, clusters), and what a
              visitor types: kept in that visitor's session only (bounded), gone with it, never on disk, never
              reached by another session.
    disk      bundled corpora's embeddings, kNN graphs and maps (core.cache.disk.DiskCache), seeded from
              data/cache so that a fresh server computes nothing for the default view.

Opened collections themselves are server resources (ui.shelf, st.cache_resource), and the bundled corpora and
models are read once per process (functools.lru_cache in core). Nothing else caches: no st.cache_data, whose
store is shared by every session.
"""
from __future__ import annotations

import streamlit as st

import core
from core.cache import BoundedCache
from core.sources.bundled import DATA_DIR
from core.cache.disk import DiskCache, default_folder

SHARED = BoundedCache(max_entries=64)          # results from bundled corpora and collections
COLLECTION_DATASETS = BoundedCache(max_entries=8)   # one CollectionDataset per opened collection
WORKING_SETS = BoundedCache(max_entries=16)    # collections' working sets (subsets)
DISK = DiskCache(default_folder(), seeds=(DATA_DIR / "cache",))
PRIVATE = "_private_results"                   # the session's own BoundedCache
PRIVATE_ENTRIES = 8


def private() -> BoundedCache:
    """This session's store, for what derives from its uploads and from what its visitor types."""
    if PRIVATE not in st.session_state:
        st.session_state[PRIVATE] = BoundedCache(max_entries=PRIVATE_ENTRIES)
    return st.session_state[PRIVATE]


def store(shared: bool) -> BoundedCache:
    return SHARED if shared else private()


def remembered(what: str, key: dict, compute, *, shared: bool, spinner: str | None = None):
    """compute()'s result, computed once per (what, key) in the shared store or in this session's; `spinner` is
    shown while it computes. `key` must name everything the result depends on."""
    chosen, digest = store(shared), core.key_digest({"what": what, **key})
    found = chosen.get(digest)
    if found is not None:
        return found
    if spinner is None:
        return chosen.get_or_compute(digest, compute)
    with st.spinner(spinner):
        return chosen.get_or_compute(digest, compute)


def held(what: str, key: dict, *, shared: bool) -> bool:
    """Whether `remembered` already holds this result (so asking for it costs nothing)."""
    return store(shared).get(core.key_digest({"what": what, **key})) is not None
