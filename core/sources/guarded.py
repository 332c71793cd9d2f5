"""Reading untrusted files within limits, so that one visitor's upload cannot hurt the server.

Two lines of defence:
- the readers check sizes while they decode (`DecodeBudget`), before anything big is allocated: a zip's
  entries are counted as they stream, a Parquet file's metadata is checked before reading, a `.npy` header's
  shape before loading;
- `run_guarded` runs a reader in a child process with an address-space limit, a time limit and a low
  priority, so whatever slips past the checks kills only the child. The server's thread only waits (without
  the GIL), so other sessions go on, and at most `UPLOAD_LIMITS.readers` children run at once.

Every limit is an environment variable; the README's hosting section lists them.
"""
from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import sys
import threading
import types
from contextlib import contextmanager
from dataclasses import dataclass

from core.errors import CorpusError, first_line

MB = 1_000_000


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class UploadLimits:
    decoded_bytes: int = int(_env_number("MURMURATION_MAX_DECODED_MB", 256) * MB)
    rows: int = int(_env_number("MURMURATION_MAX_ROWS", 100_000))
    columns: int = 1_000
    seconds: float = _env_number("MURMURATION_READ_SECONDS", 60)
    # address space a reader may add to what its process holds when it starts (decoding needs some room
    # beyond the decoded data itself: pandas and Arrow copy on the way)
    memory_bytes: int = int(_env_number("MURMURATION_READ_MEMORY_MB", 2_000) * MB)
    readers: int = int(_env_number("MURMURATION_READERS", 2))


UPLOAD_LIMITS = UploadLimits()


def megabytes(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= 10 * MB else f"{size / MB:,.1f} MB"


class DecodeBudget:
    """Counts the bytes a file decodes to, and refuses it as soon as they pass the limit."""

    def __init__(self, filename: str, limit: int | None = None):
        self.filename, self.limit, self.spent = filename, limit or UPLOAD_LIMITS.decoded_bytes, 0

    def check(self, size: int, what: str = "decodes to") -> None:
        """Refuse a size known before decoding (declared by the file, or counted so far)."""
        if size > self.limit:
            raise CorpusError(f"'{self.filename}' {what} {megabytes(size)}; the limit is {megabytes(self.limit)} "
                              "of decoded data (MURMURATION_MAX_DECODED_MB). Upload a smaller sample.")

    def spend(self, size: int) -> None:
        self.spent += size
        self.check(self.spent, "decodes to more than")


def refuse_too_long(filename: str, rows: int, max_rows: int, *, counted: bool = True) -> None:
    """`counted`: `rows` is the file's whole count, not where a reader stopped (one row past the limit)."""
    if rows > max_rows:
        size = f"{rows:,}" if counted else f"more than {max_rows:,}"
        raise CorpusError(f"'{filename}' has {size} rows; the limit is {max_rows:,}. "
                          "Upload a sample or split the file.")


def refuse_too_wide(filename: str, columns: int, max_columns: int = UPLOAD_LIMITS.columns) -> None:
    if columns > max_columns:
        raise CorpusError(f"'{filename}' has {columns:,} columns; at most {max_columns:,} are supported. "
                          "Keep the text column and a few metadata columns.")


# --- the child process ------------------------------------------------------------------------------

_readers = threading.BoundedSemaphore(max(1, UPLOAD_LIMITS.readers))
_main_swap = threading.Lock()


def run_guarded(filename: str, function, *args, limits: UploadLimits = UPLOAD_LIMITS, **kwargs):
    """`function(*args, **kwargs)` in a child process within `limits`; its CorpusError comes back as it was,
    running out of memory or time becomes a CorpusError naming the limit, and the child never outlives the
    call. `filename` names the upload in those sentences."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    call = functools.partial(function, *args, **kwargs)
    child = context.Process(target=_child, args=(sender, call, limits.memory_bytes), daemon=True)
    with _readers:
        with _neutral_main():
            child.start()
        sender.close()
        try:
            outcome = _wait(receiver, limits.seconds)
        finally:
            receiver.close()
            if child.is_alive():
                child.kill()
            child.join()
    if outcome is None:  # it died without a word: a signal means the memory limit (an abort, a crash)
        outcome = ("memory", None) if child.exitcode < 0 else ("failed", f"exit code {child.exitcode}")
    return _result(outcome, filename, limits)


@contextmanager
def _neutral_main():
    """multiprocessing runs the parent's __main__ file again in every child it starts, and Streamlit installs the
    running page script as __main__: each read would run the page first. While the child starts, __main__ is an
    empty module (the lock keeps two starts from swapping it at once)."""
    with _main_swap:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


def _wait(receiver, seconds: float):
    try:
        return receiver.recv() if receiver.poll(seconds) else ("time", None)
    except (EOFError, OSError):
        return None


def _result(outcome, filename: str, limits: UploadLimits):
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "refused":
        raise CorpusError(value)
    if kind == "memory":
        raise CorpusError(f"Reading '{filename}' needed more than {megabytes(limits.memory_bytes)} of memory, "
                          "the limit for one upload (MURMURATION_READ_MEMORY_MB). Upload a smaller sample.")
    if kind == "time":
        raise CorpusError(f"Reading '{filename}' took longer than {limits.seconds:,.0f} s, the limit for one "
                          "upload (MURMURATION_READ_SECONDS). Upload a smaller sample.")
    raise CorpusError(f"'{filename}' could not be read ({value}). Check that it is the format its name says.")


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:  # Windows: a fresh interpreter per read
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the readers once; each read is then a fork of it (milliseconds).
    context.set_forkserver_preload(["core.sources.corpus", "core.sources.vectors", "pyarrow.parquet"])
    return context


def _child(sender, call, memory_bytes: int) -> None:
    if hasattr(os, "nice"):
        os.nice(10)  # the server's own threads come first
    _limit_address_space(memory_bytes)
    try:
        outcome = ("ok", call())
    except CorpusError as error:
        outcome = ("refused", str(error))
    except MemoryError:
        outcome = ("memory", None)
    except Exception as error:  # noqa: BLE001 - any other failure of a reader is a file it cannot read
        outcome = ("failed", first_line(error))
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory", None))
    sender.close()


def _limit_address_space(extra: int) -> None:
    """Allow this process `extra` bytes of address space beyond what it maps now (Linux; elsewhere the
    readers' own checks are the only line)."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        soft = mapped + extra if hard == resource.RLIM_INFINITY else min(mapped + extra, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, OSError, StopIteration, ValueError) as error:
        logging.getLogger(__name__).warning("upload readers run without an address-space limit (%s)", error)
