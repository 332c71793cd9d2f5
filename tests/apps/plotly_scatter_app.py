"""The benchmark's reference: a bare Streamlit page with one plotly scattergl chart of the same points
(and the same hover texts) that tests/apps/map_component_app.py draws. Query parameter: n."""

import plotly.graph_objects as go
import streamlit as st

from testkit.map_data import blobs, topic_names

n = int(st.query_params.get("n", 2000))
xy, blob, centres = blobs(n)
names = topic_names(len(centres))
texts = [f"Flit {i}: <i>hold</i> fast to dreams, for if dreams die… ({names[b]})"[:80] for i, b in enumerate(blob)]
st.title("plotly scattergl")
figure = go.Figure(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers", text=texts, hoverinfo="text",
                                marker={"color": blob, "colorscale": "Turbo", "size": 3}))
figure.update_layout(height=560, margin={"l": 0, "r": 0, "t": 0, "b": 0})
st.plotly_chart(figure)
