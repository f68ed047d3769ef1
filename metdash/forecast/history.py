"""What the cash forecast reads from the store, once: every claim's dates and money, the
ledger's insurance and payer-payment rows by claim and day, the patient money by day, and the
sessions not billed yet. Dates are day numbers (days since 1970-01-01) so that a forecast
as of any past day (the backtest) is a filter on arrays, not another round of queries.

"As of day d" means: what was posted on or before d. A claim counts as submitted once its
submission date is on or before d, adjudicated once its first adjudication is, voided once
its void date is; its balance is the sum of its ledger's insurance column dated on or before
d (metdash/sql/ledger.sql, the same rows as insurance A/R, metdash/sql/ar_balances.sql).

A forecast looks back a bounded time (the curves 540 days, the season 730, patient money
485), so :func:`load_history` can read a :class:`Window`: only the claims a forecast as of its
first day or later can use, and of the rest only what the backtest's collections sum.
:func:`metdash.forecast.outlook.history_window` decides it from the model and says why.
Claims and events then carry a claim key (the claim's rank in claim_id order, -1 for an
event of a claim not read) instead of the claim_id text: the arrays only pair events with
claims, and integers pair faster than strings.

:func:`history_state` is what the history is made of, in a few numbers: a count and a hash
of every column :func:`load_history` reads, table by table (results built from the history
are kept on disk under it, metdash.store.derived).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from metdash.coding import known_codes, remaining_units, untimed_codes
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


# The claims read: every claim, or (a Window) those a forecast as of $first or later can use.
_KEPT = """
    kept AS (
        SELECT * FROM claim_facts f
        WHERE $everything
           OR ((f.voided_date IS NULL OR f.voided_date > $first)
               AND (f.first_service_date > $served OR f.submitted_date IS NULL
                    OR f.submitted_date > $sent OR f.first_adjudication_date > $sent))),
    ranked AS (SELECT claim_id, (row_number() OVER (ORDER BY claim_id) - 1)::BIGINT AS claim
               FROM kept)"""

_CLAIMS = f"""
    WITH {_KEPT},
    main_line AS (
        -- the claim's code: its line with the largest charge (the first such line)
        SELECT claim_id, first(cpt ORDER BY charge DESC, line_no) AS cpt
        FROM claim_lines SEMI JOIN kept USING (claim_id) GROUP BY claim_id)
    SELECT r.claim AS claim_id, f.payer_id,
           (dense_rank() OVER (ORDER BY coalesce(m.cpt, '')))::BIGINT AS cpt_code,
           f.total_charge::DOUBLE AS charge,
           {_days('f.first_service_date')} AS service,
           {_days('f.submitted_date')} AS submitted,
           {_days("CASE WHEN f.voided_date IS NOT NULL THEN greatest(f.voided_date, "
                  "DATE '1970-01-01') END")} AS voided,
           {_days('f.first_adjudication_date')} AS first_adj,
           coalesce(cp.paid, 0)::DOUBLE AS first_paid
    FROM kept f
    JOIN ranked r USING (claim_id)
    LEFT JOIN main_line m USING (claim_id)
    LEFT JOIN claim_payments cp ON cp.claim_payment_id = f.first_claim_payment_id
    ORDER BY r.claim"""

# The ledger's rows by claim and day: the change in insurance A/R, and the payer's money;
# of a claim not read (claim -1), only the rows posted after $events_after (collections).
_EVENTS = f"""
    WITH {_KEPT}
    SELECT coalesce(r.claim, -1)::BIGINT AS claim_id, {_days('l.entry_date')} AS day,
           sum(l.insurance)::DOUBLE AS insurance,
           coalesce(sum(l.amount) FILTER (WHERE l.kind = 'payer_payment'), 0)::DOUBLE
               AS payer_paid,
           bool_or(l.voided) AS voided
    FROM ledger l LEFT JOIN ranked r USING (claim_id)
    WHERE (l.insurance <> 0 OR l.kind = 'payer_payment')
      AND (r.claim IS NOT NULL OR l.entry_date > $events_after)
    GROUP BY l.claim_id, l.entry_date, r.claim
    ORDER BY l.claim_id, l.entry_date"""

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
    FROM cash
    WHERE $everything OR paid_date > $patient_after OR service_date > $patient_served
    GROUP BY ALL ORDER BY 1, 2"""

# Patient A/R by claim and day (the ledger's patient column: cost share and balances moved to
# the client +, patient payments and write-offs of patient balances −), and the patient
# payments among it: when and how much clients pay what they are billed (cash.py, part 5,
# when the practice is too young for the curves by month of service).
_PATIENT_AR = f"""
    WITH {_KEPT}
    SELECT r.claim AS claim_id, {_days('l.entry_date')} AS day,
           sum(l.patient)::DOUBLE AS patient,
           coalesce(sum(l.amount) FILTER (WHERE l.kind = 'patient_payment'), 0)::DOUBLE AS paid
    FROM ledger l JOIN ranked r USING (claim_id)
    WHERE l.patient <> 0 AND NOT l.voided
    GROUP BY ALL
    ORDER BY 1, 2"""

# Sessions on no claim (metdash.entry's unbilled_ids): the minutes of every session of each
# client's day that has one (a day is billed as a whole: the 8-minute rule adds the day's
# minutes), with the payer and units rule of the client's primary coverage on the day, the
# practice's fee per code and the units the client's claims already bill for the day
# (:func:`unbilled_days` prices them as Bill sessions would).
_UNBILLED = f"""
    WITH {UNBILLED_IDS},
    days AS (SELECT DISTINCT s.client_id, s.session_date
             FROM sessions s SEMI JOIN unbilled_ids USING (session_id)),
    minutes AS (
        SELECT s.client_id, s.session_date, m.cpt, sum(m.minutes)::BIGINT AS minutes,
               min(s.session_id) AS first_session
        FROM sessions s SEMI JOIN days USING (client_id, session_date)
        JOIN session_minutes m USING (session_id)
        WHERE m.minutes > 0
        GROUP BY ALL),
    billed AS (
        SELECT c.client_id, l.service_date AS session_date, l.cpt, sum(l.units)::BIGINT AS units
        FROM claim_lines l JOIN claims c USING (claim_id)
        SEMI JOIN days d ON d.client_id = c.client_id AND d.session_date = l.service_date
        WHERE c.status <> 'voided'
        GROUP BY ALL),
    cov AS (
        SELECT d.client_id, d.session_date, cv.payer_id, p.units_rule
        FROM days d JOIN coverages cv
          ON cv.client_id = d.client_id AND cv.priority = 'primary'
         AND cv.effective_date <= d.session_date
         AND (cv.end_date IS NULL OR cv.end_date >= d.session_date)
        JOIN payers p USING (payer_id)
        -- two primary coverages on the day: the last one entered, as billing takes it
        -- (metdash.entry.sessions.active_coverage)
        QUALIFY row_number() OVER (PARTITION BY d.client_id, d.session_date
                                   ORDER BY cv.coverage_id DESC) = 1),
    codes AS (SELECT client_id, session_date, cpt FROM minutes
              UNION SELECT client_id, session_date, cpt FROM billed)
    SELECT k.client_id, {_days('k.session_date')} AS service,
           coalesce(cov.payer_id, -1)::BIGINT AS payer_id,
           coalesce(cov.units_rule, 'cms') AS units_rule, k.cpt,
           coalesce(m.minutes, 0)::BIGINT AS minutes, coalesce(b.units, 0)::BIGINT AS billed,
           coalesce(fs.charge, 0)::DOUBLE AS fee
    FROM codes k
    LEFT JOIN minutes m USING (client_id, session_date, cpt)
    LEFT JOIN billed b USING (client_id, session_date, cpt)
    LEFT JOIN cov USING (client_id, session_date)
    LEFT JOIN fee_schedule fs USING (cpt)
    -- codes in the order of the day's sessions (session id, then code: day_sessions' order)
    ORDER BY k.client_id, k.session_date, m.first_session NULLS LAST, k.cpt"""


def unbilled_days(rows: dict[str, np.ndarray], untimed: Collection[str]) -> dict[str, np.ndarray]:
    """What billing the sessions on no claim would charge, a client's day at a time (one row
    per day with something to bill, a claim of its own): service (day number), payer_id (-1
    with no coverage that day), charge (dollars). Units as Bill sessions gives them
    (metdash.entry.claims.build_claim_from_sessions): the payer's rule (the CMS 8-minute rule
    with no coverage, as metdash.entry.sessions.session_units) over every minute of the
    client's day, less the units the client's claims already bill for that date
    (:func:`metdash.coding.remaining_units`); each unit at the practice's fee for its code.
    ``rows``: :data:`_UNBILLED`'s columns, a client's day together, codes in the order of the
    day's sessions."""
    out: dict[str, list[Any]] = {"service": [], "payer_id": [], "charge": []}
    keys = list(zip(rows["client_id"].tolist(), rows["service"].tolist(), strict=True))
    start = 0
    for end in range(1, len(keys) + 1):
        if end < len(keys) and keys[end] == keys[start]:
            continue
        span = range(start, end)
        minutes = {str(rows["cpt"][i]): int(rows["minutes"][i]) for i in span
                   if rows["minutes"][i] > 0}
        billed = {str(rows["cpt"][i]): int(rows["billed"][i]) for i in span
                  if rows["billed"][i] > 0}
        fee = {str(rows["cpt"][i]): float(rows["fee"][i]) for i in span}
        units = remaining_units(minutes, billed, str(rows["units_rule"][start]),
                                untimed=untimed) if minutes else {}
        charge = sum(fee[code] * n for code, n in units.items())
        if charge > 0:
            out["service"].append(keys[start][1])
            out["payer_id"].append(int(rows["payer_id"][start]))
            out["charge"].append(charge)
        start = end
    return {"service": np.asarray(out["service"], dtype=np.int64),
            "payer_id": np.asarray(out["payer_id"], dtype=np.int64),
            "charge": np.asarray(out["charge"], dtype=float)}


@dataclass(frozen=True)
class Window:
    """The part of the history :func:`load_history` reads (dates; see
    :func:`metdash.forecast.outlook.history_window` for why these suffice):

    - claims not voided by ``first`` that were served after ``served``, or not submitted,
      or submitted or first adjudicated after ``sent`` -- with every ledger row of theirs;
    - of the other claims, the ledger rows posted after ``events_after`` (collections);
    - patient money posted after ``patient_after`` or for services after ``patient_served``;
    - every session on no claim."""

    first: dt.date
    served: dt.date
    sent: dt.date
    events_after: dt.date
    patient_after: dt.date
    patient_served: dt.date


@dataclass
class History:
    """The store's history as arrays (see the module's docstring), claims and events sorted by
    claim_id (events by day within a claim). ``claims``, ``events``,
    ``patient`` and ``unbilled`` are dicts of equal-length numpy arrays; the derived per-claim
    arrays are computed once here (none of them looks past the day it describes).

    ``claims["claim_id"]`` and ``events["claim_id"]`` pair events with claims: the claim_id
    text, or a key in the same order (:func:`load_history`: the claim's rank); an event whose
    claim is not among the claims (a windowed read) only counts in collections. The claim's
    code is ``claims["cpt"]``, or a number per code in ``claims["cpt_code"]``."""

    claims: dict[str, np.ndarray]
    events: dict[str, np.ndarray]
    patient: dict[str, np.ndarray]
    unbilled: dict[str, np.ndarray]
    payer_names: dict[int, str]
    # patient A/R by claim and day: claim_id (as in claims), day, patient (the change in
    # patient A/R), paid (patient payments among it); None: none
    patient_ar: dict[str, np.ndarray] | None = None

    def __post_init__(self) -> None:
        if self.patient_ar is None:
            self.patient_ar = {"claim_id": self.claims["claim_id"][:0],
                               "day": np.zeros(0, dtype=np.int64), "patient": np.zeros(0),
                               "paid": np.zeros(0)}
        c, e = self.claims, self.events
        # payer and code as one number (the curves' finest group)
        if "cpt_code" in c:
            code = np.asarray(c["cpt_code"], dtype=np.int64)
        else:
            _, code = np.unique(c["cpt"], return_inverse=True)
        self.pair = c["payer_id"].astype(np.int64) * 100_000 + code
        # the claim row of every ledger event (both sorted by claim_id); -1: a claim not read
        n = len(c["claim_id"])
        row = np.searchsorted(c["claim_id"], e["claim_id"])
        found = (c["claim_id"][np.minimum(row, n - 1)] == e["claim_id"] if n
                 else np.zeros(len(row), dtype=bool))
        self.event_claim = np.where(found, row, -1)
        own = np.flatnonzero(found)
        # the events of the claims read, in the same order (what per-claim sums read)
        self.own_claim = row[own]
        self.own_day = e["day"][own]
        self.own_insurance = e["insurance"][own]
        own_paid = e["payer_paid"][own]
        first_adj = c["first_adj"][self.own_claim]
        upto = self.own_day <= first_adj
        # insurance balance once the first adjudication posted (what was left to pay)
        self.balance_after_first = np.bincount(self.own_claim[upto],
                                               weights=self.own_insurance[upto], minlength=n)
        # the first payer payment after the first adjudication: its day and amount
        later = (self.own_day > first_adj) & (own_paid > 0)
        self.next_paid_day = np.full(n, NEVER, dtype=np.int64)
        self.next_paid = np.zeros(n)
        idx = np.flatnonzero(later)
        if len(idx):
            rows = self.own_claim[idx]
            _, first = np.unique(rows, return_index=True)  # events are in day order per claim
            self.next_paid_day[rows[first]] = self.own_day[idx[first]]
            self.next_paid[rows[first]] = own_paid[idx[first]]

    def balances(self, as_of: int) -> np.ndarray:
        """Every claim's insurance balance as of day ``as_of``."""
        upto = self.own_day <= as_of
        return np.bincount(self.own_claim[upto], weights=self.own_insurance[upto],
                           minlength=len(self.claims["claim_id"]))

    def last_day(self) -> int:
        """The last day anything was posted or rendered (0 for an empty store)."""
        days = [a.max() for a in (self.events["day"], self.patient["day"],
                                  self.claims["service"]) if len(a)]
        return int(max(days)) if days else 0


def _fetch(con: Any, sql: str, params: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
    data = con.execute(sql, params).fetchnumpy()
    return {k: np.asarray(v) for k, v in data.items()}


def load_history(db: Database, window: Window | None = None) -> History:
    """Read the forecast's history from the store (five queries): all of it, or ``window``'s
    part. Claims and events carry the claim's rank in claim_id order as ``claim_id``."""
    w = window
    kept = {"everything": w is None, "first": w and w.first, "served": w and w.served,
            "sent": w and w.sent}
    with db.connect() as con:
        cur = con.cursor()
        try:
            claims = _fetch(cur, _CLAIMS, kept)
            events = _fetch(cur, _EVENTS, {**kept, "events_after": w and w.events_after})
            patient = _fetch(cur, _PATIENT, {"everything": w is None,
                                             "patient_after": w and w.patient_after,
                                             "patient_served": w and w.patient_served})
            unbilled = unbilled_days(_fetch(cur, _UNBILLED), untimed_codes(known_codes(cur)))
            names = dict(cur.execute("SELECT payer_id, name FROM payers").fetchall())
            patient_ar = _fetch(cur, _PATIENT_AR, kept)
        finally:
            cur.close()
    return History(claims, events, patient, unbilled, names, patient_ar)


# Every column load_history reads, table by table (its four queries, UNBILLED_IDS and the
# payer names): the history's state is a count and a sum of row hashes of each. A row added,
# removed or changed in any of them changes the state (the sum of 64-bit hashes, unlike a
# XOR, also sees a row repeated); a change elsewhere in the store does not.
STATE_COLUMNS = {
    "claim_facts": ["claim_id", "payer_id", "total_charge", "first_service_date",
                    "submitted_date", "voided_date", "first_adjudication_date",
                    "first_claim_payment_id"],
    "claim_lines": ["claim_id", "line_no", "cpt", "charge", "session_id", "service_date",
                    "units"],
    "claim_payments": ["claim_payment_id", "paid"],
    "ledger": ["claim_id", "entry_date", "insurance", "amount", "kind", "voided",
               "first_service_date", "patient"],
    "patient_payments": ["claim_id", "payment_date", "amount"],
    "patient_refunds": ["claim_id", "refund_date", "amount"],
    "claims": ["claim_id", "status", "client_id"],
    "claim_sessions": ["claim_id", "session_id"],
    "sessions": ["session_id", "client_id", "session_date"],
    "session_minutes": ["session_id", "cpt", "minutes"],
    "fee_schedule": ["cpt", "charge"],
    "cpt_codes": ["cpt", "timed", "active"],
    "coverages": ["coverage_id", "client_id", "payer_id", "priority", "effective_date",
                  "end_date"],
    "payers": ["payer_id", "name", "units_rule"],
}

_STATE = "SELECT " + ",\n       ".join(
    f"(SELECT [count(*), coalesce(sum(hash({', '.join(cols)})), 0)] FROM {table})"
    for table, cols in STATE_COLUMNS.items())


def history_state(db: Database) -> tuple[tuple[str, int, int], ...]:
    """What the history is made of: (table, rows, sum of the rows' hashes) for each table
    :func:`load_history` reads, over the columns it reads (:data:`STATE_COLUMNS`). Two stores
    with the same state give the same history (but for a 64-bit hash collision)."""
    with db.connect() as con:
        cur = con.cursor()
        try:
            row = cur.execute(_STATE).fetchall()[0]
        finally:
            cur.close()
    return tuple((table, int(count), int(total))
                 for table, (count, total) in zip(STATE_COLUMNS, row, strict=True))
