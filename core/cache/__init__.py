"""Keeping what was computed: a bounded in-memory cache (bounded.py), the disk cache (disk.py), and the keys
that name artifacts by their content (keys.py)."""
from core.cache.bounded import BoundedCache

__all__ = ["BoundedCache"]
