"""Drift: calibration (quiet when nothing changed), power, determinism, the MMD statistic by brute force,
bad inputs, what drifted, drift over time, the seasons data and the command line."""
import importlib.util

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, kstest

import core
from core.__main__ import main
from core.analyses.drift import DriftError, drift
from core.analyses.drift_explained import cluster_shares, typical_documents, words_that_moved
from core.analyses.windows import drift_over_time, holm, windows_of

RUNS = 200


@pytest.fixture(scope="module")
def seasons():
    corpus = core.load_corpus("flutter-seasons")
    return corpus, core.embed(corpus, "minilm-static").vectors


def halves(vectors, seed, n):
    """Two random disjoint sets of n documents from one corpus: no drift by construction."""
    rows = np.random.default_rng(seed).choice(len(vectors), 2 * n, replace=False)
    return vectors[rows[:n]], vectors[rows[n:]]


@pytest.mark.parametrize("method,n", [("classifier", 60), ("mmd", 40)])
def test_no_drift_rejects_about_five_percent_of_the_time(seasons, method, n):
    _, vectors = seasons
    p = np.array([drift(*halves(vectors, seed, n), method=method, seed=seed, permutations=200).p_value
                  for seed in range(RUNS)])
    # A calibrated test rejects Binomial(200, 0.05) times; outside the 0.1%-99.9% range means broken
    # (a test that scores the training documents, for one, rejects nearly always).
    low, high = binom.ppf([0.001, 0.999], RUNS, 0.05)
    assert low <= (p < 0.05).sum() <= high
    assert kstest(p, "uniform").pvalue > 0.001  # and the p-values are uniform overall, not only at 5%


@pytest.mark.parametrize("method", ["classifier", "mmd"])
def test_a_real_shift_is_caught(method):
    rng = np.random.default_rng(0)
    caught = [drift(rng.normal(size=(100, 20)), rng.normal(size=(100, 20)) + 0.25, method=method,
                    seed=seed, permutations=200).p_value < 0.05 for seed in range(20)]
    assert sum(caught) >= 17


@pytest.mark.parametrize("encoder", ["minilm-static", "tfidf"])
def test_seasons_story_spring_to_autumn_drifts_two_spring_weeks_do_not(encoder):
    corpus = core.load_corpus("flutter-seasons")
    vectors = core.embed(corpus, encoder).vectors
    season = corpus.metadata.season.to_numpy()
    spring_to_autumn = drift(vectors[season == "spring"], vectors[season == "autumn"])
    assert spring_to_autumn.drifted and spring_to_autumn.p_value < 0.01 and spring_to_autumn.score > 0.65
    assert "has drifted" in spring_to_autumn.meaning
    week = windows_of(corpus.metadata.date, "week").to_numpy()
    quiet = drift(vectors[week == "2025-03-31/2025-04-06"], vectors[week == "2025-04-07/2025-04-13"])
    assert not quiet.drifted and "no evidence of drift" in quiet.meaning


def test_p_value_is_never_zero():
    rng = np.random.default_rng(0)
    far = drift(rng.normal(size=(50, 5)), rng.normal(size=(50, 5)) + 3, permutations=200)
    assert far.score > 0.99 and far.p_value == pytest.approx(1 / 201)  # the observed labelling counts too


def test_same_seed_same_result_other_seed_other_split(seasons):
    _, vectors = seasons
    a, b = halves(vectors, 1, 80)
    for method in ("classifier", "mmd"):
        assert drift(a, b, method=method, seed=3) == drift(a, b, method=method, seed=3)
    assert drift(a, b, seed=3).score != drift(a, b, seed=4).score


def test_mmd_statistic_matches_a_brute_force_computation():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(12, 3)), rng.normal(size=(9, 3)) + 0.5
    Z = np.vstack([X, Y])
    distances = [np.linalg.norm(Z[i] - Z[j]) for i in range(len(Z)) for j in range(len(Z)) if i != j]
    sigma = np.median(distances)

    def k(u, v):
        return np.exp(-np.sum((u - v) ** 2) / (2 * sigma ** 2))

    def mean_within(A):
        return sum(k(A[i], A[j]) for i in range(len(A)) for j in range(len(A)) if i != j) / (len(A) * (len(A) - 1))

    cross = sum(k(x, y) for x in X for y in Y) / (len(X) * len(Y))
    expected = mean_within(X) + mean_within(Y) - 2 * cross
    assert drift(X, Y, method="mmd").score == pytest.approx(expected, rel=1e-9)


def test_early_stop_spends_few_permutations_on_a_quiet_result(seasons):
    _, vectors = seasons
    quiet = drift(*halves(vectors, 2, 200), seed=0)
    assert quiet.p_value > 0.2 and quiet.permutations < 200


@pytest.mark.parametrize("size", [0, 1, 2])
def test_too_few_documents_is_a_sentence(size):
    with pytest.raises(DriftError, match=f"has {size} document.*at least 6"):
        drift(np.ones((size, 4)), np.ones((10, 4)))


def test_bad_vectors_are_sentences():
    good = np.random.default_rng(0).normal(size=(10, 4))
    with pytest.raises(DriftError, match="4 dimensions.*3.*same encoder"):
        drift(good, good[:, :3])
    broken = good.copy()
    broken[[2, 7], 1] = np.nan
    with pytest.raises(DriftError, match="2 vectors with NaN or infinite values \\(rows 2, 7\\)"):
        drift(good, broken)
    with pytest.raises(DriftError, match="2-D array"):
        drift(good, np.ones(10))
    with pytest.raises(DriftError, match="Unknown drift method"):
        drift(good, good, method="t-test")


def test_identical_sets_and_very_different_sizes_are_documented_results(seasons):
    _, vectors = seasons
    same = drift(vectors[:50], vectors[:50])
    assert same.p_value == 1.0 and not same.drifted and "identical" in same.notes[0]
    lopsided = drift(vectors[:10], vectors[10:1010])
    assert 0 <= lopsided.p_value <= 1 and "100 times larger" in lopsided.notes[0]
    constant = drift(np.zeros((8, 5)), np.zeros((9, 5)), method="mmd")  # e.g. every word unknown to the encoder
    assert constant.score == pytest.approx(0) and not constant.drifted


def test_holm_adjustment_by_hand():
    adjusted = holm([0.01, np.nan, 0.04, 0.03])
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert np.allclose(adjusted[[0, 3, 2]], [0.03, 0.06, 0.06]) and np.isnan(adjusted[1])


def test_what_drifted_between_spring_and_autumn(seasons):
    corpus, vectors = seasons
    season = corpus.metadata.season.to_numpy()
    rows = np.flatnonzero(np.isin(season, ["spring", "autumn"]))
    texts, is_autumn = [corpus.texts[i] for i in rows], season[rows] == "autumn"
    shares = cluster_shares(texts, vectors[rows], is_autumn)
    assert shares[["reference share", "current share"]].sum().round(6).tolist() == [1, 1]
    assert shares.change.abs().is_monotonic_decreasing
    typical = typical_documents(texts, vectors[rows], is_autumn, top=10)
    topics = pd.Series(corpus.labels)[rows[typical.row]]
    assert (topics.isin(["migration", "weather"])).mean() >= 0.6 and typical.document.is_unique
    spring_texts = [t for t, a in zip(texts, is_autumn) if not a]
    rose, fell = words_that_moved(spring_texts, [t for t, a in zip(texts, is_autumn) if a])
    assert "eggs" in fell.word.tolist() and "frost" in rose.word.tolist()


def test_word_shares_by_hand():
    rose, fell = words_that_moved(["owl hoots", "owl sleeps", "owl eats"], ["crow caws", "crow eats", "owl"],
                                  min_documents=1)
    by_word = pd.concat([rose, fell]).set_index("word")
    assert by_word.loc["crow", "log2 change"] == pytest.approx(np.log2((3 / 5) / (1 / 5)), abs=0.01)
    assert by_word.loc["owl", "log2 change"] == pytest.approx(np.log2((2 / 5) / (4 / 5)), abs=0.01)
    assert "eats" not in by_word.index  # same share in both sets


def test_frequent_words_outrank_rare_ones_with_a_similar_ratio():
    reference = ["snow"] * 10 + ["calm day"] * 90
    current = ["snow"] * 40 + ["hail"] * 3 + ["calm day"] * 57
    rose, _ = words_that_moved(reference, current)
    assert rose.loc[rose.word == "hail", "log2 change"].item() > rose.loc[rose.word == "snow", "log2 change"].item()
    assert rose.word.tolist()[:2] == ["snow", "hail"]  # 40 documents are surer evidence than 3


def test_drift_over_time_marks_the_seasons(seasons):
    corpus, vectors = seasons
    months = windows_of(corpus.metadata.date, "month")
    frame = drift_over_time(vectors, months).set_index("window")
    assert frame.loc["2025-03", "reference"] and np.isnan(frame.loc["2025-03", "score"])
    assert not frame.loc[["2025-04", "2025-05"], "drifted"].any()  # spring against spring
    assert frame.loc[["2025-10", "2025-12", "2026-01"], "drifted"].all()  # autumn and winter
    with pytest.raises(DriftError, match="choose a longer window"):
        drift_over_time(vectors[:12], windows_of(corpus.metadata.date[:12], "day"))


def test_many_windows_of_noise_are_not_flagged_by_chance():
    rng = np.random.default_rng(0)
    noise = drift_over_time(rng.normal(size=(40 * 20, 8)), np.repeat([f"w{i:02d}" for i in range(40)], 20))
    assert (noise["p value"] < 0.05).sum() == 1  # one of 39 windows crosses 5% by chance ...
    assert not noise.drifted.any()  # ... and the correction for many windows does not flag it


def test_seasons_csv_is_regenerated_byte_for_byte(root, monkeypatch):
    monkeypatch.syspath_prepend(str(root / "data"))   # the generator scripts import each other, as scripts do
    spec = importlib.util.spec_from_file_location("make_flutter_seasons", root / "data" / "make_flutter_seasons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    flits = module.build()
    assert module.csv_text(flits).encode() == (root / "data" / "flutter_seasons.csv").read_bytes()
    assert 1000 <= len(flits) <= 2000 and set(flits.season) == {"spring", "summer", "autumn", "winter"}


def test_cli_prints_score_and_p_value_and_exits_non_zero_on_errors(tmp_path, capsys):
    spring, autumn = "flutter-seasons:season=spring", "flutter-seasons:season=autumn"
    assert main(["drift", spring, autumn, "--encoder", "tfidf"]) == 0
    out = capsys.readouterr().out
    assert "score (AUC)" in out and "p-value: 0.000999" in out and "has drifted" in out
    assert main(["drift", spring, autumn, "--encoder", "tfidf", "--fail-on-drift"]) == 1
    assert main(["drift", spring, "flutter-seasons:season=monsoon", "--encoder", "tfidf"]) == 2
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("one flit\nanother flit\n")
    assert main(["drift", "flutter", str(tiny), "--encoder", "tfidf"]) == 2
    assert "has 2 documents" in capsys.readouterr().err
