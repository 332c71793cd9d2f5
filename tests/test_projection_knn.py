"""UMAP built from one kNN graph handed in (core.project(knn=...)), checked against UMAP's own search
and scikit-learn's brute-force neighbours."""
import numpy as np
import pytest

import core
from core.maps import projection


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 24)) * 3
    return (centres[rng.integers(0, 4, 240)] + rng.normal(size=(240, 24))).astype(np.float32)


def test_exact_cosine_knn_equals_scikit_learn_brute_force(points):
    from sklearn.neighbors import NearestNeighbors

    distances, indices = NearestNeighbors(n_neighbors=11, metric="cosine", algorithm="brute").fit(points) \
        .kneighbors(points)
    ours, our_distances = projection.exact_cosine_knn(points, 10)
    assert (ours == indices[:, 1:]).all()
    np.testing.assert_allclose(our_distances, distances[:, 1:], atol=1e-5)


def test_the_graph_handed_to_umap_is_the_one_umap_builds_itself(points):
    umap = projection.import_umap()
    settings = dict(n_neighbors=15, metric="cosine", random_state=0, n_jobs=1)
    own = umap.UMAP(**settings).fit(points).graph_
    handed = umap.UMAP(**settings, precomputed_knn=projection.umap_neighbors(points, 15)).fit(points).graph_
    assert abs(own - handed).max() < 1e-4


def test_project_with_the_pipelines_knn_makes_a_map_as_faithful_as_umaps_own(points):
    from sklearn.manifold import trustworthiness

    umap = projection.import_umap()
    theirs = umap.UMAP(n_neighbors=15, metric="cosine", min_dist=0.1, random_state=0, n_jobs=1).fit_transform(points)
    knn = projection.exact_cosine_knn(points, 20)            # more columns than UMAP needs: it takes 14
    ours = core.project(points, method="umap", knn=knn)
    assert ours.shape == (240, 2) and np.isfinite(ours).all()
    mine, reference = (trustworthiness(points, m, n_neighbors=10, metric="cosine") for m in (ours, theirs))
    assert mine > reference - 0.01
    np.testing.assert_array_equal(ours, core.project(points, method="umap", knn=knn))  # deterministic


def test_a_knn_with_too_few_columns_is_replaced_by_an_exact_one(points):
    few = projection.exact_cosine_knn(points, 3)
    graph = projection.umap_neighbors(points, 15, few)
    assert graph[0].shape == (240, 15) and (graph[0][:, 0] == np.arange(240)).all()
    assert (graph[0][:, 1:] == projection.exact_cosine_knn(points, 14)[0]).all()


def test_pca_coordinates_are_the_exact_principal_components():
    """numpy's SVD of the centred data is the reference; sklearn's randomized solver (its default for a
    600 x 300 matrix) lands up to a few % of the map away when the leading variances are close."""
    rng = np.random.default_rng(3)
    X = (rng.normal(size=(600, 300)) * np.linspace(1.0, 0.8, 300)).astype(np.float32)
    centred = X - X.mean(axis=0)
    U, S, _ = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    reference = U[:, :2] * S[:2]
    coords = projection.pca(X, 2)
    coords = coords * np.sign((coords * reference).sum(axis=0))   # a component's sign is arbitrary
    spread = reference.max(axis=0) - reference.min(axis=0)
    assert np.abs(coords - reference).max(axis=0).max() / spread.min() < 1e-3
    shares = projection.explained_variance(X, 2)
    np.testing.assert_allclose(shares, S[:2] ** 2 / (S ** 2).sum(), rtol=1e-3)
