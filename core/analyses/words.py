"""Static word vectors: nearest words, analogies, and vectors for a word map."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.encoders.base import EncoderError


class UnknownWordError(EncoderError):
    """A word is not in the vocabulary; the message names it."""


@dataclass(frozen=True)
class WordScores:
    words: list[str]
    scores: list[float]


def _check(wv, words: list[str], source: str) -> list[str]:
    words = [w.strip().lower() for w in words if w.strip()]
    unknown = [w for w in words if w not in wv.key_to_index]
    if unknown:
        raise UnknownWordError(f"{source} does not know {', '.join(repr(w) for w in unknown)}. "
                               "Try a more common word, or check the spelling.")
    return words


def nearest_words(wv, word: str, k: int = 10, *, source: str = "This model") -> WordScores:
    """The k words with the most similar vectors (cosine), the word itself excluded."""
    (word,) = _check(wv, [word], source)
    pairs = wv.most_similar(positive=[word], topn=k)
    return WordScores([w for w, _ in pairs], [float(s) for _, s in pairs])


def analogy(wv, a: str, b: str, c: str, k: int = 5, *, source: str = "This model") -> WordScores:
    """Words nearest to a − b + c (king − man + woman ≈ queen); the three input words are excluded."""
    a, b, c = _check(wv, [a, b, c], source)
    pairs = wv.most_similar(positive=[a, c], negative=[b], topn=k)
    return WordScores([w for w, _ in pairs], [float(s) for _, s in pairs])


def word_vectors(wv, words: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Vectors of the known words, the known words (in order, without repeats), and the unknown ones."""
    seen, known, unknown = set(), [], []
    for word in (w.strip().lower() for w in words):
        if not word or word in seen:
            continue
        seen.add(word)
        (known if word in wv.key_to_index else unknown).append(word)
    vectors = np.asarray([wv[w] for w in known], dtype=np.float32).reshape(len(known), wv.vector_size)
    return vectors, known, unknown
