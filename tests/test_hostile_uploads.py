"""Malformed and hostile uploads through the real upload form: each gets a sentence that says what to
fix (or a notice when the file is usable), never a traceback, and the session keeps working."""
import io
import json
import zipfile

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import shown
from core.view import ViewState


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inner.csv", "text\nhello\n")
    return buffer.getvalue()


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
REFUSED = [
    ("empty.txt", b"", "is empty"),
    ("spaces.txt", b"   \n\t \n", "is empty"),
    ("photo.txt", PNG, "PNG image"),
    ("archive.csv", _zip_bytes(), "zip archive"),
    ("random.txt", bytes(range(256)) * 40, "binary data"),
    ("many_rows.txt", b"row\n" * 200_001, "the limit is 100,000"),
    ("wide.csv", (",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("x" * 5000) + "\n").encode(),
     "5,000 columns"),
    ("wide.tsv", ("\t".join("x" * 5000) + "\n").encode(), "5,000 columns"),
    ("dupes.csv", b"text,text,label\na,b,c\n", "appear more than once: text"),
    ("quotes.csv", b'text,label\n"never closed,a\nnext,b\n', "unbalanced quotes"),
    ("broken.jsonl", b'{"text": "fine"}\n{"text": "oops",\n', "Line 2"),
    ("array.jsonl", b"[1, 2, 3]\n", "not a JSON object"),
    ("fake.parquet", b"PAR1 definitely not parquet", "not a readable Parquet"),
    ("nested.parquet", _parquet(pd.DataFrame({"text": [[1, 2], [3]], "n": [1, 2]})), "not text"),
    ("numbers.csv", b"a,b\n1,2\n3,4\n", "holds numbers or other values, not text"),
    ("empty_texts.csv", b"text,label\n,a\n  ,b\n", "no text in any row"),
    ("slides.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),  # other types the uploader itself refuses
]
ACCEPTED = [
    ("utf16.txt", "grüße aus köln\nzweite zeile\n".encode("utf-16"), None, 2),
    ("latin1.txt", "café crème\nnaïve\n".encode("latin-1"), "not valid UTF-8", 2),
    ("one_line.txt", b"word " * 10_000_000, "Cut 1 documents", 1),  # a single 50 MB line
    ("gaps.csv", b"text,label\nfirst,a\n,b\nthird,\n", "Skipped 1 rows", 2),
    ("labels.csv", ("text,label\n" + "\n".join(f"doc {i},l{i}" for i in range(10_000))).encode(), None, 10_000),
    ("formulas.csv", b'text\n"=HYPERLINK(""http://x"")"\n+1+1\n@SUM(A1)\n', None, 3),
    ("markup.jsonl", "\n".join(json.dumps({"text": t}) for t in ["<script>alert(1)</script>", "<img src=x>"]).encode(),
     None, 2),
]


def upload(name: str, data: bytes) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.session_state["view"] = ViewState(encoder="tfidf")
    at.run()
    at.file_uploader[0].upload(name, data, "application/octet-stream").run()
    return at


@pytest.mark.parametrize("name,data,fix", REFUSED, ids=[case[0] for case in REFUSED])
def test_refused_with_what_to_fix_and_the_session_goes_on(name, data, fix):
    at = upload(name, data)
    if not at.error and at.button:  # read fine, refused when the corpus is built (e.g. no text)
        at.button[0].click().run()
    assert not at.exception
    assert fix in shown(at.error[0].value)
    assert at.session_state["view"].corpus == "flutter" and at.get("bidi_component")  # nothing lost
    assert "Traceback" not in at.error[0].value


@pytest.mark.parametrize("name,data,notice,documents", ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_accepted_with_a_notice_where_something_was_changed(name, data, notice, documents):
    at = upload(name, data)
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["view"].corpus == f"upload: {name}"
    assert at.caption[0].value.startswith(f"{documents:,} documents")
    if notice:
        assert any(notice in shown(info.value) for info in at.info)
    assert at.get("bidi_component")


def test_a_semicolon_csv_is_split_and_the_caption_names_the_columns_and_the_separator():
    at = upload("european.csv", "text;label;price\nBread, fresh;food;2,50\nNails, steel;tools;0,10\n".encode())
    assert not at.exception and not at.error
    assert at.selectbox(key="upload_text_column").options == ["text", "label", "price"]
    caption = " ".join(shown(c.value) for c in at.caption)
    assert "2 rows, 3 columns: text, label, price" in caption and "semicolon" in caption


def test_a_headerless_tsv_offers_numbered_columns_and_defaults_to_the_longest_texts():
    rows = [["news", "3.2", 'He said "hello to the whole crowd.', 'Hi "there'],
            ["forum", "1.0", 'The 12" pizza arrived cold and very late.', "It was cold"],
            ["captions", "4.8", "A man is slicing a big cucumber on a board.", '"A man cuts']]
    at = upload("pairs.tsv", ("\n".join("\t".join(row) for row in rows) + "\n").encode())
    assert not at.exception and not at.error
    text_column = at.selectbox(key="upload_text_column")
    assert text_column.options == ["column 1", "column 2", "column 3", "column 4"]
    assert text_column.value == "column 3"  # longest texts, counted by hand above
    assert any("not a header" in shown(c.value) for c in at.caption)
    text_column.select("column 4").run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.session_state["view"].corpus == "upload: pairs.tsv"
    assert at.session_state["uploads"]["upload: pairs.tsv"].texts == [row[3] for row in rows]



def test_the_user_can_say_a_tsv_has_no_header():
    at = upload("animals.tsv", b"owl\tbird\nhawk\tbird\ncod\tfish\neel\tfish\n")
    assert at.selectbox(key="upload_text_column").options == ["owl", "bird"]
    next(box for box in at.checkbox if box.label == "The first line names the columns").uncheck().run()
    assert not at.exception and not at.error
    assert at.selectbox(key="upload_text_column").options == ["column 1", "column 2"]
    at.selectbox(key="upload_text_column").select("column 1").run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.session_state["uploads"]["upload: animals.tsv"].texts == ["owl", "hawk", "cod", "eel"]


def test_the_projector_zip_the_map_page_exports_is_imported_again():
    import numpy as np

    import core
    from core.export import projector_zip

    corpus = core.Corpus(name="c", texts=["owls hunt at night", "gulls\tsteal chips", 'a "quoted" wren'] * 4,
                         labels=["owl", "gull", "wren"] * 4)
    vectors = np.random.default_rng(1).normal(size=(12, 5)).astype(np.float32)
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.session_state["view"] = ViewState(encoder="tfidf")
    at.run()
    at.file_uploader(key="vectors_upload").upload("c-tfidf-projector.zip", projector_zip(corpus, vectors),
                                                  "application/zip").run()
    next(b for b in at.button if b.label == "Explore these vectors").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["view"].corpus == "upload: imported vectors"
    imported = at.session_state["uploads"]["upload: imported vectors"]
    assert imported.texts == corpus.texts and imported.labels == corpus.labels
