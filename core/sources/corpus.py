"""Corpora: one in-memory type, made from a table (core.sources.tables reads files and uploads into one).

Every failure a user can cause raises `CorpusError` with a sentence that says what to fix.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from core.errors import CorpusError
from core.sources.tables import LABEL_COLUMN_NAMES, MAX_DOC_CHARS, TEXT_COLUMN_NAMES, column_list

MAX_LABEL_VALUES = 60


@dataclass(frozen=True)
class Corpus:
    name: str
    texts: list[str]
    labels: list[str] | None = None
    metadata: pd.DataFrame | None = None
    notices: tuple[str, ...] = ()
    description: str = ""
    fingerprint: str = field(default="", compare=False)

    def __post_init__(self):
        if self.labels is not None and len(self.labels) != len(self.texts):
            raise CorpusError("There must be exactly one label per document.")
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", fingerprint_of(self.texts, self.labels))

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, rows) -> "Corpus":
        """The given rows, in the order given, as a corpus of their own (texts, labels, metadata)."""
        rows = [int(row) for row in rows]
        metadata = None if self.metadata is None else self.metadata.iloc[rows].reset_index(drop=True)
        return Corpus(name=self.name, texts=[self.texts[i] for i in rows], description=self.description,
                      labels=None if self.labels is None else [self.labels[i] for i in rows], metadata=metadata)

    def summary(self) -> dict:
        lengths = [len(t.split()) for t in self.texts]
        return {
            "documents": len(self.texts),
            "labels": len(set(self.labels)) if self.labels else 0,
            "median words": sorted(lengths)[len(lengths) // 2] if lengths else 0,
            "longest (words)": max(lengths, default=0),
        }


def shorten(text: str, width: int) -> str:
    """The text itself if it fits in `width` characters, else its start and an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def fingerprint_of(texts: list[str], labels: list[str] | None) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    digest.update(b"\x1e")
    for label in labels or []:
        digest.update(str(label).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:16]


def guess_text_column(frame: pd.DataFrame) -> str | None:
    """A column named like text, else the string column with the longest average entries."""
    for name in TEXT_COLUMN_NAMES:
        for column in frame.columns:
            if str(column).strip().lower() == name:
                return column
    string_columns = [c for c in frame.columns if _is_string_column(frame[c])]
    if not string_columns:
        return None
    return max(string_columns, key=lambda c: frame[c].astype(str).str.len().mean())


def guess_label_column(frame: pd.DataFrame, text_column) -> str | None:
    for name in LABEL_COLUMN_NAMES:
        for column in frame.columns:
            if column != text_column and str(column).strip().lower() == name and _is_string_column(frame[column]):
                if 2 <= frame[column].nunique() <= MAX_LABEL_VALUES:
                    return column
    return None


def _is_string_column(series: pd.Series) -> bool:
    """Strings that are not all numbers (CSV cells arrive as strings, so "3" must not count as text)."""
    sample = series.dropna().head(200)
    if len(sample) == 0 or not all(isinstance(value, str) for value in sample):
        return False
    filled = sample[sample.str.strip() != ""]
    return len(filled) > 0 and pd.to_numeric(filled, errors="coerce").isna().any()


def corpus_from_frame(frame: pd.DataFrame, *, name: str, text_column=None, label_column=None,
                      guess_label: bool = True, description: str = "") -> Corpus:
    """Pick the text and label columns, drop empty documents, truncate huge ones, keep the rest as metadata."""
    notices = list(frame.attrs.get("notices", []))
    if frame.columns.duplicated().any():
        duplicated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise CorpusError(f"Column names must be unique; these appear twice: {', '.join(duplicated)}. Rename them.")
    if text_column is None:
        text_column = guess_text_column(frame)
        if text_column is None:
            raise CorpusError(f"'{name}' has no column of text. "
                              "Add a column named 'text' holding one document per row.")
    elif text_column not in frame.columns:
        raise CorpusError(f"There is no column '{text_column}'. Columns are: {column_list(frame)}.")
    if label_column is None and guess_label:
        label_column = guess_label_column(frame, text_column)
    elif label_column is not None and label_column not in frame.columns:
        raise CorpusError(f"There is no label column '{label_column}'. Columns are: {column_list(frame)}.")

    if not frame[text_column].map(lambda v: isinstance(v, str)).any() and frame[text_column].notna().any():
        raise CorpusError(f"Column '{text_column}' holds numbers, lists or other values, not text. Pick a column "
                          f"of text; columns are: {column_list(frame)}.")
    texts = frame[text_column].map(lambda v: v.strip() if isinstance(v, str) else "")
    keep = texts.str.len() > 0
    if not keep.any():
        raise CorpusError(f"Column '{text_column}' of '{name}' has no text in any row. Fill it in and upload again.")
    if not _is_string_column(frame[text_column]):
        raise CorpusError(f"Column '{text_column}' holds numbers or other values, not text. Pick a column of "
                          f"text; columns are: {column_list(frame)}.")
    if not keep.all():
        notices.append(f"Skipped {int((~keep).sum()):,} rows whose text was empty.")
    frame, texts = frame[keep].reset_index(drop=True), texts[keep].reset_index(drop=True)
    too_long = texts.str.len() > MAX_DOC_CHARS
    if too_long.any():
        notices.append(f"Cut {int(too_long.sum()):,} documents to their first {MAX_DOC_CHARS:,} characters.")
        texts = texts.str.slice(0, MAX_DOC_CHARS)
    labels = None
    if label_column is not None:
        labels = frame[label_column].map(lambda v: "(none)" if v is None or v != v or str(v).strip() == ""
                                         else str(v).strip()[:80]).tolist()
        if len(set(labels)) > MAX_LABEL_VALUES:
            notices.append(f"Column '{label_column}' has {len(set(labels)):,} distinct values, too many to colour by; "
                           f"maps colour by the {MAX_LABEL_VALUES - 1} most common and group the rest as 'other'.")
            labels = _keep_common(labels, MAX_LABEL_VALUES - 1)
    metadata = frame.drop(columns=[text_column]).reset_index(drop=True)
    return Corpus(name=name, texts=texts.tolist(), labels=labels, metadata=metadata,
                  notices=tuple(notices), description=description)


def _keep_common(labels: list[str], keep: int) -> list[str]:
    common = set(pd.Series(labels).value_counts().index[:keep])
    return [label if label in common else "other" for label in labels]


