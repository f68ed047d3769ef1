"""Days to payment (per payer, distribution, trend) and open A/R with its aging."""

from __future__ import annotations

import pandas as pd

from metdash.figures.core import (
    BUCKETS,
    Filters,
    as_of_state,
    money,
    run,
    run_all,
    sql,
)
from metdash.store import Database


def days_to_payment(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer, over the claims in the period that were paid: payer, claims_paid,
    median_days, p90_days (from submission), median_days_from_service,
    p90_days_from_service (days, floats; p90 by linear interpolation)."""
    text = f"""
        SELECT p.name AS payer, count(*) AS claims_paid,
               median(days_to_payment)::DOUBLE AS median_days,
               quantile_cont(days_to_payment, 0.9)::DOUBLE AS p90_days,
               median(days_from_service)::DOUBLE AS median_days_from_service,
               quantile_cont(days_from_service, 0.9)::DOUBLE AS p90_days_from_service
        FROM ({sql('claim_adjudication')}) a JOIN payers p USING (payer_id)
        WHERE a.first_paid_date IS NOT NULL
        GROUP BY p.name ORDER BY median_days, payer"""
    with db.connect() as con:
        return run(con, text, f)


def days_to_payment_histogram(db: Database, f: Filters, width: int = 7) -> pd.DataFrame:
    """The distribution: payer, days (bucket start, ``width`` days wide, floored: 0 holds
    0-6 days, -7 holds -7 to -1, payments dated before the claim was sent), claims."""
    text = f"""
        SELECT p.name AS payer,
               (floor(days_to_payment / $width) * $width)::INTEGER AS days,
               count(*) AS claims
        FROM ({sql('claim_adjudication')}) a JOIN payers p USING (payer_id)
        WHERE a.first_paid_date IS NOT NULL
        GROUP BY ALL ORDER BY days, payer"""
    with db.connect() as con:
        return run(con, text, f, width=width)


def days_to_payment_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """By month of first payment: month, payer, median_days, claims_paid."""
    text = f"""
        SELECT date_trunc('month', first_paid_date)::DATE AS month, p.name AS payer,
               median(days_to_payment)::DOUBLE AS median_days, count(*) AS claims_paid
        FROM ({sql('claim_adjudication')}) a JOIN payers p USING (payer_id)
        WHERE a.first_paid_date IS NOT NULL
        GROUP BY ALL ORDER BY month, payer"""
    with db.connect() as con:
        return run(con, text, f)


AR_KINDS = ("insurance", "patient")


def _aging_sql(kind: str) -> str:
    if kind not in AR_KINDS:
        raise ValueError(f"kind must be one of {AR_KINDS}")
    source = (f"({sql('ar_balances')})" if kind == "insurance"
              else f"(SELECT * FROM ({sql('patient_balances')}) p WHERE kind = 'claim')")
    return f"""
        SELECT bucket, count(*) AS claims, sum(balance)::DECIMAL(14,2) AS balance
        FROM {source} b GROUP BY bucket"""


def _aging_frame(df: pd.DataFrame) -> pd.DataFrame:
    df = df.set_index("bucket")
    out = pd.DataFrame({"bucket": BUCKETS})
    out["claims"] = [int(df.claims.get(b, 0)) for b in BUCKETS]
    out["balance"] = [money(df.balance.get(b, 0)) for b in BUCKETS]
    return out


def ar_aging(db: Database, f: Filters, kind: str = "insurance") -> pd.DataFrame:
    """Open A/R of one ``kind`` as of ``f.as_of`` by age since the first service date: bucket
    (0-30 … 120+, all five, in order), claims (claims with a balance of that kind in the
    bucket), balance (Decimal dollars).

    ``kind`` 'insurance': what payers owe, claim by claim (sql/ar_balances.sql); 'patient':
    what clients owe, claim by claim after their unapplied payments are applied oldest first
    (sql/patient_balances.sql; credit balances are not A/R and are left out)."""
    text = _aging_sql(kind)
    with db.connect() as con:
        return _aging_frame(run(con, text, f))


def ar_agings(db: Database, f: Filters) -> dict[str, pd.DataFrame]:
    """:func:`ar_aging` of every kind (kind -> frame, in ``AR_KINDS`` order), computed side
    by side."""
    r = run_all(db, {kind: (_aging_sql(kind), f) for kind in AR_KINDS})
    return {kind: _aging_frame(r[kind]) for kind in AR_KINDS}


def ar_aging_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Open insurance A/R per payer and bucket: payer, bucket, claims, balance (float
    dollars)."""
    text = f"""
        SELECT p.name AS payer, bucket, count(*) AS claims, sum(balance)::DOUBLE AS balance
        FROM ({sql('ar_balances')}) b JOIN payers p USING (payer_id)
        GROUP BY ALL ORDER BY payer"""
    with db.connect() as con:
        return run(con, text, f)


def oldest_open_claims(db: Database, f: Filters, limit: int = 50,
                       bucket: str | None = None) -> pd.DataFrame:
    """The oldest claims with insurance A/R as of ``f.as_of``, or those in one A/R
    ``bucket`` ('31-60'): claim_id, client_id, payer, balance, denied (the part of the balance
    the payer denied), age_days, bucket, status, first_service_date, submitted_date. What is
    owed comes before the dates: a biller chasing A/R reads the amount and its age first, and
    at 1280 px the last columns of the table are scrolled to."""
    where = "" if bucket is None else "WHERE b.bucket = $bucket"
    text = f"""
        SELECT b.claim_id, b.client_id, p.name AS payer, b.balance::DECIMAL(14,2) AS balance,
               b.denied::DECIMAL(14,2) AS denied, b.age_days, b.bucket, b.status,
               b.first_service_date, b.submitted_date
        FROM ({sql('ar_balances')}) b JOIN payers p USING (payer_id)
        {where}
        ORDER BY b.age_days DESC, b.claim_id LIMIT $limit"""
    text = as_of_state(text, f, order="age_days DESC, claim_id")
    extra = {} if bucket is None else {"bucket": bucket}
    with db.connect() as con:
        return run(con, text, f, limit=limit, **extra)
