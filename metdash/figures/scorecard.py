"""Payer scorecards: what each payer allows, pays, denies, underpays and makes the practice
wait for, side by side, and one payer's card for contract talks.

Every figure here is an existing figure grouped by payer, not a second definition of it:
billed, allowed, paid and visits come from :func:`~metdash.figures.revenue.revenue_by_payer`;
days to payment (median, 90th percentile) from :func:`~metdash.figures.payment.days_to_payment`
and its source ``sql/claim_adjudication.sql`` (the quarterly trend reads the same rows);
the denial and first-pass rates count the same ``claim_adjudication`` flags the overview's
KPIs count; denied dollars and their reasons are
:func:`~metdash.figures.denials.denial_reasons_by_payer`; underpaid lines are
:func:`~metdash.figures.revenue.underpaid_lines`' rule (:data:`UNDERPAID_WHERE`).

Two figures are new, and declared in :mod:`metdash.metrics`:

- *waiting cost*: what the money the payer kept the practice waiting for would have earned
  (or cost on a credit line) at a yearly rate: rate ÷ 365 × dollar-days, where dollar-days =
  Σ over the payer's submitted claims in the period of each payer payment posted by the as-of
  date × (posting date − submission date), a reversal counting negative, + the claim's open
  insurance balance on the as-of date × (as-of date − submission date);
- *what this payer costs you* = denied and not overturned + underpaid + waiting cost.

The clean-claim rate is :func:`~metdash.figures.clean_claims.clean_claims_by_payer`'s (the
figure catalogue's ``clean_claim_rate``, from the 999 / 277CA acknowledgments imported): None
for a payer none of whose claims has an outcome yet, never estimated.

The side-by-side view always covers every payer (a share of revenue needs them all): the
sidebar's payer filter is dropped, its referrer and provider filters kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from metdash.carc import carc_description
from metdash.errors import MetdashError
from metdash.figures.clean_claims import clean_claims_by_payer
from metdash.figures.core import Filters, as_float, money, ratio, run, scope, sql
from metdash.figures.denials import denial_reasons_by_payer
from metdash.figures.payment import days_to_payment
from metdash.figures.revenue import UNDERPAID_WHERE, revenue_by_payer, underpaid_lines
from metdash.store import Database

RATE_ENV = "METDASH_MONEY_RATE"
#: What the clean-claim rate is and why it is not shown (its tooltip).
CLEAN_CLAIM_NOTE = ("Clean-claim rate: claims the payer's 277CA accepted with no 999 / 277CA "
                    "rejection before ÷ claims with an outcome, among the claims first "
                    "submitted in the period (by submission date). A claim with no "
                    "acknowledgment yet is awaiting, in neither part. \"no 277CA\": no claim of "
                    "this payer has an outcome yet (import the 999 and 277CA files on Remittances).")
DEFAULT_RATE = Decimal("0.08")


class UnknownPayer(MetdashError, LookupError):
    """No payer by that name (the message lists the known ones)."""


def money_rate(env: dict[str, str] | None = None) -> Decimal:
    """The yearly rate that prices money waited for: ``METDASH_MONEY_RATE`` as a fraction
    (0.08) or a percentage (8 or 8%), else 8 %. Raises :class:`MetdashError` for a value that
    is not a rate between 0 and 100 %."""
    raw = (env if env is not None else os.environ).get(RATE_ENV, "").strip()
    return parse_rate(raw) if raw else DEFAULT_RATE


def parse_rate(raw: str | float | Decimal) -> Decimal:
    """A yearly rate from 0.08, 8 or '8%' (1 or more is read as a percentage)."""
    text = str(raw).strip().rstrip("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite():
        value = Decimal(-1)
    if str(raw).strip().endswith("%") or value >= 1:
        value = value / 100
    if value < 0 or value > 1:
        raise MetdashError(f"Yearly rate {raw!r} is not a rate: write it as 0.08, 8 or 8% "
                           f"(between 0 and 100 %).")
    return value


def rate_from_percent(percent: float, in_use: Decimal) -> tuple[Decimal, str | None]:
    """The yearly rate a percentage typed on a page gives, and None; for one outside 0 to
    100, ``in_use`` (the rate that stays in use) and a sentence saying the range and that
    rate (a new-user trial: a red outline alone, and the old rate kept without a word)."""
    try:
        return parse_rate(f"{percent:g}%"), None
    except MetdashError:
        return Decimal(in_use), (f"The yearly rate is a percentage from 0 to 100: {percent:g} % "
                                 f"is not one. The cost of waiting below still uses "
                                 f"{float(in_use) * 100:g} %.")


# -- the grouped figures ----------------------------------------------------------------------
def _everyone(f: Filters) -> Filters:
    return f.replace(payer_ids=None)


def claim_rates_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer, over the claims in the period: payer_id, claims_adjudicated,
    claims_denied, claims_resolved (first adjudication, as the overview's denial rate and
    first-pass resolution count them)."""
    text = f"""
        SELECT payer_id, count(*) FILTER (WHERE adjudicated) AS claims_adjudicated,
               count(*) FILTER (WHERE adjudicated AND denied) AS claims_denied,
               count(*) FILTER (WHERE adjudicated AND resolved) AS claims_resolved
        FROM ({sql('claim_adjudication')}) a GROUP BY payer_id"""
    with db.connect() as con:
        return run(con, text, f)


def underpaid_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer: payer_id, underpaid_lines, underpaid_amount (Σ expected − allowed, Decimal)
    over the lines :func:`~metdash.figures.revenue.underpaid_lines` lists."""
    text = f"""
        SELECT payer_id, count(*) AS underpaid_lines,
               sum(expected - allowed)::DECIMAL(14,2) AS underpaid_amount
        FROM ({sql('adjudicated_lines')}) l
        WHERE {UNDERPAID_WHERE}
        GROUP BY payer_id"""
    with db.connect() as con:
        return run(con, text, f)


def waiting_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer, over its submitted claims in the period: payer_id, paid_dollar_days (Σ payer
    payment × days from submission to its posting, posted by the as-of date),
    open_balance (insurance A/R on the as-of date), open_dollar_days (balance × days since
    submission), dollar_days (the two summed); floats."""
    text = f"""
        WITH s AS (SELECT claim_id, payer_id, submitted_date FROM {scope()} x
                   WHERE submitted_date IS NOT NULL AND submitted_date <= $as_of),
        paid AS (
            SELECT s.payer_id,
                   sum(l.amount * datediff('day', s.submitted_date, l.entry_date)) AS dd
            FROM s JOIN ledger l USING (claim_id)
            WHERE l.kind = 'payer_payment' AND l.entry_date <= $as_of
            GROUP BY s.payer_id),
        open AS (
            SELECT s.payer_id, sum(b.balance) AS balance,
                   sum(b.balance * datediff('day', s.submitted_date, $as_of)) AS dd
            FROM s JOIN ({sql('ar_balances')}) b USING (claim_id)
            GROUP BY s.payer_id),
        payers_seen AS (SELECT DISTINCT payer_id FROM s)
        SELECT p.payer_id, coalesce(paid.dd, 0)::DOUBLE AS paid_dollar_days,
               coalesce(open.balance, 0)::DOUBLE AS open_balance,
               coalesce(open.dd, 0)::DOUBLE AS open_dollar_days,
               (coalesce(paid.dd, 0) + coalesce(open.dd, 0))::DOUBLE AS dollar_days
        FROM payers_seen p LEFT JOIN paid USING (payer_id) LEFT JOIN open USING (payer_id)"""
    with db.connect() as con:
        return run(con, text, f)


def posted_after_as_of(db: Database, f: Filters) -> tuple[int, dt.date | None]:
    """(claims, latest day): how many of the period's claims (every payer's, as the
    side-by-side reads them) have money posted after ``f.as_of`` -- billed, paid, adjusted,
    denied, reversed, written off or paid by the client (their ledger rows) -- and the day of
    the latest such posting; (0, None) when none has.

    A card's open balance and cost of waiting are taken as of ``f.as_of``, but its paid,
    allowed, denied and underpaid figures, rates and days read every remittance on file (the
    facts keep each line's latest adjudication, not the one standing on a past day): with money
    posted after ``f.as_of`` the two sides do not add up (paid + owed + contractual + patient
    came to more than billed; a new-user trial)."""
    text = f"""
        SELECT count(DISTINCT l.claim_id) AS claims, max(l.entry_date) AS latest
        FROM {scope()} s JOIN ledger l USING (claim_id)
        WHERE l.entry_date > $as_of"""
    with db.connect() as con:
        row = run(con, text, _everyone(f)).iloc[0]
    claims = int(row.claims)
    return claims, (pd.Timestamp(row.latest).date() if claims else None)


def _side_by_side(db: Database, jobs: dict[str, Callable[[Database, Filters], Any]],
                  f: Filters, workers: int = 2) -> dict[str, Any]:
    """Each figure function of ``jobs`` called for ``f``, two at a time (as
    :func:`metdash.figures.core.run_all` runs queries: a short query leaves a core idle)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers, thread_name_prefix="scorecard") as pool:
        running = {key: pool.submit(fn, db, f) for key, fn in jobs.items()}
        return {key: job.result() for key, job in running.items()}


def payer_scorecards(db: Database, f: Filters, rate: Decimal | None = None) -> pd.DataFrame:
    """Every payer with claims in the period, side by side (most paid first): payer_id,
    payer, payer_type, claims, visits, billed, allowed, paid, paid_as_secondary (Decimal),
    allowed_per_visit,
    paid_per_visit, revenue_share, claims_adjudicated, denial_rate,
    first_pass_resolution_rate, clean_claim_rate (None: no outcome yet), claims_paid,
    median_days, p90_days, denied_amount, denied_standing, underpaid_lines, underpaid_amount,
    open_balance,
    dollar_days, waiting_cost, payer_cost (floats, rates 0..1 or None). ``rate``: the yearly
    rate for the waiting cost (default :func:`money_rate`)."""
    f = _everyone(f)
    rate = money_rate() if rate is None else Decimal(rate)
    # The longest first (at 1M lines: the clean-claim counts, the waiting, revenue), so the
    # short ones fill the other worker meanwhile instead of one long query ending alone.
    parts = _side_by_side(db, {
        "clean": clean_claims_by_payer, "waiting": waiting_by_payer, "rev": revenue_by_payer,
        "denied": denial_reasons_by_payer, "under": underpaid_by_payer,
        "days": days_to_payment, "rates": claim_rates_by_payer}, f)
    rev = parts["rev"]
    if rev.empty:
        return pd.DataFrame()
    rates = parts["rates"].set_index("payer_id")
    days = parts["days"].set_index("payer")
    denied = parts["denied"].groupby("payer").amount.sum()
    under = parts["under"].set_index("payer_id")
    waiting = parts["waiting"].set_index("payer_id")
    clean = parts["clean"].set_index("payer")
    total_paid = sum((money(v) for v in rev.paid), Decimal("0.00"))
    rows = []
    for r in rev.itertuples():
        pid = int(r.payer_id)
        adj = rates.loc[pid] if pid in rates.index else None
        d = days.loc[r.payer] if r.payer in days.index else None
        n_adj = int(adj.claims_adjudicated) if adj is not None else 0
        w = waiting.loc[pid] if pid in waiting.index else None
        denied_amount = float(denied.get(r.payer, 0.0))
        under_amount = float(under.underpaid_amount.get(pid, 0) or 0)
        dollar_days = float(w.dollar_days) if w is not None else 0.0
        waiting_cost = dollar_days * float(rate) / 365
        rows.append({
            "payer_id": pid, "payer": r.payer, "payer_type": r.payer_type,
            "claims": int(r.claims), "visits": int(r.visits or 0),
            "billed": money(r.billed), "allowed": money(r.allowed), "paid": money(r.paid),
            "paid_as_secondary": money(r.paid_as_secondary),
            # over the visits it answered, its own claims' payments (revenue_by_payer)
            "allowed_per_visit": ratio(r.allowed, r.visits_answered),
            "paid_per_visit": as_float(r.paid_per_visit),
            "revenue_share": ratio(money(r.paid), total_paid),
            "claims_adjudicated": n_adj,
            "denial_rate": ratio(adj.claims_denied, n_adj) if adj is not None else None,
            "first_pass_resolution_rate": (ratio(adj.claims_resolved, n_adj)
                                           if adj is not None else None),
            "clean_claim_rate": (clean.clean_claim_rate.get(r.payer)
                                 if r.payer in clean.index else None),
            "claims_paid": int(d.claims_paid) if d is not None else 0,
            "median_days": float(d.median_days) if d is not None else None,
            "p90_days": float(d.p90_days) if d is not None else None,
            "denied_amount": denied_amount,
            # what costs the practice: a denial overturned and paid is money received (its
            # delay is in the waiting); counting it made a payer that paid on appeal look
            # costliest (two new-user trials)
            "denied_standing": float(r.denied_standing),
            "underpaid_lines": int(under.underpaid_lines.get(pid, 0)),
            "underpaid_amount": under_amount,
            "open_balance": float(w.open_balance) if w is not None else 0.0,
            "dollar_days": dollar_days,
            "waiting_cost": waiting_cost,
            "payer_cost": float(r.denied_standing) + under_amount + waiting_cost,
        })
    out = pd.DataFrame(rows)
    return out.sort_values(["paid", "payer"], ascending=[False, True], ignore_index=True)


def allowed_by_code(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer and CPT code, over the latest adjudication of the lines that were not denied
    (claims in the period): payer_id, payer, cpt, lines, units, allowed, paid (float
    dollars), allowed_per_unit, paid_per_unit, expected_per_unit (the payer's fee schedule),
    charge_per_unit (the practice's own fee), others_allowed_per_unit and
    others_paid_per_unit (every other payer's lines of that code pooled; None when no other
    payer was billed for it)."""
    text = f"""
        WITH l AS (SELECT * FROM ({sql('adjudicated_lines')}) x WHERE NOT denied),
        per AS (
            SELECT payer_id, any_value(payer) AS payer, cpt, count(*) AS lines,
                   sum(units) AS units, sum(allowed)::DOUBLE AS allowed,
                   sum(paid)::DOUBLE AS paid
            FROM l GROUP BY payer_id, cpt),
        code AS (SELECT cpt, sum(units) AS units, sum(allowed)::DOUBLE AS allowed,
                        sum(paid)::DOUBLE AS paid FROM l GROUP BY cpt)
        SELECT per.payer_id, per.payer, per.cpt, per.lines, per.units, per.allowed, per.paid,
               per.allowed / nullif(per.units, 0) AS allowed_per_unit,
               per.paid / nullif(per.units, 0) AS paid_per_unit,
               pf.allowed_amount::DOUBLE AS expected_per_unit,
               fs.charge::DOUBLE AS charge_per_unit,
               (code.allowed - per.allowed) / nullif(code.units - per.units, 0)
                   AS others_allowed_per_unit,
               (code.paid - per.paid) / nullif(code.units - per.units, 0)
                   AS others_paid_per_unit
        FROM per JOIN code USING (cpt)
        LEFT JOIN payer_fee_schedule pf ON pf.payer_id = per.payer_id AND pf.cpt = per.cpt
        LEFT JOIN fee_schedule fs ON fs.cpt = per.cpt
        ORDER BY per.payer, per.units DESC, per.cpt"""
    with db.connect() as con:
        return run(con, text, _everyone(f))


def days_to_payment_quarterly(db: Database, f: Filters) -> pd.DataFrame:
    """By quarter of first payment: quarter (its first day), label ('2025 Q1'), payer_id,
    payer, claims_paid, median_days, p90_days (from submission, as
    :func:`~metdash.figures.payment.days_to_payment`)."""
    text = f"""
        SELECT date_trunc('quarter', first_paid_date)::DATE AS quarter, a.payer_id,
               p.name AS payer, count(*) AS claims_paid,
               median(days_to_payment)::DOUBLE AS median_days,
               quantile_cont(days_to_payment, 0.9)::DOUBLE AS p90_days
        FROM ({sql('claim_adjudication')}) a JOIN payers p USING (payer_id)
        WHERE a.first_paid_date IS NOT NULL
        GROUP BY ALL ORDER BY quarter, payer"""
    with db.connect() as con:
        df = run(con, text, _everyone(f))
    df.insert(1, "label", [f"{q.year} Q{(q.month - 1) // 3 + 1}"
                           for q in pd.to_datetime(df.quarter)])
    return df


# -- one payer --------------------------------------------------------------------------------
def payer_names(db: Database) -> list[str]:
    """Every payer's name, alphabetically."""
    return db.query("SELECT name FROM payers ORDER BY name").name.tolist()


def find_payer(db: Database, name: str) -> tuple[int, str]:
    """(payer_id, name) of the payer called ``name`` (case and spaces do not matter), or
    :class:`UnknownPayer` naming the known payers."""
    key = " ".join(str(name).split()).casefold()
    rows = db.query("SELECT payer_id, name FROM payers ORDER BY name")
    for r in rows.itertuples():
        if " ".join(str(r.name).split()).casefold() == key:
            return int(r.payer_id), str(r.name)
    known = ", ".join(rows.name) or "none yet (add payers in Settings)"
    raise UnknownPayer(f"No payer is called {name!r}. Known payers: {known}.")


@dataclasses.dataclass(frozen=True)
class PayerScorecard:
    """One payer's card: ``figures`` is its row of :func:`payer_scorecards` (catalogue
    names as keys); the frames are its slices of :func:`allowed_by_code`,
    :func:`days_to_payment_quarterly`, its denial reasons (reason, description, claims,
    amount) and its underpaid lines. ``practice`` is every payer's row, for comparison."""

    payer_id: int
    payer: str
    period: Filters
    rate: Decimal
    figures: dict[str, Any]
    practice: pd.DataFrame
    by_code: pd.DataFrame
    days_trend: pd.DataFrame
    denial_reasons: pd.DataFrame
    underpaid: pd.DataFrame

    @property
    def clean_claim_rate(self) -> float | None:
        """Claims accepted on first submission (999 + 277CA) ÷ claims with an outcome: None
        when no claim of the payer has an acknowledgment yet (never estimated)."""
        rate = self.figures.get("clean_claim_rate")
        return None if rate is None or pd.isna(rate) else float(rate)

    @property
    def has_claims(self) -> bool:
        return bool(self.figures.get("claims"))

    def other_payers(self, column: str) -> float | None:
        """The other payers' value of a rate or days figure, pooled the simplest honest way:
        the median of their values (None when there is no other payer with one)."""
        if self.practice.empty:  # no payer had claims in the period
            return None
        others = self.practice[self.practice.payer_id != self.payer_id][column].dropna()
        return None if others.empty else float(others.astype(float).median())


def payer_scorecard(db: Database, f: Filters, payer: str | int,
                    rate: Decimal | None = None) -> PayerScorecard:
    """The card of ``payer`` (a name, or a payer_id) for the period ``f``. Raises
    :class:`UnknownPayer` for a name no payer has."""
    if isinstance(payer, int):
        names = db.query("SELECT name FROM payers WHERE payer_id = ?", [payer])
        if names.empty:
            raise UnknownPayer(f"No payer has id {payer}. Known payers: "
                               f"{', '.join(payer_names(db))}.")
        pid, name = payer, str(names.name[0])
    else:
        pid, name = find_payer(db, payer)
    rate = money_rate() if rate is None else Decimal(rate)
    return card_of(pid, name, f, rate, payer_scorecards(db, f, rate), payer_details(db, f),
                   underpaid_lines(db, f.replace(payer_ids=(pid,))))


def payer_details(db: Database, f: Filters) -> dict[str, pd.DataFrame]:
    """What a card adds to the side-by-side, for every payer at once (so that picking
    another payer's card costs nothing): by_code (:func:`allowed_by_code`), days_trend
    (:func:`days_to_payment_quarterly`) and reasons (payer, reason, description, claims,
    amount: :func:`~metdash.figures.denials.denial_reasons_by_payer` in words)."""
    parts = _side_by_side(db, {"by_code": allowed_by_code,
                               "days_trend": days_to_payment_quarterly,
                               "reasons": denial_reasons_by_payer}, _everyone(f))
    reasons = parts["reasons"]
    reasons.insert(2, "description",
                   [carc_description(r.split("-", 1)[-1]) for r in reasons.reason])
    return parts


def card_from(sources: tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame],
              payer_id: int, payer: str, f: Filters, rate: Decimal) -> PayerScorecard:
    """:func:`card_of` with its three inputs as one tuple (``everyone``, ``details``,
    ``underpaid``): for a page that keeps the card per those objects
    (:func:`metdash.ui.cache.derived`), so a rerun draws the same tables again instead of
    preparing new copies of them."""
    everyone, details, underpaid = sources
    return card_of(payer_id, payer, f, rate, everyone, details, underpaid)


def card_of(payer_id: int, payer: str, f: Filters, rate: Decimal, everyone: pd.DataFrame,
            details: dict[str, pd.DataFrame], underpaid: pd.DataFrame) -> PayerScorecard:
    """One payer's card from :func:`payer_scorecards` (``everyone``), :func:`payer_details`
    and its :func:`~metdash.figures.revenue.underpaid_lines`."""
    row = everyone[everyone.payer_id == payer_id] if not everyone.empty else everyone
    figures = row.iloc[0].to_dict() if not row.empty else {
        "payer_id": payer_id, "payer": payer, "claims": 0, "clean_claim_rate": None}

    def mine(frame: pd.DataFrame, key: str, value: Any) -> pd.DataFrame:
        return frame[frame[key] == value].reset_index(drop=True)

    reasons = mine(details["reasons"], "payer", payer).drop(columns="payer")
    return PayerScorecard(
        payer_id, payer, f, Decimal(rate), figures, everyone,
        mine(details["by_code"], "payer_id", payer_id),
        mine(details["days_trend"], "payer_id", payer_id),
        reasons, underpaid.drop(columns=["payer"]).reset_index(drop=True))
