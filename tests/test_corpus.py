import csv
import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

import core
from core.sources.corpus import CorpusError
from core.sources.tables import MAX_DOC_CHARS, decode_text, describe_table, read_table

EVAL_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def load(name, data, **kw):
    return core.load_corpus((name, data), **kw)


def sha256_fingerprint(texts, labels):
    """The documented fingerprint, by hand: SHA-256 of the UTF-8 texts, each followed by 0x1F, then 0x1E,
    then the labels, each followed by 0x1F; the first 16 hex digits."""
    body = b"".join(t.encode() + b"\x1f" for t in texts) + b"\x1e" + b"".join(l.encode() + b"\x1f" for l in labels)
    return hashlib.sha256(body).hexdigest()[:16]


# Pinned so that a fingerprint that changes between processes (e.g. one built on Python's hash()) fails.
BUNDLED_FINGERPRINTS = {"flutter": "7d4f67c847c5c3fe", "anime-quotes": "99a40049225c7cff", "words": "a9632146da1ca561",
                        "flutter-seasons": "09d92f02fe53e7e9"}


def test_bundled_corpora_have_texts_labels_and_stable_fingerprints():
    for name in core.BUNDLED:
        corpus = core.load_corpus(name)
        assert len(corpus) > 100 and all(t.strip() for t in corpus.texts)
        assert corpus.labels and len(set(corpus.labels)) >= 8
        assert corpus.fingerprint == BUNDLED_FINGERPRINTS[name] == sha256_fingerprint(corpus.texts, corpus.labels)
    assert core.Corpus(name="x", texts=["a b", "ç"], labels=["p", "q"]).fingerprint == \
        hashlib.sha256(b"a b\x1f\xc3\xa7\x1f\x1ep\x1fq\x1f").hexdigest()[:16]


def test_fingerprint_changes_with_content_and_labels():
    a = core.Corpus(name="a", texts=["one", "two"])
    assert a.fingerprint != core.Corpus(name="a", texts=["one", "three"]).fingerprint
    assert a.fingerprint != core.Corpus(name="a", texts=["one", "two"], labels=["x", "y"]).fingerprint


def test_txt_is_one_document_per_non_empty_line():
    corpus = load("notes.txt", b"first line\n\n  second line  \r\nthird\n")
    assert corpus.texts == ["first line", "second line", "third"]
    assert corpus.labels is None


def test_csv_guesses_text_and_label_columns_and_keeps_metadata():
    data = b"id,topic,text,likes\n1,sky,The sky is blue today,3\n2,sea,Waves crash on the rocks,5\n3,sky,Clouds drift,1\n"
    corpus = load("posts.csv", data)
    assert corpus.texts[1] == "Waves crash on the rocks"
    assert corpus.labels == ["sky", "sea", "sky"]
    assert list(corpus.metadata.columns) == ["id", "topic", "likes"]


def test_csv_columns_chosen_by_the_user():
    data = b"a,b\nshort,a much longer sentence here\nx,another long sentence\n"
    assert load("t.csv", data).texts[0] == "a much longer sentence here"
    corpus = load("t.csv", data, text_column="a", label_column="b")
    assert corpus.texts == ["short", "x"] and corpus.labels[1] == "another long sentence"


def test_tsv_jsonl_and_parquet():
    assert load("t.tsv", b"text\tlabel\nhello there\tg\nbye now\th\n").labels == ["g", "h"]
    jsonl = "\n".join(json.dumps({"text": t, "n": i}) for i, t in enumerate(["alpha beta", "gamma"])).encode()
    assert load("t.jsonl", jsonl).texts == ["alpha beta", "gamma"]
    buffer = io.BytesIO()
    pd.DataFrame({"text": ["one doc", "two docs"], "group": ["a", "b"]}).to_parquet(buffer)
    corpus = load("t.parquet", buffer.getvalue())
    assert corpus.texts == ["one doc", "two docs"] and corpus.labels == ["a", "b"]


def test_empty_text_cells_are_skipped_with_a_notice():
    corpus = load("t.csv", b"text,label\nhello,a\n,b\n   ,c\nworld,d\n")
    assert corpus.texts == ["hello", "world"] and corpus.labels == ["a", "d"]
    assert any("Skipped 2" in n for n in corpus.notices)


def test_latin1_falls_back_with_a_notice_and_utf16_is_read():
    corpus = load("t.txt", "café crème\nnaïve\n".encode("latin-1"))
    assert corpus.texts == ["café crème", "naïve"]
    assert any("UTF-8" in n for n in corpus.notices)
    assert load("t.txt", "grüße\nzwei\n".encode("utf-16")).texts == ["grüße", "zwei"]
    assert decode_text("plain".encode())[1] is None


def test_very_long_documents_are_cut_with_a_notice():
    corpus = load("t.txt", b"word " * 5000)
    assert len(corpus.texts[0]) <= MAX_DOC_CHARS
    assert any("Cut 1" in n for n in corpus.notices)


@pytest.mark.parametrize("name,data,fix", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\n ", "empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
    ("archive.csv", b"PK\x03\x04" + b"\x00" * 50, "zip"),
    ("blob.txt", b"abc\x00\x01\x02def" * 10, "binary"),
    ("slides.pdf", b"%PDF-1.4", "unsupported type"),
    ("broken.jsonl", b'{"text": "ok"}\n{"text": broken\n', "Line 2"),
    ("list.jsonl", b'["not", "an object"]\n', "JSON object"),
    ("quotes.csv", b'text,label\n"unbalanced quote,a\nfine,b\n', "well-formed"),
    ("numbers.csv", b"a,b\n1,2\n3,4\n", "no column of text"),
    ("dupes.csv", b"text,text\na,b\n", "unique"),
    ("bad.parquet", b"PAR1 this is not really parquet", "Parquet"),
    ("bom_only.tsv", b"\xef\xbb\xbf", "empty"),
    ("nulls.csv", b"text,label\n,a\n ,b\n", "no text"),
])
def test_bad_uploads_raise_a_corpus_error_that_says_what_to_fix(name, data, fix):
    with pytest.raises(CorpusError, match=fix):
        load(name, data)


def test_corpus_error_is_a_value_error_and_never_a_pandas_error():
    assert issubclass(CorpusError, ValueError)


def test_too_many_rows_is_refused():
    with pytest.raises(CorpusError, match="limit is 10"):
        core.load_corpus(("big.txt", b"line\n" * 11), max_rows=10)


def test_missing_column_names_the_columns():
    with pytest.raises(CorpusError, match="Columns are: text, label"):
        load("t.csv", b"text,label\nhi,a\n", text_column="body")


def test_too_many_distinct_labels_are_grouped():
    rows = "\n".join(f"doc number {i},label{i}" for i in range(200))
    corpus = load("t.csv", ("text,label\n" + rows).encode(), label_column="label")
    assert len(set(corpus.labels)) <= 60 and "other" in corpus.labels


def test_unknown_source_lists_bundled_names():
    with pytest.raises(CorpusError, match="flutter"):
        core.load_corpus("no-such-corpus")


def test_path_source(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("one\ntwo\n")
    assert core.load_corpus(str(path)).texts == ["one", "two"]


def csv_bytes(rows, delimiter) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


DELIMITED = [["text", "label", "score"],
             ["Hello, world; the sky is blue | grey", "sky", "1,5"],
             ["Waves crash, then retreat; rocks stay", "sea", "2,0"],
             ["Clouds drift slowly, far away", "sky", "3,1"],
             ["Gulls; terns, and a cormorant", "sea", "0,7"]]


@pytest.mark.parametrize("delimiter,word", [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "vertical bar")])
def test_csv_delimiter_is_detected_and_the_columns_are_named_to_the_user(delimiter, word):
    data = csv_bytes(DELIMITED, delimiter)
    frame = read_table("table.csv", data)
    assert list(frame.columns) == DELIMITED[0]
    assert frame.values.tolist() == DELIMITED[1:]
    corpus = load("table.csv", data)
    assert corpus.texts == [row[0] for row in DELIMITED[1:]] and corpus.labels == ["sky", "sea", "sky", "sea"]
    description = describe_table(frame)
    assert "4 rows" in description and "3 columns" in description and "text, label, score" in description
    assert word in description


def test_delimiter_of_a_long_csv_with_quoted_multiline_texts():
    rows = [["text", "label"]] + [[f"line one; number {i}\nline two, with a comma", "ab"[i % 2]] for i in range(3000)]
    data = csv_bytes(rows, ";")
    assert len(data) > 64_000  # longer than the sample the delimiter is detected on
    corpus = load("long.csv", data)
    assert corpus.texts == [row[0] for row in rows[1:]] and corpus.labels == [row[1] for row in rows[1:]]


def headerless_tsv_rows():
    """Quotes that never pair up, like the STS Benchmark's: a CSV reader with quoting on would swallow lines."""
    return [["news", "3.2", 'He said "hello to the whole crowd.', 'Hi "there'],
            ["forum", "1.0", 'The 12" pizza arrived cold and very late.', "It was cold"],
            ["captions", "4.8", "A man is slicing a big cucumber on a board.", '"A man cuts'],
            ["news", "0.4", "Markets fell sharply on Tuesday, traders said.", "Stocks fell"]]


def test_headerless_tsv_with_unpaired_quotes_gets_numbered_columns_and_the_longest_texts():
    rows = headerless_tsv_rows()
    data = ("\n".join("\t".join(row) for row in rows) + "\n").encode()
    reference = list(csv.reader(io.StringIO(data.decode()), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert reference == rows
    frame = read_table("pairs.tsv", data)
    assert list(frame.columns) == ["column 1", "column 2", "column 3", "column 4"]
    assert frame.values.tolist() == rows
    assert "not a header" in describe_table(frame) and "tab" in describe_table(frame)
    corpus = load("pairs.tsv", data)
    assert corpus.texts == [row[2] for row in rows]  # column 3 has the longest texts
    assert any("column 1" in notice for notice in corpus.notices)
    chosen = load("pairs.tab", data, text_column="column 4", label_column="column 1")
    assert chosen.texts == [row[3] for row in rows] and chosen.labels == [row[0] for row in rows]
    assert chosen.metadata["column 2"].tolist() == [row[1] for row in rows]


def test_the_user_can_overrule_the_header_detection():
    data = b"owl\tbird\nhawk\tbird\ncod\tfish\n"  # short words: read as a header unless told otherwise
    assert list(read_table("t.tsv", data).columns) == ["owl", "bird"]
    frame = read_table("t.tsv", data, header=False)
    assert list(frame.columns) == ["column 1", "column 2"] and frame["column 1"].tolist() == ["owl", "hawk", "cod"]
    rows = headerless_tsv_rows()
    named = read_table("t.tsv", ("\n".join("\t".join(row) for row in rows)).encode(), header=True)
    assert list(named.columns) == rows[0] and named.values.tolist() == rows[1:]


def test_tsv_with_a_header_keeps_it_and_reads_quotes_literally():
    data = b'text\tlabel\nHe said "hi to all\tx\n"Quoted" start and 12" end\ty\n'
    corpus = load("t.tsv", data)
    assert corpus.texts == ['He said "hi to all', '"Quoted" start and 12" end'] and corpus.labels == ["x", "y"]


def test_tsv_row_with_more_fields_than_its_header_names_the_line():
    with pytest.raises(CorpusError, match="Line 3"):
        load("t.tsv", b"text\tlabel\nfine text\ta\ntoo\tmany\tfields\n")


@pytest.mark.parametrize("name,separator", [("long.tsv", b"\t"), ("long.csv", b","), ("long.csv", b";")])
def test_fields_longer_than_the_csv_modules_limit_are_read(name, separator):
    data = b"text" + separator + b"label\n" + b"word " * 40_000 + separator + b"a\nshort one" + separator + b"b\n"
    corpus = load(name, data)
    assert len(corpus.texts[0]) == MAX_DOC_CHARS and corpus.labels == ["a", "b"]


def test_headerless_tsv_rows_of_different_lengths_are_padded():
    frame = read_table("t.tsv", b"a long first sentence here\t1\nanother long sentence here\t2\textra\n")
    assert list(frame.columns) == ["column 1", "column 2", "column 3"]
    assert frame["column 3"].tolist() == ["", "extra"]


@pytest.mark.skipif(not (EVAL_DIR / "stsb-test.tsv").is_file(),
                    reason="the STS Benchmark file lives beside the repository in shared/eval, absent here")
def test_sts_benchmark_test_file_loads_from_its_path():
    path = EVAL_DIR / "stsb-test.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    # 7 fields (genre, file, year, id, score, sentence 1, sentence 2); some rows add 2 source fields
    assert len(rows) == 1379 and {len(row) for row in rows} == {7, 9}
    rows = [row + [""] * (9 - len(row)) for row in rows]
    longest = max(range(9), key=lambda i: sum(len(row[i]) for row in rows))
    assert longest in (5, 6)
    corpus = core.load_corpus(path)
    assert len(corpus) == len(rows)
    assert corpus.texts == [row[longest].strip() for row in rows]
    second = core.load_corpus(str(path), text_column="column 7")
    assert second.texts == [row[6].strip() for row in rows]
    assert second.metadata["column 5"].tolist() == [row[4] for row in rows]
    assert second.metadata["column 9"].tolist() == [row[8] for row in rows]


def test_a_separator_at_the_end_of_every_line_does_not_shift_the_columns():
    frame = read_table("trailing.csv", b"text,label\nhello world,a,\nsecond doc,b,\nthird,c,\n")
    assert frame["text"].tolist() == ["hello world", "second doc", "third"] and frame["label"].tolist() == ["a", "b", "c"]


def test_rows_with_one_field_more_than_the_header_are_refused_not_shifted():
    with pytest.raises(CorpusError, match="one field more than its header names"):
        read_table("shifted.csv", b"text,label\nhello world,a,x\nsecond doc,b,extra\nthird,c,y\n")
