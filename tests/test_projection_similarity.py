import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.metrics.pairwise import cosine_similarity

import core
from core.maps.projection import plan_projection
from core.neighbours.similarity import block_order, nearest_neighbors, similarity_matrix, within_between


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(3, 20)) * 5
    labels = np.repeat(["a", "b", "c"], 20)
    return (centers[np.repeat(range(3), 20)] + rng.normal(size=(60, 20))).astype(np.float32), labels


@pytest.mark.parametrize("method", ["pca", "umap"])
@pytest.mark.parametrize("dims", [2, 3])
def test_projection_shape_and_determinism(blobs, method, dims):
    X, _ = blobs
    first = core.project(X, method=method, n_components=dims, seed=3)
    assert first.shape == (60, dims) and first.dtype == np.float32 and np.isfinite(first).all()
    np.testing.assert_allclose(first, core.project(X, method=method, n_components=dims, seed=3), atol=1e-5)


def test_umap_keeps_clusters_apart(blobs):
    X, labels = blobs
    coords = core.project(X, method="umap", seed=0)
    distances = np.linalg.norm(coords[:, None] - coords[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    assert (labels[distances.argmin(axis=1)] == labels).mean() > 0.95


@pytest.mark.parametrize("n", [0, 1, 2, 4, 7, 12])
@pytest.mark.parametrize("method", ["pca", "umap"])
def test_tiny_inputs_never_crash(n, method):
    X = np.random.default_rng(0).normal(size=(n, 5)).astype(np.float32)
    coords = core.project(X, method=method, n_components=3)
    assert coords.shape == (n, 3) and np.isfinite(coords).all()


def test_plans_say_when_they_differ_from_the_request():
    assert "PCA is shown instead" in plan_projection(4, method="umap").note
    shrunk = plan_projection(12, method="umap", n_neighbors=15)
    assert shrunk.n_neighbors == 11 and "shrunk" in shrunk.note
    assert plan_projection(500, method="umap").note is None
    with pytest.raises(ValueError):
        plan_projection(10, method="tsne")


def test_pca_of_identical_or_one_dimensional_data_is_zero_padded():
    assert not core.project(np.ones((6, 4)), method="pca").any()
    assert core.project(np.arange(6.0).reshape(6, 1), method="pca", n_components=3)[:, 1:].sum() == 0


def test_nearest_neighbors_match_brute_force_and_exclude_the_query(blobs):
    X, _ = blobs
    found = nearest_neighbors(X, 5, k=7)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    scores = Xn @ Xn[5]
    scores[5] = -np.inf
    np.testing.assert_array_equal(found.indices, np.argsort(-scores)[:7])
    np.testing.assert_allclose(found.scores, np.sort(scores)[::-1][:7], atol=1e-6)
    assert 5 not in found.indices and (np.diff(found.scores) <= 0).all()


def test_vector_queries_and_k_larger_than_the_corpus(blobs):
    X, _ = blobs
    by_vector = nearest_neighbors(X, X[5], k=100)
    assert len(by_vector.indices) == 60 and by_vector.indices[0] == 5
    assert len(nearest_neighbors(X, 0, k=100).indices) == 59
    with pytest.raises(ValueError, match="dimensions"):
        nearest_neighbors(X, np.ones(3), k=1)


def test_zero_vectors_have_zero_similarity():
    S = similarity_matrix(np.array([[1.0, 0], [0, 0], [2.0, 0]]))
    assert S[1].sum() == 0 and S[0, 2] == pytest.approx(1.0)
    assert nearest_neighbors(np.array([[1.0, 0], [0, 0]]), np.zeros(2), k=2).scores.max() == 0


def test_similarity_matrix_equals_scikit_learn_cosine(blobs):
    X = blobs[0]
    S = similarity_matrix(X)
    np.testing.assert_allclose(S, cosine_similarity(X), atol=1e-5)
    np.testing.assert_allclose(np.diag(S), 1.0, atol=1e-5)


@pytest.mark.parametrize("dims", [2, 3])
def test_pca_equals_scikit_learn_up_to_the_sign_of_each_component(dims):
    rng = np.random.default_rng(8)
    # most variance along mixed directions, none of them a column: "the first k centred columns" is not PCA
    latent = rng.normal(size=(200, 3)) * np.array([10.0, 5.0, 2.0])
    X = (latent @ np.linalg.qr(rng.normal(size=(12, 12)))[0][:3] + 0.1 * rng.normal(size=(200, 12))).astype(np.float32)
    coords = core.project(X, method="pca", n_components=dims)
    expected = PCA(n_components=dims).fit_transform(X.astype(np.float64))
    signs = np.sign((coords * expected).sum(axis=0))
    np.testing.assert_allclose(coords * signs, expected, atol=1e-3 * np.abs(expected).max())
    first_columns = X[:, :dims] - X[:, :dims].mean(axis=0)
    assert not np.allclose(np.abs(first_columns), np.abs(expected), atol=1.0)


def test_block_order_keeps_labels_contiguous_and_is_a_permutation(blobs):
    X, labels = blobs
    shuffled = np.random.default_rng(0).permutation(60)
    S, lab = similarity_matrix(X[shuffled]), labels[shuffled]
    order = block_order(S, lab)
    assert sorted(order) == list(range(60))
    runs = [lab[order][i] != lab[order][i + 1] for i in range(59)]
    assert sum(runs) == 2  # three groups, two boundaries
    within, between = within_between(S, lab)
    assert within > between
    unlabelled = block_order(S)
    assert sum(lab[unlabelled][i] != lab[unlabelled][i + 1] for i in range(59)) == 2
