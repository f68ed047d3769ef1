"""metdash.charts: every chart builds for an empty and a small frame; charts with a trace per
payer (or referrer kind) name and colour them as plotly express did."""

from __future__ import annotations

import datetime as dt
import inspect
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import pytest

from metdash import chart_labels, charts
from metdash.charts import BUCKET_COLORS, PALETTE

M1, M2 = dt.date(2025, 7, 1), dt.date(2025, 8, 1)
W1, W2 = dt.date(2025, 6, 30), dt.date(2025, 7, 7)


def revenue() -> pd.DataFrame:
    return pd.DataFrame({
        "payer": ["Big Plan", "Small Plan", "Mid Plan"],
        "billed": [Decimal("900.00"), Decimal("100.00"), Decimal("500.00")],
        "allowed": [Decimal("700.00"), Decimal("80.00"), Decimal("400.00")],
        "paid": [Decimal("600.00"), Decimal("60.00"), Decimal("300.00")],
        "patient_responsibility": [Decimal("100.00"), Decimal("20.00"), Decimal("50.00")],
        "visits": [10, 2, 5], "paid_per_visit": [60.0, 30.0, None]})


# chart -> (a small frame, extra arguments)
SMALL = {
    "charges_payments_trend": (pd.DataFrame({"month": [M1, M2], "charges": [100.0, 200.0],
                                             "payments": [50.0, 150.0]}), {}),
    "revenue_by_payer_bar": (revenue(), {}),
    "payer_mix_bar": (pd.DataFrame({"month": [M1, M1, M2], "payer": ["B", "A", "B"],
                                    "billed": [1.0, 3.0, 2.0],
                                    "share": [0.25, 0.75, 1.0]}), {}),
    "paid_per_visit_bar": (revenue(), {}),
    "days_to_payment_bar": (pd.DataFrame({"payer": ["A", "B"], "median_days": [20.0, 30.0],
                                          "p90_days": [40.0, 50.0]}), {}),
    "days_to_payment_histogram": (pd.DataFrame({"payer": ["B", "A", "B"], "days": [0, 7, 7],
                                                "claims": [3, 4, 5]}), {}),
    "days_to_payment_trend": (pd.DataFrame({"month": [M1, M2, M1], "payer": ["A", "A", "B"],
                                            "median_days": [20.0, 22.0, 30.0],
                                            "claims_paid": [5, 6, 7]}), {}),
    "ar_aging_bar": (pd.DataFrame({"payer": ["A", "A", "B"], "bucket": ["120+", "0-30", "31-60"],
                                   "claims": [1, 2, 3], "balance": [10.0, 20.0, 30.0]}), {}),
    "denial_rate_bar": (pd.DataFrame({"key": ["A", "B"], "denial_rate_lines": [0.1, 0.2],
                                      "denial_rate_dollars": [0.15, 0.05]}), {"by": "payer"}),
    "denial_trend_line": (pd.DataFrame({"key": [M1, M2], "denial_rate_lines": [0.1, 0.2],
                                        "denial_rate_dollars": [0.15, 0.05]}), {}),
    "denial_reasons_bar": (pd.DataFrame({"group": ["CO", "PR"], "carc": ["50", "1"],
                                         "description": ["Not medically necessary",
                                                         "Deductible"],
                                         "claims": [3, 4],
                                         "amount": [Decimal("120.00"), Decimal("80.50")]}), {}),
    "referrers_bar": (pd.DataFrame({"name": ["Dr A", "Dr B"], "referrals": [5, 3],
                                    "converted": [2, 1], "paid": [100.0, 50.0]}), {}),
    "referrals_weekly_bar": (pd.DataFrame({"week": [W1, W1, W2],
                                           "kind": ["physician", "physical_therapist",
                                                    "physician"],
                                           "referrals": [4, 2, 3]}), {}),
}


def build(name: str, df: pd.DataFrame | None = None, **kwargs):
    small, extra = SMALL[name]
    return getattr(charts, name)(small if df is None else df, **{**extra, **kwargs})


def test_every_chart_is_covered():
    public = {n for n, f in vars(charts).items()
              if inspect.isfunction(f) and f.__module__ == charts.__name__
              and not n.startswith("_")
              and n not in ("style", "styled", "merge_layout", "count_axis")}
    assert public == set(SMALL)


def test_no_plotly_express():
    # px cost 30-65 ms a chart against 5-10 ms for graph_objects (issue 8).
    assert "plotly.express" not in inspect.getsource(charts)


@pytest.mark.parametrize("name", sorted(SMALL))
@pytest.mark.parametrize("large", [False, True])
def test_builds_small_and_empty(name, large):
    fig = build(name, large=large)
    assert fig.data and fig.layout.title.text
    assert fig.layout.font.size == (20 if large else 14)
    empty = build(name, SMALL[name][0].iloc[0:0], large=large)
    assert not empty.data
    assert empty.layout.annotations[0].text == "Nothing in this range"
    assert empty.layout.title.text == fig.layout.title.text


def legend(fig) -> list[tuple[str, str]]:
    return [(t.name, t.marker.color if t.type == "bar" else t.line.color) for t in fig.data]


def test_revenue_by_payer_bars_per_figure_most_billed_on_top():
    fig = build("revenue_by_payer_bar")
    assert legend(fig) == [("Billed", PALETTE[0]), ("Allowed", PALETTE[1]),
                           ("Paid", PALETTE[2]), ("Patient responsibility", PALETTE[3])]
    assert fig.layout.barmode == "group"
    assert all(t.orientation == "h" for t in fig.data)
    assert list(fig.data[0].y) == ["Big Plan", "Small Plan", "Mid Plan"]
    assert list(fig.data[0].x) == [900.0, 100.0, 500.0]
    # A y category array runs bottom up: the most billed payer is drawn at the top.
    assert fig.layout.yaxis.categoryorder == "array"
    assert list(fig.layout.yaxis.categoryarray) == ["Small Plan", "Mid Plan", "Big Plan"]
    assert fig.layout.xaxis.title.text == "Dollars"
    assert fig.data[0].hovertemplate == "%{y}: $%{x:,.2f}<extra></extra>"


def test_revenue_by_payer_paid_hover_says_what_was_paid_as_the_secondary():
    plain = build("revenue_by_payer_bar")
    assert plain.data[2].customdata is None  # no payer paid as the secondary: nothing to say
    df = revenue().assign(paid_as_secondary=[Decimal("0.00"), Decimal("45.00"), Decimal("0")])
    fig = charts.revenue_by_payer_bar(df)
    assert list(fig.data[2].customdata) == [0.0, 45.0, 0.0]
    assert "of which as the secondary: $%{customdata:,.2f}" in fig.data[2].hovertemplate
    assert fig.data[0].hovertemplate == "%{y}: $%{x:,.2f}<extra></extra>"


@pytest.mark.parametrize("name", ["payer_mix_bar", "days_to_payment_histogram",
                                  "days_to_payment_trend", "ar_aging_bar"])
def test_one_trace_per_payer_first_seen_first(name):
    df = SMALL[name][0]
    fig = build(name)
    first_seen = list(dict.fromkeys(df.payer))
    by_name = sorted(first_seen)
    assert legend(fig) == [(p, PALETTE[by_name.index(p)]) for p in first_seen]
    assert all(t.showlegend and t.legendgroup == t.name for t in fig.data)
    assert fig.layout.legend.tracegroupgap == 0
    for trace in fig.data:
        rows = df[df.payer == trace.name]
        assert len(trace.x) == len(trace.y) == len(rows)


def test_payer_mix_stacks_shares():
    fig = build("payer_mix_bar")
    assert fig.layout.barmode == "stack"
    assert [list(t.y) for t in fig.data] == [[0.25, 1.0], [0.75]]
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.data[0].hovertemplate.endswith("<extra>%{fullData.name}</extra>")


def test_colours_cycle_past_the_palette_and_nulls_are_left_out():
    payers = [f"P{i:02d}" for i in range(len(PALETTE) + 2)]
    df = pd.DataFrame({"payer": payers + [None], "days": range(len(payers) + 1),
                       "claims": range(len(payers) + 1)})
    fig = charts.days_to_payment_histogram(df)
    assert [t.name for t in fig.data] == payers
    assert [t.marker.color for t in fig.data] == [PALETTE[i % len(PALETTE)]
                                                  for i in range(len(payers))]


def test_a_payer_keeps_its_colour_from_chart_to_chart():
    """Found by a new-user trial (stop 32) on Days to payment: the histogram listed Beta
    first and the trend Alpha first, and each payer changed colour between them."""
    hist = charts.days_to_payment_histogram(pd.DataFrame(
        {"payer": ["Beta", "Alpha"], "days": [7, 14], "claims": [3, 4]}))
    trend = charts.days_to_payment_trend(pd.DataFrame(
        {"month": [M1, M1], "payer": ["Alpha", "Beta"], "median_days": [10.0, 20.0]}))
    colours = {t.name: t.marker.color for t in hist.data}
    assert colours == {t.name: t.line.color for t in trend.data} == {
        "Alpha": PALETTE[0], "Beta": PALETTE[1]}


def test_a_single_payer_still_gets_its_legend_entry():
    df = pd.DataFrame({"payer": ["Only"], "bucket": ["0-30"], "claims": [1],
                       "balance": [5.0]})
    fig = charts.ar_aging_bar(df)
    assert [(t.name, t.showlegend) for t in fig.data] == [("Only", True)]


def test_ar_aging_buckets_in_age_order_stacked():
    fig = build("ar_aging_bar")
    assert fig.layout.barmode == "relative"
    assert fig.layout.xaxis.categoryorder == "array"
    assert list(fig.layout.xaxis.categoryarray) == list(BUCKET_COLORS)
    assert list(fig.data[0].x) == ["120+", "0-30"]


def test_paid_per_visit_labels_each_bar_and_drops_payers_without_visits():
    fig = build("paid_per_visit_bar")
    (bar,) = fig.data
    assert list(bar.y) == ["Small Plan", "Big Plan"]
    assert list(bar.text) == ["$30.00", "$60.00"]
    assert bar.textposition == "outside" and bar.cliponaxis is False
    assert bar.marker.color == PALETTE[2] and bar.showlegend is False
    # room right of the longest bar for its label ("$105.7" was cut at 1.2x)
    assert list(fig.layout.xaxis.range) == [0, pytest.approx(87.0)]


def test_denial_reasons_smallest_first_so_largest_on_top():
    fig = build("denial_reasons_bar")
    (bar,) = fig.data
    assert list(bar.x) == [80.5, 120.0]
    assert bar.y[1].startswith("CO-50  Not medically")
    assert bar.marker.color == PALETTE[3]


def test_a_long_denial_reason_is_cut_at_a_word_and_whole_in_the_hover():
    # "CO-50 Payer says the service was not medically necessa": cut mid-word at 48 letters
    from metdash.carc import carc_description

    long = carc_description("50")
    frame = pd.DataFrame({"group": ["CO"], "carc": ["50"], "description": [long],
                          "amount": [Decimal("10")]})
    (bar,) = charts.denial_reasons_bar(frame).data
    label = bar.y[0].split("  ", 1)[1]
    assert len(long) > 40 and label.endswith("…") and len(label) <= 40
    assert long.startswith(label[:-1]) and long[len(label) - 1] == " "
    assert bar.customdata[0] == f"CO-50 {long}" and "%{customdata}" in bar.hovertemplate


def test_referrals_weekly_by_kind_in_words():
    fig = build("referrals_weekly_bar")
    assert legend(fig) == [("Physician", PALETTE[1]), ("Physical therapist", PALETTE[0])]
    assert fig.layout.barmode == "relative"
    assert fig.layout.xaxis.title.text == "Week starting"


# -- little data (issue 17, item 3): a new practice has one month, one claim ------------------
DAY = 86_400_000  # plotly measures a date axis in milliseconds
MONTHLY = {"charges_payments_trend": "month", "payer_mix_bar": "month",
           "days_to_payment_trend": "month", "denial_trend_line": "key"}


def _points(name: str, n: int) -> pd.DataFrame:
    small = SMALL[name][0]
    column = MONTHLY.get(name, "week")
    months = sorted(small[column].unique())[:n]
    return small[small[column].isin(months)].reset_index(drop=True)


def _range_days(axis) -> float:
    lo, hi = (pd.Timestamp(v) for v in axis.range)
    return (hi - lo) / pd.Timedelta(days=1)


@pytest.mark.parametrize("name", sorted(set(MONTHLY) - {"payer_mix_bar"}))
@pytest.mark.parametrize("n", [1, 2])
def test_a_month_axis_with_one_or_two_months_shows_whole_months(name, n):
    # One month made plotly pad the axis by a few milliseconds around the point: ticks read
    # "23:59:59.9996 Oct 31, 2026 ... 00:00:00.0004". The axis spans each month shown and
    # ticks once a month, labelled by month.
    fig = build(name, _points(name, n))
    axis = fig.layout.xaxis
    # at least three months, so that one month is a bar and not the whole plot
    assert 28 * 3 <= _range_days(axis) <= 31 * 3 + 5
    assert axis.dtick == "M1" and "%b" in axis.tickformat and "%H" not in axis.tickformat
    # The months added are those before: the axis ends half a month after the last point
    # (a new practice's December ran to "Jan 2027", a month not yet come).
    last = pd.Timestamp(max(pd.to_datetime(pd.Series(t.x)).max() for t in fig.data))
    assert pd.Timestamp(axis.range[1]) - last <= pd.Timedelta(days=16)
    for trace in fig.data:
        if trace.type == "bar":  # a lone bar on a date axis was a millisecond wide
            assert trace.width >= 20 * DAY


@pytest.mark.parametrize("n", [1, 2, 3])
def test_the_payer_mix_shows_the_months_of_the_period_only(n):
    """The payer mix of a month filtered alone showed the two months before it too (padded to
    three, as the trends are): empty months outside the period the user asked for, read as
    "nothing billed". Its axis spans the months it has, half a month either side, one tick a
    month; its shares are written on the bars while there are three months at most (one
    month is one wide column: the labels say what the colours do)."""
    df = _points("payer_mix_bar", n) if n <= 2 else _months(3)
    months = sorted(pd.to_datetime(pd.Series(df.month.unique())))
    fig = charts.payer_mix_bar(df)
    axis = fig.layout.xaxis
    lo, hi = (pd.Timestamp(v) for v in axis.range)
    assert lo == months[0] - pd.Timedelta(days=15.5)
    assert hi == months[-1] + pd.Timedelta(days=15.5)
    assert axis.dtick == "M1" and "%b" in axis.tickformat
    assert all(t.type == "bar" and t.width >= 20 * DAY for t in fig.data)
    shares = {(t.name, pd.Timestamp(x)): (y, text)
              for t in fig.data for x, y, text in zip(t.x, t.y, t.text, strict=True)}
    assert all(text == chart_labels.percent_label(y) for y, text in shares.values())
    assert all(t.textposition == "inside" and t.textangle == 0 for t in fig.data)
    if n == 1:   # July 2025: A 75%, B 25%
        assert shares == {("A", months[0]): (0.75, "75%"), ("B", months[0]): (0.25, "25%")}


def test_the_payer_mix_of_many_months_writes_no_share_on_its_bars():
    fig = charts.payer_mix_bar(_months(12))
    assert all(not t.text for t in fig.data)


def test_a_long_month_axis_ticks_less_often():
    months = pd.date_range("2023-01-01", periods=36, freq="MS").date
    df = pd.DataFrame({"month": months, "charges": 1.0, "payments": 1.0})
    assert charts.charges_payments_trend(df).layout.xaxis.dtick == "M3"


def _months(n: int) -> pd.DataFrame:
    """``n`` months of two payers, as the monthly half-width charts read them."""
    months = pd.date_range("2024-05-01", periods=n, freq="MS").date
    return pd.DataFrame({"month": [m for m in months for _ in "AB"], "payer": ["A", "B"] * n,
                         "billed": 1.0, "share": 0.5, "median_days": 20.0, "claims_paid": 3})


@pytest.mark.parametrize("name", ["payer_mix_bar", "days_to_payment_trend"])
@pytest.mark.parametrize("n", [3, 8, 9, 12, 13, 14, 24, 36, 60])
def test_a_half_width_month_axis_keeps_its_labels_apart(name, n):
    # The payer mix (pages/revenue.py) and days to payment by month paid
    # (pages/days_to_payment.py) are drawn in half-width columns (ui.chart_row): at 1280 px
    # their 13 or 14 monthly ticks crowded and plotly stood them on end (a new-user tour).
    # At most 8 ticks, a whole number of months apart that divides a year.
    axis = getattr(charts, name)(_months(n)).layout.xaxis
    step = int(axis.dtick.removeprefix("M"))
    assert step in (1, 2, 3, 6, 12)
    assert -(-n // step) <= 8
    finer = {1: None, 2: 1, 3: 2, 6: 3, 12: 6}[step]
    assert finer is None or -(-n // finer) > 8  # no fewer ticks than need be
    assert "%b" in axis.tickformat


@pytest.mark.parametrize("n", [1, 2])
def test_a_week_axis_with_one_or_two_weeks(n):
    fig = build("referrals_weekly_bar", _points("referrals_weekly_bar", n))
    assert 7 * 3 <= _range_days(fig.layout.xaxis) <= 7 * 3 + 2
    last = pd.Timestamp(max(pd.to_datetime(pd.Series(t.x)).max() for t in fig.data))
    assert pd.Timestamp(fig.layout.xaxis.range[1]) - last <= pd.Timedelta(days=4)
    assert fig.layout.yaxis.dtick == 1  # a handful of referrals: no "0.5 referrals" tick
    assert all(t.width >= 4 * DAY for t in fig.data)


def test_a_referrer_bar_of_a_few_referrals_has_whole_ticks():
    # One referrer with 2 referrals: the axis read 0, 0.5, 1, 1.5, 2 referrals.
    fig = build("referrers_bar", pd.DataFrame({"name": ["Dr A"], "referrals": [2],
                                               "converted": [0], "paid": [80.0]}))
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.rangemode == "tozero"
    many = build("referrers_bar", pd.DataFrame({"name": ["Dr A"], "referrals": [40],
                                                "converted": [9], "paid": [80.0]}))
    assert many.layout.xaxis.dtick is None  # plotly's own ticks for larger counts


def test_a_histogram_of_one_bin_starts_at_zero_days_and_spans_the_week():
    # One claim paid the day it was sent: the axis ran from -0.4 to 0.4 days.
    fig = build("days_to_payment_histogram",
                pd.DataFrame({"payer": ["A"], "days": [0], "claims": [1]}))
    lo, hi = fig.layout.xaxis.range
    assert lo == 0 and hi >= 7
    assert fig.layout.yaxis.dtick == 1  # one claim: no "0.2 claims" ticks
    bar = fig.data[0]
    assert bar.x[0] - bar.width / 2 >= 0 and bar.x[0] + bar.width / 2 <= 7
    assert bar.customdata[0] == "0 to 6 days"


def test_histogram_bars_cover_their_week_and_say_which():
    fig = build("days_to_payment_histogram")
    labels = {c for t in fig.data for c in t.customdata}
    assert labels == {"0 to 6 days", "7 to 13 days"}
    assert fig.layout.xaxis.range[1] >= 14


def test_a_zero_day_median_still_shows():
    # A median of 0 days drew a bar of length 0 and no label: the payer looked missing.
    fig = build("days_to_payment_bar", pd.DataFrame({"payer": ["A"], "median_days": [0.0],
                                                     "p90_days": [0.0]}))
    axis = fig.layout.xaxis
    assert -1 < axis.range[0] < 0 and axis.range[1] >= 7  # the 0-day marker whole
    median = fig.data[0]
    assert median.textposition == "auto" and list(median.text) == ["0.0"]


@pytest.mark.parametrize("rows", [
    {"payer": ["A"], "median_days": [-2.5], "p90_days": [-2.1]},  # one payer, all negative
    {"payer": ["A", "B"], "median_days": [-2.5, 14.0], "p90_days": [-2.1, 14.0]},
    {"payer": ["A", "B"], "median_days": [-30.0, 60.0], "p90_days": [-4.0, 95.0]},
])
def test_a_negative_days_to_payment_is_inside_the_axis(rows):
    # A payment posted before its claim's sent date gives a negative number of days: the
    # axis began just left of 0 and cut the bar, its label and its diamond off (a new-user
    # tour at 1280x720). The axis takes in every value, with room beyond the smallest.
    fig = build("days_to_payment_bar", pd.DataFrame(rows))
    lo, hi = fig.layout.xaxis.range
    values = rows["median_days"] + rows["p90_days"]
    span = hi - lo
    assert lo <= min(values) - 0.1 * span and hi >= max(values) + 0.1 * span
    assert lo < 0 < hi and span >= 7


def _plain(x):
    """A figure's JSON without the template and the empty objects plotly's updates leave
    behind (``"title": {}`` after ``title=None``): what the browser draws alike."""
    if isinstance(x, dict):
        out = {k: _plain(v) for k, v in x.items() if k != "template"}
        return {k: v for k, v in out.items() if v not in ({}, None)}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def _some_figure() -> go.Figure:
    return go.Figure(data=[
        {"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "a", "line": {"color": "red"}},
        {"type": "bar", "x": [1, 2], "y": [5, 6], "name": "b"}],
        layout={"legend": {"traceorder": "reversed", "y": 1.2}, "title": {"text": "old"},
                "xaxis": {"title": {"text": "Days"}}, "yaxis2": {"overlaying": "y"},
                "margin": {"pad": 4}})


@pytest.mark.parametrize("title", ["Days to payment", None])
@pytest.mark.parametrize("large", [False, True])
def test_style_is_update_layout_built_in_one_go(title, large):
    """charts.style builds one new figure (plotly's update_layout took ~7 ms a chart); what
    it draws is what update_layout with the house layout drew, the chart's own layout
    merged key by key."""
    size = 20 if large else 14
    reference = _some_figure()
    reference.update_layout(
        title={"text": title, "font": {"size": size + 4}} if title else None,
        font={"size": size},
        legend={"orientation": "h", "yanchor": "top", "y": -0.26, "xanchor": "left", "x": 0,
                "title": None},
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10, "autoexpand": True},
        height=520 if large else 380, hoverlabel={"font_size": size})
    styled = charts.style(_some_figure(), title=title, large=large)
    assert _plain(styled.to_plotly_json()) == _plain(reference.to_plotly_json())
    assert styled.layout.legend.traceorder == "reversed"  # the chart's own keys stay


def test_presentation_dress_is_the_updates_built_in_one_go():
    """ui.present_figure (presentation mode) draws what its plotly updates drew."""
    from metdash.ui.widgets import present_figure

    reference = go.Figure(_some_figure())
    reference.update_layout(font={"size": 20, "color": "#000000"}, title_font_size=24,
                            hoverlabel_font_size=20, legend_font_size=18, legend_y=-0.4,
                            height=585, paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF")
    for update in (reference.update_xaxes, reference.update_yaxes):
        update(tickfont_size=18, title_font_size=20, gridcolor="#BBBBBB",
               linecolor="#000000", tickfont_color="#000000", title_font_color="#000000")
    reference.update_traces(selector={"type": "scatter"}, line_width=4)
    dressed = present_figure(_some_figure())
    assert _plain(dressed.to_plotly_json()) == _plain(reference.to_plotly_json())
    assert dressed.data[0].line.width == 4 and dressed.data[0].line.color == "red"
    assert dressed.layout.yaxis2.tickfont.size == 18


def test_styled_is_a_figure_then_style():
    """charts.styled (one build) draws what go.Figure(...) then style(...) drew."""
    data = [{"type": "bar", "x": [1, 2], "y": [3, 4], "name": "a"}]
    layout = {"legend": {"traceorder": "reversed"}, "xaxis": {"title": {"text": "Week"}}}
    once = charts.styled(data=data, layout=layout, title="T", large=True, height=600)
    twice = charts.style(go.Figure(data=data, layout=layout), title="T", large=True,
                         height=600)
    assert _plain(once.to_plotly_json()) == _plain(twice.to_plotly_json())
    assert layout == {"legend": {"traceorder": "reversed"},
                      "xaxis": {"title": {"text": "Week"}}}  # the caller's dict untouched


def test_a_month_the_period_cuts_is_drawn_apart():
    """Found at stop 32: the current month so far was drawn as a whole month's bar and read
    as a fall in charges. A month the period cuts is its own pale trace, its days said."""
    df = pd.DataFrame({"month": pd.to_datetime(["2026-10-01", "2026-11-01", "2026-12-01"]).date,
                       "charges": [900.0, 1000.0, 120.0], "payments": [800.0, 950.0, 60.0],
                       "first_day": pd.to_datetime(["2026-10-01", "2026-11-01",
                                                    "2026-12-01"]).date,
                       "last_day": pd.to_datetime(["2026-10-31", "2026-11-30",
                                                   "2026-12-04"]).date})
    fig = charts.charges_payments_trend(df)
    whole, part, line = fig.data
    assert [str(x)[:10] for x in whole.x] == ["2026-10-01", "2026-11-01"]
    assert part.name == "Gross charges, part of a month" and list(part.y) == [120.0]
    assert list(part.customdata) == ["Dec 1–4, 2026"]
    assert part.marker.color != whole.marker.color and part.marker.line.width == 2
    assert line.type == "scatter" and len(line.x) == 3
    # a period starting mid-month cuts its first month too; whole months keep one trace
    df.loc[0, "first_day"] = pd.Timestamp("2026-10-15").date()
    assert list(charts._part_months(df)) == [True, False, True]
    whole_only = charts.charges_payments_trend(df.iloc[[1]].reset_index(drop=True))
    assert [t.type for t in whole_only.data] == ["bar", "scatter"]


def test_a_week_the_period_cuts_is_drawn_pale():
    """The weekly review on a Thursday: this week's referrals so far read as a fall."""
    df = pd.DataFrame({"week": [W1, W1, W2], "kind": ["physician", "physical_therapist",
                                                      "physician"],
                       "referrals": [3, 2, 1],
                       "first_day": [W1, W1, W2],
                       "last_day": [W1 + dt.timedelta(days=6), W1 + dt.timedelta(days=6),
                                    W2 + dt.timedelta(days=3)]})
    fig = charts.referrals_weekly_bar(df)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["Physician"].marker.opacity) == [1.0, 0.4]
    assert list(by_name["Physical therapist"].marker.opacity) == [1.0]
    assert list(by_name["Physician"].customdata) == ["", " (Jul 7–Jul 10 only)"]


@pytest.mark.parametrize("name, value, text", [
    ("days_label", -2.5, "-2.5"), ("days_label", 2.25, "2.3"), ("days_label", -2.25, "-2.3"),
    ("days_label", 20, "20.0"), ("days_label", -0.04, "0.0"), ("days_label", float("nan"), ""),
    ("percent_label", 0.125, "13%"), ("percent_label", 0.145, "15%"),
    ("percent_label", 0.005, "1%"), ("percent_label", None, ""),
    ("dollars_label", 12.5, "$13"), ("dollars_label", 2.5, "$3"),
    ("dollars_label", 1234.5, "$1,235"), ("dollars_label", -12.5, "-$13"),
    # under a dollar, not zero: in cents, not "$0" beside a bar ($0.26 of cost of waiting)
    ("dollars_label", 0.26, "$0.26"), ("dollars_label", -0.255, "-$0.26"),
    ("dollars_label", 0.999, "$1"), ("dollars_label", 0, "$0"),
])
def test_chart_labels_round_a_half_away_from_zero(name, value, text):
    # Python's round() and ".0f" round a half to even: 2.5 read "2", 12.5 "$12", 0.125 "12%".
    assert getattr(chart_labels, name)(value) == text


def test_day_labels_agree_with_the_table():
    """A median of −2.5 days read "-2" on its bar (Python rounds a half to even) while the
    table under it said -2.5: the bar says what the table says, one decimal."""
    fig = build("days_to_payment_bar", pd.DataFrame({
        "payer": ["A", "B", "C"], "median_days": [-2.5, 2.5, 14.0],
        "p90_days": [3.0, 3.0, 20.0]}))
    assert list(fig.data[0].y) == ["C", "B", "A"]
    assert list(fig.data[0].text) == ["14.0", "2.5", "-2.5"]


def test_scorecard_and_weekly_labels_round_a_half_away_from_zero():
    from metdash import scorecard_charts, weekly_charts
    from metdash.weekly import WeeklyReview

    days = scorecard_charts.days_quarterly_line(pd.DataFrame({
        "label": ["2025 Q1", "2025 Q2"], "median_days": [2.5, 14.0], "p90_days": [5.0, 20.0]}))
    assert list(days.data[0].text) == ["2.5", "14.0"]
    rates = scorecard_charts.payer_rates_bar(pd.DataFrame({
        "payer": ["A"], "denial_rate": [0.125], "first_pass_resolution_rate": [0.625]}))
    assert [list(t.text) for t in rates.data] == [["13%"], ["63%"]]
    cost = scorecard_charts.payer_cost_bar(pd.DataFrame({
        "payer": ["A"], "payer_cost": [12.5], "denied_standing": [12.5],
        "underpaid_amount": [0.0], "waiting_cost": [0.0]}))
    assert [s.strip() for s in cost.data[-1].text] == ["$13"]
    unit = scorecard_charts.allowed_per_unit_bar(pd.DataFrame({
        "cpt": ["97110"], "allowed_per_unit": [84.5], "expected_per_unit": [85.0],
        "others_allowed_per_unit": [90.5]}), "A")
    assert [list(t.text) for t in unit.data] == [["$85"], ["$85"], ["$91"]]
    # The 12-week average of 27 referrals: 2.25 a week.
    start = dt.date(2025, 6, 30)
    empty = pd.DataFrame()
    review = WeeklyReview(start, start + dt.timedelta(days=6), {"avg_12w": 27 / 12}, empty,
                          empty, empty, empty, empty, empty, empty,
                          pd.DataFrame({"kind": ["physician"], "week": [start],
                                        "referrals": [3]}))
    weeks = weekly_charts.weekly_referrals_bar(review)
    assert weeks.layout.annotations[0].text == "12-week average 2.3"
    # three referrals at most in a week: whole ticks (a one-claim store showed 0.2, 0.4, ...)
    assert weeks.layout.yaxis.dtick == 1 and weeks.layout.yaxis.rangemode == "tozero"


def test_a_histogram_bin_before_sending_reads_as_words():
    """A payment dated before its claim was sent falls in a negative bin, labelled
    "−7–−1 days": a row of dashes. Every bin reads "a to b days", a negative one with a true
    minus (as the axis) and what it means."""
    fig = build("days_to_payment_histogram",
                pd.DataFrame({"payer": ["A", "A", "B"], "days": [-14, 0, 7],
                              "claims": [1, 2, 3]}))
    labels = [c for t in fig.data for c in t.customdata]
    assert labels == ["\u221214 to \u22128 days (paid before sent)", "0 to 6 days",
                      "7 to 13 days"]
    assert fig.layout.xaxis.range[0] <= -14
    assert chart_labels.days_bin_label(-7) == "\u22127 to \u22121 days (paid before sent)"
    assert chart_labels.days_bin_label(-1, 1) == "\u22121 day (paid before sent)"
    assert chart_labels.days_bin_label(3, 1) == "3 days"


LONG_PAYERS = ["Medicare Part B (demo jurisdiction)", "Silverline Medicare Advantage",
               "Evergreen State Medicaid", "Cascade Mutual PPO", "Summit Health Plan",
               "Pinecrest Benefits", "Lakeside Choice HMO", "Keystone Workers' Comp",
               "Blue Cross Blue Shield of Illinois", "UnitedHealthcare Community Plan",
               "Aetna Better Health", "Tricare West"]
SHORT_PAYERS = ["Aetna", "Cigna", "Humana", "Medicare", "Medicaid", "BCBS", "United",
                "Tricare"]


def _mix(payers: list[str]) -> pd.DataFrame:
    return pd.DataFrame([(M1, p, 1 / len(payers)) for p in payers],
                        columns=["month", "payer", "share"])


@pytest.mark.parametrize("payers, rows", [
    (["Medicare"], 1),
    (["Aetna", "Medicare", "Self-pay plan"], 1),      # one line: 3 short names fit
    (SHORT_PAYERS, 3),                                  # a grid of 3 a row: 3 + 3 + 2
    (LONG_PAYERS[:8], 8),                               # one a row: the longest is 35
    (LONG_PAYERS, 12),
])
def test_payer_mix_legend_is_a_grid_the_chart_grows_for(payers, rows):
    """At 1280x720 the payer mix (a half-width column) wrapped its legend in ragged rows, the
    last holding two of eight payers, and twelve long names overflowed into a scrolled
    legend over a plot squeezed to ~130 px (seen in Chromium). Its entries are not grouped
    (plotly then lays a wrapped legend out as a grid, every entry as wide as the longest),
    and the chart grows by the rows the legend takes in a half-width column (~320 px): the
    plot keeps its ~270 px (measured in Chromium for each of these)."""
    fig = charts.payer_mix_bar(_mix(payers))
    assert fig.layout.legend.traceorder == "normal"
    assert fig.layout.height == 440 + charts.LEGEND_ROW_PX * (rows - 1)
    assert fig.layout.meta["legend_px"] == charts.LEGEND_ROW_PX * (rows - 1)


def test_payer_mix_in_presentation_mode_fits_a_720_px_screen():
    """Presentation mode draws the chart full width (its legend in fewer rows) and scales
    the rest by 1.3, not the half-width legend's rows: twelve payers fit 1280x720."""
    from metdash.ui.widgets import present_figure

    fig = charts.payer_mix_bar(_mix(LONG_PAYERS))
    assert present_figure(fig).layout.height == int((fig.layout.height
                                                     - fig.layout.meta["legend_px"]) * 1.3)
    assert present_figure(fig).layout.height <= 600
    assert present_figure(charts.payer_mix_bar(_mix(["Medicare"]))).layout.height == 572


def _per_payer(payers: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    hist = pd.DataFrame([(p, 7 * i, 3) for i, p in enumerate(payers)],
                        columns=["payer", "days", "claims"])
    trend = pd.DataFrame([(M1, p, 20.0 + i) for i, p in enumerate(payers)],
                         columns=["month", "payer", "median_days"])
    return hist, trend


@pytest.mark.parametrize("payers, rows", [
    (["Medicare"], 1), (SHORT_PAYERS, 3), (LONG_PAYERS[:8], 8), (LONG_PAYERS, 12)])
def test_days_to_payment_half_width_legends_are_grids_the_charts_grow_for(payers, rows):
    """Days to payment's histogram and trend sit side by side like the payer mix, with a
    legend of payers each: the same grid, the same growth (they wrapped raggedly)."""
    hist, trend = _per_payer(payers)
    for fig in (charts.days_to_payment_histogram(hist), charts.days_to_payment_trend(trend)):
        assert fig.layout.legend.traceorder == "normal"
        assert fig.layout.height == 380 + charts.LEGEND_ROW_PX * (rows - 1)
        assert fig.layout.meta["legend_px"] == charts.LEGEND_ROW_PX * (rows - 1)


def test_paid_per_visit_axis_starts_at_zero_when_nothing_is_paid_yet():
    # A new practice's one claim, unpaid: the range [0, 0] made plotly draw "$-1" to "$1".
    df = pd.DataFrame({"payer": ["Medicare Part B"], "paid_per_visit": [0.0]})
    assert list(charts.paid_per_visit_bar(df).layout.xaxis.range) == [0, 1]
    df = pd.DataFrame({"payer": ["A", "B"], "paid_per_visit": [100.0, 50.0]})
    assert list(charts.paid_per_visit_bar(df).layout.xaxis.range) == [0, 145]


def test_a_payers_rate_of_0_percent_is_written_at_the_base_of_its_bar():
    """A bar of length 0 draws nothing, nor its label inside it: a payer with no denial read
    as a payer with no figure. Its "0%" is written beside the axis, in the slot of its bar
    (outside, in its measure's colour); the other labels stay where they fit."""
    from metdash import scorecard_charts
    from metdash.charts import PALETTE

    fig = scorecard_charts.payer_rates_bar(pd.DataFrame({
        "payer": ["Never Denies", "Acme"], "denial_rate": [0.0, 0.2],
        "first_pass_resolution_rate": [1.0, 0.0]}))
    shown = {t.name: dict(zip(t.y, zip(map(float, t.x), t.text, t.textposition,
                                        strict=True), strict=True)) for t in fig.data}
    assert shown["Denial rate"] == {"Never Denies": (0.0, "0%", "outside"),
                                    "Acme": (0.2, "20%", "auto")}
    assert shown["First-pass resolution"] == {"Acme": (0.0, "0%", "outside"),
                                              "Never Denies": (1.0, "100%", "auto")}
    assert [t.outsidetextfont.color for t in fig.data] == [PALETTE[3], PALETTE[2]]


def test_a_quarters_median_label_keeps_off_the_90th_percentile_and_the_edges():
    """Days to payment by quarter: a median's label sat on the 90th percentile's marker (a
    new-user trial: the demo's Medicare, 2025 Q4 "16.0"). It goes below its point, away from
    the 90th percentile's line, where it has room; a median too near the floor to hold it
    below is labelled above (under a 90th percentile far enough up), else beside its point.
    The first and last quarters sit half a step in from the edges: on the edge, the first
    label ran into the axis's ticks and the last was cut."""
    from metdash import scorecard_charts

    fig = scorecard_charts.days_quarterly_line(pd.DataFrame({
        "label": ["2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"],
        "median_days": [16.0, 1.0, 1.0, 17.0], "p90_days": [18.0, 20.0, 1.5, 20.0]}))
    median, p90 = fig.data
    top = fig.layout.yaxis.range[1]
    assert top == pytest.approx(24.0)   # 20 days × 1.2
    assert list(median.text) == ["16.0", "1.0", "1.0", "17.0"]
    assert list(median.textposition) == ["bottom center", "top center", "middle right",
                                         "bottom center"]
    assert list(fig.layout.xaxis.range) == [-0.5, 3.5]
    assert not p90.text   # the 90th percentile is read on hover and from its axis
