"""The map as a static folder for maps too big for one file: any static file server serves it read-only (no
Python runs per visitor).

    site/index.html                   the page (page.js and map.css beside it), the payload's small parts inline
    site/points-000.bin.gz ...        the points, POINT_CHUNK a file: the first paint while the rest stream in
    site/texts-0000.bin.gz ...        the texts, TEXT_CHUNK a file, fetched when a point is hovered or clicked
    site/neighbours-0000.bin.gz ...   each point's neighbours and cosines, TEXT_CHUNK a file, fetched on a click
    site/murmuration-publish.json     what was published: a folder with it may be published over again

Each chunk is packed like the one-file page's parts (static_page.pack) and gzip-compressed; the browser
decompresses it with DecompressionStream (no server configuration needed).
"""
from __future__ import annotations

import gzip
import json
import shutil
import time
from pathlib import Path


from .payload import prepare_map
from .static_page import (BUNDLE, PAGE_JS, TEXT_CHARS, escape_html, neighbour_columns, pack, page_data,
                          points_part, script_json, text_columns)

MARKER = "murmuration-publish.json"
POINT_CHUNK = 250_000
TEXT_CHUNK = 10_000


class PublishError(ValueError):
    """A folder that cannot be published into, in a sentence."""


def publish_map(out, coords2d, *, texts=None, neighbours=None, scores=None, page_title: str = "Murmuration map",
                text_chars: int = TEXT_CHARS, point_chunk: int = POINT_CHUNK, text_chunk: int = TEXT_CHUNK,
                **options) -> Path:
    """Write the map's folder to `out` (see the module's docstring) and return it. Options are map_html's."""
    out = _fresh_folder(Path(out))
    point_chunk = max(8, point_chunk // 8 * 8)   # the filter's bits split at whole bytes
    prepared = prepare_map(coords2d, **options)
    kept, n = prepared.kept, len(prepared.kept)
    points = points_part(prepared)
    point_files = _write_chunks(out, "points-{:03d}", n, point_chunk,
                                lambda rows: pack(_points_slice(points, rows)))
    data = page_data(prepared, page_title, text_chars, neighbours)
    data["published"] = {"points": point_files, "count": n, "text_chunk": int(text_chunk)}
    if texts is not None:
        data["published"]["texts"] = _write_chunks(
            out, "texts-{:04d}", n, text_chunk, lambda rows: pack(text_columns(texts, kept[rows], text_chars)))
    if neighbours is not None:
        table = neighbour_columns(neighbours, scores, kept, n + prepared.left_out)
        data["published"]["neighbours"] = _write_chunks(
            out, "neighbours-{:04d}", n, text_chunk,
            lambda rows: pack({"indices": table["indices"][rows], "scores": table["scores"][rows]}))
    shutil.copyfile(PAGE_JS, out / "page.js")
    shutil.copyfile(BUNDLE / "map.css", out / "map.css")
    (out / "index.html").write_text(INDEX.format(title=escape_html(data["page_title"]), data=script_json(data)),
                                    encoding="utf-8")
    (out / MARKER).write_text(json.dumps({"complete": True, "points": n,
                                          "published": time.strftime("%Y-%m-%dT%H:%M:%S")}))
    return out


def check_folder(out) -> None:
    """Refuse, before any work, a place that is neither new, nor empty, nor an earlier publish."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise PublishError(f"{out} exists and is not a folder published by Murmuration; give a new folder "
                           "(nothing in it was changed).")


def _fresh_folder(out: Path) -> Path:
    """An empty folder, or an earlier publish emptied; its marker written first, so that a publish stopped
    halfway can be published over again."""
    check_folder(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text(json.dumps({"complete": False}))
    return out


def _write_chunks(out: Path, pattern: str, n: int, size: int, packed) -> list[str]:
    names = []
    for number, start in enumerate(range(0, max(n, 1), size)):
        name = f"{pattern.format(number)}.bin.gz"
        (out / name).write_bytes(gzip.compress(packed(slice(start, min(start + size, n))), compresslevel=6,
                                               mtime=0))
        names.append(name)
    return names


def _points_slice(points: dict, rows: slice) -> dict:
    """A chunk of the points' columns; the filter's bits cut at a whole byte (chunks are multiples of 8)."""
    out = {}
    for name, values in points.items():
        if name == "filter.bits":
            out[name] = values[rows.start // 8:-(-rows.stop // 8)]
        else:
            out[name] = values[rows]
    return out


INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src data:; worker-src blob:">
<title>{title}</title>
<link rel="stylesheet" href="map.css">
</head>
<body class="mm-page">
<script type="application/json" id="mm-data">{data}</script>
<div id="mm-app"></div>
<script type="module" src="page.js"></script>
</body>
</html>
"""
