"""Patient payments on a practice too young for the curves by month of service: the open
patient balances at the practice's observed collection rate and delay
(metdash.forecast.patient), and what the forecast says about it (words.patient_note).

As of day d. Five claims, served 70 days back (no service 120 days back: no curve by month of
service), each with a balance moved to the client (cost share):

claim  billed to client  owed  what happened
P1     d − 60            30    paid 30 on d − 50 (10 days after)
P2     d − 40            20    paid 10 on d − 20 (20 days after)
P3     d − 30            40    open (waited 30 days)
P4     d − 5             50    open (waited 5 days)
P5     d − 2             10    written off on d − 1 (never pays)

Kaplan-Meier of the days from billing the client to the first payment: day 10: P1, P2, P3, P5
at risk (P4 left on day 5), 1 paid: S = 3/4; day 20: P2, P3, P5 at risk, 1 paid: S = 1/2. So
P(day 10) = 1/4, P(day 20) = 1/4, nothing after. q = 2/2; s = (30 + 10) / (30 + 20) = 0.8;
paid shares 1.0 and 0.5: mean 0.75, variance 0.0625, squared CV 1/9.
P3 (waited 30) is past every payment seen: 0. P4 (waited 5, S(5) = 1): day 10 is 5 days on
(week 1), day 20 is 15 days on (week 3): 50 × 0.8 × 1/4 = $10 in each; variance
40² × 1/4 × (1 + 1/9 − 1/4) = 344.44 in each.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from metdash.forecast import cash_forecast_from
from metdash.forecast.history import NEVER, History, day
from metdash.forecast.patient import open_balances_part
from metdash.forecast.words import patient_note

AS_OF = dt.date(2026, 12, 7)
D = day(AS_OF)


def _history(ar: list[tuple[str, int, float, float]]) -> History:
    """Claims P1-P5 (not sent, served d − 70, $100) and the patient A/R rows ``ar``:
    (claim, day, change in patient A/R, patient payment)."""
    ids = np.array(["P1", "P2", "P3", "P4", "P5"])
    n = len(ids)
    claims = {"claim_id": ids, "payer_id": np.ones(n, np.int64), "cpt": np.array(["97110"] * n),
              "charge": np.full(n, 100.0), "service": np.full(n, D - 70),
              "submitted": np.full(n, NEVER), "voided": np.full(n, NEVER),
              "first_adj": np.full(n, NEVER), "first_paid": np.zeros(n)}
    empty_f, empty_i = np.array([], float), np.array([], np.int64)
    events = {"claim_id": np.array([], str), "day": empty_i, "insurance": empty_f,
              "payer_paid": empty_f, "voided": np.array([], bool)}
    paid = [x for x in ar if x[3] > 0]
    cash = np.array([x[3] for x in paid])
    patient = {"day": np.array([x[1] for x in paid], np.int64),
               "service": np.full(len(paid), D - 70), "amount": cash, "squares": cash ** 2,
               "positive": cash}
    unbilled = {"service": empty_i, "payer_id": empty_i, "charge": empty_f}
    ar = sorted(ar)
    patient_ar = {"claim_id": np.array([x[0] for x in ar]),
                  "day": np.array([x[1] for x in ar], np.int64),
                  "patient": np.array([x[2] for x in ar]), "paid": np.array([x[3] for x in ar])}
    return History(claims, events, patient, unbilled, {1: "Payer"}, patient_ar)


ROWS = [("P1", D - 60, 30.0, 0.0), ("P1", D - 50, -30.0, 30.0),
        ("P2", D - 40, 20.0, 0.0), ("P2", D - 20, -10.0, 10.0),
        ("P3", D - 30, 40.0, 0.0), ("P4", D - 5, 50.0, 0.0),
        ("P5", D - 2, 10.0, 0.0), ("P5", D - 1, -10.0, 0.0)]


def test_open_patient_balances_by_hand():
    h = _history(ROWS)
    expected, variance = open_balances_part(h, D, 4, 540)
    assert list(expected.round(6)) == [10, 0, 10, 0]
    assert variance[0] == pytest.approx(1600 * 0.25 * (1 + 1 / 9 - 0.25))
    assert variance[2] == pytest.approx(variance[0]) and variance[1] == 0
    fc = cash_forecast_from(h, AS_OF, 4)
    assert list(fc.patient.round(6)) == [10, 0, 10, 0]


def test_the_note_says_what_the_patient_payments_rest_on():
    note = patient_note(_history(ROWS), D, 20.0)
    assert note.startswith("Patient payments: the forecast by month of service needs a year "
                           "of history")
    assert "the first service on file is 70 days back" in note
    assert ("clients owe $90.00 on 2 claims with no payment yet, paid as clients have paid "
            "theirs: 2 of 5 balances billed to clients in the last 540 days paid ($40.00 of "
            "$50.00 owed), at most 20 days after being billed") in note


def test_balances_older_than_any_paid_are_left_out_and_the_note_says_so():
    # P1 paid 10 days after billing; P3 has waited 30 days: day 10's payment is behind it and
    # no later one was seen, so nothing is expected. The note says patient payments are left
    # out of the total, and why.
    h = _history([r for r in ROWS if r[0] in ("P1", "P3")])
    expected, _ = open_balances_part(h, D, 4, 540)
    assert expected.sum() == 0
    note = patient_note(h, D, 0.0)
    assert ("Patient payments are left out of the expected total: clients owe $40.00 on 1 "
            "claim with no payment yet, all of it waiting longer than any balance clients have "
            "paid (1 of 2 paid, at most 10 days after being billed).") in note
    assert "the first service on file is 70 days back" in note


def test_no_balance_paid_yet_nothing_to_learn_from():
    h = _history([("P3", D - 30, 40.0, 0.0)])
    assert open_balances_part(h, D, 4, 540)[0].sum() == 0
    assert patient_note(h, D, 0.0).endswith(
        "Patient payments are left out of the expected total: clients owe $40.00 on 1 claim "
        "with no payment yet, but no client has paid a balance billed to them yet (0 of 1 in "
        "the last 540 days): nothing to learn how much and how soon clients pay.")
