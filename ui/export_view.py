"""Download buttons for the current view; files are built only when clicked."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.dataset import Dataset
from core.export import coordinates_csv, embeddings_parquet, neighbours_csv, projector_zip
from core.maps.html import K, map_file_options, one_file_size, too_big_for_one_file
from murmuration_map.static_page import TEXT_CHARS, map_html
from ui import text
from ui.plots import figure_html

EXPORT_ALL_UP_TO = 100_000   # every document of a bigger dataset (a collection) makes files of gigabytes
HTML_UP_TO = 200_000         # the map's HTML file holds every point; past this, the command line makes it


def export_panel(dataset: Dataset, figure, subsets: dict | None = None, on_screen: dict | None = None) -> None:
    """`figure()` makes the plotly figure for the HTML export, only when asked for. `subsets`: other sets of
    rows to offer besides every document ({"the selection": rows, ...}); empty ones and None are not offered.
    Rows in the files are numbered as in the whole dataset. `on_screen`: what the 2D map draws besides its
    points (murmuration_map options: colours, names, filter, selection), for the map's own HTML file."""
    with st.expander("Export"):
        if on_screen is not None:
            map_file_button(dataset, on_screen)
        offered = {f"every document ({len(dataset):,})": None} if len(dataset) <= EXPORT_ALL_UP_TO else {}
        offered.update({f"{what} ({len(rows):,})": rows for what, rows in (subsets or {}).items()
                        if rows is not None and len(rows)})
        if not offered:
            st.caption(f"Select documents on the map, or filter them, to export them ({len(dataset):,} are too "
                       "many for one file here; `python -m core` exports whole collections).")
            return
        chosen = offered[st.radio("Documents", list(offered), horizontal=True, key="export_rows")]
        _buttons(dataset, chosen, figure)


def download(where, label: str, make, file_name: str, mime: str, help: str | None = None) -> None:
    """A download button whose file `make()` builds only when clicked. The click does not rerun the page: a
    rerun would re-register the button and could drop the file being built before the browser fetches it."""
    where.download_button(label, make, file_name, mime, help=help, on_click="ignore")


def map_file_button(dataset: Dataset, on_screen: dict) -> None:
    """The map as it is on screen, as one HTML file with each document's neighbours; its size said first."""
    if len(dataset) > HTML_UP_TO:
        st.caption(f"{len(dataset):,} points are too many for one HTML file made here: `python -m core publish` "
                   "writes the map as a folder that any static file server serves.")
        return
    size = one_file_size(dataset, K)
    too_big = too_big_for_one_file(dataset, K, size)
    if too_big:
        st.caption(text.plain(too_big))
        return
    size /= 1e6
    download(st, f"Download this map (HTML, {len(dataset):,} points, about {size:.1f} MB)",
                       lambda: _map_file(dataset, on_screen), f"{_file_name(dataset)}-map.html", "text/html",
                       help="One file that opens in any browser, with no server and no network: every point, its "
                            "text on hover, the colours, names and filter shown here, a search box, and a click "
                            f"lists the document's {K} nearest neighbours. Texts are cut to {TEXT_CHARS} characters.")


def _map_file(dataset: Dataset, on_screen: dict) -> str:
    options = {**on_screen, **map_file_options(dataset, k=K, styled=False)}
    return map_html(dataset.coords, page_title=f"{dataset.name} · Murmuration map", **options)


def _file_name(dataset: Dataset) -> str:
    return f"{dataset.name.removesuffix('.csv')}-{dataset.encoder_name}"


def _buttons(dataset: Dataset, chosen, figure) -> None:
    rows = np.arange(len(dataset)) if chosen is None else np.asarray(chosen, dtype=np.int64)
    name = _file_name(dataset) + ("" if chosen is None else "-subset")
    made = {}

    def part():
        """The rows to export as a dataset of their own, made when the first file is asked for."""
        if "part" not in made:
            made["part"] = dataset.subset(rows)
        return made["part"]

    def key() -> dict:
        return part().embeddings.key if chosen is None else {**part().embeddings.key, "subset_of": dataset.digest}

    cols = st.columns(5)
    download(cols[0], "Embeddings (Parquet)", lambda: embeddings_parquet(part().corpus, part().vectors, key()),
                            f"{name}.parquet", "application/octet-stream")
    download(cols[1], "Embedding Projector (TSV)", lambda: projector_zip(part().corpus, part().vectors),
                            f"{name}-projector.zip", "application/zip",
                            help="vectors.tsv and metadata.tsv for projector.tensorflow.org")
    download(cols[2], "Map coordinates (CSV)", lambda: coordinates_csv(part().corpus, part().coords, part().source_rows),
                            f"{name}-map.csv", "text/csv", help="row: the document's row in the whole corpus")
    download(cols[3], "Neighbours (CSV)", lambda: neighbours_csv(part().corpus, part().vectors, 10, part().source_rows),
                            f"{name}-neighbours.csv", "text/csv",
                            help="each document's 10 nearest among the documents exported; rows are "
                                 "numbered as in the whole corpus")
    download(cols[4], "Plotly figure (HTML)", lambda: figure_html(figure()), f"{name}-plotly.html", "text/html",
                            help="the whole map, as a picture")
    st.caption("Parquet and the Projector zip import again under \"Import vectors made elsewhere\" on the home "
               "page; the CSVs upload again as corpora. CSV cells that start like a spreadsheet formula "
               "(=, +, -, @) are prefixed with an apostrophe, which stays in the text when uploaded again. "
               "The HTML figure is a picture only.")
