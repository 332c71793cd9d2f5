"""Reading an uploaded Parquet file without trusting it.

A few hundred KB of Parquet can hold gigabytes: zstd squeezes repeated strings, and dictionary encoding
stores a long string once for any number of rows. So the file's metadata (rows, columns, the uncompressed
size of every column chunk, the count of values of every fixed-width column) is checked before anything is
read; strings are read as dictionaries, cut to `max_chars` and counted before they are expanded into rows;
and row groups are read one at a time, each batch counted against the decode budget.
"""
from __future__ import annotations

import io

import pandas as pd

from core.errors import CorpusError, first_line
from core.sources.guarded import DecodeBudget, refuse_too_long, refuse_too_wide

FIXED_WIDTH = {"BOOLEAN": 1, "INT32": 4, "INT64": 8, "INT96": 12, "FLOAT": 4, "DOUBLE": 8}
BATCH_ROWS = 8_192


def read_parquet(filename: str, data: bytes, *, max_rows: int, max_columns: int, max_chars: int) -> pd.DataFrame:
    import pyarrow as pa

    budget = DecodeBudget(filename)
    file = _opened(filename, data)
    metadata = file.metadata
    refuse_too_long(filename, metadata.num_rows, max_rows)
    refuse_too_wide(filename, metadata.num_columns, max_columns)
    budget.check(declared_size(metadata))
    strings = [f.name for f in file.schema_arrow if _is_text(f.type)]
    if strings:
        file = _opened(filename, data, read_dictionary=strings)
    try:
        batches = [_cut_and_counted(batch, budget, max_chars)
                   for batch in file.iter_batches(batch_size=BATCH_ROWS, use_threads=False)]
        table = pa.Table.from_batches(batches) if batches else file.schema_arrow.empty_table()
        return table.replace_schema_metadata(file.schema_arrow.metadata).to_pandas()
    except CorpusError:
        raise
    except (pa.ArrowException, OSError, ValueError, TypeError) as error:
        raise CorpusError(f"'{filename}' is not a readable Parquet file ({first_line(error)}).") from error


def declared_size(metadata) -> int:
    """What the file says its columns hold once decompressed, and at least what fixed-width columns decode
    to (a dictionary of one float repeated a million times in a list is small on disk, 8 MB in memory)."""
    total = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for column in range(row_group.num_columns):
            chunk = row_group.column(column)
            width = FIXED_WIDTH.get(chunk.physical_type, 0)
            total += max(chunk.total_uncompressed_size, chunk.num_values * width)
    return total


def _opened(filename: str, data: bytes, **options):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(io.BytesIO(data), **options)
    except Exception as error:  # pyarrow raises many types; all mean "not a readable Parquet file"
        raise CorpusError(f"'{filename}' is not a readable Parquet file ({first_line(error)}).") from error


def _cut_and_counted(batch, budget: DecodeBudget, max_chars: int):
    """The batch with every string cut to `max_chars`, once its expanded size is known to fit the budget."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type) and _is_text(column.type.value_type):
            words = pc.utf8_slice_codeunits(column.dictionary, 0, max_chars)
            sizes = pc.take(pc.binary_length(words), column.indices)
            budget.spend(int(pc.sum(sizes).as_py() or 0))
            column = pc.take(words, column.indices)
        else:
            budget.spend(column.nbytes)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _is_text(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
