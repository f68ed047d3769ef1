"""The payer scorecards' charts: DataFrame -> plotly Figure, pure (no streamlit, no store).

Frames as :mod:`metdash.figures.scorecard` returns them. Sized for a 1280×720 projector: a
bar per payer, 14 px type (the page's presentation mode makes it larger), values written on
the bars so nobody needs to hover.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metdash.chart_labels import days_label, dollars_label, percent_label, short_names
from metdash.charts import PALETTE, styled

NO_PAID_LINE = ("No line paid in this range<br><sup>A payment posted for the whole claim "
                "does not say what each code was allowed:<br>post the EOB line by line, or "
                "import the payer's 835.</sup>")


def _empty(title: str, large: bool, text: str = "Nothing in this range") -> go.Figure:
    return styled(data=[], layout={
        "annotations": [{"text": text, "showarrow": False,
                         "font": {"size": 16}}],
        "xaxis": {"visible": False}, "yaxis": {"visible": False}}, title=title, large=large)


def payer_cost_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """What each payer costs the practice: denied, underpaid and the cost of waiting,
    stacked, per payer (costliest at the top), the total written beside each bar."""
    title = "What each payer costs you"
    if df.empty:
        return _empty(title, large)
    d = df.sort_values("payer_cost")
    parts = [("denied_standing", "Denied, not overturned"), ("underpaid_amount", "Underpaid"),
             ("waiting_cost", "Cost of waiting")]
    colours = [PALETTE[3], PALETTE[1], PALETTE[5]]
    # Names cut at a word (whole in the hover): in a half-width column a 35-letter name left
    # the bars ~80 px and tilted the ticks.
    names = short_names(d.payer, 24)
    data = [{"type": "bar", "orientation": "h", "y": names,
             "x": d[col].astype(float).to_numpy(), "name": name, "legendgroup": name,
             "showlegend": True, "marker": {"color": colour}, "customdata": d.payer.to_numpy(),
             "hovertemplate": "%{customdata}: $%{x:,.2f} " + name.lower() + "<extra></extra>"}
            for (col, name), colour in zip(parts, colours, strict=True)]
    totals = d.payer_cost.astype(float).to_numpy()
    data.append({"type": "scatter", "mode": "text", "y": names, "x": totals,
                 "text": ["  " + dollars_label(v) for v in totals], "textposition": "middle right",
                 "showlegend": False, "hoverinfo": "skip", "cliponaxis": False})
    top = float(totals.max()) if len(totals) else 0.0
    # At least $10 wide: over $0-$1.25 (every payer costs nothing yet) whole-dollar ticks
    # read "$0 $1 $1".
    fig = styled(data=data, layout={
        "barmode": "stack", "legend": {"tracegroupgap": 0},
        # Compact ticks ($20k): in a half-width column "$20,000" ticks were tilted to fit.
        "xaxis": {"title": {"text": "Dollars"}, "tickprefix": "$", "tickformat": "~s",
                  "range": [0, max(top, 10.0) * 1.25], "nticks": 4, "tickangle": 0},
        "yaxis": {"title": {"text": ""}}},
        title=title, large=large, height=max(340, 48 * len(d) + 140))
    # Room right of the plot for the longest total: in a half-width column the house
    # style's 10 px margin cut "$48,318" to "$48,31".
    fig.layout.margin.r = 30 + 8 * max((len(dollars_label(v)) - 1 for v in totals), default=0)
    return fig


def payer_rates_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Denial rate and first-pass resolution rate per payer, side by side."""
    title = "Denial rate and first-pass resolution"
    d = df.dropna(subset=["denial_rate"]) if not df.empty else df
    if d.empty:
        return _empty(title, large)
    d = d.sort_values("denial_rate")
    data = []
    for col, name, colour in (("denial_rate", "Denial rate", PALETTE[3]),
                              ("first_pass_resolution_rate", "First-pass resolution",
                               PALETTE[2])):
        values = d[col].astype(float).to_numpy()
        data.append({"type": "bar", "orientation": "h", "y": d.payer.to_numpy(),
                     "x": values, "name": name, "legendgroup": name, "showlegend": True,
                     "marker": {"color": colour}, "text": [percent_label(v) for v in values],
                     # A bar of length 0 draws nothing, nor a label inside it: a payer that
                     # denied nothing read as one with no figure. "0%" goes beside the axis
                     # in its bar's slot, in its measure's colour.
                     "textposition": ["outside" if v == 0 else "auto" for v in values],
                     "outsidetextfont": {"color": colour}, "cliponaxis": False,
                     "hovertemplate": "%{y}: %{x:.1%} " + name.lower() + "<extra></extra>"})
    return styled(data=data, layout={
        "barmode": "group", "legend": {"tracegroupgap": 0},
        # one size for every label: plotly shrank those inside a bar ("17%") and not those
        # beside a short one ("11%" read larger)
        "uniformtext": {"minsize": 11, "mode": "show"},
        "xaxis": {"title": {"text": "Share of claims adjudicated"}, "tickformat": ".0%",
                  "range": [0, 1.05]},
        "yaxis": {"title": {"text": ""}}},
        title=title, large=large, height=max(340, 60 * len(d) + 140))


def allowed_per_unit_bar(df: pd.DataFrame, payer: str = "", large: bool = False,
                         top: int = 8) -> go.Figure:
    """One payer's allowed amount per unit by CPT code, against its fee schedule and the
    other payers' (``df``: its rows of ``allowed_by_code``), the ``top`` codes by units."""
    title = "Allowed per unit by code"  # the payer is in the legend: a long name fits there
    if df.empty:
        # A payment posted for the whole claim (a paper EOB posted per claim) is in the
        # period's payments but says nothing of what each code was allowed.
        return _empty(title, large, NO_PAID_LINE)
    df = df.head(top)  # the codes billed most (the frame comes most units first)
    codes = df.cpt.astype(str).to_numpy()
    labelled = len(df) <= 5  # values on the bars only while they stay legible
    series = [("allowed_per_unit", payer or "This payer", PALETTE[0]),
              ("expected_per_unit", "Fee schedule", PALETTE[8]),
              ("others_allowed_per_unit", "Other payers", PALETTE[1])]
    data = []
    for col, name, colour in series:
        values = pd.to_numeric(df[col], errors="coerce").astype(float).to_numpy()
        data.append({"type": "bar", "x": codes, "y": values, "name": name,
                     "legendgroup": name, "showlegend": True, "marker": {"color": colour},
                     "text": [dollars_label(v) if labelled else "" for v in values],
                     "textposition": "outside", "cliponaxis": False,
                     "hovertemplate": "%{x}: $%{y:,.2f} a unit<extra>" + name + "</extra>"})
    return styled(data=data, layout={
        "barmode": "group", "legend": {"tracegroupgap": 0},
        "xaxis": {"title": {"text": "CPT code"}, "type": "category"},
        "yaxis": {"title": {"text": "Dollars per unit"}, "tickprefix": "$",
                  "rangemode": "tozero"}}, title=title, large=large)


def days_quarterly_line(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """One payer's days from submission to payment by quarter of payment: median and 90th
    percentile (``df``: its rows of ``days_to_payment_quarterly``)."""
    title = "Days to payment by quarter of payment"
    if df.empty:
        return _empty(title, large)
    labels = df.label.to_numpy()
    most = float(pd.concat([df.median_days, df.p90_days]).max())
    top = max(7.0, most) * 1.2
    return styled(data=[
        {"type": "scatter", "x": labels, "y": df.median_days, "mode": "lines+markers+text",
         "name": "Median", "line": {"color": PALETTE[0], "width": 3},
         "text": [days_label(v) for v in df.median_days],
         "textposition": [median_label_place(m, p, top)
                          for m, p in zip(df.median_days, df.p90_days, strict=True)],
         "cliponaxis": False,   # a median of 0 days: its marker and label whole on the floor
         "hovertemplate": "%{x}: median %{y:.1f} days<extra></extra>"},
        {"type": "scatter", "x": labels, "y": df.p90_days, "mode": "lines+markers",
         "name": "90th percentile", "line": {"color": PALETTE[3], "width": 3, "dash": "dash"},
         "hovertemplate": "%{x}: 90% paid within %{y:.1f} days<extra></extra>"}], layout={
        # Half a step in from each edge: on the edge, the first quarter's label ran into the
        # axis's ticks and the last one's was cut.
        "xaxis": {"type": "category", "range": [-0.5, len(labels) - 0.5]},
        "yaxis": {"title": {"text": "Days from submission"}, "range": [0, top]}},
        title=title, large=large)


# A label's height in a share of the days axis (14 px type on a plot ~220 px high), and the
# room a label above its point needs under the 90th percentile's marker.
LABEL_ROOM = 0.1


def median_label_place(median: float, p90: float, top: float) -> str:
    """Where a quarter's median label goes (a plotly textposition): below its point, away
    from the 90th percentile's line above it (a label above sat on that line, or on its
    marker, when the two were a few days apart; a new-user trial); above it when the median
    is too near the axis's floor to hold the label below and the 90th percentile is far
    enough up; else beside it."""
    if median >= LABEL_ROOM * top or median != median:
        return "bottom center"
    if p90 != p90 or p90 - median >= 1.5 * LABEL_ROOM * top:
        return "top center"
    return "middle right"


def card_allowed_per_unit_bar(details: dict[str, pd.DataFrame], payer_id: int,
                              payer: str = "") -> go.Figure:
    """:func:`allowed_per_unit_bar` of one payer from every payer's
    :func:`~metdash.figures.scorecard.payer_details` (so a page can keep the built figure per
    store state and payer: :func:`metdash.ui.plot`)."""
    by_code = details["by_code"]
    return allowed_per_unit_bar(by_code[by_code.payer_id == payer_id].reset_index(drop=True),
                                payer)


def card_days_quarterly_line(details: dict[str, pd.DataFrame], payer_id: int) -> go.Figure:
    """:func:`days_quarterly_line` of one payer from every payer's ``payer_details``."""
    trend = details["days_trend"]
    return days_quarterly_line(trend[trend.payer_id == payer_id].reset_index(drop=True))

