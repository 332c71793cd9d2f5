"""Distil a static embedding table from a sentence transformer, by the model2vec method.

1. Run every token of the vocabulary through the transformer on its own ([CLS] token [SEP]) and
   mean-pool the output: one contextual-model vector per token.
2. PCA to `dims` dimensions (removes the directions shared by all tokens, and shrinks the table).
3. Weight each token by smooth inverse frequency, estimating frequency from its vocabulary rank
   with Zipf's law (WordPiece vocabularies are roughly frequency ordered), so common tokens count less.

A sentence is then the mean of its tokens' rows: no transformer at inference time.
"""
from __future__ import annotations

import numpy as np

SIF_COEFFICIENT = 1e-4


def token_vectors(tokenizer, network, batch_size: int = 512, progress=None) -> np.ndarray:
    import torch

    ids = np.arange(tokenizer.vocab_size)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    out = np.zeros((len(ids), network.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(ids), batch_size):
            chunk = ids[start:start + batch_size]
            batch = torch.tensor([[cls, int(t), sep] for t in chunk])
            hidden = network(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            out[chunk] = hidden.mean(dim=1).numpy()
            if progress:
                progress(min(start + batch_size, len(ids)), len(ids))
    return out


def zipf_sif_weights(n: int, first_word_id: int) -> np.ndarray:
    """SIF weight a / (a + p(rank)) with p(rank) = (1 / rank) / H(n); special and unused ids get rank 1."""
    ranks = np.maximum(np.arange(n) - first_word_id + 1, 1).astype(np.float64)
    probability = (1.0 / ranks) / np.sum(1.0 / np.arange(1, n + 1))
    return SIF_COEFFICIENT / (SIF_COEFFICIENT + probability)


def distil(tokenizer, network, dims: int = 256, seed: int = 0, progress=None) -> np.ndarray:
    from sklearn.decomposition import PCA

    vectors = token_vectors(tokenizer, network, progress=progress)
    reduced = PCA(n_components=dims, random_state=seed, svd_solver="full").fit_transform(vectors)
    first_word = _first_word_id(tokenizer)
    return (reduced * zipf_sif_weights(len(reduced), first_word)[:, None]).astype(np.float32)


def _first_word_id(tokenizer) -> int:
    """BERT vocabularies start with [PAD], [unused*], [CLS]... and single characters; words follow."""
    vocab = tokenizer.get_vocab()
    return vocab.get("the", 0)
