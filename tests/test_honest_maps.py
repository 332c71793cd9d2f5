"""Issue 4's core: map quality, neighbour overlap, alignment, clusters and concept axes."""
import numpy as np
import pytest
from sklearn.manifold import trustworthiness as sklearn_trustworthiness

import core
from core.clusters import cluster, cluster_names, cluster_terms
from core.compare import align, most_changed, neighbour_overlap, similarity_difference
from core.concepts import concept_direction, concept_scores
from core.encoders import get_encoder
from core.similarity import nearest_on_map
from core.trust import continuity, map_quality, neighbour_preservation, trustworthiness


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 12))
    Y = X[:, :2] + 0.4 * rng.normal(size=(150, 2))
    return X, Y


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_trustworthiness_equals_scikit_learn(data, metric):
    X, Y = data
    assert trustworthiness(X, Y, 7, metric=metric) == pytest.approx(sklearn_trustworthiness(X, Y, n_neighbors=7,
                                                                                           metric=metric), abs=1e-12)


def test_continuity_is_trustworthiness_with_roles_swapped(data):
    X, Y = data
    assert continuity(X, Y, 5) == pytest.approx(sklearn_trustworthiness(Y, X, n_neighbors=5), abs=1e-12)
    with pytest.raises(ValueError):
        trustworthiness(X[:10], Y[:10], 6)


def test_preservation_is_one_when_the_map_is_the_data(data):
    _, Y = data
    assert neighbour_preservation(Y, Y, 10, metric="euclidean").min() == 1.0
    shuffled = np.random.default_rng(1).permutation(Y)
    assert neighbour_preservation(Y, shuffled, 10, metric="euclidean").mean() < 0.2


def test_map_quality_samples_large_inputs_and_handles_tiny_ones():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3100, 5))
    quality = map_quality(X, X[:, :2], 5)
    assert quality["sampled"] == 3000 and 0 < quality["trustworthiness"] <= 1
    assert np.isnan(map_quality(X[:4], X[:4, :2])["trustworthiness"])


def test_neighbour_overlap_with_itself_is_one_and_with_random_is_near_k_over_n():
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(400, 16)), rng.normal(size=(400, 16))
    assert neighbour_overlap(A, A, 10).min() == 1.0
    k, n = 10, 400
    expected = (k / n) / (2 - k / n)  # Jaccard of two random k-subsets
    assert abs(neighbour_overlap(A, B, k).mean() - expected) < 0.02


def test_alignment_undoes_rotation_reflection_and_scale():
    rng = np.random.default_rng(4)
    A = rng.normal(size=(50, 2))
    angle = 1.1
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    B = 3 * (A @ rotation) * np.array([1, -1]) + 5
    ref, moved = align(A, B)
    np.testing.assert_allclose(ref, moved, atol=1e-9)


def test_most_changed_lists_both_neighbourhoods(flutter):
    a, b = core.embed(flutter, "tfidf"), core.embed(flutter, "glove")
    table = most_changed(flutter.texts, a.vectors, b.vectors, k=3, top=5)
    assert len(table) == 5 and (table.overlap.diff().dropna() >= 0).all()
    assert table["neighbours under A"].str.count(r" \| ").eq(2).all()
    diff = similarity_difference(a.vectors, a.vectors, [0, 1, 2])
    assert np.abs(diff).max() == 0


def test_cluster_labels_contain_terms_that_occur_in_their_clusters(flutter):
    ids = cluster(core.embed(flutter, "minilm").vectors, n_clusters=6)
    terms = cluster_terms(flutter.texts, ids, n_terms=3)
    assert len(terms) == 6
    for cluster_id, words in terms.items():
        text = " ".join(t.lower() for t, c in zip(flutter.texts, ids) if c == cluster_id)
        assert words and all(word in text for word in words)
    names = cluster_names(flutter.texts, ids)
    assert all(name.split(":")[0].isdigit() and name.endswith(")") for name in names)


def test_hdbscan_runs_and_may_mark_noise(flutter):
    ids = cluster(core.embed(flutter, "lsa").vectors, method="hdbscan", min_cluster_size=5)
    assert len(ids) == len(flutter) and ids.min() >= -1
    with pytest.raises(ValueError, match="Unknown clustering"):
        cluster(np.ones((3, 2)), method="dbscan++")


def test_concept_axis_orders_documents_and_refuses_unknown_phrases(flutter):
    emb = core.embed(flutter, "minilm")
    scores = concept_scores(emb.vectors, concept_direction(emb.encoder, "winter", "summer"))
    texts = np.array(flutter.texts)
    snowy = [i for i, t in enumerate(texts) if "snow" in t.lower()]
    sunny = [i for i, t in enumerate(texts) if "heatwave" in t.lower() or "sunshine" in t.lower()]
    assert scores[snowy].mean() < scores[sunny].mean()
    glove = get_encoder("glove").fit(["x"])
    with pytest.raises(core.EncoderError, match="cannot embed 'zzqx vvkj'"):
        concept_direction(glove, "zzqx vvkj", "summer")
    with pytest.raises(core.EncoderError, match="same vector"):
        concept_direction(glove, "summer", "Summer")


def test_nearest_on_map_excludes_the_point():
    coords = np.array([[0, 0], [1, 0], [5, 5], [0.5, 0]])
    found = nearest_on_map(coords, 0, 2)
    assert found.indices.tolist() == [3, 1] and found.scores[0] == pytest.approx(0.5)
