"""The Ray engine of a collection build: the embed step as Ray Data batch inference.

    read (one task, on this machine) -> map_batches (a pool of actors, each loads the encoder once) -> write (here)

1. read: a Ray Data datasource whose one read task walks the source with the local engine's chunked reader
   (`EmbedJob.chunks`: same chunks, same columns, same checks), skips the chunks already stored, and yields each
   chunk in blocks of at most BLOCK_ROWS rows tagged with their chunk and row numbers. Small blocks spread short
   documents over the actors (Ray Data would otherwise merge them into one big block, the trap a `repartition`
   fixes after the fact). The task is pinned to this machine's node, so the source need only be readable here,
   and memory stays flat: Ray Data reads ahead only as far as the actors keep up.
2. embed: `map_batches` over a fixed pool of actors (`ActorPoolStrategy`); each loads the encoder once.
3. write: this process gathers each chunk's rows, puts them in the source's order by their row numbers, and stores
   the chunk as the local engine does (documents, then vectors). An interrupted build resumes from the stored
   chunks, whichever engine stored them.

Ray is imported lazily: `core` works without it, and `--engine ray` without it says what to install.
"""
from __future__ import annotations

import logging
import os
import socket
import warnings
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from core.collections.chunks import EmbedJob, texts_of
from core.collections.sources import CollectionError

if TYPE_CHECKING:
    import pyarrow as pa

BLOCK_ROWS = 1_000
BLOCK_BYTES = 1 << 20   # above a block of BLOCK_ROWS short documents, so that each block travels as it is yielded
READ_CPUS = 0.25   # the read task's share; the actors share the rest (whole CPUs each deadlock a 2-CPU machine)
NODE_LABEL = "ray.io/node-id"   # every node has it: pins the read to the node of this process
CHUNK, ROW, CHUNK_ROWS, VECTOR = "_chunk", "_row", "_chunk_rows", "_vector"
INSTALL = "pip install -r requirements-scale.txt"
CONNECT_TIMEOUT_S = 5


def require_ray() -> None:
    try:
        import ray.data  # noqa: F401
    except ImportError as error:
        raise CollectionError(f"The Ray engine needs Ray Data, which the default install leaves out: run "
                              f"`{INSTALL}`, or build with --engine local.") from error


def embed_with_ray(job: EmbedJob, *, address: str | None = None, workers: int | None = None,
                   progress: bool = False) -> None:
    """Embed and store every chunk of `job` not stored yet, on the Ray cluster at `address` (default: a local one
    started for this build and shut down after it) with `workers` actors (default: one per CPU of the cluster)."""
    require_ray()
    with ray_session(address):
        dataset = _dataset(job, job.done_chunks(), workers)
        with job.progress_bar(progress) as bar:
            with _user_errors(), warnings.catch_warnings():
                # Ray Data counts the one read task as one input, and warns that the actors will idle: they do not.
                warnings.filterwarnings("ignore", "The minimum number of concurrent actors", UserWarning)
                _write_chunks(job, _blocks(dataset), bar)
            bar.total = bar.n


@contextmanager
def ray_session(address: str | None = None):
    """Ray, joined at `address` or started locally and quietly; shut down at the end unless it was already up."""
    import ray

    if address is not None:
        _check_reachable(address)
    if ray.is_initialized():
        yield
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    _quiet_ray_data()
    # the actors import `core` from this project's folder (the same path on every machine of a cluster),
    # wherever the driver was started
    project = str(Path(__file__).resolve().parents[2])
    options = {"logging_level": logging.ERROR, "log_to_driver": False,
               "runtime_env": {"env_vars": {"PYTHONPATH": project}}}
    if address is None:
        options.update(address="local", include_dashboard=False)
    else:
        options.update(address=address)
    try:
        ray.init(**options)
    except (ConnectionError, ValueError, RuntimeError) as error:
        raise CollectionError(_cannot_join(address, error)) from error
    try:
        yield
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """Fail in seconds on an address where nothing listens (Ray itself retries for minutes)."""
    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return   # "auto", or a ray:// client address: Ray's own checks
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise CollectionError(_cannot_join(address, error, listening=False)) from error


def _cannot_join(address: str, error: BaseException, *, listening: bool = True) -> str:
    advice = ("Start one with `ray start --head` and pass the address it prints (HEAD:6379), or leave out "
              "--address to start a local one.")
    if not listening:
        return f"Cannot join the Ray cluster at {address} ({_first_line(error)}). {advice}"
    return (f"Cannot join the Ray cluster at {address} ({_first_line(error)}). If it runs, it may want its token: "
            "set RAY_AUTH_MODE=token (and RAY_AUTH_TOKEN from `ray get-auth-token` on the head, on another "
            f"machine). {advice}")


def _quiet_ray_data() -> None:
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False   # the build shows its own bar
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.CRITICAL)   # its errors come back as exceptions


def _dataset(job: EmbedJob, done: frozenset, workers: int | None):
    import ray
    from ray.data import ActorPoolStrategy, read_datasource

    cpus = float(ray.cluster_resources().get("CPU", 1.0))
    workers = workers or max(1, int(cpus))
    here = {NODE_LABEL: ray.get_runtime_context().get_node_id()}
    # One output block per yielded block. Left to itself, Ray Data splits a single read task's blocks in hundreds
    # (override_num_blocks), or merges short rows into blocks of up to 128 MB that one actor would embed alone.
    source = read_datasource(_chunk_source(job, done), num_cpus=READ_CPUS, label_selector=here, override_num_blocks=1)
    source.context.target_max_block_size = BLOCK_BYTES
    # No actor restarts: with them Ray prints on stderr that a restart may fail (ray-project/ray#53727), and a
    # rerun resumes anyway. Ray 2.60 sets them only through its deprecated remote-args keywords.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return source.map_batches(_Embedder, fn_constructor_args=(job,), batch_size=BLOCK_ROWS,
                                  batch_format="pyarrow", compute=ActorPoolStrategy(size=workers), max_restarts=0,
                                  num_cpus=min(1.0, max(cpus - READ_CPUS, 0.1) / workers))


def _blocks(dataset) -> Iterator[pa.Table]:
    return dataset.iter_batches(batch_size=None, batch_format="pyarrow")


def _chunk_source(job: EmbedJob, done: frozenset):
    """A Ray Data datasource of one read task that yields the chunks not `done`, in order (a CSV cannot be split
    without reading it). The class is made here because Ray is imported lazily."""
    from ray.data import Datasource, ReadTask
    from ray.data.block import BlockMetadata

    class ChunkSource(Datasource):
        def estimate_inmemory_data_size(self):
            return None

        def get_read_tasks(self, parallelism, per_task_row_limit=None, data_context=None):
            metadata = BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None, input_files=None)
            return [ReadTask(partial(_tagged_blocks, job, done), metadata)]

    return ChunkSource()


def _tagged_blocks(job: EmbedJob, done: frozenset) -> Iterator[pa.Table]:
    import pyarrow as pa

    for number, documents in job.chunks():
        if number in done:
            continue
        rows = documents.num_rows
        for start in range(0, rows, BLOCK_ROWS):
            block = documents.slice(start, BLOCK_ROWS)
            size = block.num_rows
            yield (block.append_column(CHUNK, pa.array(np.full(size, number, dtype=np.int64)))
                        .append_column(ROW, pa.array(np.arange(start, start + size, dtype=np.int64)))
                        .append_column(CHUNK_ROWS, pa.array(np.full(size, rows, dtype=np.int64))))


class _Embedder:
    """A Ray Data actor: loads the encoder once, then adds each batch's vectors as a column."""

    def __init__(self, job: EmbedJob):
        self.model = job.encoder()

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pyarrow as pa

        vectors = np.ascontiguousarray(self.model.transform(texts_of(batch)), dtype=np.float32)
        column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1])
        return batch.append_column(VECTOR, column)


def _write_chunks(job: EmbedJob, blocks, bar) -> None:
    """Store each chunk once all its rows are back, in the source's order (blocks arrive in any order, and a
    batch may hold the end of one chunk and the start of the next)."""
    import pyarrow.compute as pc

    pending: dict[int, list] = {}
    for block in blocks:
        for number in pc.unique(block.column(CHUNK)).to_pylist():
            part = block.filter(pc.equal(block.column(CHUNK), number))
            parts = pending.setdefault(number, [])
            parts.append(part)
            if sum(p.num_rows for p in parts) == part.column(CHUNK_ROWS)[0].as_py():
                _store(job, number, pending.pop(number))
        bar.update(block.num_rows)
    if pending:
        raise CollectionError(f"The Ray build lost rows of chunks {sorted(pending)}; run the command again to "
                              "resume.")


def _store(job: EmbedJob, number: int, parts: list) -> None:
    import pyarrow as pa

    table = pa.concat_tables(parts)
    table = table.take(np.argsort(table.column(ROW).to_numpy(), kind="stable"))
    vectors = table.column(VECTOR).combine_chunks()
    vectors = vectors.flatten().to_numpy().reshape(len(vectors), vectors.type.list_size)
    documents = table.drop_columns([CHUNK, ROW, CHUNK_ROWS, VECTOR])
    documents = documents.cast(pa.schema([(name, pa.string()) for name in documents.column_names]))
    job.store(number, documents, vectors)


@contextmanager
def _user_errors():
    """A CollectionError or EncoderError raised inside a Ray task or actor comes back wrapped in Ray's exceptions:
    raise the original, whose message says what to fix."""
    from core.encoders import EncoderError

    try:
        yield
    except Exception as error:
        cause = _original(error)
        if not isinstance(cause, (CollectionError, EncoderError)) or cause is error:
            raise
        raise type(cause)(_first_line(cause)) from None   # Ray appends its retry advice to the message


def _original(error: BaseException) -> BaseException:
    """The exception a Ray task raised, unwrapped from Ray's (whose message adds Ray's own advice)."""
    seen = set()
    while type(error).__module__.startswith("ray.") and id(error) not in seen:
        seen.add(id(error))
        inner = getattr(error, "cause", None) or error.__cause__
        if inner is None:
            break
        error = inner
    return error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
