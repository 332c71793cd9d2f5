import numpy as np
import pytest

import core
from core.encoders import ENCODERS, EncoderError, get_encoder

FAST = [name for name in ENCODERS if name != "minilm"]
DOCS = ["The heron waits by the river bank.", "A crane lifts steel beams over the city.",
        "Swallows fly south before the winter.", "I swallow my pride and ask for help.",
        "Robins sing at dawn in the garden.", "The bank raised its interest rates."] * 3


@pytest.mark.parametrize("name", list(ENCODERS))
def test_output_is_float32_without_nan_and_one_row_per_document(name, flutter):
    encoder = get_encoder(name).fit(flutter.texts[:60])
    vectors = encoder.transform(flutter.texts[:60])
    assert vectors.shape == (60, encoder.dimension) and vectors.dtype == np.float32
    assert np.isfinite(vectors).all() and np.abs(vectors).sum(axis=1).min() > 0


@pytest.mark.parametrize("name", list(ENCODERS))
def test_empty_and_unknown_documents_get_zero_vectors(name):
    encoder = get_encoder(name).fit(DOCS)
    vectors = encoder.transform(["", "   ", "zzqx vvkj", "The heron waits."])
    assert not vectors[:2].any()
    if not name.startswith("minilm"):  # word pieces: MiniLM's tokenizer knows every string
        assert not vectors[2].any()
    assert vectors[3].any()


def assert_distinct_non_zero_rows(name, vectors):
    """Every document here has known words, so no row may be zero; different documents get different
    vectors (LDA excepted: two documents that fall wholly into one topic share its mixture)."""
    assert np.abs(vectors).sum(axis=1).min() > 0, f"{name} gave a zero vector to a document with known words"
    distinct = len(np.unique(vectors.round(5), axis=0))
    if name == "lda":
        assert distinct > 1 or len(vectors) == 1, "LDA gave every document the same topic mixture"
    else:
        assert distinct == len(vectors), f"{name} gave two different documents the same vector"


@pytest.mark.parametrize("name", list(ENCODERS))
def test_fitting_twice_gives_identical_vectors(name):
    first = get_encoder(name).fit_transform(DOCS)
    second = get_encoder(name).fit_transform(DOCS)
    np.testing.assert_allclose(first, second, atol=1e-6)
    assert_distinct_non_zero_rows(name, first[:6])  # DOCS repeats six different documents


@pytest.mark.parametrize("name", list(ENCODERS))
def test_tiny_corpora_of_one_and_two_documents_work(name):
    for docs in (["a single lonely bird"], ["two birds", "sing at dawn"]):
        vectors = get_encoder(name).fit_transform(docs)
        assert vectors.shape[0] == len(docs) and np.isfinite(vectors).all()
        assert_distinct_non_zero_rows(name, vectors)


def test_unknown_encoder_lists_the_known_ones():
    with pytest.raises(EncoderError, match="onehot, tfidf, lsa, lda, word2vec, glove, minilm, minilm-static"):
        get_encoder("bert-huge")


def test_unknown_parameter_is_named():
    with pytest.raises(EncoderError, match="no parameter colour"):
        get_encoder("tfidf", colour="red")


def test_transform_before_fit_is_a_clear_error():
    with pytest.raises(EncoderError, match="fitted"):
        get_encoder("tfidf").transform(["x"])


def test_only_stop_words_or_no_words_is_a_clear_error():
    with pytest.raises(EncoderError, match="No words"):
        get_encoder("lda").fit(["the and of", "to a in"])
    with pytest.raises(EncoderError):
        get_encoder("tfidf").fit(["!!!", "???"])


def test_onehot_is_binary_and_tfidf_rows_are_unit_length():
    onehot = get_encoder("onehot").fit_transform(["bird bird bird song", "song"])
    assert set(np.unique(onehot)) == {0.0, 1.0}
    tfidf = get_encoder("tfidf").fit_transform(DOCS)
    np.testing.assert_allclose(np.linalg.norm(tfidf, axis=1), 1.0, atol=1e-5)


def test_lsa_has_requested_dimensions_and_lda_rows_are_topic_mixtures(flutter):
    lsa = get_encoder("lsa", n_components=20).fit(flutter.texts)
    assert lsa.dimension == 20 and lsa.transform(flutter.texts).shape == (len(flutter), 20)
    mixtures = get_encoder("lda", n_topics=5).fit_transform(flutter.texts)
    np.testing.assert_allclose(mixtures.sum(axis=1), 1.0, atol=1e-4)


def test_word2vec_skipgram_and_cbow_differ():
    cbow = get_encoder("word2vec", sg=0).fit_transform(DOCS)
    skipgram = get_encoder("word2vec", sg=1).fit_transform(DOCS)
    assert cbow.shape == skipgram.shape and not np.allclose(cbow, skipgram)


def test_glove_knows_the_analogy():
    wv = get_encoder("glove").fit(["x"]).word_vectors
    answers = [word for word, _ in wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)]
    assert "queen" in answers


def test_minilm_vectors_are_unit_length_and_meaning_beats_shared_words():
    encoder = get_encoder("minilm").fit(["x"])
    a, b, c = encoder.transform(["Heading south for the winter.", "Off to warmer latitudes till the frost lifts.",
                                 "The winter sale starts tomorrow at the shop."])
    np.testing.assert_allclose([np.linalg.norm(v) for v in (a, b, c)], 1.0, atol=1e-5)
    assert a @ b > 0.3 and a @ b > b @ c


def test_named_model_that_cannot_be_loaded_gives_a_clear_message(tmp_path):
    with pytest.raises(EncoderError, match="Could not load the model"):
        get_encoder("minilm", model=str(tmp_path / "no-such-model")).fit(["x"])


def test_progress_is_reported_for_transformer_batches():
    calls = []
    get_encoder("minilm", batch_size=4).fit(["x"]).transform(DOCS, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (len(DOCS), len(DOCS)) and len(calls) == 5
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_token_budget_batches_cover_every_row_once_longest_first():
    from core.encoders.transformer import token_budget_batches

    lengths = [5, 200, 12, 12, 90, 3, 256, 40]
    batches = token_budget_batches(lengths, max_tokens=256, max_size=3)
    assert sorted(np.concatenate(batches).tolist()) == list(range(8))
    assert all(len(b) * max(lengths[i] for i in b) <= 256 or len(b) == 1 for b in batches)
    assert all(len(b) <= 3 for b in batches) and batches[0].tolist() == [6]


def test_embed_key_names_corpus_encoder_params_revision_and_version(flutter):
    emb = core.embed(flutter, "tfidf", {"max_features": 500})
    assert emb.key["corpus"] == flutter.fingerprint and emb.key["encoder"] == "tfidf"
    assert emb.key["params"]["max_features"] == 500 and emb.key["version"] >= 1
    assert "scikit-learn" in emb.key["model_revision"]
    assert not emb.vectors.flags.writeable
    assert emb.digest != core.embed(flutter, "tfidf", {"max_features": 400}).digest


def test_static_minilm_is_unit_length_and_agrees_with_minilm_on_meaning(flutter):
    from core.neighbours.metrics import knn_label_agreement

    static = get_encoder("minilm-static").fit(["x"])
    vectors = static.transform(flutter.texts)
    assert vectors.shape == (len(flutter), 256) and np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # far better than chance (0.10 for 10 topics), below the full transformer
    assert knn_label_agreement(vectors, flutter.labels) > 0.3
    a, b, c = static.transform(["Heading south for the winter.", "Migrating to warmer lands for the cold season.",
                                "The bank raised its interest rates."])
    assert a @ b > a @ c


def test_zipf_weights_discount_frequent_tokens():
    from core.analyses.distill import zipf_sif_weights

    weights = zipf_sif_weights(1000, first_word_id=100)
    assert (weights > 0).all() and (weights < 1).all()
    assert (np.diff(weights[100:]) > 0).all() and weights[100] < 0.01 < weights[-1]


def test_a_bag_of_words_too_big_to_hold_is_refused_with_what_to_change(monkeypatch):
    import core.encoders.sparse as sparse

    monkeypatch.setattr(sparse, "MAX_DENSE_CELLS", 20)
    encoder = get_encoder("tfidf").fit(DOCS)
    with pytest.raises(EncoderError, match="Lower the vocabulary size to 1 or less, or use LSA"):
        encoder.transform(DOCS)
