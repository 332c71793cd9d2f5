"""Reading an upload's (or a file's) bytes into a table of strings: plain text, CSV (delimiter detected), TSV
(header detected), JSONL or Parquet, with every limit checked while reading. Every failure a user can cause
raises CorpusError with a sentence that says what to fix."""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd

from core.errors import CorpusError, first_line
from core.sources.guarded import UPLOAD_LIMITS, refuse_too_long, refuse_too_wide
from core.sources.parquet import read_parquet

MAX_ROWS = UPLOAD_LIMITS.rows
MAX_DOC_CHARS = 5_000
TEXT_COLUMN_NAMES = ("text", "content", "body", "document", "doc", "sentence", "quote", "message", "flit", "word")
LABEL_COLUMN_NAMES = ("label", "labels", "topic", "category", "class", "group", "show", "tag")
MAX_COLUMNS = UPLOAD_LIMITS.columns
LINE_BREAK = re.compile(r"\r\n|\r|\n")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
SUFFIXES = (".txt", ".csv", ".tsv", ".tab", ".jsonl", ".parquet")
TAB_SUFFIXES = (".tsv", ".tab")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
SNIFF_CHARS = 64_000
HEADER_SAMPLE_ROWS = 200
# Leading bytes of common non-text files, so we can name what the user actually uploaded.
MAGIC_NAMES = {
    b"PK\x03\x04": "a zip archive (or an Excel/Word file)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"PAR1": "a Parquet file",
    b"\x80\x04": "a Python pickle",
    b"\x93NUMPY": "a NumPy array",
}


def read_table(filename: str, data: bytes, *, max_rows: int = MAX_ROWS, header: bool | None = None) -> pd.DataFrame:
    """Parse an upload into a DataFrame of strings; raise CorpusError naming what is wrong. For a TSV,
    `header` says whether the first line names the columns (None: detect it). Rows past `max_rows` are
    never built: the readers stop one row after the limit."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(f"'{filename}' has an unsupported type. Use one of: {', '.join(SUFFIXES)}.")
    if not data.strip():
        raise CorpusError(f"'{filename}' is empty. Upload a file with at least one line of text.")
    if suffix == ".parquet":
        frame = read_parquet(filename, data, max_rows=max_rows, max_columns=MAX_COLUMNS, max_chars=MAX_DOC_CHARS)
    else:
        _refuse_binary(filename, data)
        text, notice = decode_text(data)
        frame = _read_text_table(filename, suffix, text, header, max_rows)
        frame.attrs["notices"] = ([notice] if notice else []) + frame.attrs.get("notices", [])
    refuse_too_wide(filename, frame.shape[1])
    refuse_too_long(filename, len(frame), max_rows, counted=False)
    return frame


def describe_table(frame: pd.DataFrame) -> str:
    """What was found in an upload, in one sentence for the user: rows, columns by name, and for a
    CSV or TSV the delimiter and whether the first line was a header."""
    columns = f"{frame.shape[1]} column{'s' if frame.shape[1] != 1 else ''}"
    sentence = f"{len(frame):,} rows, {columns}: {column_list(frame).removesuffix(' …')}"
    sentence += " …" if frame.shape[1] > 20 else "."
    delimiter = frame.attrs.get("delimiter")
    if delimiter:
        sentence += f" Separator: {DELIMITER_NAMES.get(delimiter, repr(delimiter))}."
        if frame.attrs.get("header") is False:
            sentence += " The first line is data, not a header, so the columns are numbered."
    return sentence


def decode_text(data: bytes) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, then Windows-1252 as a documented fallback."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as error:
            raise CorpusError("The file says it is UTF-16 but cannot be decoded as such. "
                              "Save it again as UTF-8.") from error
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text, ("The file is not valid UTF-8, so it was read as Windows-1252 (Western European). "
                  "If accented letters look wrong, save the file as UTF-8 and upload it again.")


def _refuse_binary(filename: str, data: bytes) -> None:
    for magic, what in MAGIC_NAMES.items():
        if data.startswith(magic):
            raise CorpusError(f"'{filename}' looks like {what}, not text. "
                              "Upload plain text, CSV, TSV, JSONL or Parquet.")
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorpusError(f"'{filename}' contains binary data, not text. "
                          "Upload plain text, CSV, TSV, JSONL or Parquet.")


def _read_text_table(filename: str, suffix: str, text: str, header: bool | None, max_rows: int) -> pd.DataFrame:
    if suffix == ".txt":
        lines = [line.strip() for line in text.splitlines()]
        lines = [line for line in lines if line]
        refuse_too_long(filename, len(lines), max_rows)
        return pd.DataFrame({"text": lines})
    if suffix == ".jsonl":
        return _read_jsonl(filename, text, max_rows)
    if suffix in TAB_SUFFIXES:
        return _read_tab_separated(filename, text, header, max_rows)
    separator = sniff_delimiter(text)
    _refuse_duplicate_headers(text, separator)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, nrows=max_rows + 1,
                            keep_default_na=False, on_bad_lines="error", engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as error:
        raise CorpusError(f"'{filename}' is not a well-formed {suffix[1:].upper()} file ({first_line(error)}). "
                          "Check for unbalanced quotes or rows with extra separators.") from error
    if not isinstance(frame.index, pd.RangeIndex):
        frame = _one_field_more_than_the_header(filename, text, separator, frame, max_rows)
    frame.attrs["delimiter"] = separator
    return frame


def _one_field_more_than_the_header(filename: str, text: str, separator: str, frame: pd.DataFrame,
                                    max_rows: int) -> pd.DataFrame:
    """pandas takes a first column without a header name for the index, shifting every name one column to
    the right. Empty last fields are separators at the ends of the lines, dropped; anything else is refused."""
    if not (frame.iloc[:, -1] == "").all():
        raise CorpusError(f"Every row of '{filename}' has one field more than its header names ({len(frame.columns)}"
                          "): name every column in the header line, or remove the separator at the end of each line.")
    with warnings.catch_warnings():   # "loss of data": only the empty last fields, checked above
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, index_col=False,
                           nrows=max_rows + 1, engine="c")


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV (comma, semicolon, tab or vertical bar): the one that splits the header into
    several columns and the most of the first rows into as many; comma when none does.

    Not csv.Sniffer: its quote-guessing regular expression takes quadratic time, and a hostile 63 KB upload
    kept it busy for over a minute. The csv reader used here is linear and understands quoted fields.
    """
    sample = text[:SNIFF_CHARS]
    best, best_share = ",", 0.0
    for delimiter in DELIMITER_NAMES:
        try:
            rows = [row for row in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter),
                                                    HEADER_SAMPLE_ROWS) if row]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        share = sum(len(row) == len(rows[0]) for row in rows) / len(rows)
        if share > best_share:
            best, best_share = delimiter, share
    return best


def _read_tab_separated(filename: str, text: str, header: bool | None, max_rows: int) -> pd.DataFrame:
    """Tab-separated with quoting off (quotes are text, as in most TSVs, e.g. the STS Benchmark); a first
    line that looks like data rather than names makes the columns "column 1", "column 2", ..."""
    # With quoting off, a row is a line and a field is what lies between tabs (no field size limit either).
    rows = [line.split("\t") for line in LINE_BREAK.split(text) if line.strip()]
    if not rows:
        raise CorpusError(f"'{filename}' is empty. Upload a file with at least one line of text.")
    refuse_too_long(filename, len(rows) - 1, max_rows)  # the first line may be a header
    refuse_too_wide(filename, max(map(len, rows)))
    if header is None:
        header = _first_row_is_header(rows)
    if header:
        names = [name.strip() or f"column {i}" for i, name in enumerate(rows[0], start=1)]
        _refuse_repeated(names)
        rows = rows[1:]
        for number, row in enumerate(rows, start=2):
            if len(row) > len(names):
                raise CorpusError(f"Line {number} of '{filename}' has {len(row)} tab-separated fields, but the "
                                  f"header names {len(names)}. Remove the extra tabs or name every column.")
    else:  # some rows may carry extra fields (the STS Benchmark adds two source columns to a few)
        names = [f"column {i}" for i in range(1, max(map(len, rows)) + 1)]
    width = len(names)
    frame = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], columns=names, dtype=str)
    frame.attrs.update(delimiter="\t", header=header)
    if not header:
        frame.attrs["notices"] = [f"The first line of '{filename}' holds data, not column names, so the columns "
                                  f"are called column 1 to column {width}."]
    return frame


def _first_row_is_header(rows: list[list[str]]) -> bool:
    """A header names columns: no numbers, a known column name, or short names above long texts or above
    numbers. Each column votes; a first row with no evidence either way counts as a header."""
    first, rest = rows[0], rows[1:HEADER_SAMPLE_ROWS]
    if any(_is_number(cell) for cell in first):
        return False
    if any(cell.strip().lower() in TEXT_COLUMN_NAMES + LABEL_COLUMN_NAMES for cell in first):
        return True
    votes = 0
    for i, cell in enumerate(first):
        values = [row[i] for row in rest if i < len(row) and row[i].strip()]
        if not values:
            continue
        if all(_is_number(value) for value in values):
            votes += 1  # a word above a column of numbers
            continue
        median = sorted(len(value) for value in values)[len(values) // 2]
        if median >= 20:  # a column of texts: a name is much shorter than its texts, a text is not
            votes += 1 if len(cell.strip()) < median / 2 else -1
    return votes >= 0 if rest else False


def _is_number(cell: str) -> bool:
    return NUMBER.fullmatch(cell.strip()) is not None


def _refuse_duplicate_headers(text: str, separator: str) -> None:
    """pandas silently renames a repeated header to 'name.1'; the user should know instead."""
    try:
        header = next(csv.reader(io.StringIO(text[:100_000]), delimiter=separator), [])
    except csv.Error:
        return
    _refuse_repeated(header)


def _refuse_repeated(header: list[str]) -> None:
    repeated = sorted(name for name, count in Counter(header).items() if count > 1)
    if repeated:
        raise CorpusError(f"Column names must be unique; these appear more than once: {', '.join(repeated)}. "
                          "Rename them.")


def _read_jsonl(filename: str, text: str, max_rows: int) -> pd.DataFrame:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CorpusError(f"Line {number} of '{filename}' is not valid JSON ({error.msg}). "
                              "Each line must be one JSON object.") from error
        except RecursionError:
            raise CorpusError(f"Line {number} of '{filename}' nests JSON too deeply to read. "
                              'Each line must look like {"text": "..."}.') from None
        if not isinstance(record, dict):
            raise CorpusError(f"Line {number} of '{filename}' is not a JSON object. "
                              'Each line must look like {"text": "..."}.')
        records.append(record)
        if len(records) > max_rows:
            refuse_too_long(filename, len(records), max_rows, counted=False)
    return pd.DataFrame.from_records(records)


def column_list(frame: pd.DataFrame) -> str:
    names = [str(c) for c in frame.columns[:20]]
    return ", ".join(names) + (" …" if frame.shape[1] > 20 else "")
