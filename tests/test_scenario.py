"""The insurance scenario model against numbers worked out by hand.

Base case: self-pay $100 a visit, 40 visits a week today; with insurance 10 self-pay visits a
week stay, 60 insured visits a week; payers A (allowed $80 a visit, half the visits) and B
($60, half) -> blended $70; denial rate 10% -> $63 net an insured visit. A month is 52/12
weeks, 91/3 days.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from metdash import scenario
from metdash.errors import ScenarioError
from metdash.scenario import PayerAssumption, Scenario
from metdash.store import Database
from tests import small_practice

D = Decimal


def base(**changes) -> Scenario:
    values = dict(
        selfpay_rate=D(100), selfpay_weekly_visits=D(40), insured_weekly_visits=D(60),
        selfpay_kept_weekly_visits=D(10),
        payers=(PayerAssumption("A", D(80), D("0.5")), PayerAssumption("B", D(60), D("0.5"))),
        denial_rate=D("0.10"), days_to_payment=D("45.5"), ramp_months=0,
        billing_cost_rate=D(0), months=12)
    values.update(changes)
    return Scenario(**values)


def test_per_visit_and_break_even():
    s = base()
    assert scenario.blended_allowed(s) == D(70)            # 80 × .5 + 60 × .5
    assert scenario.net_per_insured_visit(s) == D(63)      # 70 × 0.9
    # Self-pay revenue given up: (40 − 10) × $100 = $3,000 a week; ÷ $63 = 47.619 visits.
    assert scenario.break_even_weekly_visits(s) == pytest.approx(D(3000) / D(63))
    # Shares need not add to 1: 1 and 3 -> A 25%, B 75% -> 80/4 + 60×3/4 = 65.
    s2 = base(payers=(PayerAssumption("A", D(80), D(1)), PayerAssumption("B", D(60), D(3))))
    assert scenario.blended_allowed(s2) == D(65)


def test_months_with_a_payment_lag_of_a_month_and_a_half():
    df = scenario.project(base())
    # Staying self-pay: 100 × 40 × 52/12 = $17,333.33 every month.
    assert set(df.selfpay_revenue) == {D("17333.33")}
    # With insurance: kept 100 × 10 × 52/12 = 4,333.33; insured 60 × 63 × 52/12 = 16,380.
    assert df.insured_revenue[0] == D("16380.00")
    assert set(df.revenue) == {D("20713.33")}
    # 45.5 days = 1.5 months: month 1 gets no insurance cash, month 2 half a month's.
    assert df.cash[0] == D("4333.33")
    assert df.cash[1] == D("12523.33")                       # 4,333.33 + 8,190
    assert set(df.cash[2:]) == {D("20713.33")}
    assert df.insured_visits[0] == D("260.0")               # 60 × 52/12
    s = scenario.summary(base())
    assert s["selfpay_total"] == D("207999.96")             # 12 × 17,333.33 (cents each month)
    # 12 × 4,333.33 + 16,380 × 12 = 51,999.96 + 196,560.
    assert s["revenue_total"] == D("248559.96")
    # 12 × 4,333.33 + 16,380 × 10.5 = 51,999.96 + 171,990.
    assert s["cash_total"] == D("223989.96")
    # Cumulative cash behind by 14,430 after month 3 (52,000 vs 37,570), catching up
    # 3,380 a month: still 910 behind after month 7, ahead in month 8.
    assert df.cumulative_cash[2] == D("37570.00")
    assert s["cash_catch_up_month"] == 8
    assert s["break_even_weekly_visits"] == D("47.6")


def test_ramp_up_without_lag():
    df = scenario.project(base(ramp_months=3, days_to_payment=D(0)))
    # 16,380 × 1/3, 2/3, 1, 1 ... and cash equals revenue without a lag.
    assert list(df.insured_revenue[:4]) == [D("5460.00"), D("10920.00"), D("16380.00"),
                                            D("16380.00")]
    assert list(df.cash) == list(df.revenue)
    # The ramp costs one full month of insured revenue over the year: 16,380 × 11.
    assert sum(df.insured_revenue, D(0)) == D("180180.00")


def test_billing_cost_and_no_insured_volume():
    s = base(billing_cost_rate=D("0.05"))
    assert scenario.net_per_insured_visit(s) == D("59.85")  # 63 × 0.95
    none = scenario.summary(base(insured_weekly_visits=D(0), selfpay_kept_weekly_visits=D(40)))
    assert none["revenue_total"] == none["selfpay_total"]
    assert none["break_even_weekly_visits"] == D("0.0")


def test_every_problem_is_reported_at_once():
    s = base(selfpay_rate=D(0), selfpay_kept_weekly_visits=D(50), denial_rate=D("1.2"),
             payers=(PayerAssumption("A", D(-5), D(0)),))
    found = scenario.problems(s)
    assert len(found) == 5, found
    assert any(p.startswith("Self-pay rate") for p in found)
    assert any("Payer A" in p for p in found)
    with pytest.raises(ScenarioError) as err:
        scenario.project(s)
    assert err.value.problems == found


def test_store_defaults_from_the_fee_schedule(tmp_path):
    db = small_practice.build(Database(tmp_path / "small.duckdb"))
    df = scenario.store_defaults(db, visit=(("97110", 2), ("97140", 1))).set_index("payer")
    # Medicare: 80 × 2 + 80 = 240; Acme: 90 × 3 = 270.
    assert df.loc["Medicare", "allowed_per_visit"] == D(240)
    assert df.loc["Acme Health", "allowed_per_visit"] == D(270)
    # Visits billed in the 365 days before the last line (2025-03-28): Medicare C1, C2, C7,
    # C8 = 4 (C11 voided); Acme C3, C4, C5, C6, C9, C10, C12, C13 = 8 -> 1/3 and 2/3.
    assert df.loc["Medicare", "share"] == D("0.333")
    assert df.loc["Acme Health", "share"] == D("0.667")
    # The payers' expected days to payment (payers.usual_lag_days): Medicare 14, Acme 30.
    assert list(df.usual_lag_days) == [30, 14]


def test_numbers_no_small_practice_has_are_refused_with_the_fields_own_words():
    """Found by a new-user trial (stop 46): a self-pay rate of 1e12 gave a break-even of 163
    billion insured visits a week; 100 million insured visits a week, a denial rate of 150 %
    (which the page's box refused silently, leaving the 8 % figures on screen). Each field
    has a range a small practice's week fits in, and the message names the field as the
    page labels it."""
    s = base(selfpay_rate=D("1e12"), selfpay_weekly_visits=D(2000), insured_weekly_visits=D(1e8),
             selfpay_kept_weekly_visits=D(1500), days_to_payment=D(400), ramp_months=13,
             payers=(PayerAssumption("A", D(5000), D(1)),))
    assert scenario.problems(s) == [
        "Self-pay rate ($ a visit): $1,000,000,000,000.00 is not a visit's rate; enter at most "
        "$1,000.00.",
        "Self-pay visits a week now: 2,000 is more than a small practice's week; enter at "
        "most 1,000.",
        "Insured visits a week expected: 100,000,000 is more than a small practice's week; "
        "enter at most 1,000.",
        "Self-pay visits a week that stay self-pay: 1,500 is more than a small practice's "
        "week; enter at most 1,000.",
        "Payer A: an allowed amount of $5,000.00 a visit is not a visit's fee; enter at most "
        "$1,000.00.",
        "Days from visit to payment: 400 is more than a year; enter at most 365.",
        "Months to reach the insured volume: enter 0 to 12 (the scenario covers 12 months)."]
    assert scenario.problems(base(selfpay_rate=D(1000), insured_weekly_visits=D(1000),
                                  days_to_payment=D(365), ramp_months=12)) == []
    kept = scenario.problems(base(selfpay_kept_weekly_visits=D(50)))
    assert kept == ["Self-pay visits a week that stay self-pay: cannot be more than the "
                    "self-pay visits a week now (40); lower it."]


@pytest.mark.parametrize(("changes", "says"), [
    # Net $63 (70 × 0.9) against $100; a week: 10 × 100 + 60 × 63 = 4,780 against 40 × 100 =
    # 4,000 -> the volume makes up for it.
    ({}, "nets $63.00, less than the self-pay rate of $100.00, and the added volume more "
         "than makes up for it."),
    # 40 insured visits: 1,000 + 40 × 63 = 3,520 < 4,000.
    ({"insured_weekly_visits": D(40)}, "nets $63.00, less than the self-pay rate of $100.00, "
                                       "and at this volume it does not make up for it."),
    # Payers allowing $150: net 135, more than $100 (the page said "brings in less").
    ({"payers": (PayerAssumption("A", D(150), D(1)),)},
     "Blended allowed per visit $150.00: after denials and billing cost an insured visit "
     "nets $135.00, more than the self-pay rate of $100.00."),
    # ... but only 20 insured visits: 1,000 + 20 × 135 = 3,700 < 4,000.
    ({"payers": (PayerAssumption("A", D(150), D(1)),), "insured_weekly_visits": D(20)},
     "nets $135.00, more than the self-pay rate of $100.00, yet at this volume revenue with "
     "insurance does not reach staying self-pay's."),
])
def test_the_verdict_says_what_an_insured_visit_nets_against_the_rate(changes, says):
    s = base(**changes)
    text = scenario.verdict(s, scenario.summary(s))
    assert says in text, text


def test_the_month_chart_has_room_above_its_tallest_bar():
    # A full insured month earns more than any other: its bar must end below the plot's top,
    # not flush with it (months of equal bars at the top line read as cut off there).
    from metdash.scenario_charts import scenario_months_chart

    months = scenario.project(base())
    fig = scenario_months_chart(months)
    tallest = max(float(v) for col in ("revenue", "cash", "selfpay_revenue")
                  for v in months[col])
    low, high = fig.layout.yaxis.range
    step = fig.layout.yaxis.dtick
    # the top is the first gridline above the tallest bar, so a line shows above every bar
    assert low == 0 and high % step == 0 and high - step <= tallest < high
    assert tallest / step <= 6


def test_the_month_chart_top_line_is_a_round_step_above_the_tallest_bar():
    from metdash.scenario_charts import _room_above

    # the workshop demo's full months: $25,071.28 under a line at $25,000 read as cut off
    assert _room_above(25071.28) == {"range": [0, 30000], "dtick": 5000}
    assert _room_above(25000) == {"range": [0, 30000], "dtick": 5000}   # not on the top line
    assert _room_above(14300) == {"range": [0, 15000], "dtick": 2500}
    assert _room_above(0) == {}
