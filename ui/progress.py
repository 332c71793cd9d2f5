"""What a page that computes several things is doing now, and what is still to come: one progress line."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st

from core.progress import ProgressMeter


def steps_text(done: int, doing: str, coming: list[str]) -> str:
    """'Step 2 of 8: testing each month against 2025-03… Still to come: clusters over time, the verdict, ...'"""
    text = f"Step {done + 1} of {done + 1 + len(coming)}: {doing}…"
    return f"{text} Still to come: {', '.join(coming)}." if coming else text


@dataclass
class Steps:
    """The page's steps: those done, the one running (shown in `slot`, an st.empty(), with a progress bar),
    those to come. `titles` names each step for the reader."""
    slot: object
    coming: list[str]
    titles: dict[str, str]
    done: list[str] = field(default_factory=list)

    def plan(self, names) -> None:
        """What is still to come, now that the user's choices say so."""
        self.coming = [name for name in names if name not in self.done]

    @contextmanager
    def step(self, name: str, doing: str):
        if name in self.coming:
            self.coming.remove(name)
        total = len(self.done) + 1 + len(self.coming)
        self.slot.progress(len(self.done) / total,
                           text=steps_text(len(self.done), doing, [self.titles[n] for n in self.coming]))
        yield
        self.done.append(name)

    def finish(self) -> None:
        self.slot.empty()


@contextmanager
def progress_line(first: str, doing: str):
    """A progress bar reading `first` until the work reports, then "`doing`: done, rate, time left"; yields the
    work's `progress(done, total)` callback and removes the bar when the work ends."""
    bar, meter = st.progress(0.0, text=first), ProgressMeter()

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"{doing}: {meter.update(done, total)}")

    try:
        yield progress
    finally:
        bar.empty()
