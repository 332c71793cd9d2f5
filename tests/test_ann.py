"""Neighbour search at scale, checked against brute-force exact cosine search done here."""
import numpy as np
import pytest

from core.neighbours.ann import NeighborIndex


def weakly_clustered(n, d=64, seed=0):
    """Gaussian vectors around 50 centres that barely stand out of the noise (hard for an index), and
    100 queries drawn the same way, none of them in the corpus."""
    rng = np.random.default_rng(seed)
    centres = 0.5 * rng.normal(size=(50, d))
    X = centres[rng.integers(0, 50, n)] + rng.normal(size=(n, d))
    queries = centres[rng.integers(0, 50, 100)] + rng.normal(size=(100, d))
    return X.astype(np.float32), queries.astype(np.float32)


def unit(X):
    X = np.asarray(X, dtype=np.float64)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def exact_top(X, query, k):
    scores = unit(X) @ unit(query[None])[0]
    top = np.argsort(-scores, kind="stable")[:k]
    return top, scores[top]


def test_small_corpora_use_exact_search():
    X, queries = weakly_clustered(500)
    index = NeighborIndex(X)
    assert not index.approximate
    for query in queries[:10]:
        rows, scores = exact_top(X, query, 5)
        found = index.query(query, 5)
        np.testing.assert_array_equal(found.indices, rows)
        np.testing.assert_allclose(found.scores, scores, atol=1e-5)


@pytest.fixture(scope="module")
def approximate():
    X, queries = weakly_clustered(5000)
    return X, queries, NeighborIndex(X, approximate_above=0)


def test_approximate_search_finds_most_of_the_exact_neighbours(approximate):
    X, queries, index = approximate
    assert index.approximate
    k = 10
    recall = np.mean([len(set(exact_top(X, q, k)[0].tolist()) & set(index.query(q, k).indices.tolist())) / k
                      for q in queries])
    assert recall >= 0.8, f"recall@{k} against exact search is {recall:.2f}"


def test_approximate_results_are_real_rows_with_their_true_cosines(approximate):
    X, queries, index = approximate
    Xn = unit(X)
    for query in queries[:20]:
        found = index.query(query, 10)
        assert len(set(found.indices.tolist())) == 10 and (np.diff(found.scores) <= 1e-6).all()
        np.testing.assert_allclose(found.scores, Xn[found.indices] @ unit(query[None])[0], atol=1e-5)
        _, best = exact_top(X, query, 10)
        assert (found.scores <= best + 1e-6).all()  # rank by rank, never better than the exact answer
