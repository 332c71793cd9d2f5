"""A bounded, thread-safe, least-recently-used cache that computes each key once.

The app keeps embeddings here rather than in `st.cache_resource`, because their computation
reports progress to the page, and Streamlit refuses to replay a cached call that updated an
element created outside it. Values are shared between sessions: keys must identify content.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class BoundedCache:
    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict = {}

    def get_or_compute(self, key, compute):
        """The cached value for `key`, or `compute()`'s result; concurrent callers of one key wait for one run."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = compute()
            with self._lock:
                self._values[key] = value
                self._key_locks.pop(key, None)
                while len(self._values) > self.max_entries:
                    self._values.popitem(last=False)
            return value

    def get(self, key):
        """The cached value, or None if there is none (yet)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            return None

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
