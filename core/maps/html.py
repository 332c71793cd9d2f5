"""A dataset's map as one HTML file (murmuration_map.static_page), or as a static folder for maps too big for one
file (murmuration_map.published): every point coloured by its label, the names of the map's regions, hover
texts, and each document's nearest neighbours from the dataset (its exact kNN graph, or a collection's ANN
index), so that the page answers a click with no Python behind it."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from core.dataset import Dataset
from core.maps.topics import topic_hierarchy, topic_labels

K = 10
REGION_LIMIT = 200_000     # topics are named from every text: above this, only stored topics are named


def map_file_options(dataset: Dataset, *, k: int = K, styled: bool = True) -> dict:
    """What `murmuration_map.map_html` needs of a dataset: its texts and neighbours, and unless `styled` is
    False (the caller colours and names the map itself) its labels' colours and its regions' names."""
    neighbours, scores = dataset.neighbour_table(k)
    options = {"texts": dataset.all_texts(), "neighbours": neighbours, "scores": scores}
    if not styled:
        return options
    if dataset.labels is not None:
        options.update(categories=np.asarray(dataset.labels), title="label")
    found = dataset.stored_topics
    if found is None and len(dataset) <= REGION_LIMIT:
        found = topic_hierarchy(np.ascontiguousarray(dataset.coords), options["texts"])
    if found is not None:
        options["cluster_labels"] = topic_labels(found)
    return options


def one_file_size(dataset: Dataset, k: int = K) -> int:
    """About how big the dataset's one HTML file would be (murmuration_map's estimate), in bytes; when the points
    and neighbours alone are too many, without reading a text."""
    from murmuration_map.static_page import FILE_LIMIT, estimated_bytes, text_bytes

    size = estimated_bytes(len(dataset), 0, k)
    return size if size > FILE_LIMIT else estimated_bytes(len(dataset), text_bytes(dataset.all_texts()), k)


def too_big_for_one_file(dataset: Dataset, k: int = K, size: int | None = None) -> str | None:
    """Why the dataset's map should be a published folder rather than one file, or None when a file will do."""
    from murmuration_map.static_page import FILE_LIMIT

    size = one_file_size(dataset, k) if size is None else size
    if size <= FILE_LIMIT:
        return None
    return (f"The map of {len(dataset):,} documents would be one file of about {size / 1e6:,.1f} MB, more than the "
            f"{FILE_LIMIT / 1e6:,.1f} MB a browser opens comfortably: publish it as a folder instead "
            "(python -m core publish SOURCE --out site/).")


def export_html(dataset: Dataset, out, *, k: int = K, title: str = "Murmuration map") -> Path:
    """Write the dataset's map to `out` (an .html file) and return its path (see too_big_for_one_file first)."""
    from murmuration_map.static_page import map_html, write_html

    html = map_html(dataset.coords, page_title=title, **map_file_options(dataset, k=k))
    return write_html(out, html)


def publish(dataset: Dataset, out, *, k: int = K, title: str = "Murmuration map") -> Path:
    """Write the dataset's map as a static folder to `out` (refused, with a sentence, if `out` is a folder with
    other things in it) and return it."""
    from murmuration_map.published import publish_map

    return publish_map(out, dataset.coords, page_title=title, **map_file_options(dataset, k=k))
