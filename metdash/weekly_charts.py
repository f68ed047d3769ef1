"""Charts of the weekly referral review (pure plotly, in :mod:`metdash.charts`' house style).

The page and the PDF export draw the same figures from the same
:class:`metdash.weekly.WeeklyReview`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from metdash.chart_labels import half_away
from metdash.charts import PALETTE, count_axis, style, styled

if TYPE_CHECKING:  # the type only: charts stay pure (no store behind them)
    from metdash.weekly import WeeklyReview

KIND_LABELS = {"physician": "Physician", "physical_therapist": "Physical therapist",
               "specialist": "Specialist", "other": "Other"}


def weekly_referrals_bar(review: WeeklyReview, large: bool = False,
                         height: int | None = None) -> go.Figure:
    """Referrals per week for the 13 weeks ending with the reviewed one, stacked by referrer
    kind; the reviewed week is outlined and the 12 weeks before it averaged (dashed line)."""
    title = "Referrals per week, by kind of referrer"
    weeks = [review.week_start - pd.Timedelta(days=7 * i) for i in range(12, -1, -1)]
    x = [w.isoformat() for w in weeks]
    counts: dict[tuple[str, dt.date], int] = {}
    for kind, w, n in zip(review.weekly.kind, review.weekly.week, review.weekly.referrals,
                          strict=True):
        counts[(kind, pd.Timestamp(w).date())] = int(n)
    traces = []
    totals = [sum(counts.get((kind, w), 0) for kind in KIND_LABELS) for w in weeks]
    for i, kind in enumerate(KIND_LABELS):  # the order of metdash.weekly.KINDS
        y = [counts.get((kind, w), 0) for w in weeks]
        if any(y):
            traces.append({"type": "bar", "x": x, "y": y, "name": KIND_LABELS[kind],
                           "marker": {"color": PALETTE[i]},
                           "hovertemplate": "week of %{x}: %{y}<extra>" + KIND_LABELS[kind]
                                            + "</extra>"})
    avg = review.summary["avg_12w"]
    # The average line and the reviewed week's outline as layout shapes, as add_hline and
    # add_vrect make them (those helpers cost ~9 ms a chart).
    shapes = [{"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y",
               "y0": avg, "y1": avg, "line": {"color": "#000000", "dash": "dash"}},
              {"type": "rect", "xref": "x", "x0": len(weeks) - 1.5, "x1": len(weeks) - 0.5,
               "yref": "y domain", "y0": 0, "y1": 1, "fillcolor": "rgba(0,0,0,0)",
               "line": {"color": "#000000", "width": 2}}]
    note = {"text": f"12-week average {half_away(avg, 1):.1f}", "showarrow": False,
            "xref": "x domain", "x": 0, "xanchor": "left", "yref": "y", "y": avg,
            "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.8)"}
    return styled(data=traces, layout={
        "barmode": "stack", "bargap": 0.15, "shapes": shapes, "annotations": [note],
        # No axis title: under a narrow chart's upright dates it ran into the legend (the
        # hover and the page's caption say the weeks start on Monday).
        "xaxis": {"type": "category", "title": {"text": ""},
                  "ticktext": [f"{w:%b %d}" for w in weeks], "tickvals": x},
        # whole referrals on the ticks of a quiet practice's weeks (not "0.4 referrals")
        "yaxis": {"title": {"text": "Referrals"}, **count_axis(totals)}},
        title=title, large=large, height=height)


def movers_bar(review: WeeklyReview, large: bool = False, top: int = 12,
               height: int | None = None) -> go.Figure:
    """This week's referrals against the 4-week average, for the referrers that moved most
    (or sent most this week)."""
    title = "This week against the 4-week average"
    d = review.referrers
    d = d[(d.this_week > 0) | (d.avg_4w > 0)].copy()
    if d.empty:
        fig = go.Figure()
        fig.add_annotation(text="No referrals this week or in the 4 weeks before",
                           showarrow=False, font={"size": 16})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return style(fig, title=title, large=large)
    d["size"] = d.change_vs_4w.abs()
    d = d.sort_values(["size", "this_week", "name"], ascending=[False, False, True]).head(top)
    d = d.sort_values("change_vs_4w")
    names = d.name.tolist()  # lists: plotly validates a Series of text far more slowly
    return styled(data=[
        {"type": "bar", "y": names, "x": d.this_week.to_numpy(), "orientation": "h",
         "name": "This week", "marker": {"color": PALETTE[0]},
         "hovertemplate": "%{y}: %{x} this week<extra></extra>"},
        {"type": "bar", "y": names, "x": d.avg_4w.to_numpy(), "orientation": "h",
         "name": "4-week average", "marker": {"color": PALETTE[8]},
         "hovertemplate": "%{y}: %{x:.2f} a week before<extra></extra>"}],
        layout={"barmode": "group", "bargap": 0.2,
                "xaxis": {"title": {"text": "Referrals a week"}, "rangemode": "tozero"}},
        title=title, large=large, height=height or max(380, 34 * len(d) + 140))


def kinds_bar(review: WeeklyReview, large: bool = False) -> go.Figure:
    """Per referrer kind: this week, 4-week and 12-week averages."""
    title = "Per kind of referrer: this week and the averages"
    k = review.kinds
    labels = [KIND_LABELS.get(x, x) for x in k.kind]
    traces = [{"type": "bar", "x": labels, "y": k[col].to_numpy(), "name": name,
               "marker": {"color": color},
               "hovertemplate": "%{x}: %{y:.2f}<extra>" + name + "</extra>"}
              for col, name, color in (("this_week", "This week", PALETTE[0]),
                                       ("avg_4w", "4-week average", PALETTE[1]),
                                       ("avg_12w", "12-week average", PALETTE[8]))]
    return styled(data=traces, layout={
        "barmode": "group",
        "yaxis": {"title": {"text": "Referrals a week"}, "rangemode": "tozero"}},
        title=title, large=large)
