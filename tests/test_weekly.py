"""The weekly referral review against numbers worked out by hand on a small practice.

Reviewed week: Monday 2025-03-24 .. Sunday 2025-03-30.
- 4 weeks before: 2025-02-24 .. 2025-03-23; 12 weeks before: 2024-12-30 .. 2025-03-23.
- Last 12 months: 2024-03-31 .. 2025-03-30 (365 days ending on the Sunday).

Referrers and referrals (client in brackets; what the client did after the referral):
R1 Able, Amy (physician):  2024-06-01 [P1: session 06-05, 4 days; claim K1 $100 Medicare,
                           paid $70], 2025-01-15 [P2: session 02-20, 36 days: too late],
                           03-10 [P3: sessions 03-12 (2 days) and 03-19; claim K3 $200 Acme,
                           paid $120 + patient $20], 03-25 [P4: session 03-27, 2 days],
                           03-26 [P5: never seen]
R2 Baker, Bo (PT):         01-06 [P6: session 01-10, 4 days; claim K6 $100 Medicare, paid
                           $80], 01-20 [P7: never], 02-03 [P8: session 02-10, 7 days],
                           02-17 [P9: never]
R3 Cole, Cy (specialist):  03-03 [P10: session 03-05, 2 days; claim K10 $150 Acme, unpaid],
                           03-10 [P11: never], 03-14 [P12: never]
R4 Dunn, Di (physician):   03-27 [P13: session 03-28, 1 day] - first referral ever
R5 Ezra, Ed (PT):          2023-01-02, 2023-02-01, 2023-03-03 [P14-P16: never]
R6 Fox, Fay (other):       no referral at all
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import figures, weekly
from metdash.figures import Filters
from metdash.store import Database

D = dt.date
WEEK = D(2025, 3, 24)

SQL = """
INSERT INTO practice (practice_id, name, billing_npi, tax_id, is_demo)
VALUES (1, 'Weekly Test Practice', '1456789019', '12-3456789', FALSE);
INSERT INTO providers VALUES (1, '1987654328', 'Trainer', 'Tess', 'MEP', '225100000X', TRUE);
INSERT INTO payers (payer_id, name, payer_type) VALUES (1, 'Medicare', 'medicare'),
                                                       (2, 'Acme Health', 'commercial');
INSERT INTO referrers VALUES
  (1, '1234567893', 'Able, Amy', 'physician', NULL, NULL),
  (2, '1111111112', 'Baker, Bo', 'physical_therapist', NULL, NULL),
  (3, '1000000004', 'Cole, Cy', 'specialist', NULL, NULL),
  (4, '1000000012', 'Dunn, Di', 'physician', NULL, NULL),
  (5, '1000000020', 'Ezra, Ed', 'physical_therapist', NULL, NULL),
  (6, '1000000038', 'Fox, Fay', 'other', NULL, NULL);
INSERT INTO clients (client_id, last_name, first_name, dob)
  SELECT 'P' || i, 'Last' || i, 'First' || i, DATE '1960-01-01' FROM range(1, 17) t(i);
INSERT INTO referrals (referral_id, client_id, referrer_id, received_date, diagnosis_codes) VALUES
  (1, 'P1', 1, DATE '2024-06-01', ['M54.50']), (2, 'P2', 1, DATE '2025-01-15', ['M54.50']),
  (3, 'P3', 1, DATE '2025-03-10', ['M54.50']), (4, 'P4', 1, DATE '2025-03-25', ['M54.50']),
  (5, 'P5', 1, DATE '2025-03-26', ['M54.50']),
  (6, 'P6', 2, DATE '2025-01-06', ['M54.50']), (7, 'P7', 2, DATE '2025-01-20', ['M54.50']),
  (8, 'P8', 2, DATE '2025-02-03', ['M54.50']), (9, 'P9', 2, DATE '2025-02-17', ['M54.50']),
  (10, 'P10', 3, DATE '2025-03-03', ['M54.50']), (11, 'P11', 3, DATE '2025-03-10', ['M54.50']),
  (12, 'P12', 3, DATE '2025-03-14', ['M54.50']),
  (13, 'P13', 4, DATE '2025-03-27', ['M54.50']),
  (14, 'P14', 5, DATE '2023-01-02', ['M54.50']), (15, 'P15', 5, DATE '2023-02-01', ['M54.50']),
  (16, 'P16', 5, DATE '2023-03-03', ['M54.50']);
INSERT INTO sessions (session_id, client_id, provider_id, referral_id, session_date, kind) VALUES
  (1, 'P1', 1, 1, DATE '2024-06-05', 'initial_assessment'),
  (2, 'P2', 1, 2, DATE '2025-02-20', 'initial_assessment'),
  (3, 'P3', 1, 3, DATE '2025-03-12', 'initial_assessment'),
  (4, 'P3', 1, 3, DATE '2025-03-19', 'treatment'),
  (5, 'P4', 1, 4, DATE '2025-03-27', 'initial_assessment'),
  (6, 'P6', 1, 6, DATE '2025-01-10', 'initial_assessment'),
  (7, 'P8', 1, 8, DATE '2025-02-10', 'initial_assessment'),
  (8, 'P10', 1, 10, DATE '2025-03-05', 'initial_assessment'),
  (9, 'P13', 1, 13, DATE '2025-03-28', 'initial_assessment');
INSERT INTO claims (claim_id, client_id, payer_id, referral_id, referrer_id, status,
                    diagnosis_codes, total_charge, first_service_date, submitted_date) VALUES
  ('K1', 'P1', 1, 1, 1, 'paid', ['M54.50'], 100, DATE '2024-06-05', DATE '2024-06-06'),
  ('K3', 'P3', 2, 3, 1, 'paid', ['M54.50'], 200, DATE '2025-03-12', DATE '2025-03-20'),
  ('K6', 'P6', 1, 6, 2, 'paid', ['M54.50'], 100, DATE '2025-01-10', DATE '2025-01-11'),
  ('K10', 'P10', 2, 10, 3, 'submitted', ['M54.50'], 150, DATE '2025-03-05', DATE '2025-03-06');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, units, charge, dx_pointers,
                         session_id) VALUES
  ('K1', 1, DATE '2024-06-05', '97110', 1, 100, [1], 1),
  ('K3', 1, DATE '2025-03-12', '97110', 1, 100, [1], 3),
  ('K3', 2, DATE '2025-03-19', '97110', 1, 100, [1], 4),
  ('K6', 1, DATE '2025-01-10', '97110', 1, 100, [1], 6),
  ('K10', 1, DATE '2025-03-05', '97110', 2, 150, [1], 8);
INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date, method,
                         trace_number, amount) VALUES
  (1, 1, 'Medicare', 'MCR', DATE '2024-06-20', 'ACH', 'T1', 70),
  (2, 2, 'Acme Health', 'ACME', DATE '2025-03-28', 'ACH', 'T2', 120),
  (3, 1, 'Medicare', 'MCR', DATE '2025-01-25', 'ACH', 'T3', 80);
INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01, status_code,
                            charge, paid, patient_responsibility) VALUES
  (1, 1, 1, 'K1', 'K1', '1', 100, 70, 0),
  (2, 2, 1, 'K3', 'K3', '1', 200, 120, 20),
  (3, 3, 1, 'K6', 'K6', '1', 100, 80, 0);
INSERT INTO patient_payments VALUES (1, 'P3', 'K3', DATE '2025-03-29', 20, 'card', NULL);
"""


def build(db: Database) -> Database:
    with db.transaction() as con:
        con.execute(SQL)
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    return build(Database(tmp_path_factory.mktemp("weekly") / "weekly.duckdb"))


@pytest.fixture(scope="module")
def review(db) -> weekly.WeeklyReview:
    return weekly.weekly_review(db, WEEK)


def by_name(frame):
    return frame.set_index("name")


def test_week_bounds_and_default_week():
    assert weekly.week_bounds(D(2025, 3, 27)) == (D(2025, 3, 24), D(2025, 3, 30))
    # Wednesday 04-02 and Monday 03-31: the last full week is 03-24..03-30.
    assert weekly.default_week(D(2025, 4, 2)) == D(2025, 3, 24)
    assert weekly.default_week(D(2025, 3, 31)) == D(2025, 3, 24)
    # On Sunday 03-30 that week is not over yet: the week before.
    assert weekly.default_week(D(2025, 3, 30)) == D(2025, 3, 17)


def test_any_day_of_the_week_gives_the_same_review(db, review):
    other = weekly.weekly_review(db, D(2025, 3, 30))
    assert (other.week_start, other.week_end) == (D(2025, 3, 24), D(2025, 3, 30))
    assert other.summary == review.summary
    assert weekly.weekly_review(db, today=D(2025, 4, 2)).summary == review.summary


def test_referrals_this_week_against_the_averages(review):
    r = by_name(review.referrers)
    # R6 never referred anyone: not listed. R5's referrals are all from 2023: not listed.
    assert set(r.index) == {"Able, Amy", "Baker, Bo", "Cole, Cy", "Dunn, Di"}
    # R1: this week 03-25, 03-26 = 2; 4 weeks before (02-24..03-23): 03-10 = 1 -> 0.25;
    # 12 weeks before (12-30..03-23): 01-15, 03-10 = 2 -> 2/12.
    assert r.loc["Able, Amy", "this_week"] == 2
    assert r.loc["Able, Amy", "avg_4w"] == pytest.approx(0.25)
    assert r.loc["Able, Amy", "avg_12w"] == pytest.approx(2 / 12)
    assert r.loc["Able, Amy", "change_vs_4w"] == pytest.approx(1.75)
    # R2: 01-06, 01-20, 02-03, 02-17 are all in the 12 weeks, none in the last 4.
    assert (r.loc["Baker, Bo", "this_week"], r.loc["Baker, Bo", "avg_4w"]) == (0, 0)
    assert r.loc["Baker, Bo", "avg_12w"] == pytest.approx(4 / 12)
    # R3: 03-03, 03-10, 03-14 in the last 4 weeks -> 0.75, and in the 12 -> 0.25; 0 now.
    assert r.loc["Cole, Cy", "avg_4w"] == pytest.approx(0.75)
    assert r.loc["Cole, Cy", "avg_12w"] == pytest.approx(0.25)
    assert r.loc["Cole, Cy", "change_vs_4w"] == pytest.approx(-0.75)
    # R4: 1 this week, nothing before.
    assert r.loc["Dunn, Di", "change_vs_4w"] == pytest.approx(1.0)
    # Sorted by referrals this week: R1 (2), R4 (1), then by 12-month referrals: R2 (4), R3 (3).
    assert list(review.referrers.name[:4]) == ["Able, Amy", "Dunn, Di", "Baker, Bo", "Cole, Cy"]


def test_top_movers(review):
    # Up: R1 +1.75, R4 +1.00. Down: R3 -0.75. R2 (0 vs 0) did not move.
    assert list(review.movers_up.name) == ["Able, Amy", "Dunn, Di"]
    assert list(review.movers_down.name) == ["Cole, Cy"]


def test_new_referrers(review):
    # Only R4's first referral ever (03-27) is in the week; R1's first was 2024-06-01.
    assert list(review.new_referrers.name) == ["Dunn, Di"]
    assert review.new_referrers.first_referral[0] == D(2025, 3, 27)


def test_lapsed_referrers_at_the_weeks_end(review):
    # DOMAIN.md: lapsed = at least 3 referrals in the 12 months before, and none for longer
    # than the larger of twice the usual (median) gap and 28 days; a referrer who referred
    # this week is never lapsed.
    lapsed = by_name(review.lapsed_referrers)
    assert list(review.lapsed_referrers.name) == ["Baker, Bo"]
    # R2: 4 referrals in 12 months; gaps 14, 14, 14 -> median 14, twice 28, the larger of 28
    # and 28 is 28; 41 days since 02-17 > 28: lapsed since 02-17 + 29 = 03-18 (before the
    # week: not newly lapsed).
    assert lapsed.loc["Baker, Bo", "median_gap_days"] == pytest.approx(14)
    assert lapsed.loc["Baker, Bo", "days_since_last"] == 41
    assert lapsed.loc["Baker, Bo", "lapsed_on"] == D(2025, 3, 18)
    assert not bool(lapsed.loc["Baker, Bo", "newly_lapsed"])
    assert lapsed.loc["Baker, Bo", "last_referral"] == D(2025, 2, 17)
    r = by_name(review.referrers)
    # R3: gaps 7 (03-03 -> 03-10) and 4 (-> 03-14): median 5.5, twice 11 -- but the bar is
    # the larger of that and 28 days. 16 days since 03-14: not lapsed.
    assert r.loc["Cole, Cy", "median_gap_days"] == pytest.approx(5.5)
    assert r.loc["Cole, Cy", "days_since_last"] == 16
    assert not bool(r.loc["Cole, Cy", "is_lapsed"])
    # R1 referred this week (and has gaps 228, 54, 15, 1 -> median 34.5); R4 has 1 referral.
    assert r.loc["Able, Amy", "median_gap_days"] == pytest.approx(34.5)
    assert not bool(r.loc["Able, Amy", "is_lapsed"])
    assert not bool(r.loc["Dunn, Di", "is_lapsed"])
    # R5's 3 referrals are all from 2023: none in the 12 months before, so not lapsed (and,
    # with nothing in the year, not in the review at all).
    assert "Ezra, Ed" not in r.index


def test_last_12_months_per_referrer(review):
    r = by_name(review.referrers)
    # R1: 5 referrals; converted: 06-01 (4 days), 03-10 (2), 03-25 (2); 01-15 took 36 days.
    assert (r.loc["Able, Amy", "referrals_12m"], r.loc["Able, Amy", "converted_12m"]) == (5, 3)
    assert r.loc["Able, Amy", "conversion_rate_12m"] == pytest.approx(0.6)
    assert r.loc["Able, Amy", "days_to_first_session_12m"] == pytest.approx(2)
    # Visits by R1's clients: 06-05, 02-20, 03-12, 03-19, 03-27 = 5.
    assert r.loc["Able, Amy", "sessions_12m"] == 5
    # Billed K1 100 + K3 200; paid 70 + 120 + patient 20.
    assert r.loc["Able, Amy", "billed_12m"] == Decimal("300.00")
    assert r.loc["Able, Amy", "paid_12m"] == Decimal("210.00")
    # R2: 4 referrals, 2 converted (4 and 7 days -> median 5.5), 2 visits, K6 100 paid 80.
    assert (r.loc["Baker, Bo", "referrals_12m"], r.loc["Baker, Bo", "converted_12m"]) == (4, 2)
    assert r.loc["Baker, Bo", "days_to_first_session_12m"] == pytest.approx(5.5)
    assert (r.loc["Baker, Bo", "billed_12m"], r.loc["Baker, Bo", "paid_12m"]) == (
        Decimal("100.00"), Decimal("80.00"))
    # R3: 3 referrals, 1 converted, K10 150 unpaid.
    assert r.loc["Cole, Cy", "conversion_rate_12m"] == pytest.approx(1 / 3)
    assert (r.loc["Cole, Cy", "billed_12m"], r.loc["Cole, Cy", "paid_12m"]) == (
        Decimal("150.00"), Decimal("0.00"))


def test_summary(review):
    s = review.summary
    # This week: R1 2 + R4 1 = 3 from 2 referrers; 4-week total 4 (R1 1 + R3 3) -> 1.0 a
    # week; 12-week total 9 (R1 2 + R2 4 + R3 3) -> 0.75 a week.
    assert (s["week_referrals"], s["week_referrers"]) == (3, 2)
    assert s["avg_4w"] == pytest.approx(1.0)
    assert s["avg_12w"] == pytest.approx(0.75)
    assert (s["new_referrers"], s["lapsed_referrers"], s["newly_lapsed"]) == (1, 1, 0)
    # 12 months: 5 + 4 + 3 + 1 = 13 referrals, 3 + 2 + 1 + 1 = 7 converted.
    assert (s["referrals_12m"], s["converted_12m"]) == (13, 7)
    assert s["conversion_rate_12m"] == pytest.approx(7 / 13)
    # Days of every converted referral: 4, 2, 2, 4, 7, 2, 1 -> sorted 1 2 2 2 4 4 7: median 2.
    assert s["days_to_first_session_12m"] == pytest.approx(2)
    assert s["sessions_12m"] == 9
    assert s["billed_12m"] == Decimal("550.00")
    assert s["paid_12m"] == Decimal("290.00")


def test_per_kind(review):
    k = review.kinds.set_index("kind")
    assert list(review.kinds.kind) == ["physician", "physical_therapist", "specialist"]
    # Physicians R1 + R4: 3 this week, 6 referrals in 12 months, 4 converted, $300 / $210.
    assert k.loc["physician", "this_week"] == 3
    assert k.loc["physician", "avg_4w"] == pytest.approx(0.25)
    assert (k.loc["physician", "referrals_12m"], k.loc["physician", "converted_12m"]) == (6, 4)
    assert k.loc["physician", "conversion_rate_12m"] == pytest.approx(4 / 6)
    assert k.loc["physician", "new_referrers"] == 1
    assert k.loc["physician", "paid_12m"] == Decimal("210.00")
    # PTs: R2 lapsed (R5 had nothing in the year); 4 referrals, 2 converted, $100 billed,
    # $80 paid.
    assert k.loc["physical_therapist", "lapsed_referrers"] == 1
    assert k.loc["physical_therapist", "avg_12w"] == pytest.approx(4 / 12)
    assert k.loc["physical_therapist", "billed_12m"] == Decimal("100.00")
    assert k.loc["specialist", "lapsed_referrers"] == 0


def test_payer_mix_per_referrer(review):
    m = review.payer_mix.set_index(["name", "payer"])
    # R1: Acme K3 200 of 300, Medicare K1 100 of 300.
    assert m.loc[("Able, Amy", "Acme Health"), "share"] == pytest.approx(2 / 3)
    assert m.loc[("Able, Amy", "Medicare"), "share"] == pytest.approx(1 / 3)
    assert m.loc[("Baker, Bo", "Medicare"), "share"] == pytest.approx(1.0)
    assert m.loc[("Cole, Cy", "Acme Health"), "billed"] == Decimal("150.00")


def test_payer_share_table_one_row_per_referrer_largest_billed_first(review):
    t = weekly.payer_share_table(review)
    # Billed in 12 months: Able $300, Cole $150, Baker $100.
    assert list(t.name) == ["Able, Amy", "Cole, Cy", "Baker, Bo"]
    assert list(t.columns) == ["name", "Acme Health", "Medicare"]
    assert t.iloc[0, 1:].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert t.iloc[2, 1:].tolist() == pytest.approx([0.0, 1.0])  # Baker: Medicare only
    assert t.iloc[1, 1:].tolist() == pytest.approx([1.0, 0.0])  # Cole: Acme only


def test_weekly_series_covers_13_weeks(review):
    w = review.weekly
    assert w.week.min() >= D(2024, 12, 30) and w.week.max() == D(2025, 3, 24)
    # The reviewed week: physicians 3.
    assert int(w[w.week == D(2025, 3, 24)].referrals.sum()) == 3


def test_same_definitions_as_the_referrers_page(db, review):
    """The 12-month figures are figures.referrer_volume's for the same range."""
    vol = figures.referrer_volume(db, Filters(date_from=D(2024, 3, 31),
                                              date_to=D(2025, 3, 30))).set_index("name")
    r = by_name(review.referrers)
    for name in vol.index:
        assert r.loc[name, "referrals_12m"] == vol.loc[name, "referrals"]
        assert r.loc[name, "converted_12m"] == vol.loc[name, "converted"]
        assert r.loc[name, "paid_12m"] == vol.loc[name, "paid"]
    # The overall conversion uses the same first-visit rule as the per-referrer one.
    assert review.summary["converted_12m"] == int(vol.converted.sum())


def test_an_empty_week_is_not_an_error(db):
    quiet = weekly.weekly_review(db, D(2020, 1, 6))
    assert quiet.summary["week_referrals"] == 0
    assert quiet.summary["conversion_rate_12m"] is None
    assert quiet.referrers.empty and quiet.kinds.empty


def test_csv_has_every_section(review):
    text = weekly.review_csv(review)
    for section in ("summary", "referrers", "movers_up", "movers_down", "new_referrers",
                    "lapsed_referrers", "kinds", "payer_mix"):
        assert f"\n{section}," in text
    assert "week_referrals,3" in text
    assert "paid_12m,290.00" in text
