"""The Quality page: near-duplicates, outliers and likely label errors of any dataset (core.quality), a map
coloured by them, the ranked findings with each one's evidence, their export, and what the map and figures would
be without them ("what if I clean this")."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.dataset import Dataset, InMemoryDataset
from core.export import findings_csv
from core.quality import findings, rows_to_drop, summary
from core.view_fields import QUALITY_LOWEST_COSINE
from ui import compute, session, text, views
from ui.map_component import scatter_map
from ui.export_view import download
from ui.map_view import texts_of
from ui.quality_results import COMPUTE_UP_TO, colouring, results

KINDS = {"labels": "Likely label errors", "duplicates": "Near-duplicates", "outliers": "Outliers"}
EXPLAINED = {
    "labels": "Each document's label against the cosine-weighted votes of its 10 nearest neighbours (never itself), "
              "by confident learning's rule: listed when its label's share of the votes is below what documents of "
              "that label usually get, and another label gets more. The suggested label is that other one.",
    "duplicates": "Documents linked by a cosine at or above the threshold; a group holds everything linked, "
                  "biggest group first.",
    "outliers": "Documents far from their 10 nearest neighbours (1 - their mean cosine); the percentile says how "
                "many documents are closer to theirs. Listed: the top 1 %.",
}
K = 10
TABLE_KEY = "quality_table"
TEXT_CHARS = 200


def kind(dataset: Dataset) -> str:
    chosen = session.view().quality_findings
    return chosen or ("labels" if dataset.labels is not None else "duplicates")


def show(dataset: Dataset) -> None:
    left, right = st.columns([2, 1])
    chosen = session.bound(left.radio, "Findings", "quality_findings", options=list(KINDS), format_func=KINDS.get,
                           horizontal=True, shown=lambda value: value or kind(dataset))
    threshold = session.bound(right.slider, "Near-duplicate cosine", "quality_threshold",
                              min_value=QUALITY_LOWEST_COSINE, max_value=1.0, step=0.01,
                              help="Two documents are near-duplicates when their cosine is at least this.")
    found = results(dataset, threshold)
    if found is None:
        command = (f"`python -m core quality {dataset.name}` where it is kept (it stores the results for the app)"
                   if dataset.stored_map else "`python -m core quality FILE --out report.parquet` on the file")
        st.info(f"{len(dataset):,} documents are more than this page checks ({COMPUTE_UP_TO:,}; it searches every "
                f"document's neighbours), and none are stored with them. Run {command}.")
        return
    report, label_note = found
    _figures(summary(report), label_note)
    st.caption(EXPLAINED[chosen])
    if chosen == "labels" and report.label.isna().all():
        st.info(text.plain(label_note))
        return
    listed = findings(report, chosen)
    picked = _map_and_table(dataset, report, listed, chosen)
    _actions(dataset, report, listed.iloc[picked] if len(picked) else listed, threshold)


def _figures(figures: dict, label_note: str) -> None:
    cols = st.columns(4)
    cols[0].metric("Documents", f"{figures['documents']:,}")
    cols[1].metric("Near-duplicate groups", f"{figures['near-duplicate groups']:,}",
                   help=f"{figures['documents in them']:,} documents are in them")
    if figures["likely label errors"] is None:
        st.caption(text.plain(label_note))
        return
    cols[2].metric("Likely label errors", f"{figures['likely label errors']:,}")
    cols[3].metric("Label agreement", f"{figures['label agreement']:.1%}",
                   help="the share of documents whose 10 nearest neighbours vote for their own label")


def _map_and_table(dataset: Dataset, report: pd.DataFrame, listed: pd.DataFrame, chosen: str) -> list[int]:
    """The map coloured by the findings, the listed ones ringed, and the ranked table beside it; returns the
    positions in `listed` the user picked in the table."""
    if not len(listed):
        st.success(f"No {KINDS[chosen].lower()} found.")
        return []
    table = listed.assign(text=[document[:TEXT_CHARS] for document in dataset.texts(listed.row.to_numpy())])
    picked = list(st.session_state.get(TABLE_KEY, {}).get("selection", {}).get("rows", []))
    shown_row = int(listed.row.iloc[picked[0]] if picked else listed.row.iloc[0])
    neighbours = dataset.neighbours(shown_row, K)
    left, right = st.columns([3, 2])
    with left:
        scatter_map(dataset.coords, key="quality_map", height=520, highlight=shown_row,
                    neighbours=neighbours.indices, hover_labels=texts_of(dataset), **colouring(report, chosen))
    with right:
        _evidence(dataset, report, shown_row, neighbours)
    st.caption(f"{len(listed):,} {KINDS[chosen].lower()}, most likely first. Tick rows to see a finding's evidence "
               "(its nearest neighbours, ringed on the map) and to export or drop only those.")
    event = st.dataframe(table, hide_index=True, key=TABLE_KEY, on_select="rerun", selection_mode="multi-row",
                         height=320, column_config=_columns(chosen))
    return list(event.selection.rows) if event is not None else picked


def _columns(chosen: str) -> dict:
    score = "1 - the probability its neighbours give its label" if chosen == "labels" else "1 - mean cosine"
    return {"row": st.column_config.NumberColumn("row", format="%d"),
            "score": st.column_config.NumberColumn("score", format="%.3f", help=score),
            "cosine": st.column_config.NumberColumn("cosine", format="%.3f"),
            "percentile": st.column_config.NumberColumn("percentile", format="%.1f"),
            "text": st.column_config.TextColumn("text", width="large")}


def _evidence(dataset: Dataset, report: pd.DataFrame, row: int, neighbours) -> None:
    """A finding's evidence: the document, its label and what its neighbours say, with their cosines."""
    line = report.iloc[row]
    st.markdown(f"**Document #{row}**" + (text.plain(f" · labelled {line.label}") if pd.notna(line.label) else ""))
    st.caption(text.plain(dataset.texts([row])[0][:300]))
    evidence = pd.DataFrame({"cosine": neighbours.scores, "document": dataset.texts(neighbours.indices)})
    if pd.notna(line.label):
        evidence.insert(1, "label", report.label.to_numpy()[neighbours.indices])
        st.caption(text.plain(f"Its neighbours vote for: {line.neighbour_label}"
                              + (f" (suggested label: {line.suggested})" if line.label_issue else "")))
    st.dataframe(evidence, hide_index=True, height=300, column_config=views.COSINE_BAR)


def _actions(dataset: Dataset, report: pd.DataFrame, chosen: pd.DataFrame, threshold: float) -> None:
    """Export the chosen findings, put them in the map's selection, or see the data without them."""
    cols = st.columns(3)
    what = f"{len(chosen):,} finding{'s' if len(chosen) != 1 else ''}"
    download(cols[0], f"Download {what} (CSV)",
                            lambda: findings_csv(chosen, dataset.texts(chosen.row.to_numpy()), dataset.source_rows),
                            f"{dataset.name.removesuffix('.csv')}-quality.csv", "text/csv",
                            help="row: the document's row in the whole corpus")
    if cols[1].button(f"Select on the map ({what})",
                      help="The Map and the other pages then work on them, as with a lasso selection."):
        session.set_view(selection=tuple(int(row) for row in chosen.row))
        st.toast(f"{what} selected: the Map page rings them and the other pages work on them.")
    cleaning = session.bound(cols[2].toggle, "What if I clean this?", "quality_cleaned",
                             help="The map and figures again, without these findings (of each near-duplicate "
                                  "group, the first one listed stays).")
    if cleaning:
        _without(dataset, report, rows_to_drop(chosen), threshold)


def _without(dataset: Dataset, report: pd.DataFrame, dropped: np.ndarray, threshold: float) -> None:
    if not isinstance(dataset, InMemoryDataset):
        st.info("A collection's map is stored with it: export these rows, leave them out of the source, and build "
                "the collection again to see it without them.")
        return
    if len(dataset) - len(dropped) < 3:
        st.info("Too few documents would be left to draw a map.")
        return
    cleaned = _cleaned(dataset, dropped)
    found = results(cleaned, threshold)
    before = {**summary(report), **_trust(dataset)}
    after = {**summary(found[0]), **_trust(cleaned)}
    without = f"without {len(dropped):,} document{'s' if len(dropped) != 1 else ''}"
    st.subheader(without[0].upper() + without[1:])
    figures = pd.DataFrame([(name, _figure(name, before[name]), _figure(name, after[name])) for name in before
                            if before[name] is not None], columns=["", "now", without])
    st.dataframe(figures, hide_index=True, width="content")
    scatter_map(cleaned.coords, key="quality_cleaned_map", height=460, hover_labels=cleaned.all_texts(),
                **({"categories": cleaned.labels.tolist(), "title": "label"} if cleaned.labels is not None else {}))


def _cleaned(dataset: InMemoryDataset, dropped: np.ndarray) -> InMemoryDataset:
    """The dataset without `dropped`, with a map and neighbours of its own (the view's projection)."""
    part = dataset.subset(np.setdiff1d(np.arange(len(dataset)), dropped))
    analysis = compute.analysis(part.corpus, session.view(), dims=2, emb=part.embeddings)
    return InMemoryDataset.from_analysis(part.corpus, analysis)


def _trust(dataset: Dataset) -> dict:
    quality = dataset.map_quality
    return {"map trustworthiness": quality["trustworthiness"], "map continuity": quality["continuity"]}


def _figure(name: str, value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if name == "label agreement":
        return f"{value:.1%}"
    return f"{value:,}" if isinstance(value, (int, np.integer)) else f"{value:.3f}"
