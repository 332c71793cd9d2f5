"""Our MiniLM encoder against an independent reference: sentence-transformers' own pipeline."""
import numpy as np

from core.encoders import get_encoder
from core.encoders.transformer import bundled_model_path


def test_minilm_matches_sentence_transformers(flutter):
    from sentence_transformers import SentenceTransformer

    texts = flutter.texts[:150] + ["Hold fast to dreams, for if dreams die, life is a broken-winged bird "
                                   "that cannot fly. " * 30]  # longer than 256 tokens: truncation must agree
    reference = SentenceTransformer(str(bundled_model_path()), device="cpu").encode(texts, batch_size=32)
    ours = get_encoder("minilm").fit_transform(texts)
    assert ours.shape == reference.shape == (len(texts), 384)
    assert np.abs(ours - reference).max() < 1e-5
