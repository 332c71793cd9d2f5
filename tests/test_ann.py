import numpy as np

from core.ann import NeighborIndex, recall_at_k
from core.similarity import nearest_neighbors


def clustered(n=3000, d=32, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, d))
    return (centres[rng.integers(0, 40, n)] + 0.5 * rng.normal(size=(n, d))).astype(np.float32)


def test_small_corpora_use_exact_search():
    X = clustered(500)
    index = NeighborIndex(X)
    assert not index.approximate
    np.testing.assert_array_equal(index.query(X[3], 5).indices, nearest_neighbors(X, X[3], 5).indices)


def test_approximate_results_are_real_neighbours_with_true_scores_and_high_recall():
    X = clustered()
    index = NeighborIndex(X, approximate_above=0)
    exact = nearest_neighbors(X, X[7], 10)
    approx = index.query(X[7], 10)
    assert len(set(approx.indices)) == 10 and (np.diff(approx.scores) <= 1e-6).all()
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    np.testing.assert_allclose(approx.scores, Xn[approx.indices] @ Xn[7], atol=1e-5)
    assert approx.scores[0] <= exact.scores[0] + 1e-6  # never better than exact: a subset of the truth
    assert recall_at_k(index, X[:50], 10) >= 0.9
