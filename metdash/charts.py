"""DataFrame -> plotly Figure, pure (no streamlit, no store). Names are ``<thing>_<kind>``.

Every chart has titled axes with units, a legend above the plot, hover text with the
formatted values, and a ``large`` variant (bigger type) for a projector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from metdash.chart_labels import at_a_word, days_bin_label, days_label, percent_label

# The house template is plotly's white one, set as the default once: naming it in every
# figure's layout made plotly validate the whole template again each time (~13 ms a chart).
pio.templates.default = "plotly_white"

# Colour-blind-safe (Okabe-Ito), in a fixed order so a payer keeps its colour.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000", "#999999"]
BUCKET_COLORS = {"0-30": "#009E73", "31-60": "#56B4E9", "61-90": "#E69F00",
                 "91-120": "#D55E00", "120+": "#CC0000"}

# Figures are built with graph_objects, the traces as dicts handed to go.Figure with the
# layout: plotly express cost 30-65 ms a chart, this 5-10 ms. A chart with one trace per value
# of a column (a payer, a referrer kind) gets them in order of first appearance, nulls left
# out, colours from PALETTE in the values' sorted order (one colour per payer on every chart),
# each trace its own legend group (and the legend's group gap 0, as px set it) and shown in
# the legend even when it is the only one (plotly hides a one-trace legend unless the trace
# asks for it, as px's did).


def _groups(df: pd.DataFrame, column: str) -> Iterator[tuple[str, np.ndarray, str]]:
    """(name, row mask, colour) per distinct non-null value of ``column``, first seen first.
    A value's colour is by its place in the values' sorted order, not in the order seen: the
    charts of one page list their payers in different orders (by volume, by month), and a
    payer changed colour from one chart to the next (a new-user trial, on a projector)."""
    keys = df[column]
    values = keys.dropna().unique()
    colour = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(sorted(map(str, values)))}
    keys = keys.to_numpy()
    for value in values:
        yield str(value), keys == value, colour[str(value)]


DAY_MS = 86_400_000  # a date axis is measured in milliseconds


# Months between ticks, and at most how many ticks, on a full-width chart and on a chart in a
# half-width column (ui.chart_row): there, at 1280 px, 13 or 14 monthly labels crowded and
# plotly stood them on end (a new-user tour). Each step divides a year, so ticks keep to the
# same months every year (plotly counts them from January 2000).
MONTH_TICKS = {False: ((1, 3, 12), 14), True: ((1, 2, 3, 6, 12), 8)}


def _month_dtick(months: int, narrow: bool) -> str:
    """The tick step (plotly's 'M<n>') for an axis of ``months`` months: the smallest step
    that keeps to the most ticks that fit (the longest step beyond that)."""
    steps, most = MONTH_TICKS[narrow]
    return f"M{next((s for s in steps if -(-months // s) <= most), steps[-1])}"


def _time_axis(dates: object, step: str, *, narrow: bool = False,
               widen: bool = True) -> dict:
    """A date x axis for points a month (``step`` 'month') or a week ('week') apart that
    reads well with any number of them: its range covers each period shown (plotly pads one
    lone point by milliseconds, and its ticks then read "23:59:59.9996"), ticks fall once a
    period (less often on a long axis, and sooner so on a ``narrow`` chart, one in a
    half-width column), labelled by month or day. A month axis of one or two months is
    widened to three, by the months before, unless ``widen`` is False (the months shown are
    then only those of ``dates``)."""
    d = pd.to_datetime(pd.Series(np.asarray(dates)), errors="coerce").dropna()
    if d.empty:
        return {}
    lo, hi = d.min(), d.max()
    if step == "month":
        months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
        if months < 3 and widen:  # at least three months, so one month is a bar, not the
            lo = hi - pd.DateOffset(months=2)  # whole plot; the months before: none to come
        pad = pd.Timedelta(days=15.5)
        return {"type": "date", "range": [(lo - pad).isoformat(), (hi + pad).isoformat()],
                "dtick": _month_dtick(months, narrow), "tickformat": "%b\n%Y"}
    weeks = (hi - lo).days // 7 + 1
    if weeks < 3:
        lo = hi - pd.Timedelta(days=14)
    pad = pd.Timedelta(days=3.5)
    return {"type": "date", "range": [(lo - pad).isoformat(), (hi + pad).isoformat()],
            "tick0": lo.isoformat(), "dtick": 7 * DAY_MS * max(1, -(-weeks // 12)),
            "tickformat": "%b %d"}


def count_axis(totals: object) -> dict:
    """A y axis of counts (claims, referrals): whole numbers only when there are few."""
    top = float(np.nanmax(np.asarray(totals, dtype=float))) if np.size(totals) else 0.0
    return {"rangemode": "tozero", **({"dtick": 1} if top <= 10 else {})}


# Bars on a date axis get a width: with one bar plotly makes it a millisecond wide.
MONTH_BAR = 24 * DAY_MS
WEEK_BAR = 5.5 * DAY_MS


def _house_layout(*, title: str | None = None, large: bool = False,
                 height: int | None = None) -> dict:
    """The house style's layout: readable type, legend under the plot, tight margins."""
    size = 20 if large else 14
    return {
        "title": {"text": title, "font": {"size": size + 4}} if title else None,
        "font": {"size": size},
        # The legend sits under the plot: above it, a long legend runs into the title.
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.26, "xanchor": "left",
                   "x": 0, "title": None},
        "margin": {"l": 10, "r": 10, "t": 60 if title else 30, "b": 10, "autoexpand": True},
        "height": height or _default_height(large),
        "hoverlabel": {"font": {"size": size}},
    }


def merge_layout(into: dict, extra: dict) -> dict:
    """``extra`` merged into ``into`` (changed, and returned) as ``update_layout`` merges:
    nested dicts key by key (copied, not changed), any other value replaces (None
    removes)."""
    for key, value in extra.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key] = merge_layout(dict(into[key]), value)  # a copy: the caller's is kept
        else:
            into[key] = value
    return into


def styled(*, data: Any, layout: dict | None = None, title: str | None = None,
           large: bool = False, height: int | None = None) -> go.Figure:
    """``go.Figure(data=data, layout=layout)`` in the house style (:func:`style`), built in
    one go: plotly validates each trace once (a figure built and then styled was validated
    twice, ~5 ms a chart)."""
    return go.Figure(data=data, layout=merge_layout(dict(layout or {}), _house_layout(
        title=title, large=large, height=height)))


def style(fig: go.Figure, *, title: str | None = None, large: bool = False,
          height: int | None = None) -> go.Figure:
    """House style (:func:`_house_layout`) over ``fig``'s own layout: white template,
    readable type, legend under the plot, tight margins.

    A new figure of ``fig``'s traces and the merged layout, built in one go: plotly's
    ``update_layout`` took ~7 ms a chart here (its path-by-path update machinery), most of
    the time a page spent building its charts."""
    layout = fig.layout.to_plotly_json()
    # The default template (set above), materialised by reading the layout: handed back,
    # plotly would validate all of it again (~10 ms). Left out, the new figure gets the
    # same default.
    layout.pop("template", None)
    return go.Figure(data=fig.data, layout=merge_layout(layout, _house_layout(
        title=title, large=large, height=height)))


def _empty(title: str, large: bool) -> go.Figure:
    return styled(data=[], layout={
        "annotations": [{"text": "Nothing in this range", "showarrow": False,
                         "font": {"size": 16}}],
        "xaxis": {"visible": False}, "yaxis": {"visible": False}}, title=title, large=large)


def _tint(colour: str, alpha: float) -> str:
    """``colour`` ('#RRGGBB') at ``alpha`` opacity, as rgba()."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _cut(df: pd.DataFrame, column: str, last_of: Callable[[pd.Series], pd.Series]
         ) -> np.ndarray:
    """True for each row whose period (starting on ``column``, ending on ``last_of`` of that
    start) the date range cuts: its first_day after the start, or its last_day before the
    end. All False without those columns."""
    if not {"first_day", "last_day"} <= set(df.columns):
        return np.zeros(len(df), dtype=bool)
    start = pd.to_datetime(df[column])
    first, last = pd.to_datetime(df.first_day), pd.to_datetime(df.last_day)
    return ((first > start) | (last < last_of(start))).to_numpy(bool)


def _part_months(df: pd.DataFrame) -> np.ndarray:
    return _cut(df, "month", lambda start: start + pd.offsets.MonthEnd(0))


def _part_weeks(df: pd.DataFrame) -> np.ndarray:
    return _cut(df, "week", lambda start: start + pd.Timedelta(days=6))


def charges_payments_trend(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Monthly gross charges (bars) and payments (line). Columns: month, charges, payments,
    and (optional) first_day, last_day: a month the period cuts is drawn apart (pale,
    outlined, "part of a month", its days in the hover), so that this month so far does not
    read as a fall."""
    title = "Charges and payments by month"
    if df.empty:
        return _empty(title, large)
    part = _part_months(df)
    bars = [{"type": "bar", "x": df.month[~part], "y": df.charges[~part],
             "name": "Gross charges (by service month)", "marker": {"color": PALETTE[0]},
             "width": MONTH_BAR, "hovertemplate": "%{x|%b %Y}: $%{y:,.0f}<extra></extra>"}]
    if part.any():
        days = [f"{a:%b} {a.day}–{b.day}, {b:%Y}" for a, b in
                zip(pd.to_datetime(df.first_day[part]), pd.to_datetime(df.last_day[part]),
                    strict=True)]
        bars.append({"type": "bar", "x": df.month[part], "y": df.charges[part],
                     "name": "Gross charges, part of a month", "customdata": days,
                     "marker": {"color": _tint(PALETTE[0], 0.35),
                                "line": {"color": PALETTE[0], "width": 2}},
                     "width": MONTH_BAR,
                     "hovertemplate": "%{customdata} only: $%{y:,.0f}<extra></extra>"})
    return styled(data=[
        *bars,
        {"type": "scatter", "x": df.month, "y": df.payments,
         "name": "Payments (by posting month)", "mode": "lines+markers",
         "line": {"color": PALETTE[1], "width": 3},
         "hovertemplate": "%{x|%b %Y}: $%{y:,.0f}<extra></extra>"}], layout={
        "yaxis": {"title": {"text": "Dollars"}, "tickprefix": "$", "tickformat": ",.0f"},
        "xaxis": _time_axis(df.month, "month")}, title=title, large=large)


def revenue_by_payer_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Billed, allowed, paid and patient responsibility per payer (horizontal bars)."""
    title = "Revenue by payer"
    if df.empty:
        return _empty(title, large)
    payers = df.payer.to_numpy()
    figures = [("billed", "Billed"), ("allowed", "Allowed"), ("paid", "Paid"),
               ("patient_responsibility", "Patient responsibility")]
    data = [{"type": "bar", "y": payers, "x": df[column].astype(float).to_numpy(),
             "orientation": "h", "name": name, "legendgroup": name, "showlegend": True,
             "marker": {"color": PALETTE[i]},
             "hovertemplate": "%{y}: $%{x:,.2f}<extra></extra>"}
            for i, (column, name) in enumerate(figures)]
    if "paid_as_secondary" in df and (df.paid_as_secondary.astype(float) != 0).any():
        # A payer's money includes what it paid as the secondary on others' claims (so its
        # paid can pass its own allowed): said where the bar is read.
        data[2]["customdata"] = df.paid_as_secondary.astype(float).to_numpy()
        data[2]["hovertemplate"] = ("%{y}: $%{x:,.2f}<br>of which as the secondary: "
                                    "$%{customdata:,.2f}<extra></extra>")
    # Most billed at the top: a y axis's category array runs bottom up.
    order = df.sort_values("billed").payer.tolist()
    return styled(data=data, layout={
        "barmode": "group", "legend": {"tracegroupgap": 0},
        "xaxis": {"title": {"text": "Dollars"}, "tickprefix": "$", "tickformat": ",.0f"},
        "yaxis": {"title": {"text": ""}, "categoryorder": "array", "categoryarray": order}},
        title=title, large=large, height=max(380, 70 * len(df) + 120))


# A legend of payers under a chart in a half-width column (ui.chart_row). Plotly lays out the
# entries of a legend whose traces each have a legendgroup ("grouped" order) one after the
# other, each as wide as its own name: wrapped, its rows were ragged (the Revenue page's payer
# mix at 1280x720 left two of eight payers on its last line), and twelve long names
# overflowed the legend's most height (half the chart) into a scrolled box. In "normal" order
# a legend that wraps is a grid, every entry as wide as the longest name; the chart grows by
# the rows the legend takes in a half-width column, so the plot keeps its height.
HALF_PLOT_PX = 320  # a half-width chart's plot area at 1280 px, between its margins
LEGEND_ROW_PX = 21


def _legend_rows(names: list[str], width: float = HALF_PLOT_PX, large: bool = False) -> int:
    """How many rows a horizontal legend of ``names`` takes in ``width`` px, at about 7 px a
    character of 14 px type (10 of 20 px type), 45 px for the swatch and gaps; all on one
    line when their own widths fit, else a grid of the longest entry's width."""
    if not names:
        return 0
    char = 10 if large else 7
    widths = [45 + char * len(name) for name in names]
    if sum(widths) <= width:
        return 1
    return -(-len(names) // max(1, int(width // max(widths))))


def _half_width_legend(data: list[dict], large: bool = False) -> tuple[dict, int]:
    """The layout of a half-width chart's legend of payers (a grid when it wraps, not
    grouped; :func:`metdash.ui.widgets.present_figure` reads ``meta``) and the pixels the
    chart grows by for its rows."""
    legend_px = LEGEND_ROW_PX * (_legend_rows([trace["name"] for trace in data],
                                               large=large) - 1)
    return {"legend": {"tracegroupgap": 0, "traceorder": "normal"},  # a grid when it wraps
            "meta": {"legend_px": legend_px}}, legend_px  # present_figure: not scaled up


def _default_height(large: bool) -> int:
    return 520 if large else 380


def payer_mix_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Each payer's share of billed charges by month (stacked to 100%). Drawn in a
    half-width column (pages/revenue.py): fewer month ticks."""
    title = "Payer mix by month (share of billed charges)"
    if df.empty:
        return _empty(title, large)
    month, share = df.month.to_numpy(), df.share.to_numpy()
    # Shares written on the bars while there are few months (one month is one wide column:
    # the labels say what the colours do); those a segment cannot hold are left out.
    labelled = len(np.unique(month)) <= 3
    data = [{"type": "bar", "x": month[rows], "y": share[rows], "name": payer,
             "legendgroup": payer, "showlegend": True, "marker": {"color": colour},
             "width": MONTH_BAR,
             "text": [percent_label(v) for v in share[rows]] if labelled else None,
             "textposition": "inside", "insidetextanchor": "middle",
             "textangle": 0,   # plotly stood a thin segment's "8%" on end
             "hovertemplate": "%{x|%b %Y}: %{y:.1%}<extra>%{fullData.name}</extra>"}
            for payer, rows, colour in _groups(df, "payer")]
    legend, legend_px = _half_width_legend(data, large)
    return styled(data=data, layout={
        "barmode": "stack", "bargap": 0.1, **legend,
        "uniformtext": {"minsize": 11, "mode": "hide"},
        # Only the months of the period: widened to three, the months before it showed as
        # empty (read "nothing billed") in a period the user did not ask for.
        "xaxis": {"title": {"text": ""},
                  **_time_axis(month, "month", narrow=True, widen=False)},
        "yaxis": {"title": {"text": "Share of billed"}, "tickformat": ".0%", "range": [0, 1]}},
        title=title, large=large, height=440 + legend_px)


def paid_per_visit_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Payer payments per visit, by payer."""
    title = "Paid per visit"
    d = df.dropna(subset=["paid_per_visit"]) if not df.empty else df
    if d.empty:
        return _empty(title, large)
    d = d.sort_values("paid_per_visit")
    per_visit = d.paid_per_visit.to_numpy(dtype=float)
    return styled(data=[{
        "type": "bar", "y": d.payer.to_numpy(), "x": per_visit, "orientation": "h",
        "name": "", "showlegend": False, "marker": {"color": PALETTE[2]},
        "text": [f"${v:,.2f}" for v in per_visit], "textposition": "outside",
        "cliponaxis": False, "hovertemplate": "%{y}: $%{x:,.2f} a visit<extra></extra>"}],
        layout={"barmode": "relative",
                "xaxis": {"title": {"text": "Dollars per visit"}, "tickprefix": "$",
                          # room for the longest bar's label ("$105.70" was cut); at
                          # least $1 wide (nothing paid yet: [0, 0] drew "$-1" to "$1"),
                          # and below $0 when a refund left a payer's visits negative
                          "range": [min(0.0, float(per_visit.min()) * 1.45),
                                    max(1.0, float(per_visit.max()) * 1.45)]},
                "yaxis": {"title": {"text": ""}}},
        title=title, large=large, height=max(320, 45 * len(d) + 120))


def days_to_payment_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Median and 90th percentile days from submission to payment, per payer."""
    title = "Days from submission to payment"
    if df.empty:
        return _empty(title, large)
    d = df.sort_values("median_days", ascending=False)
    # At least a week wide (days are whole), a little room left of 0 so that a 0-day marker
    # is whole. A payment posted before the claim's sent date is a negative number of days:
    # the axis then reaches below it, with room for its label and diamond left of the bar.
    days = d[["median_days", "p90_days"]].to_numpy(dtype=float)
    most = max(7.0, float(np.nanmax(days)))
    least = min(0.0, float(np.nanmin(days)))
    span = most - least
    left = least - span * (0.15 if least < 0 else 0.03)
    return styled(data=[
        # Labels inside a bar where they fit, else beside it: a median of 0 days is a bar
        # of length 0, and its label is then all that shows.
        {"type": "bar", "y": d.payer, "x": d.median_days, "orientation": "h",
         "name": "Median", "marker": {"color": PALETTE[0]},
         "text": [days_label(v) for v in d.median_days], "textposition": "auto",
         # mid-bar, so the 90th percentile's diamond at a bar's end (one claim: the
         # median is the 90th percentile) does not cover it
         "insidetextanchor": "middle",
         "cliponaxis": False, "hovertemplate": "%{y}: median %{x:.1f} days<extra></extra>"},
        {"type": "scatter", "y": d.payer, "x": d.p90_days, "mode": "markers",
         "name": "90th percentile",
         "marker": {"symbol": "diamond", "size": 14, "color": PALETTE[3]},
         "hovertemplate": "%{y}: 90% paid within %{x:.1f} days<extra></extra>"}], layout={
        "xaxis": {"title": {"text": "Days"}, "range": [left, most + span * 0.15],
                  "tick0": 0}},
        title=title, large=large, height=max(360, 50 * len(d) + 120))


def days_to_payment_histogram(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """How many claims were paid after how many days, stacked by payer."""
    title = "Days to payment: claims per week of delay"
    if df.empty:
        return _empty(title, large)
    # Each bar covers its week of delay on a numeric axis from 0 days (one bar alone made
    # plotly's axis run from -0.4 to 0.4).
    width = 7
    days, claims = df.days.to_numpy(dtype=float), df.claims.to_numpy()
    label = np.array([days_bin_label(int(d), width) for d in days], dtype=object)
    data = [{"type": "bar", "x": days[rows] + width / 2, "y": claims[rows], "name": payer,
             "width": width * 0.95, "customdata": label[rows],
             "legendgroup": payer, "showlegend": True, "marker": {"color": colour},
             "hovertemplate": "%{customdata}: %{y} claims<extra>%{fullData.name}</extra>"}
            for payer, rows, colour in _groups(df, "payer")]
    lo = min(0.0, float(days.min()))
    hi = max(float(days.max()) + width, lo + 4 * width)  # at least four weeks
    legend, legend_px = _half_width_legend(data, large)   # drawn in a half-width column
    return styled(data=data, layout={
        "barmode": "relative", **legend,
        "xaxis": {"title": {"text": "Days from submission to payment"}, "range": [lo, hi],
                  "tick0": 0, "dtick": width * max(1, -(-int(hi - lo) // (width * 12)))},
        "yaxis": {"title": {"text": "Claims"},
                  **count_axis(df.groupby("days").claims.sum())}}, title=title, large=large,
        height=_default_height(large) + legend_px)


def days_to_payment_trend(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Median days to payment by month of payment, one line per payer. Drawn in a
    half-width column (pages/days_to_payment.py): fewer month ticks."""
    title = "Median days to payment by month paid"
    if df.empty:
        return _empty(title, large)
    month, median = df.month.to_numpy(), df.median_days.to_numpy()
    data = [{"type": "scatter", "x": month[rows], "y": median[rows], "name": payer,
             "legendgroup": payer, "showlegend": True, "mode": "lines+markers",
             "line": {"color": colour},
             "hovertemplate": "%{x|%b %Y}: %{y:.1f} days<extra>%{fullData.name}</extra>"}
            for payer, rows, colour in _groups(df, "payer")]
    legend, legend_px = _half_width_legend(data, large)
    return styled(data=data, layout={
        **legend,
        "xaxis": {"title": {"text": ""}, **_time_axis(month, "month", narrow=True)},
        "yaxis": {"title": {"text": "Median days"}, "rangemode": "tozero"}},
        title=title, large=large, height=_default_height(large) + legend_px)


def ar_aging_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Open A/R by aging bucket, stacked by payer. Columns: payer, bucket, balance."""
    title = "Open A/R by age since service"
    if df.empty:
        return _empty(title, large)
    bucket, balance = df.bucket.to_numpy(), df.balance.to_numpy()
    data = [{"type": "bar", "x": bucket[rows], "y": balance[rows], "name": payer,
             "legendgroup": payer, "showlegend": True, "marker": {"color": colour},
             "hovertemplate": "%{x} days: $%{y:,.2f}<extra>%{fullData.name}</extra>"}
            for payer, rows, colour in _groups(df, "payer")]
    return styled(data=data, layout={
        "barmode": "relative", "legend": {"tracegroupgap": 0},
        "xaxis": {"title": {"text": "Days since service"}, "categoryorder": "array",
                  "categoryarray": list(BUCKET_COLORS)},
        "yaxis": {"title": {"text": "Balance"}, "tickprefix": "$", "tickformat": ",.0f"}},
        title=title, large=large)


def denial_rate_bar(df: pd.DataFrame, by: str, large: bool = False) -> go.Figure:
    """Denial rate (lines and dollars) by payer or CPT code."""
    title = f"Denial rate by {by}"
    d = df.dropna(subset=["denial_rate_lines"]) if not df.empty else df
    if d.empty:
        return _empty(title, large)
    d = d.sort_values("denial_rate_dollars")
    keys = d.key.astype(str)
    return styled(data=[
        {"type": "bar", "y": keys, "x": d.denial_rate_lines, "orientation": "h",
         "name": "Lines", "marker": {"color": PALETTE[0]},
         "hovertemplate": "%{y}: %{x:.1%} of lines<extra></extra>"},
        {"type": "bar", "y": keys, "x": d.denial_rate_dollars, "orientation": "h",
         "name": "Dollars", "marker": {"color": PALETTE[3]},
         "hovertemplate": "%{y}: %{x:.1%} of charges<extra></extra>"}], layout={
        "xaxis": {"tickformat": ".0%", "title": {"text": "Denied at first adjudication"},
                  "rangemode": "tozero"},
        "yaxis": {"type": "category"}},
        title=title, large=large, height=max(360, 50 * len(d) + 120))


def denial_trend_line(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Denial rate (lines, dollars) by month of first adjudication."""
    title = "Denial rate by month"
    if df.empty:
        return _empty(title, large)
    return styled(data=[
        {"type": "scatter", "x": df.key, "y": df.denial_rate_lines, "name": "Lines",
         "mode": "lines+markers", "line": {"color": PALETTE[0], "width": 3},
         "hovertemplate": "%{x|%b %Y}: %{y:.1%}<extra>lines</extra>"},
        {"type": "scatter", "x": df.key, "y": df.denial_rate_dollars, "name": "Dollars",
         "mode": "lines+markers", "line": {"color": PALETTE[3], "width": 3},
         "hovertemplate": "%{x|%b %Y}: %{y:.1%}<extra>dollars</extra>"}], layout={
        "yaxis": {"tickformat": ".0%", "rangemode": "tozero"},
        "xaxis": _time_axis(df.key, "month")}, title=title, large=large)


def denial_reasons_bar(df: pd.DataFrame, large: bool = False, top: int = 12) -> go.Figure:
    """Denied dollars by reason (group-CARC with our description), largest on top."""
    title = "Denied dollars by reason"
    if df.empty:
        return _empty(title, large)
    d = df.head(top).copy()
    # the description cut at a word, marked "…" (whole in the hover): cut at 48 letters it
    # read "Payer says the service was not medically necessa"
    d["reason"] = [f"{g}-{c}  {at_a_word(str(t), 40)}"
                   for g, c, t in zip(d["group"], d["carc"], d["description"], strict=True)]
    d["whole"] = d["group"] + "-" + d["carc"] + " " + d["description"].astype(str)
    d["amount"] = d.amount.astype(float)
    d = d.sort_values("amount")
    return styled(data=[{
        "type": "bar", "y": d.reason.to_numpy(), "x": d.amount.to_numpy(), "orientation": "h",
        "name": "", "showlegend": False, "marker": {"color": PALETTE[3]},
        "customdata": d.whole.to_numpy(),
        "hovertemplate": "%{customdata}<br>$%{x:,.2f}<extra></extra>"}],
        layout={"barmode": "relative",
                "xaxis": {"title": {"text": "Denied dollars"}, "tickprefix": "$",
                          "tickformat": ",.0f"},
                "yaxis": {"title": {"text": ""}}},
        title=title, large=large, height=max(360, 38 * len(d) + 120))


def referrers_bar(df: pd.DataFrame, large: bool = False, top: int = 15) -> go.Figure:
    """Referrals and converted referrals for the top referrers."""
    title = f"Top {top} referrers: referrals and new clients"
    if df.empty:
        return _empty(title, large)
    d = df.sort_values(["referrals", "paid"], ascending=False).head(top)
    d = d.iloc[::-1]
    return styled(data=[
        {"type": "bar", "y": d.name, "x": d.referrals, "orientation": "h",
         "name": "Referrals", "marker": {"color": PALETTE[0]},
         "hovertemplate": "%{y}: %{x} referrals<extra></extra>"},
        {"type": "bar", "y": d.name, "x": d.converted, "orientation": "h",
         "name": "Became clients (≤30 days)", "marker": {"color": PALETTE[2]},
         "hovertemplate": "%{y}: %{x} converted<extra></extra>"}], layout={
        "barmode": "group",
        "xaxis": {"title": {"text": "Referrals"}, **count_axis(d.referrals)}},
        title=title, large=large, height=max(380, 42 * len(d) + 120))


def referrals_weekly_bar(df: pd.DataFrame, large: bool = False) -> go.Figure:
    """Referrals per week, stacked by referrer kind. With first_day and last_day (optional),
    a week the period cuts is drawn pale and says which of its days are counted."""
    title = "Referrals per week by referrer kind"
    if df.empty:
        return _empty(title, large)
    d = df.copy()
    d["kind"] = d.kind.str.replace("_", " ").str.capitalize()
    week, referrals = d.week.to_numpy(), d.referrals.to_numpy()
    part = _part_weeks(d)
    said = np.array([""] * len(d), dtype=object)
    if part.any():
        said[part] = [f" ({a:%b} {a.day}–{b:%b} {b.day} only)" for a, b in
                      zip(pd.to_datetime(d.first_day[part]), pd.to_datetime(d.last_day[part]),
                          strict=True)]
    data = [{"type": "bar", "x": week[rows], "y": referrals[rows], "name": kind,
             "legendgroup": kind, "showlegend": True, "customdata": said[rows],
             "marker": {"color": colour, "opacity": np.where(part[rows], 0.4, 1.0)},
             "width": WEEK_BAR,
             "hovertemplate": "week of %{x|%b %d}%{customdata}: %{y}"
                              "<extra>%{fullData.name}</extra>"}
            for kind, rows, colour in _groups(d, "kind")]
    return styled(data=data, layout={
        "barmode": "relative", "legend": {"tracegroupgap": 0},
        "xaxis": {"title": {"text": "Week starting"}, **_time_axis(week, "week")},
        "yaxis": {"title": {"text": "Referrals"},
                  **count_axis(d.groupby("week").referrals.sum())}},
        title=title, large=large)
