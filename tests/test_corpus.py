import io
import json

import pandas as pd
import pytest

import core
from core.corpus import MAX_DOC_CHARS, CorpusError, decode_text


def load(name, data, **kw):
    return core.load_corpus((name, data), **kw)


def test_bundled_corpora_have_texts_labels_and_stable_fingerprints():
    for name in core.BUNDLED:
        corpus = core.load_corpus(name)
        assert len(corpus) > 100 and all(t.strip() for t in corpus.texts)
        assert corpus.labels and len(set(corpus.labels)) >= 8
        assert corpus.fingerprint == core.Corpus(name="copy", texts=list(corpus.texts),
                                                 labels=list(corpus.labels)).fingerprint


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
