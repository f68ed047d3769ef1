"""Charts of the insurance scenario (pure plotly, :mod:`metdash.charts` house style)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from metdash.charts import PALETTE, styled


def _room_above(tallest: float) -> dict:
    """A dollar axis from 0 to the gridline above ``tallest``, at a round step (1, 2, 2.5 or 5
    × 10^k, at most six lines): plotly's own range ends at the tallest bar, and months of equal
    bars flush with the top line (revenue $25,071 under a top line of $25,000) read as cut
    off there on a projector. Nothing to draw: plotly's own range."""
    if tallest <= 0:
        return {}
    magnitude = 10 ** math.floor(math.log10(tallest / 5))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude * 6 >= tallest)
    return {"range": [0, (math.floor(tallest / step) + 1) * step], "dtick": step}


def scenario_months_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Monthly revenue and cash with insurance (bars) against staying self-pay (line)."""
    title = "Revenue and cash a month"
    months = [int(m) for m in df.month]
    tallest = max([float(v) for col in ("revenue", "cash", "selfpay_revenue")
                   for v in df[col]], default=0.0)
    return styled(data=[
        {"type": "bar", "x": months, "y": [float(v) for v in df.revenue],
         "name": "Revenue with insurance", "marker": {"color": PALETTE[0]},
         "hovertemplate": "month %{x}: $%{y:,.0f} earned<extra></extra>"},
        {"type": "bar", "x": months, "y": [float(v) for v in df.cash],
         "name": "Cash collected with insurance", "marker": {"color": PALETTE[2]},
         "hovertemplate": "month %{x}: $%{y:,.0f} collected<extra></extra>"},
        {"type": "scatter", "x": months, "y": [float(v) for v in df.selfpay_revenue],
         "mode": "lines+markers", "name": "Staying self-pay (revenue = cash)",
         "line": {"color": PALETTE[3], "width": 3, "dash": "dash"},
         "hovertemplate": "month %{x}: $%{y:,.0f} self-pay<extra></extra>"}], layout={
        "barmode": "group", "bargap": 0.2,
        "xaxis": {"title": {"text": "Month"}, "dtick": 1},
        "yaxis": {"tickprefix": "$", "tickformat": ",.0f",
                  "title": {"text": "Dollars a month"}, "rangemode": "tozero",
                  **_room_above(tallest)}},
        title=title, large=large)


def scenario_cumulative_chart(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Cumulative cash collected, with insurance and staying self-pay."""
    title = "Cash collected so far"
    months = [int(m) for m in df.month]
    return styled(data=[
        {"type": "scatter", "x": months, "y": [float(v) for v in df.cumulative_cash],
         "mode": "lines+markers", "name": "With insurance",
         "line": {"color": PALETTE[0], "width": 3},
         "hovertemplate": "month %{x}: $%{y:,.0f}<extra>with insurance</extra>"},
        {"type": "scatter", "x": months, "y": [float(v) for v in df.cumulative_selfpay_cash],
         "mode": "lines+markers", "name": "Staying self-pay",
         "line": {"color": PALETTE[3], "width": 3, "dash": "dash"},
         "hovertemplate": "month %{x}: $%{y:,.0f}<extra>self-pay</extra>"}], layout={
        "xaxis": {"title": {"text": "Month"}, "dtick": 1},
        "yaxis": {"tickprefix": "$", "tickformat": ",.0f", "title": {"text": "Dollars"},
                  "rangemode": "tozero"}}, title=title, large=large)
