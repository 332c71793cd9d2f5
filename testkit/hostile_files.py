"""Small files that decode to gigabytes, made on demand (never committed): for the upload tests and
bench/hostile_uploads.py."""
import io
import zipfile

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def deflated_tsv_bomb(megabytes: int) -> bytes:
    """A zip whose vectors.tsv holds `megabytes` MB of '0\\t': a few hundred KB on disk."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("vectors.tsv", "w") as member:
            for _ in range(megabytes):
                member.write(b"0\t" * 500_000)
        archive.writestr("metadata.tsv", "a\n")
    return buffer.getvalue()


def dictionary_parquet_bomb(columns: int = 1, rows: int = 20_000, chars: int = 540_000) -> bytes:
    """`rows` rows of one 540,000-character string in each of `columns` columns, zstd: well under 10 KB on disk,
    rows x chars x columns (10.8 GB per column) once expanded."""
    long = pa.array(["bird " * (chars // 5)])
    index = pa.array(np.zeros(rows, np.int32))
    table = pa.table([pa.DictionaryArray.from_arrays(index, long) for _ in range(columns)],
                     names=["text", *(f"c{i}" for i in range(1, columns))])
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def npy_header_bomb() -> bytes:
    """A .npy file whose header declares 100000 x 100000 float64 (80 GB) and holds nothing after it."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }"
    header += " " * (118 - len(header)) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
