"""What the cash forecast reads from the store, once: every claim's dates and money, the
ledger's insurance and payer-payment rows by claim and day, the patient money by day, and the
sessions not billed yet. Dates are day numbers (days since 1970-01-01) so that a forecast
as of any past day (the backtest) is a filter on arrays, not another round of queries.

"As of day d" means: what was posted on or before d. A claim counts as submitted once its
submission date is on or before d, adjudicated once its first adjudication is, voided once
its void date is; its balance is the sum of its ledger's insurance column dated on or before
d (metdash/sql/ledger.sql, the same rows as insurance A/R, metdash/sql/ar_balances.sql).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from metdash.entry import UNBILLED_IDS
from metdash.store import Database

EPOCH = dt.date(1970, 1, 1)
NEVER = 10**6  # a day number that never comes (no such event)


def day(value: dt.date) -> int:
    """A date as a day number."""
    return (value - EPOCH).days


def date_of(number: int) -> dt.date:
    """A day number as a date."""
    return EPOCH + dt.timedelta(days=int(number))


def _days(column: str) -> str:
    return f"coalesce(datediff('day', DATE '1970-01-01', {column}), {NEVER})::BIGINT"


_CLAIMS = f"""
    WITH main_line AS (
        -- the claim's code: its line with the largest charge (the first such line)
        SELECT claim_id, first(cpt ORDER BY charge DESC, line_no) AS cpt
        FROM claim_lines GROUP BY claim_id)
    SELECT f.claim_id, f.payer_id, coalesce(m.cpt, '') AS cpt,
           f.total_charge::DOUBLE AS charge,
           {_days('f.first_service_date')} AS service,
           {_days('f.submitted_date')} AS submitted,
           {_days("CASE WHEN f.voided_date IS NOT NULL THEN greatest(f.voided_date, "
                  "DATE '1970-01-01') END")} AS voided,
           {_days('f.first_adjudication_date')} AS first_adj,
           coalesce(cp.paid, 0)::DOUBLE AS first_paid
    FROM claim_facts f
    LEFT JOIN main_line m USING (claim_id)
    LEFT JOIN claim_payments cp ON cp.claim_payment_id = f.first_claim_payment_id
    ORDER BY f.claim_id"""

# The ledger's rows by claim and day: the change in insurance A/R, and the payer's money.
_EVENTS = f"""
    SELECT claim_id, {_days('entry_date')} AS day, sum(insurance)::DOUBLE AS insurance,
           coalesce(sum(amount) FILTER (WHERE kind = 'payer_payment'), 0)::DOUBLE AS payer_paid,
           bool_or(voided) AS voided
    FROM ledger
    WHERE insurance <> 0 OR kind = 'payer_payment'
    GROUP BY claim_id, entry_date
    ORDER BY claim_id, entry_date"""

# Patient money as the Payments figure counts it (metdash/sql/money_posted.sql): payments,
# refunds negative, on claims not voided, and money that names no claim (service NEVER).
_PATIENT = f"""
    WITH cash AS (
        SELECT entry_date AS paid_date, first_service_date AS service_date,
               CASE kind WHEN 'refund' THEN -amount ELSE amount END AS amount
        FROM ledger WHERE kind IN ('patient_payment', 'refund') AND NOT voided
        UNION ALL
        SELECT payment_date, NULL, amount FROM patient_payments WHERE claim_id IS NULL
        UNION ALL
        SELECT refund_date, NULL, -amount FROM patient_refunds WHERE claim_id IS NULL)
    SELECT {_days('paid_date')} AS day, {_days('service_date')} AS service,
           sum(amount)::DOUBLE AS amount,
           sum(CASE WHEN amount > 0 THEN amount * amount ELSE 0 END)::DOUBLE AS squares,
           sum(CASE WHEN amount > 0 THEN amount ELSE 0 END)::DOUBLE AS positive
    FROM cash GROUP BY ALL ORDER BY 1, 2"""

# Sessions on no claim (metdash.entry's unbilled_ids), with the payer of the client's primary
# coverage on the day and a charge estimated from the practice's fee schedule: per code,
# units = minutes // 15, +1 when 8 or more minutes are left (untimed codes: 1).
_UNBILLED = f"""
    WITH {UNBILLED_IDS},
    u AS (SELECT s.* FROM sessions s SEMI JOIN unbilled_ids USING (session_id)),
    est AS (
        SELECT m.session_id,
               sum(fs.charge * CASE WHEN NOT coalesce(c.timed, TRUE) THEN 1
                                    ELSE m.minutes // 15
                                         + CASE WHEN m.minutes % 15 >= 8 THEN 1 ELSE 0 END
                                    END) AS charge
        FROM session_minutes m JOIN fee_schedule fs USING (cpt)
        LEFT JOIN cpt_codes c USING (cpt)
        WHERE m.session_id IN (SELECT session_id FROM u) AND m.minutes > 0
        GROUP BY m.session_id),
    cov AS (
        SELECT u.session_id, cv.payer_id
        FROM u JOIN coverages cv
          ON cv.client_id = u.client_id AND cv.priority = 'primary'
         AND cv.effective_date <= u.session_date
         AND (cv.end_date IS NULL OR cv.end_date >= u.session_date)
        QUALIFY row_number() OVER (PARTITION BY u.session_id ORDER BY cv.coverage_id) = 1)
    SELECT u.session_id, {_days('u.session_date')} AS service,
           coalesce(cov.payer_id, -1)::BIGINT AS payer_id,
           coalesce(est.charge, 0)::DOUBLE AS charge
    FROM u LEFT JOIN est USING (session_id) LEFT JOIN cov USING (session_id)
    ORDER BY u.session_id"""


@dataclass
class History:
    """The store's history as arrays (see the module's docstring), claims and events sorted by
    claim_id (events by day within a claim). ``claims``, ``events``,
    ``patient`` and ``unbilled`` are dicts of equal-length numpy arrays; the derived per-claim
    arrays are computed once here (none of them looks past the day it describes)."""

    claims: dict[str, np.ndarray]
    events: dict[str, np.ndarray]
    patient: dict[str, np.ndarray]
    unbilled: dict[str, np.ndarray]
    payer_names: dict[int, str]

    def __post_init__(self) -> None:
        c, e = self.claims, self.events
        # payer and code as one number (the curves' finest group)
        _, code = np.unique(c["cpt"], return_inverse=True)
        self.pair = c["payer_id"].astype(np.int64) * 100_000 + code
        # the claim row of every ledger event (both sorted by claim_id)
        self.event_claim = np.searchsorted(c["claim_id"], e["claim_id"])
        n = len(c["claim_id"])
        first_adj = c["first_adj"][self.event_claim]
        upto = e["day"] <= first_adj
        # insurance balance once the first adjudication posted (what was left to pay)
        self.balance_after_first = np.bincount(self.event_claim[upto],
                                               weights=e["insurance"][upto], minlength=n)
        # the first payer payment after the first adjudication: its day and amount
        later = (e["day"] > first_adj) & (e["payer_paid"] > 0)
        self.next_paid_day = np.full(n, NEVER, dtype=np.int64)
        self.next_paid = np.zeros(n)
        idx = np.flatnonzero(later)
        if len(idx):
            rows = self.event_claim[idx]
            _, first = np.unique(rows, return_index=True)  # events are in day order per claim
            self.next_paid_day[rows[first]] = e["day"][idx[first]]
            self.next_paid[rows[first]] = e["payer_paid"][idx[first]]

    def balances(self, as_of: int) -> np.ndarray:
        """Every claim's insurance balance as of day ``as_of``."""
        upto = self.events["day"] <= as_of
        return np.bincount(self.event_claim[upto], weights=self.events["insurance"][upto],
                           minlength=len(self.claims["claim_id"]))

    def last_day(self) -> int:
        """The last day anything was posted or rendered (0 for an empty store)."""
        days = [a.max() for a in (self.events["day"], self.patient["day"],
                                  self.claims["service"]) if len(a)]
        return int(max(days)) if days else 0


def _fetch(con: Any, sql: str) -> dict[str, np.ndarray]:
    data = con.execute(sql).fetchnumpy()
    return {k: np.asarray(v) for k, v in data.items()}


def load_history(db: Database) -> History:
    """Read the forecast's history from the store (four queries)."""
    with db.connect() as con:
        cur = con.cursor()
        try:
            claims = _fetch(cur, _CLAIMS)
            events = _fetch(cur, _EVENTS)
            patient = _fetch(cur, _PATIENT)
            unbilled = _fetch(cur, _UNBILLED)
            names = dict(cur.execute("SELECT payer_id, name FROM payers").fetchall())
        finally:
            cur.close()
    claims["claim_id"] = claims["claim_id"].astype(str)
    events["claim_id"] = events["claim_id"].astype(str)
    claims["cpt"] = claims["cpt"].astype(str)
    return History(claims, events, patient, unbilled, names)
