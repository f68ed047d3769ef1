"""The reference page of benchmarks/ttfc.py (benchmark only): what a minimal Streamlit
dashboard costs a browser, served by the same install in the same run as metdash. Ten
metric tiles and one plotly chart of two years of months, nothing read from a store."""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="reference", layout="wide")
st.title("Reference")
for start in (0, 5):
    for col, k in zip(st.columns(5), range(start, start + 5), strict=True):
        col.metric(f"Figure {k + 1}", f"${(k + 1) * 1234.5:,.2f}", delta=f"{k - 4:+d}%",
                   border=True)
months = [f"2025-{m:02d}-01" for m in range(1, 13)] + [f"2026-{m:02d}-01" for m in range(1, 13)]
fig = go.Figure([go.Bar(x=months, y=[1000 + 37 * i for i in range(24)], name="Charges"),
                 go.Scatter(x=months, y=[800 + 29 * i for i in range(24)], name="Payments")])
fig.update_layout(title="Charges and payments by month", height=400)
st.plotly_chart(fig)
