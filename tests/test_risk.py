"""Denial risk before sending (issue 18): features, smoothed rates, score, reasons and the
evaluation measures, each against numbers worked by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from metdash import risk, risk_eval
from metdash.risk_features import DAYS_BANDS, UNITS_BANDS, VISIT_BANDS, auth_state, band, features

# -- features ---------------------------------------------------------------------------


def test_bands():
    assert list(band([0, 1, 12, 13, 20, 21, 40], VISIT_BANDS)) == [
        "1-12", "1-12", "1-12", "13-20", "13-20", "21+", "21+"]
    assert list(band([1, 2, 3, 4, 9], UNITS_BANDS)) == ["1", "2", "3", "4+", "4+"]
    assert list(band([0, 30, 31, 60, 61, 90, 91, 400], DAYS_BANDS)) == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "91+", "91+"]


def _line(**kw):
    row = {"claim_id": "C1", "client_id": "MX1", "status": "paid", "payer_id": 1,
           "payer": "Lakeside Choice HMO", "line_no": 1, "cpt": "97530", "modifiers": "GP",
           "units": 2, "service_date": dt.date(2025, 3, 5), "diagnosis": "M17.11",
           "first_service_date": dt.date(2025, 3, 5), "submitted_date": dt.date(2025, 3, 7),
           "provider_id": 1, "provider": "Alder, Ada", "requires_prior_auth": False,
           "requires_referral": False, "referral_id": 1, "has_prior_auth": True,
           "authorized_visits": None, "expiry_date": None, "referral_visit": 1, "year_visit": 1,
           "first_adjudication_date": None, "denied": None}
    row.update(kw)
    return row


def test_authorization_state_in_order_of_precedence():
    lines = pd.DataFrame([
        # requires prior auth, none on the referral (even though it is also expired)
        _line(requires_prior_auth=True, has_prior_auth=False, expiry_date=dt.date(2025, 3, 1)),
        # requires a referral, none on the claim
        _line(requires_referral=True, referral_id=None, has_prior_auth=False),
        # served 2025-03-05 on a referral that expired 2025-03-01
        _line(requires_referral=True, expiry_date=dt.date(2025, 3, 1)),
        # 13th visit of 12 authorized
        _line(requires_prior_auth=True, authorized_visits=12, referral_visit=13),
        # 12th of 12: still in order
        _line(requires_prior_auth=True, authorized_visits=12, referral_visit=12),
        # nothing required, a referral on file / none
        _line(),
        _line(referral_id=None, has_prior_auth=False),
    ])
    assert list(auth_state(lines)) == ["no_auth", "no_referral", "expired", "over_visits", "ok",
                                       "ok", "not_required"]


def test_features_of_a_line():
    lines = pd.DataFrame([
        # sent 2025-06-10 for a 2025-03-05 service: 97 days
        _line(modifiers="GP:KX", units=5, year_visit=14, submitted_date=dt.date(2025, 6, 10)),
        # not sent yet: days to as_of (2025-03-20 - 2025-03-05 = 15)
        _line(modifiers="", units=1, year_visit=21, submitted_date=None, diagnosis="I69.351"),
    ])
    f = features(lines, dt.date(2025, 3, 20))
    assert f.to_dict("records") == [
        {"payer": "Lakeside Choice HMO", "cpt": "97530", "modifiers": "GP:KX", "units": "4+",
         "dx": "M17", "auth": "ok", "visits": "13-20", "days": "91+", "provider": "Alder, Ada"},
        {"payer": "Lakeside Choice HMO", "cpt": "97530", "modifiers": "", "units": "1",
         "dx": "I69", "auth": "ok", "visits": "21+", "days": "0-30", "provider": "Alder, Ada"},
    ]


def test_days_of_a_line_answered_without_a_sent_date_do_not_grow_with_as_of():
    """``days`` says how late the claim reached the payer. A line adjudicated with no sent
    date on file counts to the payer's received date on its first remittance (DTM*050), else
    to that first adjudication: the payer had it by then. A sent date after the first
    adjudication (sent again once answered) is not how late it first reached the payer:
    capped at the adjudication. Only a claim not sent counts to ``as_of``."""
    served = dt.date(2025, 3, 5)
    lines = pd.DataFrame([
        # received 2025-05-01, answered 2025-05-20: 57 days
        _line(submitted_date=None, received_date=dt.date(2025, 5, 1),
              first_adjudication_date=dt.date(2025, 5, 20), denied=True),
        # no received date, answered 2025-06-10: 97 days
        _line(submitted_date=None, received_date=None,
              first_adjudication_date=dt.date(2025, 6, 10), denied=False),
        # no received date, answered 2025-03-20: 15 days
        _line(submitted_date=None, first_adjudication_date=dt.date(2025, 3, 20), denied=False),
        # sent on 2025-07-01 after its answer on 2025-04-01: 27 days
        _line(submitted_date=dt.date(2025, 7, 1), first_adjudication_date=dt.date(2025, 4, 1),
              denied=False),
        # not sent, not answered: to as_of
        _line(submitted_date=None),
    ])
    assert (pd.to_datetime(lines.first_service_date) == pd.Timestamp(served)).all()
    for as_of in (dt.date(2025, 7, 1), dt.date(2026, 1, 1)):
        assert list(features(lines, as_of).days[:4]) == ["31-60", "91+", "0-30", "0-30"]
    assert features(lines, dt.date(2025, 3, 20)).days[4] == "0-30"
    assert features(lines, dt.date(2025, 7, 1)).days[4] == "91+"
    # Lines read without the adjudication columns (a claim being built) count to as_of.
    draft = lines.iloc[[4]].drop(columns=["first_adjudication_date", "received_date", "denied"])
    assert features(draft, dt.date(2025, 4, 20)).days[0] == "31-60"


# -- smoothed rates, score, reasons -----------------------------------------------------

# A tiny history of 40 lines:
#   Payer A, no prior auth: 10 lines, 6 denied.   Payer A, in order: 10 lines, 0 denied.
#   Payer B, in order:      20 lines, 2 denied.
# Practice rate p̄ = 8 / 40 = 0.2; prior m = 10 lines.
#   payer A:  (6 + 10 × 0.2) / (20 + 10) = 8 / 30 = 0.26667
#   payer B:  (2 + 10 × 0.2) / (20 + 10) = 4 / 30 = 0.13333
#   A, no auth (toward A's rate): (6 + 10 × 8/30) / (10 + 10) = 8.6667 / 20 = 0.43333
#   A, in order:                  (0 + 10 × 8/30) / (10 + 10) = 2.6667 / 20 = 0.13333
#   B, in order (toward B's):     (2 + 10 × 4/30) / (20 + 10) = 3.3333 / 30 = 0.11111
TWO = (("payer", ("payer",), None), ("payer_auth", ("payer", "auth"), "payer"))


def _history():
    rows = ([("A", "no_auth", 1)] * 6 + [("A", "no_auth", 0)] * 4 + [("A", "ok", 0)] * 10
            + [("B", "ok", 1)] * 2 + [("B", "ok", 0)] * 18)
    feats = pd.DataFrame([{"payer": p, "auth": a} for p, a, _ in rows])
    denied = np.array([d for _, _, d in rows], dtype=bool)
    claims = [f"C{i}" for i in range(len(rows))]
    return feats, denied, claims


def test_smoothed_rates_by_hand():
    feats, denied, claims = _history()
    model = risk.train(feats, denied, claims, groups=TWO, weights=[1.0, 1.0])
    assert model.base_rate == pytest.approx(0.2)
    new = pd.DataFrame([{"payer": "A", "auth": "no_auth"}, {"payer": "A", "auth": "ok"},
                        {"payer": "B", "auth": "ok"}, {"payer": "C", "auth": "ok"}])
    _, rate = model.evidence(new)
    assert rate[:, 0] == pytest.approx([8 / 30, 8 / 30, 4 / 30, 0.2])   # C never seen: p̄
    assert rate[:, 1] == pytest.approx([8.6667 / 20, 2.6667 / 20, 3.3333 / 30, 0.2], abs=1e-4)
    assert model.payer_rate(new) == pytest.approx([8 / 30, 8 / 30, 4 / 30, 0.2])


def test_score_by_hand():
    feats, denied, claims = _history()
    new = pd.DataFrame([{"payer": "A", "auth": "no_auth"}, {"payer": "C", "auth": "ok"}])
    # Weights 1 and 1 (naive Bayes): logit p = logit(0.2) + [logit(8/30) - logit(0.2)]
    #   + [logit(0.43333) - logit(8/30)] = logit(0.43333): the most specific rate.
    nb = risk.train(feats, denied, claims, groups=TWO, weights=[1.0, 1.0])
    assert nb.score(new) == pytest.approx([13 / 30, 0.2])
    # Weights 0.5 and 1:
    #   x_payer = ln(8/22) - ln(0.25) = ln(1.454545) = 0.374693
    #   x_auth  = ln(0.43333/0.56667) - ln(8/22) = ln(0.764706 / 0.363636) = 0.743337
    #   z = ln(0.25) + 0.5 × 0.374693 + 0.743337 = -1.386294 + 0.187347 + 0.743337 = -0.455611
    #   p = 1 / (1 + e^0.455611) = 1 / 2.577147 = 0.388027
    half = risk.train(feats, denied, claims, groups=TWO, weights=[0.5, 1.0])
    assert half.score(new)[0] == pytest.approx(0.388027, abs=1e-6)


def test_reasons_by_hand():
    feats, denied, claims = _history()
    model = risk.train(feats, denied, claims, groups=TWO, weights=[0.5, 1.0])
    model.months = 12
    new = pd.DataFrame([{"payer": "A", "auth": "no_auth"}, {"payer": "B", "auth": "ok"}])
    said = risk.reasons(model, new)
    # A, no auth: payer_auth adds 0.743 > payer's 0.5 × 0.375 = 0.187; "payer" says less
    # than "payer and auth" (a subset), so it is not repeated. The words use the raw counts.
    assert said[0] == ["A denied 60% of lines without a prior authorization in the last 12 "
                       "months (6 of 10)"]
    # B in order: both rates below their parents' (x < 0): nothing raises its risk.
    assert said[1] == []


def test_a_reason_needs_ten_lines():
    # Payer C: 3 lines, all denied. p̄ = 5/23 = 0.2174; C's rate (3 + 10 × 0.2174) / 13 =
    # 0.398: its risk is above the practice's, but "100% of 3 lines" is not said.
    feats = pd.DataFrame({"payer": ["A"] * 20 + ["C"] * 3})
    denied = np.array([1, 1] + [0] * 18 + [1, 1, 1], dtype=bool)
    model = risk.train(feats, denied, [f"C{i}" for i in range(23)],
                       groups=(("payer", ("payer",), None),), weights=[1.0])
    c = pd.DataFrame({"payer": ["C"]})
    assert model.score(c)[0] == pytest.approx((3 + 10 * 5 / 23) / 13)
    assert risk.reasons(model, c) == [[]]


def test_reason_words():
    assert risk.reason_text(("payer", "cpt", "auth"),
                            {"payer": "Lakeside Choice HMO", "cpt": "97530", "auth": "no_auth"},
                            37, 97, 6) == (
        "Lakeside Choice HMO denied 38% of 97530 lines without a prior authorization in the "
        "last 6 months (37 of 97)")
    assert risk.reason_text(("cpt", "dx"), {"cpt": "97112", "dx": "M17"}, 5, 10, None) == (
        "50% of 97112 lines for a diagnosis in M17 were denied (5 of 10)")
    assert risk.reason_text(("payer", "modifiers"), {"payer": "Medicare", "modifiers": ""},
                            9, 9, 12).startswith("Medicare denied 100% of lines billed without a "
                                                 "modifier")


def test_fitted_model_finds_the_cause_and_ignores_noise():
    # 2,000 lines: payer P denies 70% of the lines without a prior authorization and 5% of
    # the others; the provider is noise. The fitted weights are never negative, and the
    # provider's evidence is worth (almost) nothing.
    rng = np.random.default_rng(3)
    n = 2000
    auth = np.where(rng.random(n) < 0.2, "no_auth", "ok")
    provider = np.where(rng.random(n) < 0.5, "Alder", "Birch")
    denied = rng.random(n) < np.where(auth == "no_auth", 0.7, 0.05)
    feats = pd.DataFrame({"payer": "P", "auth": auth, "provider": provider})
    groups = (("payer", ("payer",), None), ("payer_auth", ("payer", "auth"), "payer"),
              ("provider", ("provider",), None))
    model = risk.train(feats, denied, [f"C{i // 2}" for i in range(n)], groups=groups)
    assert (model.weights >= 0).all()
    assert model.weights[1] > 0.5 and model.weights[2] < 0.3
    p = model.score(pd.DataFrame({"payer": ["P", "P"], "auth": ["no_auth", "ok"],
                                  "provider": ["Alder", "Alder"]}))
    assert p[0] == pytest.approx(denied[auth == "no_auth"].mean(), abs=0.08)
    assert p[1] == pytest.approx(denied[auth == "ok"].mean(), abs=0.03)


def test_fit_logistic_recovers_a_known_slope_and_nonnegative_drops_a_negative_one():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(20000, 2))
    y = (rng.random(20000) < 1 / (1 + np.exp(-(-1 + 2 * x[:, 0] - 1 * x[:, 1])))).astype(float)
    b, w = risk.fit_logistic(x, y, ridge=0.0)
    assert (b, *w) == pytest.approx((-1, 2, -1), abs=0.1)
    b, w = risk.fit_nonnegative(x, y, ridge=0.0)
    assert w[1] == 0 and w[0] > 1.5
    # Rows standing for several lines fit the same as the lines one by one.
    xs = np.array([[0.0], [1.0]])
    b1, w1 = risk.fit_logistic(xs, np.array([1.0, 3.0]), ridge=0.0, count=np.array([4, 4]))
    rows = np.array([[0.0]] * 4 + [[1.0]] * 4)
    b2, w2 = risk.fit_logistic(rows, np.array([1, 0, 0, 0, 1, 1, 1, 0.0]), ridge=0.0)
    assert (b1, w1[0]) == pytest.approx((b2, w2[0]), abs=1e-6)
    # 1 of 4 then 3 of 4: intercept logit(0.25) = -1.0986, slope logit(0.75) - logit(0.25)
    assert (b1, w1[0]) == pytest.approx((math.log(1 / 3), 2 * math.log(3)), abs=1e-5)


# -- evaluation measures ----------------------------------------------------------------


def test_auc_by_hand():
    # Pairs (denied, paid): (0.9 > 0.8) (0.9 > 0.1) (0.4 < 0.8) (0.4 > 0.1): 3 of 4.
    assert risk_eval.auc(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.4, 0.1])) == 0.75
    assert risk_eval.auc(np.array([1, 0]), np.array([0.5, 0.5])) == 0.5      # a tie: half
    assert risk_eval.auc(np.array([1, 1, 0]), np.array([0.3, 0.2, 0.1])) == 1.0
    # (0.7 vs 0.7: half) (0.7 > 0.2) (0.1 < 0.7) (0.1 < 0.2): 1.5 of 4
    assert risk_eval.auc(np.array([1, 0, 1, 0]), np.array([0.7, 0.7, 0.1, 0.2])) == 0.375
    assert math.isnan(risk_eval.auc(np.array([1, 1]), np.array([0.1, 0.2])))


def test_precision_at_the_riskiest_share_by_hand():
    y = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
    assert risk_eval.precision_at(y, s, 0.10) == 1.0      # 1 place: the 0.9 line, denied
    assert risk_eval.precision_at(y, s, 0.20) == 0.5      # 0.9 (denied), 0.8 (paid)
    assert risk_eval.precision_at(y, s, 0.40) == 0.5      # 2 denied of 4
    # Ties at the cut fill the places left at their own rate: 5 lines, 40% = 2 places; the
    # 0.9 line (paid) takes one, the three tied at 0.5 (2 denied) fill the other at 2/3.
    y = np.array([0, 1, 1, 0, 0])
    s = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    assert risk_eval.precision_at(y, s, 0.40) == pytest.approx((0 + 2 / 3) / 2)
    # All tied: the practice's rate, whatever the order of the rows.
    assert risk_eval.precision_at(np.array([1, 0, 0, 0]), np.full(4, 0.3), 0.25) == 0.25


def test_calibration_by_hand():
    s = np.array([0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 0, 1, 1])
    table = risk_eval.calibration(y, s, bins=5)
    assert list(table.risk_decile) == [1, 2, 3, 4, 5]
    assert list(table.decile_lines) == [2, 2, 2, 2, 2]
    assert list(table.predicted_risk) == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    assert list(table.observed_denial_rate) == pytest.approx([0, 0.5, 0.5, 0.5, 1])


# -- the time split ---------------------------------------------------------------------


def _split_history():
    """600 lines of one payer, served every day of 2024-07 .. 2025-06 (none after T =
    2025-04-01 is in training). Lines adjudicated before T: 300, none denied with a prior
    authorization, all without one denied. Lines adjudicated on or after T (the test side,
    and some served before T): every one denied."""
    rows = []
    start = dt.date(2024, 7, 1)
    for i in range(600):
        served = start + dt.timedelta(days=i * 365 // 600)
        adjudicated = served + dt.timedelta(days=20)
        auth = "no_auth" if i % 5 == 0 else "ok"
        late = adjudicated >= dt.date(2025, 4, 1)
        rows.append(_line(claim_id=f"C{i:04d}", service_date=served, first_service_date=served,
                          submitted_date=served + dt.timedelta(days=2),
                          requires_prior_auth=True, has_prior_auth=auth == "ok",
                          first_adjudication_date=adjudicated,
                          denied=True if late else auth == "no_auth"))
    return pd.DataFrame(rows)


def test_time_split_learns_only_from_before_the_split():
    lines = _split_history()
    feats = features(lines, dt.date(2025, 6, 30))
    split = dt.date(2025, 4, 1)
    model = risk.train_lines(lines, feats, split, months=12, before=True)
    adj = pd.to_datetime(lines.first_adjudication_date)
    before = adj < pd.Timestamp(split)
    assert model.trained_lines == before.sum()
    # Every line it learned from was adjudicated before T: the denied ones are exactly the
    # lines without a prior authorization, none of the later (all denied) lines.
    assert model.denied["payer"].sum() == (before & (feats.auth == "no_auth")).sum()
    # Changing every answer on or after T changes nothing in the model.
    flipped = lines.assign(denied=np.where(before, lines.denied, False))
    again = risk.train_lines(flipped, feats, split, months=12, before=True)
    assert np.array_equal(again.weights, model.weights)
    assert all(np.array_equal(again.denied[g], model.denied[g]) for g in model.denied)
    ev = risk.time_split(lines, feats, split)
    served = pd.to_datetime(lines.first_service_date)
    assert ev.test_lines == (served >= pd.Timestamp(split)).sum()
    assert ev.train_lines == before.sum()
    assert ev.test_denial_rate == 1.0


def test_split_date_and_window():
    assert risk_eval.split_date(dt.date(2026, 11, 30)) == dt.date(2026, 5, 30)
    assert risk.window_start(dt.date(2026, 11, 30), 12) == dt.date(2025, 12, 1)
