"""Topics at several levels, from a few broad ones to many fine ones, each named by its distinctive words.

The hierarchy is built on the 2D map, so that every topic is one area of the picture (a name placed at its
centre names what is around it) and the levels nest: k-means cuts the map into many fine topics, then Ward's
agglomerative clustering of their centres joins them into fewer and fewer (cuts of one dendrogram, so every fine
topic has exactly one parent at each broader level). Why not HDBSCAN's condensed tree or EVōC: they leave part of
the documents as noise (no name for a whole area of the map) and their number of clusters per level is the
data's choice, which can give a single broad topic; the map needs every area named at every zoom. bench/topics.py
measures how the broadest level matches the labels beside EVōC and flat k-means.

Names: class-based TF-IDF of the topics' word counts (English stop words out), a word scoring high when it is
frequent in the topic and rare both across its level and among its siblings (the topics with the same parent); a
finer topic never repeats its parent's words. A topic without words (empty or stop-word-only texts) is named by
its most typical document, the one nearest its centre.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_DOCUMENTS = 50        # fewer: one level
FINE_MOST = 1_000
KMEANS_SAMPLE = 100_000   # the fine topics' k-means is fitted on a sample this big, then assigns every document
NAME_WORDS = 2
FORMAT_VERSION = 1
FILE = "topics.npz"   # in a collection folder


@dataclass(frozen=True, eq=False)
class Topics:
    levels: list[np.ndarray]     # broadest first: one topic id per document (-1: none)
    names: list[dict[int, str]]  # per level: topic id -> name
    parents: list[np.ndarray]    # per level: each topic's parent in the level above (-1 at level 0)
    centres: list[np.ndarray]    # per level: (topics, 2) the median position of each topic's documents
    sizes: list[np.ndarray]      # per level: documents per topic
    note: str = ""

    def table(self):
        """One line per topic, broadest first and each followed by its children: the map's table of contents."""
        import pandas as pd

        lines = []

        def add(level: int, topic: int) -> None:
            lines.append({"level": level, "topic": self.names[level][topic], "documents": int(self.sizes[level][topic])})
            if level + 1 < len(self.levels):
                for child in np.flatnonzero(self.parents[level + 1] == topic):
                    add(level + 1, int(child))

        for topic in range(len(self.sizes[0])):
            add(0, topic)
        return pd.DataFrame(lines, columns=["level", "topic", "documents"])


def topic_counts(n: int) -> list[int]:
    """How many topics each level holds for n documents, broadest first."""
    fine = int(np.clip(n // 50, 16, FINE_MOST))
    broad = int(np.clip(round(np.sqrt(fine) / 2), 4, 12))
    return [broad, int(round(np.sqrt(broad * fine))), fine]


def topic_hierarchy(coords, texts: list[str], *, seed: int = 0) -> Topics:
    coords = np.asarray(coords, dtype=np.float64)[:, :2]
    n = len(coords)
    if n < MIN_DOCUMENTS:
        fine = _fine_topics(coords, max(1, min(4, n // 10)), seed) if n else np.zeros(0, dtype=np.int64)
        return _named([fine], [np.full(int(fine.max(initial=-1)) + 1, -1)], coords, texts,
                      note=f"{n} documents are too few for topics at several levels (at least {MIN_DOCUMENTS}): "
                           "one level only.")
    counts = topic_counts(n)
    fine = _fine_topics(coords, counts[-1], seed)
    k = int(fine.max()) + 1      # fewer than asked when the map has fewer distinct places
    if k < 2:
        return _named([fine], [np.full(1, -1)], coords, texts,
                      note="The map puts every document at one place: one topic.")
    centres = np.array([coords[fine == t].mean(axis=0) for t in range(k)])
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(centres, method="ward")
    of_fine = [_by_size(fcluster(tree, t=min(count, k), criterion="maxclust") - 1, fine) for count in counts[:-1]]
    of_fine.append(np.arange(k))
    levels = [mapping[fine] for mapping in of_fine]
    parents = [np.full(len(np.unique(levels[0])), -1)]
    for above, below in zip(levels, levels[1:]):
        parent = np.full(int(below.max()) + 1, -1)
        parent[below] = above
        parents.append(parent)
    return _named(levels, parents, coords, texts)


def _fine_topics(coords: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-means on the map, topics numbered by size (0 the biggest)."""
    from sklearn.cluster import KMeans, MiniBatchKMeans

    k = min(k, len(np.unique(coords, axis=0)))
    if len(coords) <= KMEANS_SAMPLE:
        ids = KMeans(n_clusters=k, n_init=2, random_state=seed).fit_predict(coords)
    else:
        sample = np.random.default_rng(seed).choice(len(coords), KMEANS_SAMPLE, replace=False)
        model = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=4096, random_state=seed).fit(coords[sample])
        ids = model.predict(coords)
    return _renumbered(ids)


def _renumbered(ids: np.ndarray) -> np.ndarray:
    """The same partition with ids 0..k-1 by decreasing size (ties by old id); empty ids dropped."""
    found, counts = np.unique(ids, return_counts=True)
    order = found[np.lexsort((found, -counts))]
    new = np.full(int(ids.max()) + 1, -1)
    new[order] = np.arange(len(order))
    return new[ids]


def _by_size(group_of_fine: np.ndarray, fine: np.ndarray) -> np.ndarray:
    """For each fine topic, its group at a broader level, groups numbered by how many documents they hold."""
    group_of_fine = np.asarray(group_of_fine)
    documents = np.bincount(group_of_fine[fine], minlength=int(group_of_fine.max()) + 1)
    order = np.lexsort((np.arange(len(documents)), -documents))
    new = np.empty(len(documents), dtype=np.int64)
    new[order] = np.arange(len(documents))
    return new[group_of_fine]


def _named(levels, parents, coords, texts, note: str = "") -> Topics:
    counts = _word_counts(texts, levels[-1])
    names, centres, sizes = [], [], []
    for depth, level in enumerate(levels):
        k = int(level.max(initial=-1)) + 1
        sizes.append(np.bincount(level[level >= 0], minlength=k))
        centres.append(np.array([np.median(coords[level == t], axis=0) for t in range(k)]).reshape(k, 2))
        names.append({})
    if counts is not None:
        vocabulary, fine_counts = counts
        used_above: dict[int, set] = {}   # the words of each topic's name and of its ancestors' names
        for depth in range(len(levels)):
            level_counts = _aggregate(fine_counts, _fine_to(levels, depth))
            used = {}
            for topic, words in enumerate(_distinctive(level_counts, parents[depth], vocabulary)):
                taken = used_above.get(int(parents[depth][topic]), set())
                kept = _unlike(words, NAME_WORDS, against=taken)
                if kept:
                    names[depth][topic] = " · ".join(kept)
                used[topic] = taken | set(kept)
            used_above = used
    for depth, level in enumerate(levels):
        for topic in range(len(sizes[depth])):
            if topic not in names[depth]:
                names[depth][topic] = _typical(level, topic, centres[depth][topic], coords, texts)
    return Topics(levels=[np.asarray(l, dtype=np.int32) for l in levels], names=names,
                  parents=[np.asarray(p, dtype=np.int32) for p in parents], centres=centres, sizes=sizes, note=note)


def _fine_to(levels, depth: int) -> np.ndarray:
    """For each fine topic, its topic at level `depth`."""
    fine = levels[-1]
    mapping = np.full(int(fine.max()) + 1, -1)
    mapping[fine] = levels[depth]
    return mapping


def _stop_words() -> list[str]:
    """English stop words and their contractions ("i'm", "don't", "it's"), which name nothing."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    negated = ("don", "can", "won", "isn", "aren", "wasn", "weren", "didn", "doesn", "couldn", "wouldn", "shouldn",
               "haven", "hasn", "hadn", "ain", "let", "that", "what", "there", "who", "here")
    heads = sorted(set(ENGLISH_STOP_WORDS) | set(negated) | {"i", "you", "we", "they", "he", "she", "it"})
    endings = ("s", "m", "re", "ve", "ll", "d", "t")
    # the tokens read "don't" whole, and "don’t" (a typographic apostrophe) as "don" and "t"
    return sorted(set(ENGLISH_STOP_WORDS) | set(negated) | {"ll", "ve", "re"}
                  | {f"{head}'{end}" for head in heads for end in endings})


STOP_WORDS = _stop_words()


def _word_counts(texts, fine: np.ndarray):
    """(vocabulary, (fine topics, words) counts), or None when the texts hold no word."""
    from sklearn.feature_extraction.text import CountVectorizer

    from core.encoders.base import TOKEN_PATTERN

    vectorizer = CountVectorizer(stop_words=STOP_WORDS, token_pattern=TOKEN_PATTERN, max_features=50_000,
                                 dtype=np.int32)
    try:
        documents = vectorizer.fit_transform(["" if t is None else t for t in texts])
    except ValueError:   # no words at all
        return None
    from scipy.sparse import csr_matrix

    k = int(fine.max()) + 1
    membership = csr_matrix((np.ones(len(fine), dtype=np.int32), (fine, np.arange(len(fine)))), shape=(k, len(fine)))
    return vectorizer.get_feature_names_out(), np.asarray((membership @ documents).todense(), dtype=np.float64)


def _aggregate(fine_counts: np.ndarray, fine_to: np.ndarray) -> np.ndarray:
    out = np.zeros((int(fine_to.max()) + 1, fine_counts.shape[1]))
    np.add.at(out, fine_to, fine_counts)
    return out


def _distinctive(counts: np.ndarray, parents: np.ndarray, vocabulary, most: int = 8) -> list[list[str]]:
    """Each topic's words, best first: frequent in it, rare across its level and among its siblings."""
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    level_idf = np.log1p(counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1))
    words = []
    for topic in range(len(counts)):
        siblings = counts[parents == parents[topic]]
        sibling_idf = np.log1p(siblings.sum(axis=1).mean() / np.maximum(siblings.sum(axis=0), 1))
        scores = tf[topic] * (level_idf + sibling_idf)
        best = np.argsort(-scores)[:most + 4]
        words.append([str(vocabulary[j]) for j in best if counts[topic, j] > 0 and len(vocabulary[j]) > 1])
    return words


def _unlike(words: list[str], n: int, against=()) -> list[str]:
    """The first n words, skipping one that starts like a word already kept or in `against` ("dream",
    "dreams")."""
    kept, seen = [], {word[:4] for word in against}
    for word in words:
        if word[:4] not in seen:
            kept.append(word)
            seen.add(word[:4])
    return kept[:n]


def _typical(level: np.ndarray, topic: int, centre: np.ndarray, coords: np.ndarray, texts) -> str:
    """A topic without distinctive words is named by the start of its document nearest its centre."""
    rows = np.flatnonzero(level == topic)
    if not len(rows):
        return f"topic {topic}"
    row = rows[np.argmin(((coords[rows] - centre) ** 2).sum(axis=1))]
    words = str(texts[row] or "").split()
    return " ".join(words[:4]) + (" …" if len(words) > 4 else "") if words else f"topic {topic}"


def topic_labels(found: Topics):
    """The names to write on the map: one line per topic of every level (label, x, y, weight = its documents,
    level: 0 the broadest), for murmuration_map's `cluster_labels`, which shows finer levels as one zooms in."""
    import pandas as pd

    lines = [{"label": found.names[depth][topic], "x": float(found.centres[depth][topic][0]),
              "y": float(found.centres[depth][topic][1]), "weight": int(found.sizes[depth][topic]), "level": depth}
             for depth in range(len(found.levels)) for topic in range(len(found.sizes[depth]))]
    return pd.DataFrame(lines, columns=["label", "x", "y", "weight", "level"])


# Stored: in the disk cache for a corpus's map, in `topics.npz` of a collection folder.

def to_arrays(topics: Topics) -> tuple[dict, dict]:
    arrays = {"levels": np.vstack(topics.levels)}
    for depth in range(len(topics.levels)):
        arrays[f"parents{depth}"], arrays[f"centres{depth}"] = topics.parents[depth], topics.centres[depth]
        arrays[f"sizes{depth}"] = topics.sizes[depth]
    meta = {"names": [{str(t): name for t, name in level.items()} for level in topics.names], "note": topics.note,
            "version": FORMAT_VERSION}
    return arrays, meta


def from_arrays(arrays: dict, meta: dict) -> Topics:
    depths = range(len(arrays["levels"]))
    return Topics(levels=list(arrays["levels"]), names=[{int(t): n for t, n in level.items()} for level in meta["names"]],
                  parents=[arrays[f"parents{d}"] for d in depths], centres=[arrays[f"centres{d}"] for d in depths],
                  sizes=[arrays[f"sizes{d}"] for d in depths], note=meta.get("note", ""))


def coords_digest(coords) -> str:
    return hashlib.sha256(np.ascontiguousarray(coords, dtype=np.float32).tobytes()).hexdigest()[:32]


def save(path: Path, topics: Topics, coords) -> None:
    """Write `topics.npz` (atomically) for the map `coords`."""
    import os
    import tempfile

    arrays, meta = to_arrays(topics)
    meta["coords"] = coords_digest(coords)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".topics.", suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        np.savez(out, **arrays, meta=np.array(json.dumps(meta)))
    os.replace(temporary, path)


def load(path: Path, coords) -> Topics | None:
    """The topics stored at `path` for this very map, or None (none stored, damaged, or made for another map)."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files if name != "meta"}
            meta = json.loads(str(stored["meta"]))
        if meta.get("version") != FORMAT_VERSION or meta.get("coords") != coords_digest(coords):
            return None
        return from_arrays(arrays, meta)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None


def store_in_folder(folder: Path, coords, texts, seed: int = 0) -> Topics:
    """Compute the topics of a collection's map `coords` and keep them in its folder (`topics.npz`); the build
    calls it on its unfinished folder, `python -m core topics` on a collection."""
    coords = np.asarray(coords)
    found = topic_hierarchy(coords, texts, seed=seed)
    save(Path(folder) / FILE, found, coords)
    return found


def store_in_collection(collection, seed: int = 0) -> Topics:
    """Compute the topics of a collection's map in use and keep them in its folder."""
    return store_in_folder(collection.folder, collection.coords, collection.all_texts(), seed)


def stored_in_collection(collection) -> Topics | None:
    """The topics kept in a collection's folder for its map in use; None when there are none, they were made
    for another map (before an append, a refit switch), or the file is a link out of the folder."""
    from core.collections.manifest import check_inside
    from core.collections.sources import CollectionError

    try:
        check_inside(collection.folder, [FILE])
    except CollectionError:
        return None
    return load(collection.folder / FILE, collection.coords)


def topics(dataset, *, cache=None, seed: int = 0) -> Topics:
    """The topic hierarchy of a Dataset's map: stored with a collection (`python -m core topics`), else computed
    from its map and texts and kept in the disk cache (`cache`, by default the app's) for that very map."""
    stored = dataset.stored_topics
    if stored is not None:
        return stored
    from core.cache.disk import DiskCache, default_folder
    from core.cache.keys import key_digest

    cache = cache if cache is not None else DiskCache(default_folder())
    key = {"step": "topics", "dataset": dataset.digest, "coords": coords_digest(dataset.coords), "seed": seed,
           "version": FORMAT_VERSION}

    def compute():
        return to_arrays(topic_hierarchy(dataset.coords, dataset.all_texts(), seed=seed))

    return from_arrays(*cache.get_or_compute(key_digest(key), compute))
