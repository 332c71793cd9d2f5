"""Progress with a rate and the time left: the pure text helper, the meter, the CLI bar, the encoder's reports."""
import re

from core.progress import ProgressMeter, progress_text


def test_progress_text_reads_like_the_sentence_a_user_sees():
    assert progress_text(1200, 5000, 3.0) == "1,200 of 5,000 documents · 400 docs/s · about 10 s left"
    assert progress_text(0, 5000, 0.0) == "0 of 5,000 documents"
    assert progress_text(5000, 5000, 10.0) == "5,000 of 5,000 documents · 500 docs/s"
    assert progress_text(10, 100_000, 2.0) == "10 of 100,000 documents · 5.0 docs/s · about 5 h 33 min left"
    assert progress_text(100, 1000, 10.0) == "100 of 1,000 documents · 10 docs/s · about 2 min left"


def test_the_meter_leaves_model_loading_out_of_the_rate():
    times = iter([100.0, 102.0, 104.0])          # first batch reported after a long model load
    meter = ProgressMeter(clock=lambda: next(times))
    assert meter.update(500, 5000) == "500 of 5,000 documents"
    assert meter.update(1500, 5000) == "1,500 of 5,000 documents · 500 docs/s · about 7 s left"
    assert meter.update(2500, 5000) == "2,500 of 5,000 documents · 500 docs/s · about 5 s left"


def test_encoder_progress_counts_work_so_the_rate_stays_even():
    from core.encoders import get_encoder

    short, long = "a bird", " ".join(["the heron waits by the river bank"] * 25)
    texts = [short] * 30 + [long] * 2     # the long pair (2 x 177 tokens) is 3/4 of the work (30 x 4 tokens)
    calls = []
    get_encoder("minilm", batch_size=2).fit(["x"]).transform(texts, progress=lambda d, t: calls.append(d))
    assert calls[-1] == len(texts) and calls == sorted(calls) and len(calls) == 16
    assert calls[0] == 32 * 354 // 474                # not 2 of 32: the first batch did 3/4 of the work
    steps = [b - a for a, b in zip(calls, calls[1:])]
    assert max(steps) - min(steps) <= 1               # equal work, equal steps


def test_cli_shows_rate_and_time_left(tmp_path, capsys):
    from core.__main__ import main

    source = tmp_path / "texts.txt"
    source.write_text("\n".join(f"Line {i} about birds and rivers." for i in range(40)))
    assert main(["embed", str(source), "--encoder", "minilm", "--out", str(tmp_path / "v.npy"),
                 "--param", "batch_size=4"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"40/40 docs \[\d\d:\d\d<\d\d:\d\d, +[\d.]+ docs/s\]", err), err
