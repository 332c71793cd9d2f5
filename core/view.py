"""The view state: everything a page shows, as one validated value.

Widgets, share links and the command line all produce a `ViewState`, and pages read only it. Every
field is checked once, here, against the same bounds the widgets use; a bad value falls back to the
default and leaves a short notice, never an exception. What depends on the corpus (a document
number, a colour column, a selection, filters) is checked again by `fit_to` once the corpus is known.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from urllib.parse import parse_qsl, urlsplit

from core.encoders import default_params
from core.view_fields import (COLOUR_MAX_CHARS, DEFAULT_CORPUS, DEFAULT_ENCODER, DIMS, ENCODER_PARAMS, JSON_FIELDS,
                              LINK_MAX_SELECTION, METHODS, PARSERS, ROW_FIELDS, SEARCH_MAX_CHARS, SEED_BOUNDS,
                              WORDS_MAX_CHARS, default_b, rows_of)

__all__ = ["COLOUR_MAX_CHARS", "DEFAULT_CORPUS", "DEFAULT_ENCODER", "DIMS", "LINK_MAX_SELECTION", "METHODS",
           "SEARCH_MAX_CHARS", "SEED_BOUNDS", "WORDS_MAX_CHARS", "ViewState", "parse_view", "to_query",
           "view_from_link"]   # the fields' bounds come from core.view_fields
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
    point_size: int = 0                          # 0: chosen by the number of points
    cluster_method: str = "kmeans"               # when the map is coloured by clusters: how, and how many (k-means)
    clusters: int = 8                            # or the smallest cluster (HDBSCAN)
    # the Neighbors page: of a document or of typed text, how many, and in the original space or on the map
    neighbours_of: str = "document"
    neighbours_k: int = 10
    neighbours_text: str = "Hold fast to dreams, for if dreams die, life is a broken-winged bird that cannot fly."
    neighbours_in: str = "space"
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
    words_nearest: str = ""                      # the word whose nearest words are listed ("": 'bird')
    words_k: int = 10
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
    features_scaled: bool = True                 # the Encoding features page standardises numbers
    # the Concept axes page: the phrases at each end of the horizontal axis, the vertical axis (PCA's first
    # component or a second pair of phrases) and that pair
    concept_x_from: str = "winter"
    concept_x_to: str = "summer"
    concept_y: str = "pc1"
    concept_y_from: str = "danger"
    concept_y_to: str = "safety"
    # the Similarity page: which documents ("": the first way offered), how many, how many of each label
    similarity_rows: str = ""
    similarity_n: int = 60
    similarity_per_label: int = 8
    # the Context page: its sentences ("": the bundled ones), the word followed, the layer shown (the last, if
    # the model has fewer)
    context_sentences: str = ""
    context_word: str = "fly"
    context_layer: int = 6
    # the Recommend page: the bird ("": the first), its business rules and the ranking's settings
    recommend_bird: str = ""
    recommend_hide_liked: bool = True
    recommend_hidden: tuple[str, ...] = ()
    recommend_min_likes: int = 0
    recommend_candidates: int = 200
    recommend_weight: float = 0.1
    recommend_top_n: int = 10
    # the Quality page: which findings are listed and colour its map ("": label errors when there are labels),
    # the cosine of a near-duplicate, and whether the map and figures are shown without the findings
    quality_findings: str = ""
    quality_threshold: float = 0.95
    quality_cleaned: bool = False

    def encoder_params(self) -> dict:
        return {**default_params(self.encoder), **self.params}

    def compared(self) -> tuple[tuple[str, dict], tuple[str, dict]]:
        """The Compare page's two encoders with their whole settings: (name A, params A), (name B, params B)."""
        a = self.compare_a or self.encoder
        b = self.compare_b or default_b(a)
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
        return replace(checked, **{name: rows_of(value) for name, value in rows.items()})

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
    for name, parser in PARSERS.items():  # in this order: a link's params are checked against its encoder
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
