"""How well the map's topics match the labels (issue 20 part 5): adjusted mutual information (AMI) with the
labels of each level of core.topics, beside EVōC's clustering of the same vectors (each of its layers, and the one
whose number of clusters is nearest our broadest level's) and today's flat k-means (the Map page's "clusters", k = 8
on the vectors), on labelled corpora the hierarchy was not tuned on, with each method's time.

    python bench/topics.py [--corpora flutter anime-quotes synthetic] [--encoder minilm]

EVōC leaves documents out as noise (-1); AMI counts noise as one more cluster, as a reader of its map would see
them. Needs the dev requirements (evoc).
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.metrics import adjusted_mutual_info_score

from core.cache.disk import DiskCache, default_folder
from core.dataset import open_dataset
from core.maps.clusters import cluster
from core.maps.topics import topic_hierarchy


def synthetic(n: int = 20_000):
    from core.collections.synthetic import synthetic_documents
    from core.sources.corpus import Corpus

    frame = synthetic_documents(n, seed=5)
    return Corpus(name="synthetic", texts=frame.text.tolist(), labels=frame.label.tolist())


def dataset_of(name: str, encoder: str):
    return open_dataset(synthetic() if name == "synthetic" else name, encoder=encoder,
                        cache=DiskCache(default_folder()))


def timed(make):
    started = time.perf_counter()
    value = make()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", nargs="+", default=["flutter", "anime-quotes", "synthetic"])
    parser.add_argument("--encoder", default="minilm")
    args = parser.parse_args()
    from evoc import EVoC

    warnings.filterwarnings("ignore")
    print("| corpus | documents | labels | method | clusters | AMI | seconds |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.corpora:
        data = dataset_of(name, args.encoder)
        labels = np.asarray(data.labels)
        head = f"| {name} | {len(data):,} | {len(set(labels))} |"

        def line(method, ids, seconds):
            ids = np.asarray(ids)
            print(f"{head} {method} | {len(set(ids.tolist()) - {-1})} | "
                  f"{adjusted_mutual_info_score(labels, ids):.3f} | {seconds:.1f} |", flush=True)

        found, seconds = timed(lambda: topic_hierarchy(data.coords, data.all_texts()))
        for depth, level in enumerate(found.levels):
            line(f"core.topics level {depth}" + (" (broadest)" if depth == 0 else ""), level, seconds)
        flat, seconds = timed(lambda: cluster(data.vectors, method="kmeans", n_clusters=8))
        line("flat k-means on the vectors (k = 8, the Map's clusters)", flat, seconds)
        model, seconds = timed(lambda: EVoC(random_state=0).fit(np.asarray(data.vectors, dtype=np.float32)))
        layers = model.cluster_layers_
        for depth, layer in enumerate(layers):
            line(f"EVōC layer {depth}", layer, seconds)
        broad = len(found.sizes[0])
        nearest = min(range(len(layers)), key=lambda i: abs(len(set(layers[i].tolist()) - {-1}) - broad))
        line(f"EVōC, the layer nearest {broad} clusters (layer {nearest})", layers[nearest], seconds)


if __name__ == "__main__":
    main()
