"""Charts of the weekly referral review (pure plotly, in :mod:`metdash.charts`' house style).

The page and the PDF export draw the same figures from the same
:class:`metdash.weekly.WeeklyReview`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metdash.charts import PALETTE, style
from metdash.weekly import KINDS, WeeklyReview

KIND_LABELS = {"physician": "Physician", "physical_therapist": "Physical therapist",
               "specialist": "Specialist", "other": "Other"}


def weekly_referrals_bar(review: WeeklyReview, large: bool = False,
                         height: int | None = None) -> go.Figure:
    """Referrals per week for the 13 weeks ending with the reviewed one, stacked by referrer
    kind; the reviewed week is outlined and the 12 weeks before it averaged (dashed line)."""
    title = "Referrals per week, by kind of referrer"
    weeks = [review.week_start - pd.Timedelta(days=7 * i) for i in range(12, -1, -1)]
    d = review.weekly
    fig = go.Figure()
    for i, kind in enumerate(KINDS):
        per_week = {w: 0 for w in weeks}
        for w, n in zip(d[d.kind == kind].week, d[d.kind == kind].referrals, strict=True):
            key = pd.Timestamp(w).date()
            if key in per_week:
                per_week[key] = int(n)
        if not any(per_week.values()):
            continue
        fig.add_bar(x=[w.isoformat() for w in weeks], y=list(per_week.values()),
                    name=KIND_LABELS[kind], marker_color=PALETTE[i],
                    hovertemplate="week of %{x}: %{y}<extra>" + KIND_LABELS[kind] + "</extra>")
    avg = review.summary["avg_12w"]
    fig.add_hline(y=avg, line_dash="dash", line_color="#000000",
                  annotation_text=f"12-week average {avg:.1f}",
                  annotation_position="top left", annotation_bgcolor="rgba(255,255,255,0.8)")
    fig.add_vrect(x0=len(weeks) - 1.5, x1=len(weeks) - 0.5, line_width=2,
                  line_color="#000000", fillcolor="rgba(0,0,0,0)")
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_xaxes(type="category", title="Week starting (Monday)",
                     ticktext=[f"{w:%b %d}" for w in weeks],
                     tickvals=[w.isoformat() for w in weeks])
    fig.update_yaxes(title="Referrals", rangemode="tozero")
    return style(fig, title=title, large=large, height=height)


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
    fig = go.Figure()
    fig.add_bar(y=d.name, x=d.this_week, orientation="h", name="This week",
                marker_color=PALETTE[0], hovertemplate="%{y}: %{x} this week<extra></extra>")
    fig.add_bar(y=d.name, x=d.avg_4w, orientation="h", name="4-week average",
                marker_color=PALETTE[8],
                hovertemplate="%{y}: %{x:.2f} a week before<extra></extra>")
    fig.update_layout(barmode="group", bargap=0.2)
    fig.update_xaxes(title="Referrals a week", rangemode="tozero")
    return style(fig, title=title, large=large, height=height or max(380, 34 * len(d) + 140))


def kinds_bar(review: WeeklyReview, large: bool = False) -> go.Figure:
    """Per referrer kind: this week, 4-week and 12-week averages."""
    title = "Per kind of referrer: this week and the averages"
    k = review.kinds
    fig = go.Figure()
    labels = [KIND_LABELS.get(x, x) for x in k.kind]
    for col, name, color in (("this_week", "This week", PALETTE[0]),
                             ("avg_4w", "4-week average", PALETTE[1]),
                             ("avg_12w", "12-week average", PALETTE[8])):
        fig.add_bar(x=labels, y=k[col], name=name, marker_color=color,
                    hovertemplate="%{x}: %{y:.2f}<extra>" + name + "</extra>")
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="Referrals a week", rangemode="tozero")
    return style(fig, title=title, large=large)
