"""Documents longer than MiniLM's 256 tokens are read whole, in overlapping windows pooled by token count.

The reference is computed here, independently: sentence-transformers' tokenizer cuts the document's word
pieces with the stride written out by hand, its own model (Transformer + Pooling + Normalize) encodes each
window, and the window vectors are averaged with their piece counts as weights.
"""
import numpy as np
import pytest

from core.encoders import get_encoder
from core.encoders.windows import window_starts

SENTENCES = ["Starlings gather over the marsh at dusk and turn as one great cloud.",
             "The council voted to repair the harbour wall before the winter storms.",
             "A recipe for plum cake needs butter, sugar, eggs, flour and ripe plums.",
             "Engineers traced the outage to a faulty switch in the northern substation.",
             "She practised the cello every morning until the sonata felt easy."]


@pytest.fixture(scope="module")
def reference(sentence_transformer):
    return sentence_transformer


def pooled_by_hand(model, text: str, size: int = 254, overlap: int = 32) -> tuple[np.ndarray, int]:
    import torch

    pieces = model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    starts, start = [], 0
    while True:                      # a window every size - overlap pieces until one reaches the end
        starts.append(start)
        if start + size >= len(pieces):
            break
        start += size - overlap
    total, weights = 0.0, 0
    for start in starts:
        window = pieces[start:start + size]
        ids = torch.tensor([[101, *window, 102]])
        with torch.no_grad():
            vector = model.forward({"input_ids": ids, "attention_mask": torch.ones_like(ids)})["sentence_embedding"]
        total = total + vector[0].numpy().astype(np.float64) * len(window)
        weights += len(window)
    return (total / np.linalg.norm(total)).astype(np.float32), len(starts)


def long_text(n_sentences: int) -> str:
    rng = np.random.default_rng(7)
    return " ".join(SENTENCES[i] for i in rng.integers(0, len(SENTENCES), n_sentences))


@pytest.mark.parametrize("name", ["minilm", "minilm-torch"])
def test_a_long_document_is_the_token_weighted_mean_of_its_windows(name, reference):
    text = long_text(60)             # about 900 word pieces: four windows, the last one short
    expected, n_windows = pooled_by_hand(reference, text)
    encoder = get_encoder(name).fit(["x"])
    ours = encoder.transform(["A short one.", text, ""])
    assert n_windows == 4
    assert np.abs(ours[1] - expected).max() < 1e-4
    truncated = reference.encode([text], normalize_embeddings=True)[0]
    assert np.abs(ours[1] - truncated).max() > 1e-3, "the long document must not be cut at 256 tokens"
    assert encoder.count_windowed(["A short one.", text, ""]) == 1


def test_a_document_that_just_fits_is_one_window_equal_to_sentence_transformers(reference):
    pieces = reference.tokenizer(long_text(40), add_special_tokens=False)["input_ids"]
    fits, spills = (reference.tokenizer.decode(pieces[:n]) for n in (200, 400))
    encoder = get_encoder("minilm").fit(["x"])
    ours = encoder.transform([fits, spills])
    expected = reference.encode([fits], normalize_embeddings=True)[0]
    assert np.abs(ours[0] - expected).max() < 1e-4
    assert encoder.count_windowed([fits, spills]) == 1


def test_window_starts_cover_the_document_with_the_stated_overlap():
    assert window_starts(100, 254, 32, 64) == [0]
    assert window_starts(254, 254, 32, 64) == [0]
    assert window_starts(255, 254, 32, 64) == [0, 222]
    assert window_starts(476, 254, 32, 64) == [0, 222]          # 222 + 254 reaches the end exactly
    assert window_starts(477, 254, 32, 64) == [0, 222, 444]


def test_beyond_max_windows_full_windows_are_spread_over_the_whole_document():
    starts = window_starts(100_254, 254, 32, 5)
    assert starts == [0, 25_000, 50_000, 75_000, 100_000]        # the last window ends at the last piece
