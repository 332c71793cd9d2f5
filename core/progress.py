"""Progress a user can trust: how many documents are done, at what rate, and about how long is left.

`progress_text` is pure, for any front end. `ProgressMeter` measures the rate from the first report
on, so that loading a model before the first batch makes neither the rate look slow nor the wait long.
`progress_bar` is the command line's bar (tqdm on stderr), shared by `embed` and `build`.
"""
from __future__ import annotations

import sys
import time


def progress_text(done: int, total: int, elapsed: float, *, rate: float | None = None,
                  unit: str = "documents") -> str:
    """'1,200 of 5,000 documents · 410 docs/s · about 9 s left'. The rate is done / elapsed unless
    given; rate and time left appear once there is something to measure."""
    parts = [f"{done:,} of {total:,} {unit}"]
    if rate is None and done > 0 and elapsed > 0:
        rate = done / elapsed
    if rate:
        parts.append(f"{rate:,.0f} docs/s" if rate >= 10 else f"{rate:.1f} docs/s")
        if done < total:
            parts.append(f"about {_duration((total - done) / rate)} left")
    return " · ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 59.5:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class ProgressMeter:
    """Turns `progress(done, total)` reports into text. The clock starts at the first report, whose
    documents are left out of the rate: their time includes loading the model."""

    def __init__(self, clock=time.perf_counter):
        self.clock = clock
        self.first: tuple[float, int] | None = None

    def update(self, done: int, total: int) -> str:
        now = self.clock()
        if self.first is None:
            self.first = (now, done)
        started, done_then = self.first
        rate = (done - done_then) / (now - started) if now > started and done > done_then else None
        return progress_text(done, total, 0.0, rate=rate)


def progress_bar(label: str, total: int, *, initial: int = 0, enabled: bool = True):
    """A tqdm bar with the rate (docs/s) and time left; in a log (no terminal) a line every 10 s. Disabled, it
    shows nothing. Use it as a context manager, or close it."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit=" docs", desc=label, file=sys.stderr, smoothing=0.1,
                disable=not enabled, mininterval=0.5 if sys.stderr.isatty() else 10.0,
                bar_format="{desc}: {percentage:3.0f}%|{bar:20}| {n_fmt}/{total_fmt} docs "
                           "[{elapsed}<{remaining}, {rate_fmt}]")
