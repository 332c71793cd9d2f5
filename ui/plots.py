"""Plotly figures as pure functions of arrays and frames: the map, the similarity heatmap, the drift page's charts,
and a figure as a standalone HTML file. Core computes; only ui draws (no Streamlit here either)."""
from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.sources.corpus import shorten

PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D",
           "#BAB0AC", "#EECA3B")
# Beyond ten groups, colours must stay distinguishable: plotly's 24-colour qualitative set.
WIDE_PALETTE = ("#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
                "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
                "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038")

MAX_GROUPS = 20
OTHER = "other"
OTHER_COLOUR = "#BAB0AC"


def as_text(text) -> str:
    """Text for a plotly label: &, < and > escaped so that it never renders as markup. Quotes stay as they
    are: plotly does not decode &quot;, so escaping them would show the entity."""
    return html.escape(str(text), quote=False)


def colour_groups(labels, max_groups: int = MAX_GROUPS) -> tuple[np.ndarray, list[str]]:
    """Labels as strings and the groups to colour, in legend order. Beyond `max_groups` distinct labels,
    the most common keep a colour and the rest become one group named "other (N labels)"."""
    labels = np.asarray([str(label) for label in labels], dtype=object)
    names, counts = np.unique(labels, return_counts=True)
    if len(names) <= max_groups:
        return labels, sorted(names.tolist())
    kept = names[np.lexsort((names, -counts))][:max_groups - 1].tolist()
    other = f"{OTHER} ({len(names) - len(kept)} labels)"
    return np.where(np.isin(labels, kept), labels, other), kept + [other]


def hover_label(text: str, width: int = 60, max_chars: int = 240) -> str:
    """Escaped (a document is never rendered as markup), shortened and wrapped for a tooltip."""
    short = shorten(text, max_chars)
    return "<br>".join(as_text(line) for line in textwrap.wrap(short, width) or [""])


def map_figure(coords: np.ndarray, texts: list[str], *, labels=None, values=None, value_name: str = "",
               point_size: int = 6, title: str = "", highlight=None, text_labels: bool = False,
               shown=None) -> go.Figure:
    """A 2D (WebGL) or 3D scatter: one trace per label so the legend toggles groups, or coloured by
    a numeric `values` array. `highlight` marks some rows with a ring. `shown` (row numbers) draws
    only a sample of the points, over a density layer of all of them."""
    coords = np.asarray(coords)
    three_d = coords.shape[1] == 3
    everything = np.arange(len(coords))
    shown = everything if shown is None else np.asarray(shown)
    hover = {i: hover_label(texts[i]) for i in shown}
    fig = go.Figure()
    if len(shown) < len(coords) and not three_d:
        fig.add_trace(go.Histogram2dContour(x=coords[:, 0], y=coords[:, 1], colorscale="Greys", showscale=False,
                                            ncontours=12, contours=dict(coloring="fill"), opacity=0.5,
                                            hoverinfo="skip", name=f"density of all {len(coords):,}"))
    if values is not None:
        fig.add_trace(_scatter(coords, shown, hover, three_d,
                               dict(size=point_size, color=np.asarray(values)[shown], colorscale="Viridis",
                                    showscale=True, colorbar=dict(title=value_name)), name=value_name))
    elif labels is not None:
        labels, groups = colour_groups(labels)
        palette = PALETTE if len(groups) <= len(PALETTE) else WIDE_PALETTE
        for number, group in enumerate(groups):
            rows = shown[labels[shown] == group]
            colour = OTHER_COLOUR if group.startswith(f"{OTHER} (") else palette[number % len(palette)]
            fig.add_trace(_scatter(coords, rows, hover, three_d, dict(size=point_size, color=colour),
                                   name=as_text(group)))
    else:
        fig.add_trace(_scatter(coords, shown, hover, three_d,
                               dict(size=point_size, color=PALETTE[0]), name="documents"))
    if highlight is not None and len(highlight):
        rows = np.asarray(highlight)
        hover.update({i: hover_label(texts[i]) for i in rows if i not in hover})
        fig.add_trace(_scatter(coords, rows, hover, three_d,
                               dict(size=point_size + 8, color="rgba(0,0,0,0)", line=dict(color="black", width=2)),
                               name="highlighted"))
    if text_labels:  # short items such as words: print them beside their points
        for trace, rows in zip(fig.data, _trace_rows(fig)):
            if rows is None:
                continue
            trace.update(mode="markers+text", textposition="top center", textfont=dict(size=10),
                         text=[as_text(texts[i]) for i in rows])
    fig.update_layout(title=title, height=620, margin=dict(l=10, r=10, t=40 if title else 30, b=10),
                      legend=dict(itemsizing="constant"), hoverlabel=dict(align="left"))
    if not three_d:
        # Equal scales: a map that stretched one axis would misstate distances. No ticks: the axes have no units.
        fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, title=None)
        fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, title=None, scaleanchor="x",
                         scaleratio=1)
    return fig


def _trace_rows(fig: go.Figure) -> list:
    return [None if trace.customdata is None else np.asarray(trace.customdata) for trace in fig.data]


def _scatter(coords, rows, hover, three_d, marker, name):
    common = dict(mode="markers", name=name, marker=marker, customdata=rows, hovertext=[hover[i] for i in rows],
                  hovertemplate="%{hovertext}<extra>%{fullData.name}</extra>")
    if three_d:
        return go.Scatter3d(x=coords[rows, 0], y=coords[rows, 1], z=coords[rows, 2], **common)
    return go.Scattergl(x=coords[rows, 0], y=coords[rows, 1], **common)


def similarity_heatmap(S: np.ndarray, names: list[str], *, labels=None, title: str = "") -> go.Figure:
    """Cosine similarity heatmap; hovering a cell shows both documents and the score. The colour scale spans the
    values off the diagonal (see off_diagonal_range), so that blocks of alike documents stand out, and its
    colourbar says so. With `labels` (rows grouped by label), each label is written once, beside its block, and
    thin lines separate the blocks."""
    S = np.asarray(S)
    n = len(names)
    short = [hover_label(name, width=50, max_chars=100) for name in names]
    hover = [[f"{short[r]}<br>— vs —<br>{short[c]}<br><b>cosine {S[r, c]:.3f}</b>" for c in range(n)]
             for r in range(n)]
    low, high = off_diagonal_range(S)
    zmin, zmax = (low, high) if high > low else (low - 0.005, high + 0.005)
    axis = list(range(n))
    fig = go.Figure(go.Heatmap(z=S, x=axis, y=axis, zmin=zmin, zmax=zmax, colorscale="Viridis",
                               text=hover, hovertemplate="%{text}<extra></extra>",
                               colorbar=dict(title=dict(text=f"cosine<br><sup>scale fitted to<br>"
                                                             f"{scale_range_text(low, high)}</sup>"))))
    if labels is not None:
        blocks = label_blocks(labels)
        centres = [(start + end - 1) / 2 for start, end, _ in blocks]
        ticks = [as_text(str(label)[:18]) for _, _, label in blocks]
        fig.update_xaxes(tickmode="array", tickvals=centres, ticktext=ticks, tickangle=60, tickfont=dict(size=9))
        fig.update_yaxes(tickmode="array", tickvals=centres, ticktext=ticks, tickfont=dict(size=9))
        for start, _, _ in blocks[1:]:
            for line in (dict(x0=start - 0.5, x1=start - 0.5, y0=-0.5, y1=n - 0.5),
                         dict(x0=-0.5, x1=n - 0.5, y0=start - 0.5, y1=start - 0.5)):
                fig.add_shape(type="line", xref="x", yref="y", line=dict(color="white", width=1), **line)
    else:
        fig.update_xaxes(title="document (in the order shown)")
    fig.update_xaxes(showgrid=False, zeroline=False)
    fig.update_yaxes(autorange="reversed", showgrid=False, zeroline=False)
    side = min(900, 300 + 6 * n)
    fig.update_layout(title=title, height=side, margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return fig


def off_diagonal_range(S: np.ndarray) -> tuple[float, float]:
    """The lowest and highest similarity between two different documents: each document with itself (the
    diagonal, 1) would stretch the scale and make every block look faint."""
    S = np.asarray(S, dtype=np.float64)
    values = S[~np.eye(len(S), dtype=bool)] if len(S) > 1 else S.ravel()
    values = values[np.isfinite(values)]
    if not values.size:
        return 0.0, 1.0
    return float(values.min()), float(values.max())


def scale_range_text(low: float, high: float) -> str:
    return f"{low:.2f} – {high:.2f}"


def label_blocks(labels) -> list[tuple[int, int, str]]:
    """(start, end, label) of each run of equal labels, in order: the blocks of a grouped heatmap."""
    blocks = []
    for row, label in enumerate(labels):
        if blocks and blocks[-1][2] == label:
            blocks[-1] = (blocks[-1][0], row + 1, label)
        else:
            blocks.append((row, row + 1, label))
    return blocks


def matrix_heatmap(M: np.ndarray, names: list[str], *, title: str = "", value_name: str = "",
                   colorscale: str = "Viridis", zmin=None, zmax=None) -> go.Figure:
    """A labelled square heatmap (distances, similarities) with the value in every hover."""
    names = [as_text(str(n)) for n in names]
    fig = go.Figure(go.Heatmap(z=M, x=names, y=names, colorscale=colorscale, zmin=zmin, zmax=zmax,
                               colorbar=dict(title=value_name),
                               hovertemplate=f"%{{y}} · %{{x}}<br>{value_name} %{{z:.3f}}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=60)
    side = min(800, 260 + 14 * len(names))
    fig.update_layout(title=title, height=side, margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    return fig


def line_chart(x, y, *, x_name: str, y_name: str, title: str = "") -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(x), y=list(y), mode="lines+markers"))
    fig.update_layout(title=title, height=300, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      xaxis_title=x_name, yaxis_title=y_name)
    return fig


# --- drift ----------------------------------------------------------------------------------------

def over_time_figure(frame: pd.DataFrame, score_name: str, window: str) -> go.Figure:
    """Each window's score against the reference window; windows that drifted (after Holm) in red."""
    tested = frame[frame["score"].notna()]
    hover = [f"{w}<br>{score_name} {s:.3f}<br>p {p:.2g} (adjusted {a:.2g})<br>{n} documents"
             for w, s, p, a, n in zip(tested.window, tested.score, tested["p value"], tested["p adjusted"],
                                      tested.documents)]
    fig = go.Figure(go.Scatter(x=tested.window, y=tested.score, mode="lines+markers", name=score_name,
                               marker=dict(size=9, color=np.where(tested.drifted, "#E45756", "#4C78A8")),
                               hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    drifted = tested[tested.drifted]
    fig.add_trace(go.Scatter(x=drifted.window, y=drifted.score, mode="markers", name="drifted (p < threshold)",
                             marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(color="#E45756", width=2)),
                             hoverinfo="skip"))
    reference = frame.loc[frame.reference, "window"].iloc[0]
    fig.add_trace(go.Scatter(x=[reference], y=[0.5 if score_name == "AUC" else 0.0], mode="markers",
                             name=f"reference {window}", marker=dict(size=12, symbol="star", color="#54A24B")))
    if score_name == "AUC":
        fig.add_hline(y=0.5, line_dash="dot", line_color="grey", annotation_text="chance (no drift)")
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10), yaxis_title=score_name,
                      xaxis=dict(type="category", title=None, categoryorder="array", categoryarray=frame.window),
                      title=f"Each {window} against the reference {window} {reference}", legend=dict(orientation="h"))
    return fig


def shares_figure(shares: pd.DataFrame) -> go.Figure:
    """Reference and current share of each cluster, as paired horizontal bars."""
    names = [html.escape(str(c)) for c in shares.cluster]
    fig = go.Figure()
    for column, colour in (("reference share", "#F58518"), ("current share", "#4C78A8")):
        fig.add_trace(go.Bar(y=names, x=shares[column], orientation="h", name=column.split()[0], marker_color=colour,
                             hovertemplate="%{y}<br>%{x:.1%}<extra>" + column.split()[0] + "</extra>"))
    fig.update_layout(barmode="group", height=120 + 40 * len(shares), margin=dict(l=10, r=10, t=10, b=10),
                      xaxis=dict(tickformat=".0%", title="share of the set's documents"),
                      yaxis=dict(autorange="reversed"), legend=dict(orientation="h"))
    return fig


def figure_html(fig: go.Figure) -> bytes:
    """The figure as one standalone HTML file (plotly.js inlined: opens offline)."""
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
