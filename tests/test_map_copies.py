"""Maps of corpora where many documents repeat the same text. UMAP's graph of exact copies falls apart into
islands of copies and its spectral start fails ("Falling back to random initialisation!"); both the in-memory
map (core.project) and a collection build map each distinct vector once and put its copies beside it. A corpus
without copies gets exactly the map it got before."""
import re
import warnings

import numpy as np
import pytest
from scipy.spatial.distance import pdist

from core import Corpus, embed, open_collection
from core.maps import projection
from core.__main__ import main
from core.collections import build_collection
from core.collections.synthetic import synthetic_documents

DISTINCT, ROWS = 300, 1500   # 80 % of the documents repeat another: UMAP's spectral start failed on these
SPECTRAL = "Spectral initialisation failed"


def with_copies(distinct: int, rows: int):
    """A frame of `rows` documents made of `distinct` texts, and for every row the row of its text's first use."""
    frame = synthetic_documents(distinct, seed=3)
    assert frame.text.nunique() == distinct
    original = np.r_[np.arange(distinct), np.random.default_rng(0).integers(0, distinct, rows - distinct)]
    return frame.iloc[original].reset_index(drop=True).assign(id=np.arange(rows)), original


@pytest.fixture(scope="module")
def copies_csv(tmp_path_factory):
    frame, original = with_copies(DISTINCT, ROWS)
    path = tmp_path_factory.mktemp("copies") / "copies.csv"
    frame.to_csv(path, index=False)
    return path, frame, original


def spectral_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught if SPECTRAL in str(w.message)]


def assert_copies_sit_together(coords, original):
    """Every copy is nearer its original than a twentieth of the median distance between distinct documents."""
    coords = np.asarray(coords, dtype=np.float64)
    typical = np.median(pdist(coords[:DISTINCT]))
    gaps = np.linalg.norm(coords - coords[original], axis=1)
    assert gaps.max() < typical / 20, (gaps.max(), typical)
    assert len(np.unique(coords[original == original[-1]], axis=0)) > 1   # a stack shows as a spot, not one point


def test_a_build_of_mostly_repeated_texts_has_no_spectral_warning_and_counts_its_documents(copies_csv, tmp_path,
                                                                                           capsys):
    path, _, original = copies_csv
    out = tmp_path / "copies"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["build", str(path), "--encoder", "minilm-static", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert not spectral_warnings(caught) and SPECTRAL not in err
    assert "0/0 docs" not in err
    assert re.search(rf"map \(umap\): 100%\|[^|]*\| {ROWS}/{ROWS} docs", err), err
    assert f"{ROWS - DISTINCT:,} of the map's {ROWS:,} sampled documents repeat another's vector" in err
    collection = open_collection(out)
    assert collection.manifest["projection"]["method"] == "umap"
    assert collection.manifest["projection"]["distinct_fitted"] == DISTINCT
    assert_copies_sit_together(collection.coords, original)


def test_copies_outside_the_maps_sample_are_placed_beside_their_original(copies_csv, tmp_path, capsys):
    """With a sample of 500, most copies are placed by UMAP's transform after the fit, not fitted with it."""
    path, _, original = copies_csv
    out = build_collection(path, encoder="minilm-static", out=tmp_path / "sampled", map_sample=500, progress=True)
    assert re.search(rf"map \(umap\): 100%\|[^|]*\| {ROWS}/{ROWS} docs", capsys.readouterr().err)
    projection_info = open_collection(out).manifest["projection"]
    assert (projection_info["fitted_on"], projection_info["placed_by"]) == (500, "transform")
    assert_copies_sit_together(open_collection(out).coords, original)


def test_a_build_with_fewer_than_ten_distinct_texts_draws_pca_and_says_so(tmp_path, capsys):
    texts = ["the heron waits", "rain on the pond", "a kite over the hill"] * 8
    (tmp_path / "three.csv").write_text("text\n" + "\n".join(texts) + "\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = build_collection(tmp_path / "three.csv", encoder="minilm-static", out=tmp_path / "few")
    assert not spectral_warnings(caught)
    assert "only 3 distinct vectors, too few for UMAP: PCA draws the map" in capsys.readouterr().err
    collection = open_collection(out)
    assert collection.manifest["projection"]["method"] == "pca"
    coords = np.asarray(collection.coords)
    assert len(np.unique(coords.round(4), axis=0)) == 3


@pytest.fixture(scope="module")
def copied_vectors(copies_csv):
    _, frame, original = copies_csv
    return embed(Corpus(name="copies", texts=frame.text.tolist()), "minilm-static").vectors, original


@pytest.mark.parametrize("graph", ["the pipeline's graph", "no graph"])
def test_the_in_memory_map_puts_copies_beside_their_original_without_a_spectral_warning(copied_vectors, graph):
    X, original = copied_vectors
    knn = projection.exact_cosine_knn(X, 15) if graph == "the pipeline's graph" else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        coords = projection.project(X, method="umap", knn=knn)
    assert not spectral_warnings(caught)
    assert coords.shape == (ROWS, 2) and np.isfinite(coords).all()
    assert_copies_sit_together(coords, original)
    np.testing.assert_array_equal(coords, projection.project(X, method="umap", knn=knn))   # deterministic


def test_without_copies_the_in_memory_map_is_unchanged():
    rng = np.random.default_rng(3)
    X = (rng.normal(size=(4, 24))[rng.integers(0, 4, 300)] * 3 + rng.normal(size=(300, 24))).astype(np.float32)
    knn = projection.exact_cosine_knn(X, 15)
    plan = projection.plan_projection(len(X), method="umap", dims=X.shape[1])
    before = np.nan_to_num(projection._umap(X, plan, 0, knn)).astype(np.float32)   # the path without copies
    np.testing.assert_array_equal(projection.project(X, method="umap", knn=knn), before)


def test_without_copies_a_build_draws_the_map_it_drew_before(tmp_path):
    """The reference is the build's map as it was made before copies were handled: PCA to 50 dimensions and
    UMAP fitted on the seeded sample, the other documents placed by UMAP's transform."""
    from sklearn.decomposition import PCA

    from core.neighbours.similarity import normalize_rows

    frame = synthetic_documents(400, seed=5).drop_duplicates("text").reset_index(drop=True)
    frame.to_csv(tmp_path / "distinct.csv", index=False)
    out = build_collection(tmp_path / "distinct.csv", encoder="minilm-static", out=tmp_path / "map", map_sample=300)
    collection = open_collection(out)
    X = normalize_rows(collection.vectors)
    assert len(np.unique(X, axis=0)) == len(X)   # no copies
    sample = np.sort(np.random.default_rng(0).choice(len(X), 300, replace=False))
    pca = PCA(n_components=50, random_state=0).fit(X[sample])
    reducer = projection.import_umap().UMAP(n_components=2, n_neighbors=15, metric="cosine", min_dist=0.1,
                                            random_state=0, n_jobs=1, init="spectral")
    expected = np.zeros((len(X), 2), dtype=np.float32)
    expected[sample] = reducer.fit_transform(pca.transform(X[sample]))
    rest = np.setdiff1d(np.arange(len(X)), sample)
    expected[rest] = np.nan_to_num(reducer.transform(pca.transform(X[rest])))
    np.testing.assert_array_equal(np.asarray(collection.coords), expected)


def test_distinct_rows_finds_exact_copies_in_row_order():
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float16):
        Y = rng.integers(0, 3, size=(2000, 4)).astype(dtype)
        first, copy_of = projection.distinct_rows(Y)
        assert first.tolist() == sorted(np.unique(Y, axis=0, return_index=True)[1].tolist())
        assert (Y[first][copy_of] == Y).all()


def test_the_pipelines_graph_is_folded_onto_the_distinct_vectors():
    """Copies in a row's neighbour list count as their original; a row whose list was all copies gets its exact
    neighbours: the result is the exact kNN graph of the distinct vectors."""
    Z = np.random.default_rng(2).normal(size=(400, 16)).astype(np.float32)
    W = np.vstack([Z, Z[:50], Z[:50], Z[:3].repeat(20, axis=0)])
    first, copy_of = projection.distinct_rows(W)
    assert first.tolist() == list(range(400))
    indices, distances = projection.distinct_knn(W[first], projection.exact_cosine_knn(W, 20), first, copy_of, 14)
    exact_indices, exact_distances = projection.exact_cosine_knn(Z, 14)
    assert (indices == exact_indices).all()
    np.testing.assert_allclose(distances, exact_distances, atol=1e-6)
