"""Collections: big corpora embedded ahead of time by `python -m core build`, opened in seconds.

    from core import open_collection
    collection = open_collection("collections/news")
    collection.search(collection.encode(["a query"])[0], k=10)   # -> Neighbors (indices, cosine scores)
"""
from core.collections.build import build_collection
from core.collections.collection import Collection, open_collection
from core.collections.manifest import FORMAT_VERSION
from core.collections.sources import CollectionError

__all__ = ["FORMAT_VERSION", "Collection", "CollectionError", "build_collection", "open_collection"]
