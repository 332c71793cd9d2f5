"""The seeded points that the map test app draws; tests import it to know where every point is."""
import numpy as np

CLUSTERS = 12


def blobs(n: int, seed: int = 0):
    """n points in CLUSTERS Gaussian blobs (row i belongs to blob i % CLUSTERS), the blob centres."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(CLUSTERS, 2))
    blob = np.arange(n) % CLUSTERS
    return centres[blob] + rng.normal(scale=1.2, size=(n, 2)), blob, centres


def topic_names(count: int) -> list[str]:
    """Names with markup, quotes and an ampersand: the map must show them as typed."""
    return [f'Topic {c} <b>"{"rain" if c % 2 else "song"}"</b> & co' for c in range(count)]
