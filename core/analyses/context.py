"""Contextual token vectors: one word's vector in several sentences, at every layer of a transformer."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from core.encoders.base import EncoderError
from core.encoders.transformer import load_transformer

DEFAULT_SENTENCES = (
    "Hold fast to dreams, for if dreams die, life is a broken-winged bird that cannot fly.",
    "I fly to Auckland on Friday for a conference.",
    "We take a cheap flight to fly home for the holidays.",
    "A fly landed on my sandwich and buzzed around the kitchen.",
    "The fruit fly and the house fly are common insects.",
    "The young swallow spread its wings and began to fly over the meadow.",
    "Geese fly south in a V when the autumn comes.",
)


@dataclass(frozen=True)
class Occurrences:
    word: str
    sentences: list[str]            # the sentences that contain the word
    pieces: list[list[str]]         # each sentence's word pieces, as the tokenizer split it
    target: list[list[int]]         # positions of the word's pieces in each sentence
    vectors: np.ndarray             # (sentences, layers, dim): the word's vector at every hidden layer
    missing: list[str]              # sentences that do not contain the word

    @property
    def n_layers(self) -> int:
        return self.vectors.shape[1]


def find_word(sentence: str, word: str) -> tuple[int, int] | None:
    """Character span of the first whole-word, case-insensitive occurrence of `word`."""
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", sentence, flags=re.IGNORECASE)
    return match.span() if match else None


def word_in_context(sentences: list[str], word: str, *, model: str | None = None) -> Occurrences:
    """The word's vector in each sentence at each layer (embeddings + every transformer layer).

    A word split into several word pieces is the mean of its pieces' vectors; only its first
    occurrence in a sentence is used.
    """
    import torch

    word = word.strip()
    if not word or " " in word:
        raise EncoderError("Type a single word to follow through the sentences.")
    sentences = [s.strip() for s in sentences if s.strip()]
    found = [(s, find_word(s, word)) for s in sentences]
    kept = [(s, span) for s, span in found if span]
    missing = [s for s, span in found if not span]
    if not kept:
        raise EncoderError(f"None of the sentences contains the word '{word}'. Add it to at least one sentence.")
    tokenizer, network = load_transformer(model)
    pieces, targets, vectors = [], [], []
    with torch.inference_mode():
        for sentence, (start, end) in kept:
            encoded = tokenizer(sentence, return_offsets_mapping=True, truncation=True, max_length=256,
                                return_tensors="pt")
            offsets = encoded.pop("offset_mapping")[0].tolist()
            positions = [i for i, (a, b) in enumerate(offsets) if b > a and a < end and b > start]
            if not positions:
                raise EncoderError(f"The word '{word}' lies beyond the first 256 tokens of a sentence; shorten it.")
            states = network(**encoded, output_hidden_states=True).hidden_states
            layers = torch.stack([layer[0, positions].mean(dim=0) for layer in states])
            vectors.append(layers.numpy())
            pieces.append(tokenizer.convert_ids_to_tokens(encoded["input_ids"][0]))
            targets.append(positions)
    return Occurrences(word=word, sentences=[s for s, _ in kept], pieces=pieces, target=targets,
                       vectors=np.stack(vectors).astype(np.float32), missing=missing)


def glove_vectors(found: Occurrences) -> np.ndarray | None:
    """The static contrast: GloVe's one vector for the word, repeated for every sentence (None when GloVe
    does not know the word)."""
    from core.encoders.static import load_glove

    glove = load_glove()
    word = found.word.lower()
    if word not in glove.key_to_index:
        return None
    return np.repeat(glove[word][None], len(found.sentences), axis=0)
