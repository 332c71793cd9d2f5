"""The map as one HTML file: every point, hover texts, the legend, cluster names, filters and each document's
nearest neighbours, with no server and no network request.

The file holds the built page bundle (frontend/build/page.js, MapView and a small host), the map's stylesheet,
the payload's small parts as JSON, and its big parts as binary columns: packed (see `pack`), gzip-compressed
and base64-encoded in <script> elements, which the browser decompresses with its built-in DecompressionStream.
The points come first, so they are drawn while the texts and neighbours are still being unpacked.
"""
from __future__ import annotations

import base64
import gzip
import json
import re
import struct
from pathlib import Path

import numpy as np

from .payload import prepare_map
from .streamlit_host import BUNDLE

PAGE_JS = BUNDLE / "page.js"
TEXT_CHARS = 200          # each document's text is cut to this many characters in the file
FILE_LIMIT = 120_000_000  # bigger files open slowly or not at all: such a map is published as a folder instead
SCORE_SCALE = 32767       # cosines travel as int16 (cosine * SCORE_SCALE): 3e-5 apart at most
TABLE_PARTS = ("points", "style", "filter", "texts")
ALIGN = 8


def map_html(coords2d, *, texts=None, neighbours=None, scores=None, page_title: str = "Murmuration map",
             text_chars: int = TEXT_CHARS, **options) -> str:
    """The whole HTML file of a map. Keyword options are those of `prepare_map` (categories, values,
    cluster_labels, filter_mask, ...), except hover texts: `texts` are the documents' texts (cut to text_chars),
    shown on hover and beside the map after a click. `neighbours`: (n, k) caller rows of each row's nearest
    neighbours (-1 for none) and `scores` their cosines, listed and ringed after a click."""
    prepared = prepare_map(coords2d, **options)
    kept = prepared.kept
    data = page_data(prepared, page_title, text_chars, neighbours)
    parts = {"points": pack(points_part(prepared))}
    if texts is not None:
        parts["texts"] = pack(text_columns(texts, kept, text_chars))
    if neighbours is not None:
        parts["neighbours"] = pack(neighbour_columns(neighbours, scores, kept, len(kept) + prepared.left_out))
    return _page(data, parts)


def page_data(prepared, page_title: str, text_chars: int, neighbours=None) -> dict:
    """The page's small parts: the payload without its tables, the title, the texts' cut, how many neighbours."""
    data = {name: value for name, value in prepared.data.items() if name not in TABLE_PARTS}
    data.update(page_title=str(page_title), text_chars=int(text_chars), texts_key="none", text_on_demand=False)
    if neighbours is not None:
        data["k"] = int(np.asarray(neighbours).shape[1])
    return data


def points_part(prepared) -> dict[str, np.ndarray]:
    """A prepared map's points, style and filter as columns to pack: x, y, "style.<column>", "filter.bits", and
    "rows" (each map point's caller row) when rows were left out."""
    tables = prepared.tables
    points = {"x": tables["points"]["x"].to_numpy(), "y": tables["points"]["y"].to_numpy(),
              **{f"style.{name}": _for_browser(column.to_numpy()) for name, column in tables["style"].items()}}
    if prepared.left_out:
        points["rows"] = prepared.kept.astype(np.uint32)
    if tables["filter"] is not None:
        points["filter.bits"] = tables["filter"]["bits"].to_numpy()
    return points


def estimated_bytes(n_points: int, text_bytes: int = 0, k: int = 0) -> int:
    """About how big the file of n_points will be, before it is made: text_bytes of texts (as cut) and k
    neighbours a point. The ratios are gzip's on such columns (bench/html_export.py checks the estimate), times
    base64's 4/3, plus the page's bundle."""
    compressed = n_points * (8 * 0.93 + 1 * 0.2) + text_bytes * 0.42 + n_points * k * (4 * 0.62 + 2 * 0.85)
    return int(compressed * 4 / 3 + PAGE_JS.stat().st_size + 8_000)


def text_bytes(texts, text_chars: int = TEXT_CHARS) -> int:
    """The UTF-8 size of the texts as the file holds them (about: characters, not bytes, past ASCII)."""
    return sum(min(len(text), text_chars) for text in texts if isinstance(text, str))


def text_columns(texts, kept: np.ndarray, text_chars: int) -> dict[str, np.ndarray]:
    """The kept rows' texts, cut to text_chars, as UTF-8 bytes and the offset where each starts (n + 1)."""
    if len(texts) < (kept[-1] + 1 if len(kept) else 0):
        raise ValueError(f"`texts` has {len(texts)} entries for {kept[-1] + 1} points.")
    encoded = [_cut(texts[row], text_chars).encode("utf-8") for row in kept]
    offsets = np.zeros(len(encoded) + 1, dtype=np.uint32)
    np.cumsum([len(chunk) for chunk in encoded], out=offsets[1:])
    return {"offsets": offsets, "bytes": np.frombuffer(b"".join(encoded), dtype=np.uint8)}


def neighbour_columns(neighbours, scores, kept: np.ndarray, n_total: int) -> dict[str, np.ndarray]:
    """Each kept row's neighbours as map indices (-1 for none or left out) and their cosines as int16."""
    rows = np.asarray(neighbours, dtype=np.int64)
    if rows.ndim != 2 or rows.shape[0] != n_total:
        raise ValueError(f"`neighbours` must have one row per point ({n_total}); got shape {rows.shape}.")
    position = np.full(n_total + 1, -1, dtype=np.int64)     # the extra last entry maps -1 to -1
    position[kept] = np.arange(len(kept))
    valid = (rows >= 0) & (rows < n_total)
    indices = np.where(valid, position[np.where(valid, rows, -1)], -1)[kept].astype(np.int32)
    cosines = np.zeros(rows.shape, dtype=np.float64) if scores is None else np.asarray(scores, dtype=np.float64)
    if cosines.shape != rows.shape:
        raise ValueError(f"`scores` has shape {cosines.shape} for neighbours of shape {rows.shape}.")
    quantised = np.round(np.clip(np.nan_to_num(cosines[kept]), -1, 1) * SCORE_SCALE).astype(np.int16)
    return {"indices": indices, "scores": quantised}


def pack(columns: dict[str, np.ndarray]) -> bytes:
    """Arrays in one buffer: a little-endian uint32 header length, the JSON header ([{name, dtype, offset,
    length}]), zeros up to a multiple of 8, then the arrays, each starting at a multiple of 8 (offsets count from
    there), so that the browser views them in place."""
    entries, chunks, offset = [], [], 0
    for name, values in columns.items():
        values = np.ascontiguousarray(values)
        values = values.astype(values.dtype.newbyteorder("<"), copy=False)
        entries.append({"name": name, "dtype": values.dtype.name, "offset": offset, "length": int(values.size)})
        chunks.append(values.tobytes())
        offset = _aligned(offset + len(chunks[-1]))
    header = json.dumps(entries).encode()
    start = _aligned(4 + len(header))
    out = bytearray(start + offset)
    out[:4 + len(header)] = struct.pack("<I", len(header)) + header
    for entry, chunk in zip(entries, chunks):
        out[start + entry["offset"]:start + entry["offset"] + len(chunk)] = chunk
    return bytes(out)


def unpack(buffer: bytes) -> dict[str, np.ndarray]:
    """`pack`'s arrays back (what the page does in the browser)."""
    (length,) = struct.unpack_from("<I", buffer)
    start = _aligned(4 + length)
    return {entry["name"]: np.frombuffer(buffer, dtype=entry["dtype"], count=entry["length"],
                                         offset=start + entry["offset"])
            for entry in json.loads(buffer[4:4 + length])}


def write_html(path, html: str) -> Path:
    path = Path(path)
    path.write_text(html, encoding="utf-8")
    return path


def _page(data: dict, parts: dict[str, bytes]) -> str:
    # inside a script element, only "</script" (any case) or "<!--" could end or confuse it: neither is in the
    # bundle today, and neither gets in whatever it becomes
    script = re.sub(r"<(/script|!--)", r"<\\\1", PAGE_JS.read_text(encoding="utf-8"), flags=re.IGNORECASE)
    style = (BUNDLE / "map.css").read_text(encoding="utf-8")
    blobs = "\n".join(f'<script type="application/octet-stream" id="mm-{name}">'
                      f"{base64.b64encode(gzip.compress(buffer, compresslevel=6, mtime=0)).decode()}</script>"
                      for name, buffer in parts.items())
    return TEMPLATE.format(title=escape_html(data["page_title"]), style=style, data=script_json(data), blobs=blobs, script=script)


def script_json(data: dict) -> str:
    """JSON inside <script>: every '<' escaped, so no text can close the element."""
    return json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _for_browser(values: np.ndarray) -> np.ndarray:
    """JavaScript's typed arrays have no 64-bit numbers but BigInt: 32 bits are plenty here."""
    if values.dtype == np.int64:
        return values.astype(np.int32)
    return values.astype(np.float32) if values.dtype.kind == "f" else values


def _cut(text, limit: int) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; connect-src data:; img-src data:; worker-src blob:">
<title>{title}</title>
<style>{style}</style>
</head>
<body class="mm-page">
<script type="application/json" id="mm-data">{data}</script>
{blobs}
<div id="mm-app"></div>
<script type="module">{script}</script>
</body>
</html>
"""
