"""What the map is coloured by: the label, any column (categories or a ramp of numbers), neighbour preservation,
clusters named by their terms, or what the Quality page finds (ui.quality_results); and the names written on the
map (cluster names, or the distinctive words of each region). Results from an upload stay in its session
(ui.caches)."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from core.dataset import Dataset
from core.filters import as_numbers
from core.maps.clusters import cluster, cluster_names
from core.maps.topics import topic_hierarchy, topic_labels
from ui import caches, quality_results, session
from ui.quality_results import COLOURINGS, LABEL_DISAGREES

NO_COLOUR = "nothing"
PRESERVATION = "neighbour preservation"
CLUSTERS = "clusters"
CLUSTER_LIMIT = 100_000    # k-means and HDBSCAN on the vectors: above this, a page would wait too long


def colour_options(dataset: Dataset) -> list[str]:
    """The label, then every column that can be filtered (numbers on a ramp, categories by colour)."""
    columns = [column.name for column in dataset.filterable if column.name != "label"]
    extras = ([PRESERVATION] if dataset.preservation is not None else []) + \
             ([CLUSTERS] if len(dataset) <= CLUSTER_LIMIT else []) + _quality_options(dataset)
    return (["label"] if dataset.labels is not None else []) + columns + extras + [NO_COLOUR]


def _quality_options(dataset: Dataset) -> list[str]:
    """Colour by what the Quality page finds, where its report is stored or quick to compute."""
    if not quality_results.available(dataset) or len(dataset) < 3:
        return []
    return [name for name in COLOURINGS if name != LABEL_DISAGREES or dataset.labels is not None]


def default_colour(dataset: Dataset) -> str:
    return "label" if dataset.labels is not None else NO_COLOUR


def clusters(dataset: Dataset, method: str, n: int) -> list[str]:
    """Each document's cluster, named by its terms (computed once per dataset and setting, see ui.caches)."""
    def compute():
        ids = cluster(np.asarray(dataset.vectors, dtype=np.float32), method=method, n_clusters=n, min_cluster_size=n)
        return cluster_names(dataset.all_texts(), ids)

    return caches.remembered("clusters", {"dataset": dataset.digest, "method": method, "n": n}, compute,
                             shared=session.shares(dataset), spinner="Clustering…")


TOPICS_UP_TO = 200_000   # a map without stored topics gets them computed up to this size (seconds); past it,
                          # `python -m core topics COLLECTION` stores them, or a visitor asks for them


def map_topics(dataset: Dataset, *, compute: bool = False):
    """The map's topic hierarchy (core.topics): stored with a collection, else computed once per map (in memory:
    an upload's stay in its session); a bigger map without stored topics only when `compute`, else None."""
    stored = dataset.stored_topics
    if stored is not None:
        return stored
    coords = np.ascontiguousarray(dataset.coords)
    key = {"coords": hashlib.sha1(coords.tobytes()).hexdigest(), "texts": dataset.fingerprint}
    if len(dataset) > TOPICS_UP_TO and not (compute or caches.held("topics", key, shared=session.shares(dataset))):
        return None
    return caches.remembered("topics", key, lambda: topic_hierarchy(coords, dataset.all_texts()),
                             shared=session.shares(dataset), spinner="Naming the map's topics…")


def region_names(dataset: Dataset) -> pd.DataFrame | None:
    """The names of the map's topics at every level, for the map to show by zoom; None without topics."""
    found = map_topics(dataset)
    return None if found is None else topic_labels(found)


def cluster_labels(coords, labels) -> pd.DataFrame:
    """One label per cluster at the middle of its points, weighted by size (noise left out)."""
    frame = pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1], "label": labels})
    frame = frame[frame.label != "noise"]
    centres = frame.groupby("label").agg(x=("x", "median"), y=("y", "median"), weight=("x", "size"))
    return centres.reset_index()


def colours_for(dataset: Dataset, colour, cluster_method, n_clusters) -> dict:
    """The map's colouring options: categories (names, or codes with their names) or values on a ramp."""
    if colour == PRESERVATION and dataset.preservation is not None:
        return {"values": dataset.preservation, "value_name": colour, "title": colour}
    if colour in COLOURINGS:
        found = quality_results.results(dataset, session.view().quality_threshold)
        return {} if found is None else quality_results.colouring(found[0], COLOURINGS[colour])
    if colour == CLUSTERS and len(dataset) <= CLUSTER_LIMIT:
        names = clusters(dataset, cluster_method, n_clusters)
        return {"categories": names, "title": colour}
    column = dataset.columns.get(colour)
    if column is None:
        return {}
    if isinstance(column.dtype, pd.CategoricalDtype):
        names = [str(name) or "(empty)" for name in column.cat.categories]
        return {"categories": column.cat.codes.to_numpy(), "category_names": names, "title": colour}
    numbers = as_numbers(column)
    if numbers is not None:
        return {"values": numbers.to_numpy(dtype=float), "value_name": colour, "title": colour}
    return {"categories": column.astype(str).tolist(), "title": colour}
