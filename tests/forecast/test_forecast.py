"""The cash forecast's arithmetic, worked on paper (tests/forecast/practice.py), the backtest's
error measures on known series, the naive forecast, and ``metdash forecast``'s output."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from metdash.cli import main
from metdash.forecast import (
    Settings,
    backtest_summary,
    cash_forecast_from,
    load_history,
    mape,
    naive_forecast,
    origins,
)
from metdash.forecast.backtest import error_as_of, weekly_collections
from metdash.forecast.history import day
from metdash.forecast.model import (
    band,
    bernoulli_week,
    fit_curve,
    inside_share,
    model_error,
    waiting_probs,
)
from metdash.store import Database
from tests.forecast import practice

AS_OF = dt.date.fromisoformat(practice.AS_OF)
Z = 1.2815515655446004


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("forecast") / "forecast.duckdb"
    practice.build(Database(path)).release()
    return path


@pytest.fixture(scope="module")
def history(store):
    return load_history(Database(store))


# -- the model on arrays ------------------------------------------------------------------
def test_lag_curve_by_hand():
    # Five claims: two adjudicated on day 7, two on day 21, one still waiting on day 10.
    # Day 7: 5 at risk, 2 events: hazard 0.4, survival 0.6. Day 21: 2 at risk (the waiting one
    # left on day 10), 2 events: survival 0. So P(day 7) = 0.4, P(day 21) = 0.6.
    # Money: events paid 80, 80, 80, 0 of 100 each: q = 3/4 paid, s = 240 / 300 = 0.8.
    curve = fit_curve(np.array([7, 7, 21, 21, 10]), np.array([1, 1, 1, 1, 0], bool),
                      np.array([80, 80, 80, 0, 0.0]), np.array([100, 100, 100, 100, 100.0]))
    assert curve.pmf[7] == pytest.approx(0.4)
    assert curve.pmf[21] == pytest.approx(0.6)
    assert curve.survival[10] == pytest.approx(0.6)
    assert (curve.events, curve.pays, curve.share) == (4, 0.75, pytest.approx(0.8))
    # Waited 10 days: the only day left is 21, 11 days on: P = 0.6 / 0.6 = 1.
    p = waiting_probs(curve, np.array([10, 3]), 14)
    assert p[0, 10] == pytest.approx(1.0) and p[0].sum() == pytest.approx(1.0)
    # Waited 3 days (survival 1): day 7 is 4 days on (0.4), day 21 is 18 days on (outside 14).
    assert p[1, 3] == pytest.approx(0.4) and p[1].sum() == pytest.approx(0.4)
    # Never happens: older than any claim of the curve.
    assert waiting_probs(curve, np.array([25]), 7).sum() == 0


def test_the_amount_varies_as_the_paid_shares_did():
    # Paid 0.6 and 1.0 of 100: mean share 0.8, variance 0.04, squared CV 0.04 / 0.64 = 1/16.
    curve = fit_curve(np.array([5, 5]), np.array([1, 1], bool), np.array([60.0, 100.0]),
                      np.array([100.0, 100.0]))
    assert curve.share == pytest.approx(0.8) and curve.spread == pytest.approx(1 / 16)
    # One claim of mean 80, p 0.5: variance 80² × 0.5 × (1 + 1/16 − 0.5) = 1800.
    _, v = bernoulli_week(np.array([80.0]), np.array([[0.5]]), 1 / 16)
    assert v[0] == pytest.approx(1800)


def test_bernoulli_week_and_band_by_hand():
    # Two claims: 80 paid with probability 0.75 (week 1), 120 with 0.5 (week 2).
    # Week 1: expected 60, variance 80² × 0.75 × 0.25 = 1200. Week 2: 60, 120² × 0.25 = 3600.
    e, v = bernoulli_week(np.array([80.0, 120.0]), np.array([[0.75, 0], [0, 0.5]]))
    assert list(e) == [60, 60] and list(v) == [1200, 3600]
    low, high = band(e, v)
    # p10 / p90 = 60 ∓ 1.2816 × 34.641 = 60 ∓ 44.394 ; 60 ∓ 1.2816 × 60 = 60 ∓ 76.893 -> 0
    assert low[0] == pytest.approx(15.606, abs=1e-3) and high[0] == pytest.approx(104.394, abs=1e-3)
    assert low[1] == 0 and high[1] == pytest.approx(136.893, abs=1e-3)


def test_model_error_by_hand():
    """Three past weeks: forecast 100 (claims' variance 100) brought 120; 200 (variance 400)
    brought 180; 0 brought 30 (no relative error: left out). Beyond the claims' variance:
    (20² − 100) / 100² = 0.03 and (20² − 400) / 200² = 0: mean 0.015 (σ 12.2 % of the
    amount). A miss the claims' variance explains adds nothing, and never less than 0."""
    assert model_error(np.array([100.0, 200.0, 0.0]), np.array([100.0, 400.0, 50.0]),
                       np.array([120.0, 180.0, 30.0])) == pytest.approx(0.015)
    assert model_error(np.array([100.0]), np.array([900.0]), np.array([110.0])) == 0.0
    assert model_error(np.array([0.0]), np.array([0.0]), np.array([5.0])) == 0.0
    assert model_error(np.array([]), np.array([]), np.array([])) == 0.0


def test_band_adds_the_model_error_in_proportion_to_the_amount():
    # Expected 100 and 1,000, the claims' variance 0 and 2,500; model error 0.04 (σ 20 %).
    # σ² = 0 + 0.04 × 100² = 400 (σ 20): 100 ∓ 25.631; 2,500 + 0.04 × 1,000² = 42,500
    # (σ 206.155): 1,000 ∓ 264.199.
    low, high = band(np.array([100.0, 1000.0]), np.array([0.0, 2500.0]), 0.04)
    assert low[0] == pytest.approx(74.369, abs=1e-3) and high[0] == pytest.approx(125.631, abs=1e-3)
    assert low[1] == pytest.approx(735.801, abs=1e-3)
    assert high[1] == pytest.approx(1264.199, abs=1e-3)


def test_error_as_of_reads_only_what_the_forecast_knew():
    """A forecast made as of day 100 reads the forecasts made on the 8 Mondays before (known
    on days 44 .. 99), over their weeks that had passed by day 100:
    known 93, week 1 (days 94-100): passed, counts (forecast 100, actual 110: 0.01);
    known 93, week 2 (101-107): not passed; known 100 (the same day): not before it;
    known 44, week 8 (93-100): counts (forecast 100, actual 70: 0.09);
    known 37 (9 Mondays before), week 1: too old.
    Error (0.01 + 0.09) / 2 = 0.05; the claims' variance is 0 here."""
    past = pd.DataFrame({
        "known": [93, 93, 100, 44, 37], "week": [1, 2, 1, 8, 1],
        "forecast": [100.0, 100.0, 100.0, 100.0, 100.0],
        "variance": [0.0] * 5, "actual": [110.0, 300.0, 300.0, 70.0, 300.0]})
    assert error_as_of(past, 100) == pytest.approx(0.05)
    # as of day 93: only what was known on 37 .. 92 and passed by 93: known 44's week 7
    # is not in the table, 37's week 1 ended on day 44 -> (300 - 100)² / 100² = 4
    assert error_as_of(past, 93) == pytest.approx(4.0)
    assert error_as_of(past.iloc[:0], 100) == 0.0


# -- the forecast on the small practice ------------------------------------------------------
def test_forecast_by_payer_curves(history):
    """Each payer its own curve (min 1 adjudicated claim; no code curve):
    Quick Pay: H1-H4 adjudicated 14 days after submission, O1 censored at 10 -> day 14 has
    survival 0: O1, waiting 10 days, is adjudicated on day 14 = 4 days after 06-30 (week 1).
    q = 4/4, s = 240 / 400 = 0.6: expected 200 × 0.6 = 120, variance 0 (p = 1).
    Slow Pay: test_lag_curve_by_hand's curve (H5-H8 and O2): O2 adjudicated on day 21 = 11
    days on (week 2) surely, pays with q = 0.75 an amount 100 × 0.8 = 80: expected 60, variance
    80² × 0.75 × 0.25 = 1200, band 60 ∓ 44.394.
    Nothing else: no claim left owing after adjudication (H8 written off), nothing unbilled, no
    service in the last 56 days, no patient money."""
    fc = cash_forecast_from(history, AS_OF, 4, Settings(min_code=100, min_payer=1))
    assert list(fc.week_start) == [dt.date(2025, 7, 1), dt.date(2025, 7, 8),
                                   dt.date(2025, 7, 15), dt.date(2025, 7, 22)]
    assert list(fc.expected.round(6)) == [120, 60, 0, 0]
    assert list(fc.open_claims.round(6)) == [120, 60, 0, 0]
    for part in ("denied_or_partial", "not_submitted", "new_services", "patient"):
        assert list(fc[part]) == [0, 0, 0, 0], part
    assert fc.p10[0] == pytest.approx(120) and fc.p90[0] == pytest.approx(120)
    assert fc.p10[1] == pytest.approx(15.606, abs=1e-3)
    assert fc.p90[1] == pytest.approx(104.394, abs=1e-3)


def test_forecast_falls_back_to_the_practice(history):
    """Default settings: neither payer has 20 adjudicated claims, so both use the practice's
    curve over all ten claims. Day 7: 10 at risk, 2 events -> S 0.8; day 10: O1 and O2 leave;
    day 14: 6 at risk, 4 events -> S = 0.8 × 2/6 = 0.26667; day 21: 2 at risk, 2 events -> 0.
    Waited 10 days (S 0.8): P(day 14) = (0.8 − 0.26667) / 0.8 = 2/3 (week 1), P(day 21) = 1/3
    (week 2). q = 7/8 (H8 paid 0); s = (4 × 60 + 3 × 80) / 700 = 0.685714.
    Amounts: O1 200 × 0.685714 = 137.1429, O2 68.5714; together 205.7143.
    Week 1: 205.7143 × 2/3 × 7/8 = 120; week 2: 205.7143 × 1/3 × 7/8 = 60.
    The paid shares vary: 0.6 four times, 0.8 three times: mean 0.685714, variance
    (4 × 0.085714² + 3 × 0.114286²) / 7 = 0.0097959, squared coefficient of variation
    0.0097959 / 0.685714² = 1/48.
    Variance Σ (A·s)² · π · (1 + 1/48 − π), Σ (A·s)² = 137.1429² + 68.5714² = 23510.20:
    week 1 (π = 7/12): 23510.20 × 7/12 × 21/48 = 6000 (σ 77.460, band ∓ 99.268);
    week 2 (π = 7/24): 23510.20 × 7/24 × 35/48 = 5000 (σ 70.711, band ∓ 90.620)."""
    fc = cash_forecast_from(history, AS_OF, 4)
    assert list(fc.expected.round(6)) == [120, 60, 0, 0]
    assert fc.p90[0] - fc.expected[0] == pytest.approx(Z * math.sqrt(6000), abs=1e-6)
    assert fc.p90[1] - fc.expected[1] == pytest.approx(Z * math.sqrt(5000), abs=1e-6)


def test_a_forecast_before_the_claims_were_submitted_sees_them_as_not_submitted(history):
    """As of 06-10, O1 and O2 (service 04-10) are not submitted yet: they count in
    'not submitted', not as open claims, and nothing posted after 06-10 is read."""
    fc = cash_forecast_from(history, dt.date(2025, 6, 10), 4, Settings(min_code=100,
                                                                        min_payer=1))
    assert fc.open_claims.sum() == 0
    assert fc.not_submitted.sum() > 0


# -- the backtest's arithmetic -------------------------------------------------------------
def test_mape_of_known_series():
    # |110 − 100| / 100 = 0.10, |90 − 100| / 100 = 0.10, |150 − 120| / 120 = 0.25: mean 0.15;
    # a week with nothing collected has no percentage error and is left out.
    assert mape(np.array([110, 90, 150, 40]), np.array([100, 100, 120, 0])) == \
        pytest.approx(0.15)
    assert mape(np.array([1.0]), np.array([0.0])) is None


def test_share_inside_the_band():
    # 100 in [90, 110]; 130 above 120; 80 in [80, 95] (edges count): 2 of 3.
    assert inside_share(np.array([90, 100, 80]), np.array([110, 120, 95]),
                        np.array([100, 130, 80])) == pytest.approx(2 / 3)


def test_naive_forecast_is_the_last_eight_weeks_average():
    # 10 weeks: 1000 ×2 then 100 .. 800; the last 8 average (100 + ... + 800) / 8 = 450.
    history = np.array([1000, 1000, 100, 200, 300, 400, 500, 600, 700, 800])
    assert list(naive_forecast(history, 3)) == [450, 450, 450]
    assert list(naive_forecast(np.array([300, 500]), 2)) == [400, 400]  # fewer weeks
    assert list(naive_forecast(np.array([]), 2)) == [0, 0]


def test_weekly_collections_by_hand(history):
    # Payer money: 160 on 04-09 (week of 04-07), 240 on 04-16 (04-14), 80 on 04-23 (04-21).
    # Three weeks ending Sunday 04-27.
    assert list(weekly_collections(history, day(dt.date(2025, 4, 27)), 3)) == [160, 240, 80]


def test_origins_are_the_last_mondays_whose_week_has_passed():
    # Thursday 2026-12-03: the week of Monday 11-30 is not over, so the last is 11-23.
    got = origins(dt.date(2026, 12, 3), 3)
    assert got == [dt.date(2026, 11, 9), dt.date(2026, 11, 16), dt.date(2026, 11, 23)]
    assert origins(dt.date(2026, 11, 29), 1) == [dt.date(2026, 11, 23)]  # a Sunday


def test_backtest_summary_by_hand():
    """Two Mondays, three forecast weeks; the third brought nothing. A week with nothing has
    no percentage error, so both trust figures read the two weeks with money: forecast MAPE
    (0.10 + 0.05) / 2 = 0.075, naive (0.20 + 0) / 2 = 0.10, inside the band 1 of 2 (100 in
    [100, 120]; 100 above [90, 99]). The empty week, trivially inside [0, 60], is not
    counted (it was: 2 of 3)."""
    rows = pd.DataFrame({"made_on": [dt.date(2026, 11, 2), dt.date(2026, 11, 2),
                                     dt.date(2026, 11, 9)],
                         "forecast": [110.0, 95.0, 30.0], "p10": [100.0, 90.0, 0.0],
                         "p90": [120.0, 99.0, 60.0], "naive": [80.0, 100.0, 50.0],
                         "actual": [100.0, 100.0, 0.0]})
    s = backtest_summary(rows)
    assert s["forecast_mape"] == pytest.approx(0.075)
    assert s["naive_mape"] == pytest.approx(0.10)
    assert s["inside_band"] == 0.5 and s["beats_naive"] is True
    assert (s["weeks"], s["weeks_with_money"], s["mondays"]) == (3, 2, 2)


def test_backtest_summary_with_no_money_arriving_judges_nothing():
    """Weeks forecast, none with money arriving (an empty store): no MAPE, and no share
    inside the band either (it read 1.0: $0 is inside a band of [$0, $0])."""
    rows = pd.DataFrame({"made_on": [dt.date(2026, 11, 2)] * 2, "forecast": [0.0, 0.0],
                         "p10": [0.0, 0.0], "p90": [0.0, 0.0], "naive": [0.0, 0.0],
                         "actual": [0.0, 0.0]})
    s = backtest_summary(rows)
    assert (s["forecast_mape"], s["naive_mape"], s["inside_band"], s["beats_naive"]) == \
        (None, None, None, None)
    assert (s["weeks"], s["weeks_with_money"], s["mondays"]) == (2, 0, 1)


def test_cli_on_an_empty_store_reports_no_band_coverage(tmp_path):
    path = tmp_path / "empty.duckdb"
    with Database(path).connect():
        pass
    result = CliRunner().invoke(main, ["forecast", "--db", str(path), "--weeks", "4",
                                       "--as-of", "2026-12-07"])
    assert result.exit_code == 0, result.output
    backtest = json.loads(result.stdout)["backtest"]
    assert backtest["inside_band"] is None and backtest["weeks_with_money"] == 0
    assert backtest["weeks"] > 0
    # weeks of $0 are not a forecast: said on standard error (try55 section 10)
    assert " ".join(result.stderr.split()) == (
        "Nothing is on file yet (no session or claim), so every week of this forecast is $0.")


# -- metdash forecast ----------------------------------------------------------------------
def test_cli_json(store):
    result = CliRunner().invoke(main, ["forecast", "--db", str(store), "--weeks", "4",
                                       "--as-of", practice.AS_OF])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["as_of"] == "2025-06-30"
    # money as numbers, to the cent (as in `metdash figures`); they were strings ("120.00")
    assert [w["expected"] for w in report["weeks"]] == [120.0, 60.0, 0.0, 0.0]
    assert all(isinstance(w[k], float) for w in report["weeks"]
               for k in ("expected", "p10", "p90", "open_claims", "patient"))
    assert report["weeks"][0]["week_start"] == "2025-07-01"
    # no patient money on file (services 81 days back at most): said in words
    assert report["patient_note"].endswith(
        "Patient payments are left out of the expected total: no client owes a balance with "
        "no payment on it yet.")
    assert set(report["backtest"]) == {"forecast_mape", "naive_mape", "inside_band", "weeks",
                                       "weeks_with_money", "mondays", "beats_naive",
                                       "band_error"}


def test_cli_csv(store):
    result = CliRunner().invoke(main, ["forecast", "--db", str(store), "--weeks", "4",
                                       "--as-of", practice.AS_OF, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["week"] for r in rows] == ["1", "2", "3", "4"]
    # no patient money on file: the CSV holds the weeks alone, the why is on standard error
    assert result.stderr.startswith("Patient payments: the forecast by month of service")
    assert "left out of the expected total" in result.stderr
    assert (rows[0]["expected"], rows[0]["open_claims"], rows[1]["expected"]) == \
        ("120.00", "120.00", "60.00")
    assert list(rows[0])[:6] == ["week", "week_start", "week_end", "expected", "p10", "p90"]


def test_cli_refuses_weeks_out_of_range(store):
    result = CliRunner().invoke(main, ["forecast", "--db", str(store), "--weeks", "13"])
    assert result.exit_code != 0
    assert "13" in result.output and "4<=x<=12" in result.output


def test_claims_not_submitted_yet_by_hand(history):
    """As of 06-10, O1 and O2 (service 04-10, 61 days back) are not submitted. The practice's
    lag from service to submission (claims submitted by 06-10: H1-H8, all 1 day) has nothing
    as long as 61 days, so each is submitted within the coming week, 1/7 on each day.
    Quick Pay (H1-H4: all adjudicated 14 days after submission, paid 60 of 100): O1 is
    adjudicated on day 15-21 (week 3) for sure: 200 × 0.6 = 120, variance 0.
    Slow Pay (H5-H8: half at 7 days, half at 21; q 0.75, s 0.8): O2 on days 8-14 (week 2)
    with 0.5, days 22-28 (week 4) with 0.5: 100 × 0.8 × 0.75 × 0.5 = 30 in each, variance
    80² × 0.375 × 0.625 = 1500 in each."""
    fc = cash_forecast_from(history, dt.date(2025, 6, 10), 4,
                            Settings(min_code=100, min_payer=1))
    assert list(fc.not_submitted.round(6)) == [0, 30, 120, 30]
    assert list(fc.expected.round(6)) == [0, 30, 120, 30]
    assert fc.p90[1] - fc.expected[1] == pytest.approx(Z * math.sqrt(1500), abs=1e-6)
    assert fc.p90[2] == pytest.approx(120)


def test_patient_money_by_hand():
    """Patient money per dollar charged, by days since service, per month of service.
    As of 2025-06-15 (d). P1: June 2024 service (d − 370), charge 100, the client paid 10 at
    the visit and 10 thirty days later: June's curve = 0.10 on day 0 and 0.10 on day 30.
    P2: service 2025-06-10 (d − 5), charge 100, 10 paid at the visit.
    Level: the last 56 days' patient money (10) ÷ what the curve gives for them (P2: 100 ×
    0.10 = 10) = 1. Coming services: P2's 100 over the last 56 days = 100/56 a day, every day.
    Week 1 (June 16-22) and week 2 (June 23-29): 7 days × 100/56 × 0.10 = 1.25 each.
    Week 3 (June 30 - July 6): only June 30 is a June service (July has no curve: no July
    services a year back): 100/56 × 0.10 = 0.178571. Week 4 (July 7-13): P2's day-30 payment
    (June 10 + 30 = July 10): 100 × 0.10 = 10; June services' day-30 money comes after.
    Variance: expected × (Σ x² ÷ Σ x of the year's payments: 10 and 10 -> 10)."""
    from metdash.forecast.history import NEVER, History

    d = day(dt.date(2025, 6, 15))
    empty_f, empty_i = np.array([], float), np.array([], np.int64)
    claims = {"claim_id": np.array(["P1", "P2"]), "payer_id": np.array([1, 1]),
              "cpt": np.array(["97110", "97110"]), "charge": np.array([100.0, 100.0]),
              "service": np.array([d - 370, d - 5]), "submitted": np.array([NEVER, NEVER]),
              "voided": np.array([NEVER, NEVER]), "first_adj": np.array([NEVER, NEVER]),
              "first_paid": np.array([0.0, 0.0])}
    events = {"claim_id": np.array([], str), "day": empty_i, "insurance": empty_f,
              "payer_paid": empty_f, "voided": np.array([], bool)}
    cash = np.array([10.0, 10.0, 10.0])
    patient = {"day": np.array([d - 370, d - 340, d - 5]),
               "service": np.array([d - 370, d - 370, d - 5]), "amount": cash,
               "squares": cash ** 2, "positive": cash}
    unbilled = {"session_id": empty_i, "service": empty_i, "payer_id": empty_i,
                "charge": empty_f}
    h = History(claims, events, patient, unbilled, {1: "Payer"})
    fc = cash_forecast_from(h, dt.date(2025, 6, 15), 4)
    assert list(fc.patient.round(6)) == [1.25, 1.25, 0.178571, 10.0]
    assert list(fc.expected.round(6)) == [1.25, 1.25, 0.178571, 10.0]
    assert fc.p90[3] - fc.expected[3] == pytest.approx(Z * math.sqrt(100), abs=1e-6)


def _history(claims: dict, patient: dict | None = None, events: dict | None = None):
    """A History built from arrays (no store): claims as given; ledger rows as given, else
    each claim's charge on its submission day and, when adjudicated, its payment closing it
    that day; no sessions."""
    from metdash.forecast.history import NEVER, History

    n = len(claims["claim_id"])
    full = {"payer_id": np.ones(n, np.int64), "cpt": np.array(["97110"] * n),
            "voided": np.full(n, NEVER), **claims}
    events_in = events
    submitted = full["submitted"]
    paid_rows = full["first_adj"] < NEVER
    # the charge on submission, then the payment and its CO-45 on the adjudication day
    built = {"claim_id": np.concatenate([full["claim_id"], full["claim_id"][paid_rows]]),
             "day": np.concatenate([submitted, full["first_adj"][paid_rows]]),
             "insurance": np.concatenate([full["charge"], -full["charge"][paid_rows]]),
             "payer_paid": np.concatenate([np.zeros(n), full["first_paid"][paid_rows]]),
             "voided": np.zeros(n + int(paid_rows.sum()), bool)}
    events = built if events_in is None else events_in
    order = np.lexsort((events["day"], events["claim_id"]))
    events = {k: np.asarray(v)[order] for k, v in events.items()}
    empty_f, empty_i = np.array([], float), np.array([], np.int64)
    patient = patient or {"day": empty_i, "service": empty_i, "amount": empty_f,
                          "squares": empty_f, "positive": empty_f}
    unbilled = {"session_id": empty_i, "service": empty_i, "payer_id": empty_i,
                "charge": empty_f}
    return History(full, events, patient, unbilled, {1: "Payer"})


def test_timing_by_weekday_of_submission():
    """The payer adjudicates claims sent on a Monday 14 days later, claims sent on a
    Thursday 4 days later (its weekly runs), paying 50 of 100 (q 1, s 0.5).
    As of Sunday 2025-06-29: O-MON (sent Monday 06-23, 6 days waited) is adjudicated on day
    14 = 8 days on (week 2); O-THU (sent Thursday 06-26, 3 days waited) on day 4 = tomorrow
    (week 1). Expected: 50 in week 1, 50 in week 2, for sure (variance 0).
    One curve for every weekday would say otherwise: for O-THU, day 4 has 5 claims at risk
    and 2 events (0.4), so 20 in week 1 and 30 + 50 in week 2."""
    from metdash.forecast.history import NEVER

    sent = [dt.date(2025, 5, 5), dt.date(2025, 5, 12), dt.date(2025, 5, 8), dt.date(2025, 5, 15),
            dt.date(2025, 6, 23), dt.date(2025, 6, 26)]
    assert [x.weekday() for x in sent] == [0, 0, 3, 3, 0, 3]  # Mondays and Thursdays
    lag = [14, 14, 4, 4, None, None]
    claims = {"claim_id": np.array(["A1", "A2", "B1", "B2", "O-MON", "O-THU"]),
              "charge": np.full(6, 100.0), "service": np.full(6, day(dt.date(2025, 3, 3))),
              "submitted": np.array([day(x) for x in sent]),
              "first_adj": np.array([day(x) + k if k else NEVER
                                     for x, k in zip(sent, lag, strict=True)]),
              "first_paid": np.array([50.0, 50, 50, 50, 0, 0])}
    h = _history(claims)
    fc = cash_forecast_from(h, dt.date(2025, 6, 29), 4, Settings(min_code=100, min_payer=1))
    assert list(fc.open_claims.round(6)) == [50, 50, 0, 0]
    assert fc.p90[0] == pytest.approx(50) and fc.p90[1] == pytest.approx(50)


def test_the_season_of_what_a_payer_pays():
    """20 claims served in January paid 30 of 100 each, 20 served in April 60 of 100
    (deductibles are met by April). Per dollar: January 600 / 2000 = 0.30, April
    1200 / 2000 = 0.60, all months 1800 / 4000 = 0.45: January's factor 0.30 / 0.45 = 2/3,
    April's 0.60 / 0.45 = 4/3. The payer's s (all paid): 1800 / 4000 = 0.45.
    Two open claims of 100, sent on a Thursday 3 days before (no Thursday history: the
    payer's curve, every claim 7 days: day 4, week 1 for sure), one served in January, one in
    April: 100 × 0.45 × 2/3 = 30 and 100 × 0.45 × 4/3 = 60, what each month paid: 90.
    The paid shares (0.3 and 0.6, 20 each) vary: mean 0.45, variance 0.0225, squared CV 1/9;
    variance (30² + 60²) × 1 × (1 + 1/9 − 1) = 500."""
    from metdash.forecast.history import NEVER

    jan, apr = day(dt.date(2025, 1, 10)), day(dt.date(2025, 4, 10))
    service = np.array([jan] * 20 + [apr] * 20 + [jan, apr])
    sent = np.concatenate([service[:40] + 1, [day(dt.date(2025, 6, 26))] * 2])
    claims = {"claim_id": np.array([f"H{i:02d}" for i in range(40)] + ["O1", "O2"]),
              "charge": np.full(42, 100.0), "service": service, "submitted": sent,
              "first_adj": np.concatenate([sent[:40] + 7, [NEVER, NEVER]]),
              "first_paid": np.array([30.0] * 20 + [60.0] * 20 + [0, 0])}
    h = _history(claims)
    fc = cash_forecast_from(h, dt.date(2025, 6, 29), 4, Settings(min_code=100, min_payer=1))
    assert list(fc.open_claims.round(6)) == [90, 0, 0, 0]
    assert fc.p90[0] - fc.expected[0] == pytest.approx(Z * math.sqrt(500), abs=1e-6)


def test_the_season_by_half_month():
    """Deductibles bite in the first weeks of January, not all month: 20 claims served on
    Jan 5 paid 20 of 100 each, 20 served on Jan 25 paid 40, 20 served on Apr 10 paid 60.
    Per dollar: all 2400 / 6000 = 0.40; Jan 1-15 0.20 (factor 0.5), Jan 16-31 0.40 (1.0),
    the month of January 1200 / 4000 = 0.30 (0.75). The payer's s: 0.40.
    One open claim of 100 served on Jan 6 (sent Thursday 06-26, 3 days before; every claim
    took 7 days: week 1 for sure): with 20 claims enough for a half-month of its own,
    100 × 0.40 × 0.5 = 20, what early January paid; with 21 needed, January's factor:
    100 × 0.40 × 0.75 = 30.
    The paid shares 0.2, 0.4, 0.6 (20 each): mean 0.4, variance 0.08 / 3, squared CV 1/6:
    variance 20² × (1 + 1/6 − 1) = 66.67 (30² / 6 = 150 with the month's factor)."""
    from metdash.forecast.history import NEVER

    days = [day(dt.date(2025, 1, 5)), day(dt.date(2025, 1, 25)), day(dt.date(2025, 4, 10))]
    service = np.array([days[0]] * 20 + [days[1]] * 20 + [days[2]] * 20
                       + [day(dt.date(2025, 1, 6))])
    sent = np.concatenate([service[:60] + 1, [day(dt.date(2025, 6, 26))]])
    claims = {"claim_id": np.array([f"H{i:02d}" for i in range(60)] + ["O1"]),
              "charge": np.full(61, 100.0), "service": service, "submitted": sent,
              "first_adj": np.concatenate([sent[:60] + 7, [NEVER]]),
              "first_paid": np.array([20.0] * 20 + [40.0] * 20 + [60.0] * 20 + [0])}
    h = _history(claims)
    own = Settings(min_code=100, min_payer=1, min_half_season=20)
    fc = cash_forecast_from(h, dt.date(2025, 6, 29), 4, own)
    assert list(fc.open_claims.round(6)) == [20, 0, 0, 0]
    assert fc.p90[0] - fc.expected[0] == pytest.approx(Z * math.sqrt(400 / 6), abs=1e-6)
    month = Settings(min_code=100, min_payer=1, min_half_season=21)
    fc = cash_forecast_from(h, dt.date(2025, 6, 29), 4, month)
    assert list(fc.open_claims.round(6)) == [30, 0, 0, 0]
    assert fc.p90[0] - fc.expected[0] == pytest.approx(Z * math.sqrt(150), abs=1e-6)


def test_a_denied_claim_by_hand():
    """Claims left owing after their first adjudication (denied: paid 0, 100 owed), the
    clock running from that adjudication. D1 was paid 80 on appeal 30 days after its denial;
    D2 was written off 10 days after it (settled without another payment: never pays).
    As of 2025-06-29, DO was denied 5 days before (owes 100, censored at 5 days).
    The curve: day 30 has D1 and D2 at risk (DO left on day 5), 1 event: P(day 30) = 0.5.
    q = 1 (the one payment paid), s = 80 / 100. DO: P(day 30 | waited 5) = 0.5, 25 days on
    (week 4): 100 × 0.8 × 0.5 = 40, variance 80² × 0.5 × 0.5 = 1600."""
    from metdash.forecast.history import NEVER

    d = day(dt.date(2025, 6, 29))
    sub = np.array([d - 120, d - 110, d - 30])
    adj = np.array([d - 100, d - 90, d - 5])
    claims = {"claim_id": np.array(["D1", "D2", "DO"]), "charge": np.full(3, 100.0),
              "service": sub - 1, "submitted": sub, "first_adj": adj,
              "first_paid": np.zeros(3)}
    events = {"claim_id": np.array(["D1", "D1", "D2", "D2", "DO"]),
              "day": np.array([sub[0], adj[0] + 30, sub[1], adj[1] + 10, sub[2]]),
              "insurance": np.array([100.0, -100, 100, -100, 100]),
              "payer_paid": np.array([0.0, 80, 0, 0, 0]),
              "voided": np.zeros(5, bool)}
    assert NEVER > d
    h = _history(claims, events=events)
    fc = cash_forecast_from(h, dt.date(2025, 6, 29), 4, Settings(min_code=100, min_payer=1))
    assert list(fc.denied_or_partial.round(6)) == [0, 0, 0, 40]
    assert list(fc.expected.round(6)) == [0, 0, 0, 40]
    assert fc.p90[3] - fc.expected[3] == pytest.approx(Z * math.sqrt(1600), abs=1e-6)


def test_services_not_rendered_yet_by_hand():
    """One claim of 100 a day for the last 56 days (May 5 - June 29), each sent the day of
    its service and paid 50 that same day (the payer's curve: day 0; q 1, s 0.5; every month
    paid the same per dollar: season 1). Nothing is open. The coming days bring, at the last
    8 weeks' rate, 56 / 56 = 1 claim of 5600 / 56 = 100 a day, sent and paid the same day:
    50 a day, 350 a week, for sure (variance 0)."""
    d = day(dt.date(2025, 6, 29))
    service = d - np.arange(56)[::-1]
    claims = {"claim_id": np.array([f"C{i:02d}" for i in range(56)]),
              "charge": np.full(56, 100.0), "service": service, "submitted": service,
              "first_adj": service, "first_paid": np.full(56, 50.0)}
    fc = cash_forecast_from(_history(claims), dt.date(2025, 6, 29), 4,
                            Settings(min_code=100, min_payer=1))
    assert list(fc.new_services.round(6)) == [350, 350, 350, 350]
    assert list(fc.expected.round(6)) == [350, 350, 350, 350]
    assert list(fc.p90.round(6)) == [350, 350, 350, 350]


def test_cli_as_of_before_anything_on_file_says_so(store):
    # try55 section 10: `forecast --as-of 2020-01-01` (a typo in the year) printed weeks of
    # $0, confidently. This practice's first service is 2025-04-01 (H1-H8): as of the day
    # before, nothing is submitted, owed or unbilled, so every week is $0 -- and it is said.
    result = CliRunner().invoke(main, ["forecast", "--db", str(store), "--weeks", "4",
                                       "--as-of", "2025-03-31"])
    assert result.exit_code == 0, result.output
    assert [w["expected"] for w in json.loads(result.stdout)["weeks"]] == [0.0] * 4
    assert " ".join(result.stderr.split()) == (
        "Nothing on file is dated on or before 2025-03-31 (the first service is on "
        "2025-04-01), so every week of this forecast is $0. Give an --as-of on or after "
        "2025-04-01, or leave it out for today.")
    # From the first service on, nothing is said.
    result = CliRunner().invoke(main, ["forecast", "--db", str(store), "--weeks", "4",
                                       "--as-of", "2025-04-01"])
    assert result.exit_code == 0 and "Nothing on file" not in result.stderr
