"""The cash forecast's charts: DataFrame -> plotly Figure, pure (metdash.charts' house style)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metdash.charts import PALETTE, styled

PART_LABELS = {"open_claims": "Open claims", "denied_or_partial": "Denied or partly paid",
               "not_submitted": "Not submitted yet", "new_services": "Services not rendered yet",
               "patient": "Patient payments"}


def forecast_band_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Expected collections per coming week, stacked by part, with the p10-p90 band as error
    bars (none while p10 and p90 are not known yet: NaN). Columns: week_start, expected, p10,
    p90 and one per part (PART_LABELS)."""
    x = [d.isoformat() for d in df.week_start]
    data = [{"type": "bar", "x": x, "y": df[part].to_numpy(), "name": label,
             "marker": {"color": PALETTE[i]},
             "hovertemplate": "week of %{x}: $%{y:,.0f}<extra>%{fullData.name}</extra>"}
            for i, (part, label) in enumerate(PART_LABELS.items())]
    expected = {"type": "scatter", "x": x, "y": df.expected.to_numpy(), "mode": "markers",
                "name": "Expected", "marker": {"color": "#000000", "size": 9},
                "hovertemplate": "week of %{x}: $%{y:,.0f}<extra></extra>"}
    if df.p10.notna().all() and df.p90.notna().all():   # else the band is not known yet
        expected.update({
            "name": "Expected (p10-p90)",
            "error_y": {"type": "data", "symmetric": False,
                        "array": (df.p90 - df.expected).to_numpy(),
                        "arrayminus": (df.expected - df.p10).to_numpy()},
            "customdata": df[["p10", "p90"]].to_numpy(),
            "hovertemplate": "week of %{x}: $%{y:,.0f} (p10 $%{customdata[0]:,.0f}, "
                             "p90 $%{customdata[1]:,.0f})<extra></extra>"})
    data.append(expected)
    return styled(data=data, layout={
        "barmode": "stack",
        "xaxis": {"title": {"text": "Week starting"}, "type": "category"},
        "yaxis": {"title": {"text": "Collections ($)"}, "tickprefix": "$",
                  "rangemode": "tozero"}}, title="Expected collections by week", large=large)


def backtest_line(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """The backtest's first weeks: actual collections, the forecast made the Monday the week
    began (with its band) and the naive forecast. Columns: week_start, actual, forecast,
    p10, p90, naive (rows of week 1 only)."""
    x = [d.isoformat() for d in df.week_start]
    data = [
        {"type": "scatter", "x": x, "y": df.p90.to_numpy(), "mode": "lines",
         "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"},
        {"type": "scatter", "x": x, "y": df.p10.to_numpy(), "mode": "lines",
         "line": {"width": 0}, "fill": "tonexty", "fillcolor": "rgba(0,114,178,0.18)",
         "name": "Band (p10-p90)", "hoverinfo": "skip"},
        {"type": "scatter", "x": x, "y": df.forecast.to_numpy(), "mode": "lines+markers",
         "name": "Forecast", "line": {"color": PALETTE[0]},
         "hovertemplate": "%{x}: $%{y:,.0f}<extra>Forecast</extra>"},
        {"type": "scatter", "x": x, "y": df.naive.to_numpy(), "mode": "lines+markers",
         "name": "Naive (8-week average)", "line": {"color": PALETTE[1], "dash": "dash"},
         "hovertemplate": "%{x}: $%{y:,.0f}<extra>Naive</extra>"},
        {"type": "scatter", "x": x, "y": df.actual.to_numpy(), "mode": "lines+markers",
         "name": "Actual", "line": {"color": "#000000"},
         "hovertemplate": "%{x}: $%{y:,.0f}<extra>Actual</extra>"},
    ]
    return styled(data=data, layout={
        "xaxis": {"title": {"text": "Week starting (forecast made that Monday)"},
                  "type": "category"},
        "yaxis": {"title": {"text": "Collections ($)"}, "tickprefix": "$",
                  "rangemode": "tozero"}},
        title="Backtest: the coming week, forecast vs actual", large=large)
