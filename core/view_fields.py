"""The view state's fields as a link carries them: their bounds, and one parser per field that turns a link's
text into the typed value or raises ValueError saying why (core.view.parse_view turns that into a notice)."""
from __future__ import annotations

import re

from core.encoders import ENCODERS
from core.sources.outside_json import read_json

METHODS = ("pca", "umap")
DIMS = (2, 3)
SEED_BOUNDS = (0, 9999)
SEARCH_MAX_CHARS = 200
COLOUR_MAX_CHARS = 100
LINK_MAX_SELECTION = 2_000     # rows a share link carries; a bigger selection stays in the session
ROW_FIELDS = {"selection": "selected", "marked": "marked"}   # fields that hold rows, and what a notice calls them
JSON_FIELDS = ("params", "filters", "compare_params_a", "compare_params_b", "drift_reference", "drift_current",
               "recommend_hidden")
DRIFT_MODES = ("", "split", "corpora", "encoders")
DRIFT_METHODS = ("classifier", "mmd")
DRIFT_WINDOWS = ("day", "week", "month")
ENCODER_PARAMS = {"encoder": "params", "compare_a": "compare_params_a", "compare_b": "compare_params_b"}
COMPARE_K_BOUNDS = (2, 30)
WORD_VECTORS = ("glove", "word2vec")
WORDS_MAX_CHARS = 2000
PHRASE_MAX_CHARS = 200
CLUSTER_METHODS = ("kmeans", "hdbscan")
POINT_SIZES = (0, 16)                        # 0: the size is chosen by the number of points
NEIGHBOURS_OF = ("document", "text")
NEIGHBOURS_IN = ("space", "map")             # the original space, or the 2D map
NEIGHBOURS_K_BOUNDS = (1, 50)
TYPED_MAX_CHARS = 2000
CONCEPT_Y = ("pc1", "pair")                  # the Concept axes page's vertical axis: PCA's first component, or phrases
SIMILARITY_ROWS = ("", "selection", "labels", "random", "first")   # "": the first way the corpus offers
SIMILARITY_MAX_ROWS = 100
CONTEXT_MAX_CHARS, CONTEXT_WORD_MAX_CHARS = 5000, 40
QUALITY_FINDINGS = ("labels", "duplicates", "outliers")
QUALITY_LOWEST_COSINE = 0.5
RECOMMEND_BOUNDS = {"recommend_min_likes": (0, 50), "recommend_candidates": (20, 513), "recommend_top_n": (3, 30)}
DEFAULT_CORPUS, DEFAULT_ENCODER = "flutter", "minilm"
DIGITS = re.compile(r"[0-9]{1,9}")   # ASCII only: str.isdigit() accepts '²', which int() refuses


def default_b(encoder_a: str) -> str:
    """Compare's encoder B when none is chosen: TF-IDF, or MiniLM when A is TF-IDF."""
    return "tfidf" if encoder_a != "tfidf" else "minilm"


def _corpus(text, *, corpora, **_):
    if text not in corpora:
        raise ValueError(f"there is no shared corpus '{text[:40]}'.")
    return text


def _encoder(text, **_):
    if text not in ENCODERS:
        raise ValueError(f"there is no encoder '{text[:40]}'.")
    return text


def _params_of(encoder_field: str):
    """The parser of the parameters of the encoder named in `encoder_field`."""
    def parse(text, *, current, **_):
        encoder = current(encoder_field)
        if encoder_field == "compare_b" and not encoder:   # B's default depends on A
            encoder = default_b(current("compare_a") or current("encoder"))
        return _params(text, encoder=encoder or current("encoder"))
    return parse


def _optional_encoder(text, **_):
    return "" if text == "" else _encoder(text)


def _params(text, *, encoder):
    """Known parameters of `encoder` with int values within the widget's bounds or options."""
    given = read_json(text) if text else {}
    if not isinstance(given, dict):
        raise ValueError("it must be a JSON object.")
    chosen = {}
    for param in ENCODERS[encoder].params:
        value = given.get(param.name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not _allowed(param, value):
            raise ValueError(f"{param.name} must be {_allowed_text(param)}.")
        if value != param.default:
            chosen[param.name] = value
    return chosen


def _allowed(param, value: int) -> bool:
    if param.options:
        return value in param.options
    return param.bounds[0] <= value <= param.bounds[1]


def _allowed_text(param) -> str:
    if param.options:
        return "one of " + ", ".join(map(str, param.options))
    return f"a whole number from {param.bounds[0]} to {param.bounds[1]}"


def _choice(options):
    def parse(text, **_):
        for option in options:
            if text == str(option):
                return option
        raise ValueError(f"it must be one of {', '.join(map(str, options))}.")
    return parse


def _bounded_int(low: int, high: int | None):
    def parse(text, **_):
        if not DIGITS.fullmatch(text) or not low <= int(text) <= (high if high is not None else int(text)):
            upper = f" to {high}" if high is not None else " or more"
            raise ValueError(f"it must be a whole number from {low}{upper}.")
        return int(text)
    return parse


def _fraction(low: float = 0.0):
    """A number from `low` to 1 (the Recommend page's popularity weight, the Quality page's cosine)."""
    def parse(text, **_):
        if not re.fullmatch(r"[01](\.[0-9]{1,20})?", text) or not low <= float(text) <= 1:
            raise ValueError(f"it must be a number from {low:g} to 1.")
        return round(float(text), 4)     # a slider's 0.15000000000000002 is 0.15
    return parse


def _text(limit: int):
    def parse(text, **_):
        return text[:limit]
    return parse


def _selection(text, **_):
    if not text:
        return ()
    parts = text.split(",")
    if len(parts) > LINK_MAX_SELECTION or not all(DIGITS.fullmatch(p) for p in parts):
        raise ValueError(f"it must be up to {LINK_MAX_SELECTION:,} row numbers separated by commas.")
    return tuple(sorted({int(p) for p in parts}))


def rows_of(rows) -> tuple[int, ...]:
    return tuple(sorted({int(row) for row in rows if int(row) >= 0}))


def _filters(text, **_):
    given = read_json(text) if text else {}
    if not isinstance(given, dict) or not all(_filter_ok(v) for v in given.values()):
        raise ValueError("each filter must be a list of categories or a [low, high] pair of numbers, low first.")
    return {str(column)[:100]: value for column, value in given.items()}


def _strings(text, **_):
    given = read_json(text) if text else []
    if not isinstance(given, list) or len(given) > 1000 or not all(isinstance(v, str) for v in given):
        raise ValueError("it must be a list of up to 1,000 texts.")
    return tuple(value[:COLOUR_MAX_CHARS] for value in given)


def _filter_ok(value) -> bool:
    if not isinstance(value, list) or len(value) > 1000:
        return False
    return all(isinstance(v, str) for v in value) or (
        len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        and value[0] <= value[1])


PARSERS = {   # in this order: parameters are checked against the encoder the link names
    "corpus": _corpus, "encoder": _encoder, "params": _params_of("encoder"), "method": _choice(METHODS),
    "dims": _choice(DIMS), "seed": _bounded_int(*SEED_BOUNDS), "colour": _text(COLOUR_MAX_CHARS),
    "search": _text(SEARCH_MAX_CHARS), "like": _text(SEARCH_MAX_CHARS), "doc": _bounded_int(0, None),
    "selection": _selection, "marked": _selection, "filters": _filters, "clicked": _bounded_int(0, None),
    "compare_a": _optional_encoder, "compare_params_a": _params_of("compare_a"),
    "compare_b": _optional_encoder, "compare_params_b": _params_of("compare_b"),
    "compare_method": _choice(METHODS), "compare_k": _bounded_int(*COMPARE_K_BOUNDS),
    "words_vectors": _choice(WORD_VECTORS), "words_method": _choice(METHODS), "words_dims": _choice(DIMS),
    "words": _text(WORDS_MAX_CHARS), "words_nearest": _text(COLOUR_MAX_CHARS), "words_k": _bounded_int(3, 30),
    "point_size": _bounded_int(*POINT_SIZES), "cluster_method": _choice(CLUSTER_METHODS), "clusters": _bounded_int(2, 30),
    "neighbours_of": _choice(NEIGHBOURS_OF), "neighbours_k": _bounded_int(*NEIGHBOURS_K_BOUNDS),
    "neighbours_text": _text(TYPED_MAX_CHARS), "neighbours_in": _choice(NEIGHBOURS_IN),
    "features_scaled": _choice((True, False)),
    "drift_mode": _choice(DRIFT_MODES), "drift_method": _choice(DRIFT_METHODS), "drift_column": _text(COLOUR_MAX_CHARS),
    "drift_window": _choice(DRIFT_WINDOWS), "drift_reference": _strings, "drift_current": _strings,
    "drift_other": _text(COLOUR_MAX_CHARS), "drift_encoder": _optional_encoder,
    "concept_x_from": _text(PHRASE_MAX_CHARS), "concept_x_to": _text(PHRASE_MAX_CHARS), "concept_y": _choice(CONCEPT_Y),
    "concept_y_from": _text(PHRASE_MAX_CHARS), "concept_y_to": _text(PHRASE_MAX_CHARS),
    "similarity_rows": _choice(SIMILARITY_ROWS), "similarity_n": _bounded_int(2, SIMILARITY_MAX_ROWS),
    "similarity_per_label": _bounded_int(1, SIMILARITY_MAX_ROWS),
    "context_sentences": _text(CONTEXT_MAX_CHARS), "context_word": _text(CONTEXT_WORD_MAX_CHARS),
    "context_layer": _bounded_int(0, 99),
    "recommend_bird": _text(COLOUR_MAX_CHARS), "recommend_hide_liked": _choice((True, False)),
    "recommend_hidden": _strings, **{name: _bounded_int(*bounds) for name, bounds in RECOMMEND_BOUNDS.items()},
    "recommend_weight": _fraction(),
    "quality_findings": _choice(("", *QUALITY_FINDINGS)), "quality_threshold": _fraction(QUALITY_LOWEST_COSINE),
    "quality_cleaned": _choice((True, False)),
}
