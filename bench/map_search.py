"""Search on the map of a big collection (issue 20 part 4): the time to find every document containing a typed
text (Dataset.text_matches: Arrow's literal, case-blind substring match over the text column, read once), beside a
pandas substring count on the same texts, in one run.

    python bench/map_search.py COLLECTION [--queries night "a.b*" the]
"""
import argparse
import statistics
import time

import pandas as pd

from core.dataset import open_dataset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("collection")
    parser.add_argument("--queries", nargs="+", default=["night", "feather", "a.b*", "the", "xyzzy"])
    args = parser.parse_args()
    dataset = open_dataset(args.collection)
    started = time.perf_counter()
    dataset.text_column()
    print(f"{len(dataset):,} documents; the text column read once in {time.perf_counter() - started:.2f} s")
    texts = pd.Series(dataset.collection.all_texts())
    ours, theirs = [], []
    for query in args.queries:
        started = time.perf_counter()
        found = dataset.text_matches(query)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        expected = texts.str.contains(query, case=False, regex=False).to_numpy()
        theirs.append(time.perf_counter() - started)
        assert (found == expected).all(), query
        print(f"'{query}': {int(found.sum()):,} documents, {ours[-1] * 1000:.0f} ms (pandas {theirs[-1] * 1000:.0f} ms)")
    print(f"median {statistics.median(ours) * 1000:.0f} ms a query; pandas {statistics.median(theirs) * 1000:.0f} ms "
          f"(ratio {statistics.median(theirs) / statistics.median(ours):.1f})")


if __name__ == "__main__":
    main()
