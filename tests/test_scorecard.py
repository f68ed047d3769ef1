"""Payer scorecards against numbers worked out by hand on tests/small_practice.py.

Period 2025-01-01 .. 2025-03-31, as of 2025-03-31, with one change to the practice: Medicare's
fee schedule for 97110 is raised from 80 to 85, so that two of its lines are underpaid. The
yearly rate for money waited for is 10 %. The arithmetic below is read from the rows of
tests/small_practice.py as a biller reads their books (DOMAIN.md), not from metdash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from metdash.errors import MetdashError
from metdash.figures import Filters
from metdash.figures.scorecard import (
    UnknownPayer,
    allowed_by_code,
    days_to_payment_quarterly,
    find_payer,
    money_rate,
    parse_rate,
    payer_scorecard,
    payer_scorecards,
)
from metdash.store import Database
from tests import small_practice

D = dt.date
PERIOD = Filters(date_from=D(2025, 1, 1), date_to=D(2025, 3, 31), as_of=D(2025, 3, 31))
RATE = Decimal("0.10")

# Dollar-days (money the payer kept the practice waiting for), claim by claim, submitted
# claims of the period, as of 03-31:
#   Medicare
#     C1 submitted 01-06, paid 64 on 01-20 (14 days):            64 × 14 =    896
#     C2 submitted 01-13, paid 64 on 01-27 (14 days):            64 × 14 =    896
#        and its denied 97140 line, 100, still owed on 03-31
#        (01-13 -> 03-31 = 18 + 28 + 31 = 77 days):            100 × 77 =  7,700
#     C7 submitted 03-04, paid 64 on 03-18 (14 days)             64 × 14 =    896
#        reversed on 03-25 (21 days)                            −64 × 21 = −1,344
#        repaid 72 on 03-25 (21 days)                            72 × 21 =  1,512
#     C8 submitted 03-21, open 100 for 10 days                  100 × 10 =  1,000
#     C11 is voided: left out.                                   total      11,556
MCR_DOLLAR_DAYS = 896 + 896 + 7700 + 896 - 1344 + 1512 + 1000
#   Acme Health
#     C3 submitted 01-16: denied (paid 0) 02-15, the denial reversed and 90 paid on 03-10
#        (01-16 -> 03-10 = 15 + 28 + 10 = 53 days):             90 × 53 =  4,770
#     C4 submitted 02-04, paid 60 on 03-06 (30 days):            60 × 30 =  1,800
#     C5 submitted 02-06, open 100 (02-06 -> 03-31 = 22 + 31 = 53): 100 × 53 = 5,300
#     C6 paid 0 (its 90 went to the client's deductible), nothing owed by Acme:    0
#     C12 submitted 01-27, open 100 (4 + 28 + 31 = 63 days):    100 × 63 =  6,300
#     C10 is a draft (never sent: nobody is waiting); C9, C13 are 2024 services.
#                                                                total      18,170
ACME_DOLLAR_DAYS = 4770 + 1800 + 5300 + 6300


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    db = small_practice.build(Database(tmp_path_factory.mktemp("score") / "score.duckdb"))
    with db.transaction() as con:
        con.execute("UPDATE payer_fee_schedule SET allowed_amount = 85 "
                    "WHERE payer_id = 1 AND cpt = '97110'")
    return db


@pytest.fixture(scope="module")
def cards(db):
    return payer_scorecards(db, PERIOD, RATE).set_index("payer")


def test_money_and_visits_per_payer(cards):
    mcr, acm = cards.loc["Medicare"], cards.loc["Acme Health"]
    # Medicare: C1 100, C2 200, C7 100, C8 100 (C11 voided) = 4 claims, 500 billed.
    # Allowed = paid + cost share: C1 64 + 16, C2 64 + 16 (the denied line allows 0),
    # C7 72 + 18 (its reversed first payment netted) = 250. Paid 64 + 64 + 72 = 200.
    assert (mcr.claims, mcr.billed, mcr.allowed, mcr.paid) == (
        4, Decimal("500.00"), Decimal("250.00"), Decimal("200.00"))
    # Visits (client, date): A on 01-05, 01-12, 03-03, 03-20 = 4. Per visit is over the visits
    # the payer answered: C8 (03-20) is still waiting, so 3: 250 / 3, 200 / 3 (a claim not yet
    # answered allows nothing: dividing by it made a payer with more claims waiting look
    # cheaper; a new-user trial).
    assert mcr.visits == 4
    assert mcr.allowed_per_visit == pytest.approx(250 / 3)
    assert mcr.paid_per_visit == pytest.approx(200 / 3)
    # Acme: C3, C4, C5, C6, C10, C12 (6 visits on 6 dates); allowed C3 90 + C4 90 + C6 90
    # = 270; paid C3 90 + C4 60 = 150. Answered: C3, C4 and C6 (paid 0, its 90 to the
    # deductible); C5 and C12 are waiting and C10 is a draft. 270 / 3 = 90, 150 / 3 = 50.
    assert (acm.claims, acm.visits, acm.allowed, acm.paid) == (
        6, 6, Decimal("270.00"), Decimal("150.00"))
    assert acm.allowed_per_visit == pytest.approx(90.0)
    assert acm.paid_per_visit == pytest.approx(50.0)
    # Share of revenue: payer payments 200 + 150 = 350.
    assert mcr.revenue_share == pytest.approx(200 / 350)
    assert acm.revenue_share == pytest.approx(150 / 350)
    # Most paid first.
    assert list(cards.index) == ["Medicare", "Acme Health"]


def test_denial_first_pass_and_days_per_payer(cards):
    mcr, acm = cards.loc["Medicare"], cards.loc["Acme Health"]
    # Medicare adjudicated C1, C2, C7; C2 denied at first adjudication (97140, CO-97);
    # resolved on the first pass (only CO-45 / PR): C1, C7.
    assert mcr.claims_adjudicated == 3
    assert mcr.denial_rate == pytest.approx(1 / 3)
    assert mcr.first_pass_resolution_rate == pytest.approx(2 / 3)
    # Acme adjudicated C3, C4, C6: C3 denied (CLP02 4, CO-50); C6's paid 0 went to the
    # deductible (PR-1 + CO-45): processed, not denied. Resolved: C4, C6.
    assert acm.claims_adjudicated == 3
    assert acm.denial_rate == pytest.approx(1 / 3)
    assert acm.first_pass_resolution_rate == pytest.approx(2 / 3)
    # Days from submission to the first payment above 0: Medicare C1, C2, C7 14 each.
    assert (mcr.claims_paid, mcr.median_days, mcr.p90_days) == (3, 14.0, 14.0)
    # Acme C4 30, C3 53: median 41.5, p90 30 + 0.9 × 23 = 50.7.
    assert acm.claims_paid == 2
    assert acm.median_days == pytest.approx(41.5)
    assert acm.p90_days == pytest.approx(50.7)
    # No acknowledgments in this store: the clean-claim rate is not made up.
    assert pd.isna(mcr.clean_claim_rate) and pd.isna(acm.clean_claim_rate)


def test_denied_underpaid_waiting_and_what_the_payer_costs(cards):
    mcr, acm = cards.loc["Medicare"], cards.loc["Acme Health"]
    # Denied (denial-class adjustments): Medicare CO-97 100 on C2's 97140; Acme CO-50 100
    # on C3 (later overturned on appeal: the denial still happened).
    assert mcr.denied_amount == pytest.approx(100)
    assert acm.denied_amount == pytest.approx(100)
    # Of those, still denied: Medicare's 100 (owed on 03-31); Acme's was reversed on 03-10
    # and 90 paid: money received (its 53 days of waiting are in the dollar-days below).
    assert mcr.denied_standing == pytest.approx(100)
    assert acm.denied_standing == pytest.approx(0)
    # Underpaid: Medicare's 97110 fee is now 85; C1 and C2's line 1 were allowed 80 (5 short
    # each); C7 was allowed 90. Acme allowed its fee, 90, on every line.
    assert (mcr.underpaid_lines, mcr.underpaid_amount) == (2, pytest.approx(10))
    assert (acm.underpaid_lines, acm.underpaid_amount) == (0, pytest.approx(0))
    # Open insurance balance on 03-31: Medicare C2 100 + C8 100; Acme C5 100 + C12 100.
    assert mcr.open_balance == pytest.approx(200)
    assert acm.open_balance == pytest.approx(200)
    assert mcr.dollar_days == pytest.approx(MCR_DOLLAR_DAYS)      # 11,556
    assert acm.dollar_days == pytest.approx(ACME_DOLLAR_DAYS)     # 18,170
    # Waiting cost = dollar-days × 10 % ÷ 365: 11,556 × 0.1 / 365 = 3.166;
    # 18,170 × 0.1 / 365 = 4.978.
    assert mcr.waiting_cost == pytest.approx(3.16603, abs=1e-4)
    assert acm.waiting_cost == pytest.approx(4.97808, abs=1e-4)
    # What the payer costs: denied and not overturned + underpaid + waiting.
    assert mcr.payer_cost == pytest.approx(100 + 10 + 3.16603, abs=1e-4)
    assert acm.payer_cost == pytest.approx(0 + 0 + 4.97808, abs=1e-4)


def test_allowed_and_paid_per_unit_by_code_against_the_fee_schedule_and_others(db):
    rows = allowed_by_code(db, PERIOD).set_index(["payer", "cpt"])
    # Lines not denied, latest adjudication. Medicare 97110: C1 80 / 64, C2 80 / 64,
    # C7 90 / 72: 3 units, allowed 250 -> 83.33 a unit, paid 200 -> 66.67; its fee 85; the
    # practice charges 100. The other payer (Acme) on 97110: C3 90 / 90, C4 90 / 60,
    # C6 90 / 0: 270 / 3 = 90 allowed, 150 / 3 = 50 paid a unit.
    m = rows.loc[("Medicare", "97110")]
    assert (m.lines, m.units) == (3, 3)
    assert m.allowed_per_unit == pytest.approx(250 / 3)
    assert m.paid_per_unit == pytest.approx(200 / 3)
    assert (m.expected_per_unit, m.charge_per_unit) == (85, 100)
    assert m.others_allowed_per_unit == pytest.approx(90)
    assert m.others_paid_per_unit == pytest.approx(50)
    a = rows.loc[("Acme Health", "97110")]
    assert a.allowed_per_unit == pytest.approx(90)
    assert a.paid_per_unit == pytest.approx(50)
    assert a.expected_per_unit == 90
    assert a.others_allowed_per_unit == pytest.approx(250 / 3)
    # Medicare's only 97140 line was denied (CO-97): no allowed amount to compare.
    assert ("Medicare", "97140") not in rows.index
    assert len(rows) == 2


def test_days_to_payment_by_quarter(db):
    rows = days_to_payment_quarterly(db, PERIOD).set_index("payer")
    # Every first payment of the period fell in 2025 Q1.
    assert set(rows.label) == {"2025 Q1"}
    assert (rows.loc["Medicare", "claims_paid"], rows.loc["Medicare", "median_days"]) == (3, 14)
    assert rows.loc["Acme Health", "p90_days"] == pytest.approx(50.7)


def test_one_payers_card(db):
    card = payer_scorecard(db, PERIOD, "medicare", RATE)
    assert (card.payer_id, card.payer) == (1, "Medicare")
    assert card.figures["payer_cost"] == pytest.approx(113.16603, abs=1e-4)
    assert card.clean_claim_rate is None
    # Its denial reasons in words: CO-97, one claim, 100.
    assert card.denial_reasons.reason.tolist() == ["CO-97"]
    assert "bundled" in card.denial_reasons.description[0]
    assert card.denial_reasons.amount[0] == pytest.approx(100)
    assert sorted(card.underpaid.claim_id) == ["C1", "C2"]
    assert card.by_code.cpt.tolist() == ["97110"]
    assert card.days_trend.median_days.tolist() == [14]
    # Compared with the other payer (Acme alone): its median days 41.5.
    assert card.other_payers("median_days") == pytest.approx(41.5)


def test_the_payer_filter_does_not_narrow_the_comparison(db):
    rows = payer_scorecards(db, PERIOD.replace(payer_ids=(2,)), RATE)
    assert sorted(rows.payer) == ["Acme Health", "Medicare"]
    assert rows.revenue_share.sum() == pytest.approx(1)
    # Nor another payer's card: Medicare's reasons and lines with the filter on Acme.
    card = payer_scorecard(db, PERIOD.replace(payer_ids=(2,)), "Medicare", RATE)
    assert card.denial_reasons.reason.tolist() == ["CO-97"]
    assert sorted(card.underpaid.claim_id) == ["C1", "C2"]
    assert card.by_code.cpt.tolist() == ["97110"]


def test_unknown_payer_lists_the_known_ones(db):
    assert find_payer(db, "  acme   HEALTH ") == (2, "Acme Health")
    with pytest.raises(UnknownPayer, match="Known payers: Acme Health, Medicare"):
        find_payer(db, "Blue Nowhere")
    with pytest.raises(UnknownPayer):
        payer_scorecard(db, PERIOD, "Blue Nowhere")


def test_an_empty_period_gives_an_empty_comparison_and_a_card_without_claims(db):
    f = Filters(date_from=D(2030, 1, 1), date_to=D(2030, 1, 31))
    assert payer_scorecards(db, f, RATE).empty
    card = payer_scorecard(db, f, "Medicare", RATE)
    assert not card.has_claims and card.by_code.empty


@pytest.mark.parametrize(("raw", "rate"), [("0.08", "0.08"), ("8", "0.08"), ("8%", "0.08"),
                                           ("12.5 %", "0.125"), ("0", "0")])
def test_rate_is_read_as_a_fraction_or_a_percentage(raw, rate):
    assert parse_rate(raw) == Decimal(rate)


@pytest.mark.parametrize("raw", ["abc", "-3", "250%", "nan"])
def test_a_rate_that_is_not_one_is_refused_with_how_to_write_it(raw):
    with pytest.raises(MetdashError, match="write it as 0.08, 8 or 8%"):
        parse_rate(raw)


def test_money_rate_from_the_environment():
    assert money_rate({}) == Decimal("0.08")
    assert money_rate({"METDASH_MONEY_RATE": "6%"}) == Decimal("0.06")


def test_charts_carry_the_figures(db, cards):
    import pandas as pd

    from metdash import scorecard_charts

    frame = cards.reset_index()
    cost = scorecard_charts.payer_cost_bar(frame)
    bars = {t.name: dict(zip(t.y, t.x, strict=True)) for t in cost.data if t.type == "bar"}
    assert bars["Denied, not overturned"] == {"Acme Health": 0, "Medicare": 100}
    assert bars["Underpaid"]["Medicare"] == pytest.approx(10)
    assert bars["Cost of waiting"]["Acme Health"] == pytest.approx(4.97808, abs=1e-4)
    # The total beside each bar: Acme 4.98 (lower), Medicare 113.17 (costliest, on top).
    totals = next(t for t in cost.data if t.type == "scatter")
    assert [s.strip() for s in totals.text] == ["$5", "$113"]

    rates = scorecard_charts.payer_rates_bar(frame)
    assert [list(t.x) for t in rates.data] == [pytest.approx([1 / 3, 1 / 3]),
                                               pytest.approx([2 / 3, 2 / 3])]

    card = payer_scorecard(db, PERIOD, "Medicare", RATE)
    unit = scorecard_charts.allowed_per_unit_bar(card.by_code, "Medicare")
    assert [(t.name, list(t.x)) for t in unit.data] == [
        ("Medicare", ["97110"]), ("Fee schedule", ["97110"]), ("Other payers", ["97110"])]
    assert [float(t.y[0]) for t in unit.data] == pytest.approx([250 / 3, 85, 90])
    days = scorecard_charts.days_quarterly_line(card.days_trend)
    assert [(list(t.x), list(t.y)) for t in days.data] == [(["2025 Q1"], [14]),
                                                           (["2025 Q1"], [14])]

    empty = scorecard_charts.payer_cost_bar(pd.DataFrame())
    assert empty.layout.annotations[0].text == "Nothing in this range"


def test_the_clean_claim_rate_per_payer_from_the_acknowledgments(tmp_path):
    """The card's clean-claim rate is the catalogue's (claims the payer's 277CA accepted with
    no rejection before ÷ claims submitted, by first submission date), per payer.

    Medicare's claims first submitted in the period: C1 (01-06), C2 (01-13), C7 (03-04),
    C8 (03-21). Their 277CAs: C1 accepted 01-07, C2 accepted 01-14, C8 rejected 03-22 (A7,
    an invalid member id); C7 has no acknowledgment 27 days after it was sent (past the
    3-day wait): submitted, not clean. Clean 2 of 4: 50 % (a biller who had not seen the
    code worked the same from DOMAIN.md). Acme has no acknowledgment at all: no rate, never
    0 %. Each was sent from metdash (an 837P on file), C7 included: a claim sent another way
    (a spreadsheet's "Billed", a payer's portal) has no acknowledgment to wait for, and is
    left out (without C7's 837P: clean 2 of 3)."""
    db = small_practice.build(Database(tmp_path / "clean.duckdb"))
    rows = [(1, 1, "C1", "C1", "277CA", "accepted", "A1:19:PR", "accepted", D(2025, 1, 7)),
            (2, 1, "C2", "C2", "277CA", "accepted", "A1:19:PR", "accepted", D(2025, 1, 14)),
            (3, 1, "C8", "C8", "277CA", "rejected", "A7:164:IL", "member id",
             D(2025, 3, 22))]
    with db.transaction() as con:
        con.executemany("INSERT INTO claim_acks (ack_id, seq, claim_id, "
                        "patient_control_number, kind, outcome, codes, reason, status_date) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    assert payer_scorecards(db, PERIOD, RATE).set_index("payer").loc[
        "Medicare"].clean_claim_rate == pytest.approx(2 / 3)   # C7 not sent from metdash
    with db.transaction() as con:
        con.execute("INSERT INTO x12_submissions (interchange, group_number, set_number, "
                    "claim_id, submitted_at) VALUES (1, 1, 1, 'C7', TIMESTAMP '2025-03-04 09:00')")
    cards = payer_scorecards(db, PERIOD, RATE).set_index("payer")
    assert cards.loc["Medicare"].clean_claim_rate == pytest.approx(2 / 4)
    assert pd.isna(cards.loc["Acme Health"].clean_claim_rate)  # an empty cell, not 0 %
    card = payer_scorecard(db, PERIOD, "Medicare", RATE)
    from metdash import payer_report
    shown = {label: value for _, label, value in payer_report.key_figures(card)}
    assert shown["Clean-claim rate"] == "50.0%"
    acme = payer_scorecard(db, PERIOD, "Acme Health", RATE)
    assert {label: value for _, label, value in payer_report.key_figures(acme)}[
        "Clean-claim rate"] == "no 277CA"


def test_cost_chart_of_payers_that_cost_nothing_has_distinct_ticks():
    """One claim, nothing denied, underpaid or waited for: the axis with whole-dollar ticks
    spans at least $10, so its ticks cannot read "$0 $1 $1" (a range of $0-$1.25 did)."""
    import pandas as pd

    from metdash import scorecard_charts

    frame = pd.DataFrame({"payer": ["Medicare"], "payer_cost": [0.0], "denied_standing": [0.0],
                          "underpaid_amount": [0.0], "waiting_cost": [0.0]})
    fig = scorecard_charts.payer_cost_bar(frame)
    assert fig.layout.xaxis.tickformat == "~s"  # compact: $0 $2 $4 … $12, $20k at scale
    assert fig.layout.xaxis.range[1] >= 10


def test_cost_chart_leaves_room_for_its_totals():
    """Each bar's total is written right of it; in a half-width column the house style's
    10 px right margin cut "$48,318" to "$48,31" (seen in Chromium at 1280 px). The margin
    grows with the longest total."""
    import pandas as pd

    from metdash import scorecard_charts

    frame = pd.DataFrame({"payer": ["Medicare", "Summit"], "payer_cost": [48318.4, 8712.0],
                          "denied_standing": [40000.0, 8000.0], "underpaid_amount": [0.0, 0.0],
                          "waiting_cost": [8318.4, 712.0]})
    fig = scorecard_charts.payer_cost_bar(frame)
    assert fig.layout.margin.r >= 8 * len("48,318") + 30
    assert "$48,318" in [t.strip() for t in fig.data[-1].text]


def test_cost_chart_cuts_long_payer_names_at_a_word_and_keeps_them_apart():
    """In a half-width column a 35-letter name left the bars ~80 px and tilted the ticks
    (helper-67): names are cut at a word (whole in the hover), unless two would read alike."""
    import pandas as pd

    from metdash import scorecard_charts
    from metdash.chart_labels import short_names

    frame = pd.DataFrame({"payer": ["Medicare Part B (demo jurisdiction)", "Aetna"],
                          "payer_cost": [30.0, 10.0], "denied_standing": [30.0, 10.0],
                          "underpaid_amount": [0.0, 0.0], "waiting_cost": [0.0, 0.0]})
    bar = scorecard_charts.payer_cost_bar(frame).data[0]
    assert list(bar.y) == ["Aetna", "Medicare Part B (demo…"]
    assert list(bar.customdata) == ["Aetna", "Medicare Part B (demo jurisdiction)"]
    twins = ["Blue Cross Blue Shield of Texas", "Blue Cross Blue Shield of Illinois"]
    assert short_names(twins, 24) == twins
