"""The view state: everything a page shows, as one validated value.

Widgets, share links and the command line all produce a `ViewState`, and pages read only it. Every
field is checked once, here, against the same bounds the widgets use; a bad value falls back to the
default and leaves a short notice, never an exception. What depends on the corpus (a document
number, a colour column, a selection, filters) is checked again by `fit_to` once the corpus is known.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from urllib.parse import parse_qsl, urlsplit

from core.encoders import ENCODERS, default_params
from core.sources.outside_json import read_json

METHODS = ("pca", "umap")
DIMS = (2, 3)
SEED_BOUNDS = (0, 9999)
SEARCH_MAX_CHARS = 200
COLOUR_MAX_CHARS = 100
LINK_MAX_SELECTION = 2_000     # rows a share link carries; a bigger selection stays in the session
ROW_FIELDS = {"selection": "selected", "marked": "marked"}   # fields that hold rows, and what a notice calls them
JSON_FIELDS = ("params", "filters", "compare_params_a", "compare_params_b", "drift_reference", "drift_current")
DRIFT_MODES = ("", "split", "corpora", "encoders")
DRIFT_METHODS = ("classifier", "mmd")
DRIFT_WINDOWS = ("day", "week", "month")
ENCODER_PARAMS = {"encoder": "params", "compare_a": "compare_params_a", "compare_b": "compare_params_b"}
COMPARE_K_BOUNDS = (2, 30)
WORD_VECTORS = ("glove", "word2vec")
WORDS_MAX_CHARS = 2000
DEFAULT_CORPUS, DEFAULT_ENCODER = "flutter", "minilm"
_DIGITS = re.compile(r"[0-9]{1,9}")   # ASCII only: str.isdigit() accepts '²', which int() refuses


@dataclass(frozen=True)
class ViewState:
    corpus: str = DEFAULT_CORPUS
    encoder: str = DEFAULT_ENCODER
    params: dict = field(default_factory=dict)   # only the parameters that differ from the encoder's defaults
    method: str = "umap"
    dims: int = 2
    seed: int = 0
    colour: str = ""                             # "" means the page's default colouring
    search: str = ""                             # highlight the documents whose text contains this
    like: str = ""                               # ring the documents nearest to this text, by the encoder
    doc: int = 0
    selection: tuple[int, ...] = ()             # rows selected on the map: the other pages work on them
    marked: tuple[int, ...] = ()                # rows marked on a page's own maps (Compare's): ringed, nothing more
    filters: dict = field(default_factory=dict)  # column -> list of categories, or [low, high] for numbers
    clicked: int | None = None                   # the document clicked on the map: its neighbours are listed
    # the Compare page: encoders A and B ("": the sidebar's encoder for A, TF-IDF or MiniLM for B), their
    # settings, the projection of both maps and the k of the neighbour overlap
    compare_a: str = ""
    compare_params_a: dict = field(default_factory=dict)
    compare_b: str = ""
    compare_params_b: dict = field(default_factory=dict)
    compare_method: str = "pca"
    compare_k: int = 10
    # the Words page: which word vectors, the map's projection and dimensions, the words typed for it
    words_vectors: str = "glove"
    words_method: str = "pca"
    words_dims: int = 2
    words: str = ""
    # the Drift page: what is compared ("": split by a column when the corpus has one), the test, the column and
    # window of a split, the reference and current values (or windows), the other corpus, the second encoder
    drift_mode: str = ""
    drift_method: str = "classifier"
    drift_column: str = ""
    drift_window: str = "month"
    drift_reference: tuple[str, ...] = ()
    drift_current: tuple[str, ...] = ()
    drift_other: str = ""
    drift_encoder: str = ""

    def encoder_params(self) -> dict:
        return {**default_params(self.encoder), **self.params}

    def compared(self) -> tuple[tuple[str, dict], tuple[str, dict]]:
        """The Compare page's two encoders with their whole settings: (name A, params A), (name B, params B)."""
        a = self.compare_a or self.encoder
        b = self.compare_b or ("tfidf" if a != "tfidf" else "minilm")
        params_a = self.params if not self.compare_a else self.compare_params_a
        return (a, {**default_params(a), **params_a}), (b, {**default_params(b), **self.compare_params_b})

    def with_changes(self, **changes) -> "ViewState":
        """A copy with some fields changed, each validated like a link's value (a bad one is ignored), except
        that a selection may hold any number of rows (a lasso on a big map); a link carries only small ones."""
        rows = {name: changes.pop(name) for name in ROW_FIELDS if name in changes}
        unclicked = "clicked" in changes and changes["clicked"] is None
        query = {name: _to_text(name, value) for name, value in changes.items() if not (name == "clicked" and unclicked)}
        checked, _ = parse_view(query, corpora=(changes.get("corpus", self.corpus),), base=self)
        checked = replace(checked, clicked=None) if unclicked else checked
        return replace(checked, **{name: _rows(value) for name, value in rows.items()})

    def fit_to(self, n_documents: int, colour_options=(), columns=None) -> tuple["ViewState", list[str]]:
        """Drop what does not exist in this corpus: a document or selected row out of range, an unknown
        colour, filters on missing columns. Returns the fitted view and a notice for each change."""
        notices, changes = [], {}
        if not 0 <= self.doc < max(1, n_documents):
            changes["doc"] = 0
            notices.append(f"Document {self.doc} does not exist in this corpus; showing document 0.")
        if self.clicked is not None and not 0 <= self.clicked < n_documents:
            changes["clicked"] = None
            notices.append(f"Document {self.clicked} does not exist in this corpus; no document is clicked.")
        for name in ROW_FIELDS:
            rows = getattr(self, name)
            if any(not 0 <= row < n_documents for row in rows):
                changes[name] = tuple(row for row in rows if 0 <= row < n_documents)
                notices.append(f"Some {ROW_FIELDS[name]} rows do not exist in this corpus and were left out.")
        if self.colour and colour_options and self.colour not in colour_options:
            changes["colour"] = ""
            notices.append(f"This corpus cannot be coloured by '{self.colour}'; the default colouring is shown.")
        if self.filters and columns is not None and set(self.filters) - set(columns):
            changes["filters"] = {c: v for c, v in self.filters.items() if c in columns}
            notices.append("Filters on columns this corpus does not have were dropped.")
        return (replace(self, **changes) if changes else self), notices


def parse_view(query, *, corpora, base: ViewState | None = None) -> tuple[ViewState, list[str]]:
    """A `ViewState` from query parameters (a mapping of strings). `corpora` are the names a link may
    open. Unknown parameters are ignored; each bad value keeps `base`'s value and adds a notice."""
    view = base or ViewState()
    notices: list[str] = []
    changes = {}
    for name, parser in _PARSERS.items():  # in this order: a link's params are checked against its encoder
        value = query.get(name)
        if value is None:
            continue
        try:
            changes[name] = parser(str(value), corpora=corpora, current=lambda n: changes.get(n, getattr(view, n)))
        except ValueError as error:
            notices.append(f"The link's {name} was ignored: {error}")
    for encoder, params in ENCODER_PARAMS.items():   # another encoder starts from its own defaults
        if encoder in changes and params not in changes and changes[encoder] != getattr(view, encoder):
            changes[params] = {}
    return replace(view, **changes), notices


def view_from_link(link: str, *, corpora) -> tuple[ViewState, list[str]]:
    """The view a share link (a whole URL or just its query string) shows."""
    query = urlsplit(link).query if "?" in link or "://" in link else link
    return parse_view(dict(parse_qsl(query, keep_blank_values=True)), corpora=corpora)


def to_query(view: ViewState, *, shareable_corpora) -> dict[str, str]:
    """The query parameters that reproduce `view`: only what differs from the defaults, and never the
    name of a corpus outside `shareable_corpora` (an upload stays in its session)."""
    default = ViewState()
    query = {}
    for item in fields(ViewState):
        value = getattr(view, item.name)
        if value == getattr(default, item.name) and item.name not in ("corpus", "encoder"):
            continue
        if item.name == "corpus" and value not in shareable_corpora:
            continue
        if item.name in ROW_FIELDS and len(value) > LINK_MAX_SELECTION:
            continue
        query[item.name] = _to_text(item.name, value)
    return query


def _to_text(name: str, value) -> str:
    if name in JSON_FIELDS:
        return json.dumps(list(value) if isinstance(value, tuple) else value, separators=(",", ":"), sort_keys=True)
    if name in ROW_FIELDS:
        return ",".join(str(int(v)) for v in value)
    return str(value)


# --- one parser per field: each returns the typed value or raises ValueError saying why --------------

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
            encoder = ViewState(encoder=current("encoder"), compare_a=current("compare_a")).compared()[1][0]
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
        if not _DIGITS.fullmatch(text) or not low <= int(text) <= (high if high is not None else int(text)):
            upper = f" to {high}" if high is not None else " or more"
            raise ValueError(f"it must be a whole number from {low}{upper}.")
        return int(text)
    return parse


def _text(limit: int):
    def parse(text, **_):
        return text[:limit]
    return parse


def _selection(text, **_):
    if not text:
        return ()
    parts = text.split(",")
    if len(parts) > LINK_MAX_SELECTION or not all(_DIGITS.fullmatch(p) for p in parts):
        raise ValueError(f"it must be up to {LINK_MAX_SELECTION:,} row numbers separated by commas.")
    return tuple(sorted({int(p) for p in parts}))


def _rows(rows) -> tuple[int, ...]:
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


_PARSERS = {   # in this order: parameters are checked against the encoder the link names
    "corpus": _corpus, "encoder": _encoder, "params": _params_of("encoder"), "method": _choice(METHODS),
    "dims": _choice(DIMS), "seed": _bounded_int(*SEED_BOUNDS), "colour": _text(COLOUR_MAX_CHARS),
    "search": _text(SEARCH_MAX_CHARS), "like": _text(SEARCH_MAX_CHARS), "doc": _bounded_int(0, None),
    "selection": _selection, "marked": _selection, "filters": _filters, "clicked": _bounded_int(0, None),
    "compare_a": _optional_encoder, "compare_params_a": _params_of("compare_a"),
    "compare_b": _optional_encoder, "compare_params_b": _params_of("compare_b"),
    "compare_method": _choice(METHODS), "compare_k": _bounded_int(*COMPARE_K_BOUNDS),
    "words_vectors": _choice(WORD_VECTORS), "words_method": _choice(METHODS), "words_dims": _choice(DIMS),
    "words": _text(WORDS_MAX_CHARS),
    "drift_mode": _choice(DRIFT_MODES), "drift_method": _choice(DRIFT_METHODS), "drift_column": _text(COLOUR_MAX_CHARS),
    "drift_window": _choice(DRIFT_WINDOWS), "drift_reference": _strings, "drift_current": _strings,
    "drift_other": _text(COLOUR_MAX_CHARS), "drift_encoder": _optional_encoder,
}
