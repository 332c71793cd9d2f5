"""The encoder registry: names in the order the ideas arrived, each with a description, its
dimensionality, its main parameters, and a lazy import of its class (onnxruntime or torch load only
for the MiniLM encoders)."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from core.encoders.base import Encoder, EncoderError, tokenize
from core.sources.outside_json import NotJSON, read_json


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    default: object
    options: tuple = ()          # a choice from a list ...
    bounds: tuple = ()           # ... or an int in [low, high]
    help: str = ""


@dataclass(frozen=True)
class EncoderInfo:
    name: str
    title: str
    description: str
    dims: str
    target: str                  # "module:Class", imported on first use
    params: tuple[Param, ...] = field(default_factory=tuple)
    needs_corpus_fit: bool = True


ENCODERS: dict[str, EncoderInfo] = {info.name: info for info in (
    EncoderInfo("onehot", "One-hot", "Binary bag of words: 1 if the document contains the word, else 0.",
                "vocabulary size (up to 3,000)", "core.encoders.sparse:OneHotEncoder",
                (Param("max_features", "Vocabulary size", 3000, bounds=(100, 20000)),)),
    EncoderInfo("tfidf", "TF-IDF", "Word counts weighted by how specific each word is to a document.",
                "vocabulary size (up to 3,000)", "core.encoders.sparse:TfidfEncoder",
                (Param("max_features", "Vocabulary size", 3000, bounds=(100, 20000)),)),
    EncoderInfo("lsa", "LSA", "Latent semantic analysis: TF-IDF compressed to a few dense dimensions by truncated SVD.",
                "100 (or fewer for tiny corpora)", "core.encoders.sparse:LsaEncoder",
                (Param("n_components", "Dimensions", 100, bounds=(2, 300)),)),
    EncoderInfo("lda", "LDA",
                "Latent Dirichlet allocation: each document as a mixture of topics (needs longer documents to shine).",
                "number of topics (10)", "core.encoders.sparse:LdaEncoder",
                (Param("n_topics", "Topics", 10, bounds=(2, 50)),)),
    EncoderInfo("word2vec", "Word2Vec",
                "Word vectors trained on this corpus with gensim; a document is the mean of its words.",
                "100", "core.encoders.static:Word2VecEncoder",
                (Param("sg", "Training", 1, options=(0, 1), help="0 = CBOW (predict a word from its context), "
                       "1 = skip-gram (predict the context from a word)"),
                 Param("vector_size", "Dimensions", 100, bounds=(10, 300)))),
    EncoderInfo("glove", "GloVe", "Pretrained GloVe 6B word vectors (400k words); a document is the mean of its words.",
                "50", "core.encoders.static:GloveEncoder", needs_corpus_fit=False),
    EncoderInfo("minilm", "MiniLM", "Sentence embeddings from the all-MiniLM-L6-v2 transformer (bundled, offline): "
                "mean of contextual token vectors, L2-normalised; run by ONNX Runtime, long documents read whole "
                "in overlapping windows.",
                "384", "core.encoders.onnx_runtime:OnnxEncoder", needs_corpus_fit=False),
    EncoderInfo("minilm-static", "MiniLM static", "MiniLM distilled to one vector per word piece (model2vec method): "
                "the mean of a document's pieces, no transformer at run time, tens of times faster.",
                "256", "core.encoders.static:StaticMiniLMEncoder", needs_corpus_fit=False),
    EncoderInfo("minilm-torch", "MiniLM (torch)", "The same MiniLM vectors computed by PyTorch instead of ONNX "
                "Runtime: slower, kept as the reference path.",
                "384", "core.encoders.transformer:TransformerEncoder", needs_corpus_fit=False),
    EncoderInfo("minilm-int8", "MiniLM int8", "MiniLM on ONNX Runtime with weights quantised to 8-bit integers: "
                "faster, vectors within about 1% of MiniLM's.",
                "384", "core.encoders.onnx_runtime:Int8Encoder", needs_corpus_fit=False),
)}


def get_encoder(name: str, **params) -> Encoder:
    """A fresh, unfitted encoder. Unknown names and parameters raise EncoderError listing the valid ones."""
    info = ENCODERS.get(name)
    if info is None:
        raise EncoderError(f"Unknown encoder '{name}'. Known encoders: {', '.join(ENCODERS)}.")
    module_name, class_name = info.target.split(":")
    cls = getattr(import_module(module_name), class_name)
    allowed = cls().get_params()
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise EncoderError(f"Encoder '{name}' has no parameter {', '.join(unknown)}. "
                           f"Its parameters are: {', '.join(allowed) or 'none'}.")
    return cls(**params)


def default_params(name: str) -> dict:
    return {param.name: param.default for param in ENCODERS[name].params}


def parse_params(pairs: list[str]) -> dict:
    """Encoder parameters from the command line's NAME=VALUE pairs (a value is JSON when it parses as JSON, and
    refused when it is JSON a share link could not carry either: NaN, Infinity, deep nesting)."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise EncoderError(f"--param '{pair}' must look like NAME=VALUE.")
        try:
            params[name] = read_json(value)
        except NotJSON:
            params[name] = value
        except ValueError as error:
            raise EncoderError(f"--param {name[:40]} was refused: {error}") from None
    return params


__all__ = ["ENCODERS", "Encoder", "EncoderError", "EncoderInfo", "Param", "default_params", "get_encoder", "parse_params",
           "tokenize"]
