"""Part 5 of the cash forecast when the practice is too young for its curves by month of
service (cash.py: they need services 120 to 485 days back whose patient money is known): the
open patient A/R, claim by claim, at the practice's own observed patient collection rate and
delay -- the same Kaplan-Meier model as parts 1 and 2 (metdash.forecast.model).

A claim's patient balance is an item from the day money was first moved to the client (cost
share, a transfer: the ledger's patient column turned positive); its event is the client's
first payment on it. The curve: the days from billing the client to that payment, over the
balances billed in the last ``history_days``; a balance still owed is censored on the as-of
day, one settled without a payment (written off) never pays. q: share of payments above 0;
s: paid ÷ owed then. An open balance (owed, no payment yet) pays balance × s with probability
q × P(payment in the week | none after the days it has waited). A balance partly paid and
still owed is left out (its next payment is not modelled), as is money naming no claim.

:func:`patient_basis` says in words what part 5 rests on, for the page and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metdash.forecast.history import History
from metdash.forecast.model import (
    MAX_LAG,
    LagCurve,
    bernoulli_week,
    fit_curve,
    waiting_probs,
    weekly,
)

NEVER_PAID = -1


@dataclass(frozen=True)
class Balances:
    """Every claim's patient balance as of a day, and what the curve is taught."""

    owed: np.ndarray        # balance as of the day, per claim
    age: np.ndarray         # days since first billed to the client (open balances)
    open_: np.ndarray       # claims owing, no payment yet (the items forecast)
    curve: LagCurve
    taught: int             # balances the curve learned from
    paid_count: int         # of them, paid
    paid_sum: float         # what those payments brought
    owed_sum: float         # what those balances owed
    longest: int            # the longest wait seen to a payment (days), -1 without one


def balances(h: History, d: int, history_days: int) -> Balances:
    """The patient balances as of day ``d`` and their curve (module docstring)."""
    a, n = h.patient_ar, len(h.claims["claim_id"])
    seen = a["day"] <= d
    claim = np.searchsorted(h.claims["claim_id"], a["claim_id"][seen])
    day, change, paid = a["day"][seen], a["patient"][seen], a["paid"][seen]
    owed = np.bincount(claim, weights=change, minlength=n)
    big = np.iinfo(np.int64).max
    start = np.full(n, big, dtype=np.int64)
    np.minimum.at(start, claim[change > 0], day[change > 0])
    billed = start < big
    after = (paid > 0) & (day >= start[claim])
    first_pay = np.full(n, big, dtype=np.int64)
    np.minimum.at(first_pay, claim[after], day[after])
    on_first = after & (day == first_pay[claim])
    amount = np.bincount(claim[on_first], weights=paid[on_first], minlength=n)
    # what was owed just before the first payment (else as of d): the rows before it
    before = day < np.where(first_pay < big, first_pay, d + 1)[claim]
    owed_then = np.bincount(claim[before], weights=change[before], minlength=n)
    observed = first_pay < big
    closed = ~observed & (owed <= 0.005)
    dur = np.where(observed, first_pay - start, np.where(closed, MAX_LAG, d - start))
    taught = billed & (start > d - history_days)
    curve = fit_curve(dur[taught], observed[taught], amount[taught], owed_then[taught])
    got = taught & observed
    longest = int((first_pay - start)[got].max()) if got.any() else -1
    open_ = billed & ~observed & (owed > 0.005)
    return Balances(owed, np.where(billed, d - start, 0), open_, curve, int(taught.sum()),
                    int(got.sum()), float(amount[got].sum()), float(owed_then[got].sum()),
                    longest)


def open_balances_part(h: History, d: int, weeks: int, history_days: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(expected, variance) per week of the open patient balances' payments (module
    docstring)."""
    b = balances(h, d, history_days)
    idx = np.flatnonzero(b.open_)
    if not len(idx) or not b.curve.events:
        return np.zeros(weeks), np.zeros(weeks)
    probs = weekly(waiting_probs(b.curve, b.age[idx], 7 * weeks), weeks) * b.curve.pays
    return bernoulli_week(b.owed[idx] * b.curve.share, probs, b.curve.spread)
