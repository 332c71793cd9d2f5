"""Issue 4's core: map quality, neighbour overlap, alignment, clusters and concept axes."""
import numpy as np
import pytest
from scipy.spatial import procrustes as scipy_procrustes
from sklearn.cluster import HDBSCAN as SklearnHDBSCAN
from sklearn.manifold import trustworthiness as sklearn_trustworthiness
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.pairwise import cosine_similarity

import core
from core.maps.clusters import cluster, cluster_names, cluster_terms
from core.maps.topics import topic_hierarchy, topic_labels
from core.analyses.compare import align, most_changed, neighbour_overlap, similarity_difference
from core.analyses.concepts import concept_direction, concept_scores
from core.sources.corpus import shorten
from core.encoders import get_encoder
from core.neighbours.similarity import nearest_on_map
from core.neighbours.trust import continuity, map_quality, neighbour_preservation, trustworthiness


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


def test_map_quality_samples_large_inputs_and_matches_scikit_learn_on_the_sample():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3100, 5))
    Y = X[:, :2] + 0.3 * rng.normal(size=(3100, 2))
    quality = map_quality(X, Y, 5)
    assert quality["sampled"] == 3000
    rows = np.sort(np.random.default_rng(0).choice(3100, 3000, replace=False))  # map_quality's seeded sample
    Xs, Ys = X[rows], Y[rows]
    unit = Xs / np.linalg.norm(Xs, axis=1, keepdims=True)  # euclidean on unit rows ranks like cosine
    expected_trust = sklearn_trustworthiness(Xs, Ys, n_neighbors=5, metric="cosine")
    expected_continuity = sklearn_trustworthiness(Ys, unit, n_neighbors=5)  # roles swapped
    assert abs(expected_trust - expected_continuity) > 0.05  # so that swapping the two would show
    assert quality["trustworthiness"] == pytest.approx(expected_trust, abs=1e-9)
    assert quality["continuity"] == pytest.approx(expected_continuity, abs=1e-9)


def test_map_quality_of_tiny_inputs_is_not_a_number():
    X = np.random.default_rng(2).normal(size=(4, 5))
    assert np.isnan(map_quality(X, X[:, :2])["trustworthiness"])


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
    reference, _, _ = scipy_procrustes(A, B)
    np.testing.assert_allclose(ref, reference, atol=1e-9)
    np.testing.assert_allclose(moved, reference, atol=1e-9)


def test_alignment_of_a_noisy_copy_matches_scipy_procrustes():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(60, 2))
    B = 2 * np.fliplr(A) + 0.5 * rng.normal(size=(60, 2)) - 1
    ref, moved = align(A, B)
    reference, aligned, disparity = scipy_procrustes(A, B)
    assert disparity > 0.01
    np.testing.assert_allclose(ref, reference, atol=1e-9)
    # scipy also rescales the moved map to fit best; align keeps both maps at unit size
    np.testing.assert_allclose(moved, aligned / np.linalg.norm(aligned), atol=1e-9)
    assert np.linalg.norm(moved) == pytest.approx(1.0)
    assert 1 - (ref * moved).sum() ** 2 == pytest.approx(disparity, abs=1e-9)


def _top_k_by_cosine(X, k):
    S = cosine_similarity(X)
    np.fill_diagonal(S, -np.inf)
    return [set(np.argsort(-row, kind="stable")[:k].tolist()) for row in S]


def test_most_changed_lists_both_neighbourhoods(flutter):
    a, b = core.embed(flutter, "tfidf").vectors, core.embed(flutter, "glove").vectors
    k = 4  # no ties at the 4th neighbour under either encoder, so brute force has one answer
    under_a, under_b = _top_k_by_cosine(a, k), _top_k_by_cosine(b, k)
    jaccard = np.array([len(x & y) / len(x | y) for x, y in zip(under_a, under_b)])
    expected_rows = np.argsort(jaccard, kind="stable")[:5]
    table = most_changed(flutter.texts, a, b, k=k, top=5)
    assert table.document.tolist() == [flutter.texts[i] for i in expected_rows]
    np.testing.assert_allclose(table.overlap, jaccard[expected_rows].round(3))
    short = [shorten(t, 60) for t in flutter.texts]
    for (_, row), i in zip(table.iterrows(), expected_rows):
        assert set(row["neighbours under A"].split(" | ")) == {short[j] for j in under_a[i]}
        assert set(row["neighbours under B"].split(" | ")) == {short[j] for j in under_b[i]}


def test_similarity_difference_is_b_minus_a(flutter):
    a, b = core.embed(flutter, "tfidf").vectors, core.embed(flutter, "glove").vectors
    rows = [0, 1, 2, 40, 300]
    expected = cosine_similarity(b[rows]) - cosine_similarity(a[rows])
    assert np.abs(expected).max() > 0.1
    np.testing.assert_allclose(similarity_difference(a, b, rows), expected, atol=1e-5)


def test_cluster_labels_contain_terms_that_occur_in_their_clusters(flutter, flutter_minilm):
    ids = cluster(flutter_minilm.vectors, n_clusters=6)
    terms = cluster_terms(flutter.texts, ids, n_terms=3)
    assert len(terms) == 6
    for cluster_id, words in terms.items():
        text = " ".join(t.lower() for t, c in zip(flutter.texts, ids) if c == cluster_id)
        assert words and all(word in text for word in words)
    names = cluster_names(flutter.texts, ids)
    assert all(name.split(":")[0].isdigit() and name.endswith(")") for name in names)


def test_each_area_of_a_map_is_named_by_its_own_words_at_its_middle():
    rng = np.random.default_rng(3)
    areas = {(0, 0): "heron heron wading marsh", (10, 0): "owl owls hooting midnight", (0, 10): "gull gulls harbour chips",
             (10, 10): "swift swifts tower summer"}
    coords = np.vstack([np.array(centre) + rng.normal(0, 0.5, (40, 2)) for centre in areas])
    texts = [f"{words} {rng.integers(1000)}" for words in areas.values() for _ in range(40)]
    found = topic_hierarchy(coords, texts)
    regions = topic_labels(found).query("level == 0").to_dict("records")    # the broadest names
    assert len(regions) == 4
    for region in regions:
        centre = min(areas, key=lambda c: np.hypot(region["x"] - c[0], region["y"] - c[1]))
        assert np.hypot(region["x"] - centre[0], region["y"] - centre[1]) < 1
        own = set(areas[centre].split())
        words = region["label"].split(" · ")
        assert len(words) == 2 and set(words) <= own          # its own words, none from another area
        assert not (words[0][:4] == words[1][:4])             # not "owl · owls"


def test_hdbscan_finds_well_separated_blobs_and_marks_far_points_as_noise():
    rng = np.random.default_rng(6)
    directions = np.eye(40)[:4] * 10  # four orthogonal directions: far apart after unit-length scaling
    truth = np.repeat(np.arange(4), 30)
    X = directions[truth] + rng.normal(size=(120, 40))
    outliers = -10 * np.eye(40)[4:7] + 0.1 * rng.normal(size=(3, 40))  # three lone points, each its own direction
    ids = cluster(np.vstack([X, outliers]), method="hdbscan", min_cluster_size=5)
    assert adjusted_rand_score(truth, ids[:120]) == 1.0 and (ids[:120] >= 0).all()
    assert (ids[120:] == -1).all()


def test_hdbscan_on_few_dimensions_equals_scikit_learn():
    rng = np.random.default_rng(7)
    X = np.vstack([rng.normal(loc, 0.3, size=(40, 3)) for loc in ([4, 0, 0], [0, 4, 0], [0, 0, 4], [3, 3, 3])])
    X = np.vstack([X, rng.normal(size=(10, 3))])
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)  # cluster() works on unit-length rows
    expected = SklearnHDBSCAN(min_cluster_size=5, copy=True).fit_predict(unit)
    assert len(set(expected) - {-1}) >= 3
    np.testing.assert_array_equal(cluster(X, method="hdbscan", min_cluster_size=5), expected)
    with pytest.raises(ValueError, match="Unknown clustering"):
        cluster(np.ones((3, 2)), method="dbscan++")


def test_concept_axis_orders_documents_and_refuses_unknown_phrases(flutter, flutter_minilm):
    emb = flutter_minilm
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
