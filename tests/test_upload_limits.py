"""Uploads cannot hurt the server: small hostile files that decode to gigabytes are refused while they are
decoded, with a sentence naming the limit; whatever slips past runs out of room in a child process; and
nothing decoded from one session's upload stays where another session reaches it. The bombs are made on demand,
never committed (tests/hostile_files.py)."""
import gc
import io
import os
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

import core
from conftest import shown
from core.sources.tables import MAX_DOC_CHARS, read_table
from core.sources.guarded import UPLOAD_LIMITS, UploadLimits, run_guarded
from core.sources.vectors import import_vectors
from core.view import ViewState
from testkit.leaks import holders_of
from testkit.hostile_files import deflated_tsv_bomb, dictionary_parquet_bomb, npy_header_bomb

BUDGET_MB = UPLOAD_LIMITS.decoded_bytes // 1_000_000


# --- the readers ------------------------------------------------------------------------------------

def test_a_zip_that_unpacks_past_the_budget_is_refused_naming_the_limit_and_its_size():
    bomb = deflated_tsv_bomb(BUDGET_MB + 40)
    assert len(bomb) < 2_000_000
    with pytest.raises(core.CorpusError) as refusal:
        import_vectors({"projector.zip": bomb})
    assert f"unpacks to {BUDGET_MB + 40:,} MB" in str(refusal.value)
    assert f"the limit is {BUDGET_MB} MB" in str(refusal.value)


def test_a_zip_that_lies_about_its_size_is_counted_while_it_streams():
    bomb = bytearray(deflated_tsv_bomb(BUDGET_MB + 40))
    lie = (1000).to_bytes(4, "little")
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central headers
        start = bomb.find(signature)
        bomb[start + size_at:start + size_at + 4] = lie
    with pytest.raises(core.CorpusError, match="could not be unpacked|decodes to more than"):
        import_vectors({"projector.zip": bytes(bomb)})


def test_a_parquet_dictionary_bomb_is_read_with_every_document_cut_before_it_is_expanded():
    bomb = dictionary_parquet_bomb()
    assert len(bomb) < 10_000
    frame = read_table("long.parquet", bomb)
    assert len(frame) == 20_000 and frame["text"].str.len().max() == MAX_DOC_CHARS


def test_a_parquet_that_expands_past_the_budget_even_cut_is_refused():
    with pytest.raises(core.CorpusError) as refusal:
        read_table("wide.parquet", dictionary_parquet_bomb(columns=40))
    assert "decodes to more than" in str(refusal.value) and f"the limit is {BUDGET_MB} MB" in str(refusal.value)


def test_a_parquet_declaring_too_many_rows_is_refused_from_its_metadata():
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": pa.array(["x"] * (UPLOAD_LIMITS.rows + 1))}), buffer)
    with pytest.raises(core.CorpusError, match=f"has {UPLOAD_LIMITS.rows + 1:,} rows; the limit is"):
        read_table("rows.parquet", buffer.getvalue())


def test_a_npy_header_is_checked_before_anything_is_allocated():
    with pytest.raises(core.CorpusError) as refusal:
        import_vectors({"v.npy": npy_header_bomb(), "meta.csv": b"text\nx\n"})
    assert "declares a 100000 x 100000 array of 80,000 MB" in str(refusal.value)


def test_a_npy_shorter_than_its_header_says_is_refused():
    buffer = io.BytesIO()
    np.save(buffer, np.ones((4, 3)))
    with pytest.raises(core.CorpusError, match=r"declares a 4 x 3 array .* but holds"):
        import_vectors({"v.npy": buffer.getvalue()[:-8], "meta.csv": b"text\na\nb\nc\nd\n"})


def test_a_deeply_nested_jsonl_line_is_refused_with_its_line_number():
    with pytest.raises(core.CorpusError, match="Line 2 .* nests JSON too deeply"):
        read_table("deep.jsonl", b'{"text": "fine"}\n' + b"[" * 100_000 + b"]" * 100_000 + b"\n")


# --- the child process ------------------------------------------------------------------------------

def test_a_reader_that_runs_out_of_memory_kills_only_its_child():
    small = UploadLimits(memory_bytes=200_000_000)
    with pytest.raises(core.CorpusError, match="needed more than 200 MB of memory"):
        run_guarded("huge.bin", np.ones, (20_000, 20_000), limits=small)
    assert run_guarded("small.bin", np.arange, 3, limits=small).tolist() == [0, 1, 2]


def test_a_reader_that_takes_too_long_is_stopped_at_the_time_limit():
    started = time.monotonic()
    with pytest.raises(core.CorpusError, match="took longer than 1 s"):
        run_guarded("slow.bin", time.sleep, 60, limits=UploadLimits(seconds=1))
    assert time.monotonic() - started < 30  # killed, not waited for (a generous bound: this is no benchmark)


def test_a_readers_refusal_comes_back_as_its_own_sentence():
    with pytest.raises(core.CorpusError, match="'empty.txt' is empty"):
        run_guarded("empty.txt", read_table, "empty.txt", b"  ")


# --- through the app --------------------------------------------------------------------------------

def _home() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=180)
    at.session_state["view"] = ViewState(encoder="tfidf")
    return at.run()


@pytest.mark.parametrize("name,make,fix", [
    ("projector.zip", lambda: deflated_tsv_bomb(BUDGET_MB + 40), f"the limit is {BUDGET_MB} MB"),
    ("v.npy", npy_header_bomb, "declares a 100000 x 100000 array"),
], ids=["zip", "npy"])
def test_hostile_vector_imports_are_refused_and_the_session_goes_on(name, make, fix):
    files = {"v.npy": make(), "meta.csv": b"text\nx\n"} if name == "v.npy" else {name: make()}
    at = _home()
    uploader = at.file_uploader(key="vectors_upload")
    for filename, data in files.items():
        uploader.upload(filename, data, "application/octet-stream")
    uploader.run()
    next(b for b in at.button if b.label == "Explore these vectors").click().run()
    assert not at.exception
    assert any(fix in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert at.session_state["view"].corpus == "flutter" and at.get("bidi_component")


def test_a_parquet_bomb_in_the_upload_form_is_refused_and_the_session_goes_on():
    at = _home()
    at.file_uploader[0].upload("wide.parquet", dictionary_parquet_bomb(columns=40), "application/octet-stream").run()
    assert not at.exception
    assert "decodes to more than" in shown(at.error[0].value)
    at.file_uploader[0].upload("ok.csv", b"text\nowls at night\ngulls by day\n", "text/csv").run()
    assert not at.error and at.button[0].label == "Explore this corpus"


def test_nothing_decoded_from_an_upload_outlives_its_session():
    marker = f"zebra finch {os.getpid()} sings"
    at = _home()
    at.file_uploader[0].upload("mine.csv", f"text\n{marker} once\n{marker} twice\n".encode(), "text/csv").run()
    assert "2 rows" in " ".join(shown(c.value) for c in at.caption)
    assert any(isinstance(h, pd.DataFrame) for h in holders_of(marker))  # while the session lives, its table
    del at
    gc.collect()
    assert not holders_of(marker)


def test_a_reader_does_not_run_the_page_script_again(tmp_path, monkeypatch):
    """Streamlit installs the running page script as __main__, and multiprocessing re-runs the parent's __main__
    file in every child it starts: each read would execute the page (a whole app run) before reading."""
    import sys
    import types

    marker = tmp_path / "the page ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n")
    script = types.ModuleType("__main__")
    script.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", script)
    table = run_guarded("mine.csv", read_table, "mine.csv", b"text\nfirst\nsecond\n")
    assert len(table) == 2 and not marker.exists()
