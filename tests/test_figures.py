"""Every figure against numbers worked out by hand on tests/small_practice.py.

Period 2025-01-01 .. 2025-03-31, as of 2025-03-31. The arithmetic is in the comments; none
of the expected numbers comes from running metdash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import figures
from metdash.figures import Filters
from metdash.store import Database
from tests import small_practice

D = dt.date
PERIOD = Filters(date_from=D(2025, 1, 1), date_to=D(2025, 3, 31), as_of=D(2025, 3, 31))


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    return small_practice.build(Database(tmp_path_factory.mktemp("small") / "small.duckdb"))


def test_kpis_worked_by_hand(db):
    k = figures.kpis(db, PERIOD)
    # Claims in the period (not voided, first service date in Q1 2025): C1 100, C2 200, C3,
    # C4, C5, C6, C7, C8, C10 (draft), C12 at 100 each = 1,100. C9/C13 are 2024, C11 voided.
    assert k["gross_charges"] == Decimal("1100.00")
    # Payer payments posted in Q1: M1 C1 64 (X999's 50 is not our claim), M2 C2 64, A1 C3 0,
    # A2 C4 60 + C6 0 (PLB interest left out), A3 C3 reversal 0 + 90, M3 C7 64,
    # M4 C7 -64 + 72 = 350; patient payment 30 on 03-15 => 380.
    assert k["payments"] == Decimal("380.00")
    # CO-45 posted in Q1: C1 20, C2 20, C3 10, C4 10, C6 10, C7 20 - 20 + 10 = 80
    # (X999's CO-45 30 is not ours; CO-50 and CO-97 are denials, not contractual).
    assert k["contractual_adjustments"] == Decimal("80.00")
    assert k["gross_collection_rate"] == pytest.approx(380 / 1100)
    assert k["net_collection_rate"] == pytest.approx(380 / 1020)
    # Adjudicated claims: C1, C2, C3, C4, C6, C7 = 6. Denied at first adjudication: C2 (line
    # 97140 paid 0, CO-97) and C3 (CLP02 4, CO-50). C6 paid 0 with PR-1 + CO-45: no denial.
    assert k["denial_rate"] == pytest.approx(2 / 6)
    # Resolved on first pass (only CO-45/PR adjustments): C1, C4, C6, C7 = 4 of 6.
    assert k["first_pass_resolution_rate"] == pytest.approx(4 / 6)
    # Insurance A/R at 03-31 (charge - payer payments - contractual - cost share moved to the
    # client; a denied amount stays owed): C2 200 - 64 - 20 - 16 = 100 (its 97140 line,
    # denied CO-97, is still owed); C5, C8, C9, C12, C13 unpaid 100 each = 600. The others
    # net to 0: C1 100 - 64 - 20 - 16; C3 100 - 90 - 10 (the CO-50 denial was replaced); C4
    # 100 - 60 - 10 - 30; C6 100 - 0 - 10 - 90; C7 100 - 72 - 10 - 18 (the first payment and
    # its adjustments reversed). C10 is a draft (never sent), C11 voided.
    assert k["insurance_ar_total"] == Decimal("600.00")
    # Patient A/R: cost share moved to the clients - their payments: A: C1 16 + C2 16 + C7 18
    # = 50; B: C4 30 - 30 paid = 0; C: C6 deductible 90 => 140.
    assert k["patient_ar_total"] == Decimal("140.00")
    assert k["ar_total"] == Decimal("740.00")
    # 90 days ending 03-31 = 01-01..03-31: charges 1,100 => 1,100 / 90 a day;
    # 740 / (1100 / 90) = 60.545... days.
    assert k["days_in_ar"] == pytest.approx(740 / (1100 / 90))
    # First paying remittance - submission: C1 14, C2 14, C3 53, C4 30, C7 14 -> median 14.
    assert k["median_days_to_payment"] == pytest.approx(14)


def test_kpis_filtered_by_payer(db):
    k = figures.kpis(db, PERIOD.replace(payer_ids=(1,)))
    # Medicare only: C1 100 + C2 200 + C7 100 + C8 100 = 500.
    assert k["gross_charges"] == Decimal("500.00")
    # 64 + 64 + 64 - 64 + 72 = 200, no patient payments on Medicare claims.
    assert k["payments"] == Decimal("200.00")
    # Insurance: C2's denied line 100 + C8 100; patient: C1 16 + C2 16 + C7 18.
    assert k["insurance_ar_total"] == Decimal("200.00")
    assert k["patient_ar_total"] == Decimal("50.00")
    assert k["ar_total"] == Decimal("250.00")
    assert k["denial_rate"] == pytest.approx(1 / 3)


def test_previous_period_has_no_activity(db):
    prev = Filters(date_from=D(2024, 10, 3), date_to=D(2024, 12, 31), as_of=D(2024, 12, 31))
    k = figures.kpis(db, prev)
    # C9 (11-15) and C13 (12-15).
    assert k["gross_charges"] == Decimal("200.00")
    assert k["payments"] == Decimal("0.00")
    assert k["gross_collection_rate"] == 0
    assert k["denial_rate"] is None  # nothing adjudicated: no rate, not 0
    # Both submitted, unpaid: 200.
    assert k["ar_total"] == Decimal("200.00")


def test_revenue_by_payer(db):
    rows = figures.revenue_by_payer(db, PERIOD).set_index("payer")
    mcr, acm = rows.loc["Medicare"], rows.loc["Acme Health"]
    # Medicare: C1, C2, C7, C8 (C11 voided).
    assert mcr["claims"] == 4
    assert mcr["billed"] == Decimal("500.00")
    # Allowed = paid + PR: C1 80, C2 80 (the denied line allows 0), C7 80 - 80 + 90 = 90.
    assert mcr["allowed"] == Decimal("250.00")
    assert mcr["paid"] == Decimal("200.00")       # 64 + 64 + 72
    assert mcr["patient_responsibility"] == Decimal("50.00")  # 16 + 16 + 18
    # Acme: C3, C4, C5, C6, C10, C12.
    assert acm["claims"] == 6
    assert acm["billed"] == Decimal("600.00")
    assert acm["allowed"] == Decimal("270.00")    # C3 90, C4 90, C6 90
    assert acm["paid"] == Decimal("150.00")       # C3 90, C4 60
    assert acm["patient_responsibility"] == Decimal("120.00")  # C4 30, C6 90


def test_days_to_payment(db):
    rows = figures.days_to_payment(db, PERIOD).set_index("payer")
    # Medicare: C1, C2, C7 each 14 days from submission, 15 from service.
    assert rows.loc["Medicare", "claims_paid"] == 3
    assert rows.loc["Medicare", "median_days"] == pytest.approx(14)
    assert rows.loc["Medicare", "p90_days"] == pytest.approx(14)
    assert rows.loc["Medicare", "median_days_from_service"] == pytest.approx(15)
    # Acme: C3 03-10 - 01-16 = 53, C4 03-06 - 02-04 = 30 (C6 paid 0: no payment).
    assert rows.loc["Acme Health", "claims_paid"] == 2
    assert rows.loc["Acme Health", "median_days"] == pytest.approx(41.5)
    # Linear interpolation: 30 + 0.9 * (53 - 30) = 50.7.
    assert rows.loc["Acme Health", "p90_days"] == pytest.approx(50.7)
    assert rows.loc["Acme Health", "median_days_from_service"] == pytest.approx(42.5)


def test_ar_aging(db):
    rows = figures.ar_aging(db, PERIOD).set_index("bucket")
    assert list(rows.index) == ["0-30", "31-60", "61-90", "91-120", "120+"]
    # Insurance A/R by age from first service date to 03-31: C8 11 days, C5 54, C12 65 and
    # C2 78 (its denied 100), C13 106, C9 136 -- 100 each.
    assert rows.claims.tolist() == [1, 1, 2, 1, 1]
    assert rows.balance.tolist() == [Decimal("100.00"), Decimal("100.00"), Decimal("200.00"),
                                     Decimal("100.00"), Decimal("100.00")]


def test_patient_ar_aging(db):
    rows = figures.ar_aging(db, PERIOD, "patient").set_index("bucket")
    # What clients owe, by age of the service: C7 (03-03, 28 days) 18; C6 (02-12, 47) 90;
    # C1 (01-05, 85) 16 and C2 (01-12, 78) 16; C4's copay was paid.
    assert rows.claims.tolist() == [1, 1, 2, 0, 0]
    assert rows.balance.tolist() == [Decimal("18.00"), Decimal("90.00"), Decimal("32.00"),
                                     Decimal("0.00"), Decimal("0.00")]


def test_ar_aging_as_of_an_earlier_date(db):
    # As of 2025-02-10: C1 was settled in January; C2 owes its denied 97140 line (100, age
    # 29); C3 submitted, denial not yet received (it came 02-15): 100, age 26; C4 (svc 02-03,
    # age 7) 100; C5 (02-05, age 5) 100; C12 (01-25, age 16) 100; C9 (age 87) 100; C13 (age
    # 57) 100.
    f = Filters(date_from=D(2025, 1, 1), date_to=D(2025, 2, 10), as_of=D(2025, 2, 10))
    rows = figures.ar_aging(db, f).set_index("bucket")
    assert rows.loc["0-30", "claims"] == 5
    assert rows.loc["0-30", "balance"] == Decimal("500.00")
    assert rows.loc["31-60", "balance"] == Decimal("100.00")
    assert rows.loc["61-90", "balance"] == Decimal("100.00")
    assert rows.loc["91-120", "claims"] == 0
    assert rows.loc["120+", "balance"] == Decimal("0.00")


def test_denial_reasons(db):
    rows = figures.denial_reasons(db, PERIOD)
    got = {(r.group, r.carc): (r.claims, r.lines, r.amount) for r in rows.itertuples()}
    # CO-97 on C2's 97140 line; CO-50 claim-level on C3 (one line). The reversal of the
    # CO-50 in A3 is not a denial; CO-45 and PR are never denial reasons.
    assert got == {("CO", "97"): (1, 1, Decimal("100.00")),
                   ("CO", "50"): (1, 1, Decimal("100.00"))}
    assert set(rows["description"].str.len() > 0) == {True}


def test_denial_rates_by_line_and_dollar(db):
    r = figures.denial_summary(db, PERIOD)
    # Lines at first adjudication: C1 1, C2 2, C3 1 (claim-level denial: its 1 line),
    # C4 1, C6 1, C7 1 = 7; denied: C2 line 2, C3 line 1.
    assert r["denial_rate_lines"] == pytest.approx(2 / 7)
    # Charges: denied 100 + 100 = 200 of 100 + 200 + 100 + 100 + 100 + 100 = 700.
    assert r["denial_rate_dollars"] == pytest.approx(200 / 700)


def test_referrers(db):
    rows = figures.referrer_volume(db, PERIOD).set_index("npi")
    r1, r2 = rows.loc[small_practice.NPI_R1], rows.loc[small_practice.NPI_R2]
    # R1 received RF1 (01-02) and RF2 (01-10); RF0 is from 2024. A first came 01-05 (3 days),
    # B 01-15 (5 days): both converted.
    assert (r1["referrals"], r1["converted"]) == (2, 2)
    # R2: RF3 (C first seen 02-05, 4 days) converted, RF4 (D never seen) not.
    assert (r2["referrals"], r2["converted"]) == (2, 1)
    # Visits in Q1: A 01-05, 01-12, 03-03, 03-10, 03-20 (the voided claim's session still
    # happened); B 01-15, 01-25, 02-03 => 8. C 02-05, 02-12, 03-28 => 3.
    assert r1["sessions"] == 8
    assert r2["sessions"] == 3
    # Billed on claims naming R1: C1 100, C2 200, C3, C4, C7, C8, C12 = 800; R2: C5, C6, C10.
    assert r1["billed"] == Decimal("800.00")
    assert r2["billed"] == Decimal("300.00")
    # Paid: C1 64 + C2 64 + C3 90 + C4 60 + C7 72 = 350 from payers + 30 from B => 380.
    assert r1["paid"] == Decimal("380.00")
    assert r2["paid"] == Decimal("0.00")
    assert r1["last_referral"] == D(2025, 1, 10)
    assert r2["last_referral"] == D(2025, 3, 1)
    assert r1["kind"] == "physician"
    # Median days to first session of converted referrals: R1 3 and 5 -> 4.
    assert r1["days_to_first_session"] == pytest.approx(4)


def test_empty_range_gives_empty_frames_not_errors(db):
    f = Filters(date_from=D(2030, 1, 1), date_to=D(2030, 1, 31), as_of=D(2030, 1, 31))
    assert figures.revenue_by_payer(db, f).empty
    assert figures.denial_reasons(db, f).empty
    k = figures.kpis(db, f)
    assert k["gross_charges"] == Decimal("0.00")
    assert k["median_days_to_payment"] is None


def test_expected_vs_paid_and_underpaid_lines(db):
    rows = figures.expected_vs_paid(db, PERIOD).set_index("payer")
    # Latest adjudication of each line not denied. Medicare (fee 80/unit): C1 allowed 80,
    # C2 line 1 allowed 80 (line 2 denied, left out), C7 latest 03-25 allowed 90.
    assert rows.loc["Medicare", "lines"] == 3
    assert rows.loc["Medicare", "expected"] == pytest.approx(240)
    assert rows.loc["Medicare", "allowed"] == pytest.approx(250)
    assert rows.loc["Medicare", "underpaid_lines"] == 0
    # Acme (fee 90): C3 latest (03-10) allowed 90, C4 90, C6 paid 0 + PR-1 90 = 90.
    assert rows.loc["Acme Health", "expected"] == pytest.approx(270)
    assert rows.loc["Acme Health", "allowed"] == pytest.approx(270)
    assert figures.underpaid_lines(db, PERIOD).empty


def test_underpaid_line_is_listed(db):
    # Medicare's fee for 97110 raised to 85: C1 and C2 line 1 (allowed 80) fall 5 short;
    # C7 (allowed 90) does not.
    with db.transaction() as con:
        con.execute("UPDATE payer_fee_schedule SET allowed_amount = 85 "
                    "WHERE payer_id = 1 AND cpt = '97110'")
    try:
        under = figures.underpaid_lines(db, PERIOD)
        assert sorted(under.claim_id) == ["C1", "C2"]
        assert set(under.shortfall) == {Decimal("5.00")}
    finally:
        with db.transaction() as con:
            con.execute("UPDATE payer_fee_schedule SET allowed_amount = 80 "
                        "WHERE payer_id = 1 AND cpt = '97110'")


def test_open_denials_to_work(db):
    # C2 (partially paid, CO-97 100 on 01-27, Medicare window 120 days -> 2025-05-27) is
    # still appealable on 03-31; C3 was overturned and paid.
    work = figures.open_denials(db, PERIOD)
    assert work.claim_id.tolist() == ["C2"]
    assert work.denied_amount.iloc[0] == Decimal("100.00")
    assert work.deadline.iloc[0] == D(2025, 5, 27)
    assert work.days_left.iloc[0] == 57
    assert work.next_step.iloc[0] == "appeal"
    # A denial stays open until it is resolved: on 2025-06-30 C2's window has closed, and it
    # waits to be written off or moved to the client.
    later = figures.open_denials(db, PERIOD.replace(as_of=D(2025, 6, 30)))
    assert later.claim_id.tolist() == ["C2"]
    assert later.next_step.iloc[0] == "past the appeal window"


def test_open_denials_nearest_deadline_first(db):
    # On 03-01 two denials are open: C2 (Medicare, CO-97 on 01-27; 120 days -> 05-27) and C3
    # (Acme, CO-50 on 02-15, appeal pending; 60 days -> 04-16). A biller works the nearest
    # deadline first: C3, then C2, though C2 was denied first (the list was oldest denial
    # first: a new-user tour).
    on = PERIOD.replace(as_of=D(2025, 3, 1))
    work = figures.open_denials(db, on)
    assert work[["claim_id", "deadline"]].values.tolist() == [
        ["C3", D(2025, 4, 16)], ["C2", D(2025, 5, 27)]]
    # A long list is cut after the nearest deadlines, not after the oldest denials.
    assert figures.open_denials(db, on, limit=1).claim_id.tolist() == ["C3"]


def test_denial_outcomes(db):
    # C3's CO-50 denial (02-15) was replaced by the payment of 03-10, after the appeal filed
    # 02-20: paid on appeal, 90.
    out = figures.denial_outcomes(db, PERIOD)
    assert out[["claim_id", "outcome", "amount", "resolved_on"]].values.tolist() == [
        ["C3", "paid on appeal", Decimal("90.00"), D(2025, 3, 10)]]


def test_net_collection_rate_needs_charges_left_after_the_adjustments():
    """A new-user trial: Oct–Nov with no services of its own (charges 0) but 150 of CO-45
    posted on September's claims and 303 paid showed −202 %. By hand: 303 ÷ (670 − 150) =
    58.3 % when the charges are there; no rate at all when 0 − 150 ≤ 0."""
    from metdash.figures.overview import net_collection_rate

    assert net_collection_rate(Decimal("303"), Decimal("670"), Decimal("150")) == \
        pytest.approx(303 / 520)
    assert net_collection_rate(Decimal("303"), Decimal("0"), Decimal("150")) is None
    assert net_collection_rate(Decimal("303"), Decimal("150"), Decimal("150")) is None
    assert net_collection_rate(Decimal("0"), Decimal("0"), Decimal("0")) is None
