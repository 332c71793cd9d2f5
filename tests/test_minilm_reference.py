"""Our MiniLM encoders against an independent reference: sentence-transformers' own pipeline."""
import numpy as np
import pytest

from core.encoders import get_encoder

MIXED = ["", "ok",
         "Hold fast to dreams, for if dreams die, life is a broken-winged bird that cannot fly. " * 2,
         "Ünïcödé àccents, emoji 🐦🐦 and numbers 3.14159 in one line", "東京で鳥が飛ぶ", "Ελληνικά και עברית"]


@pytest.fixture(scope="module")
def reference(sentence_transformer):
    return sentence_transformer


@pytest.fixture(scope="module")
def mixed_lengths(flutter, reference):
    # shuffled lengths: batches go longest first, and the rows must come back in the caller's order
    texts = [t for pair in zip(flutter.texts[:60], flutter.texts[60:120][::-1]) for t in pair] + MIXED[1:]
    return texts, reference.encode(texts, batch_size=32, normalize_embeddings=True)


@pytest.mark.parametrize("name", ["minilm", "minilm-torch"])
def test_minilm_matches_sentence_transformers(name, mixed_lengths):
    texts, expected = mixed_lengths
    ours = get_encoder(name).fit_transform(texts)
    assert ours.shape == expected.shape == (len(texts), 384)
    assert np.abs(ours - expected).max() < 1e-5


def test_int8_stays_close_to_the_reference_and_keeps_its_rankings(flutter, reference):
    from scipy.stats import spearmanr

    texts = flutter.texts[:120]
    expected = reference.encode(texts, normalize_embeddings=True)
    ours = get_encoder("minilm-int8").fit_transform(texts)
    cosines = (ours * expected).sum(axis=1)
    assert cosines.min() > 0.95 and cosines.mean() > 0.98
    upper = np.triu_indices(len(texts), 1)
    assert spearmanr((ours @ ours.T)[upper], (expected @ expected.T)[upper]).statistic > 0.97
