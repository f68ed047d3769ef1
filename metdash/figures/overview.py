"""The overview's figures (KPIs), the drill-down list of claims behind a figure, and what
the sidebar offers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from metdash.figures.core import (
    Filters,
    as_float,
    money,
    ratio,
    run,
    scope,
    sql,
)
from metdash.store import Database, fetch_df


def kpis(db: Database, f: Filters) -> dict[str, Any]:
    """The overview's figures (keys as in :data:`metdash.metrics.KPI_NAMES`, plus A/R's two
    parts, insurance_ar_total and patient_ar_total; ar_total is their sum).

    Money as Decimal (2 places), rates as floats 0..1 (None when there is nothing to divide
    by), days as floats (None when no claim qualifies).
    """
    window = f.replace(date_from=f.as_of - dt.timedelta(days=89), date_to=f.as_of)
    with db.connect() as con:
        charges = run(con, f"SELECT coalesce(sum(total_charge), 0) AS v FROM {scope()} s", f)
        window_charges = run(
            con, f"SELECT coalesce(sum(total_charge), 0) AS v FROM {scope()} s", window)
        posted = run(con, sql("payments_posted"), f)
        adj = run(con, f"""
            SELECT count(*) FILTER (WHERE adjudicated) AS adjudicated,
                   count(*) FILTER (WHERE adjudicated AND denied) AS denied,
                   count(*) FILTER (WHERE adjudicated AND resolved) AS resolved,
                   median(days_to_payment) AS median_days
            FROM ({sql('claim_adjudication')}) a""", f)
        ar = run(con, f"SELECT coalesce(sum(balance), 0) AS v FROM ({sql('ar_balances')}) b", f)
        patient_ar = run(con, f"""SELECT coalesce(sum(balance), 0) AS v
                                   FROM ({sql('patient_balances')}) b WHERE kind = 'claim'""", f)
    gross = money(charges.v[0])
    payments = money(posted.payer_paid[0]) + money(posted.patient_paid[0])
    contractual = money(posted.contractual[0])
    insurance_ar, patient_ar_total = money(ar.v[0]), money(patient_ar.v[0])
    ar_total = insurance_ar + patient_ar_total
    daily = float(money(window_charges.v[0])) / 90
    a = adj.iloc[0]
    return {
        "gross_charges": gross,
        "payments": payments,
        "contractual_adjustments": contractual,
        "gross_collection_rate": ratio(payments, gross),
        "net_collection_rate": ratio(payments, gross - contractual),
        "denial_rate": ratio(a.denied, a.adjudicated),
        "first_pass_resolution_rate": ratio(a.resolved, a.adjudicated),
        "ar_total": ar_total,
        "insurance_ar_total": insurance_ar,
        "patient_ar_total": patient_ar_total,
        "days_in_ar": None if daily == 0 else float(ar_total) / daily,
        "median_days_to_payment": as_float(a.median_days),
    }


def claims_list(db: Database, f: Filters, *, payer: str | None = None,
                reason: str | None = None, bucket: str | None = None,
                limit: int = 500) -> pd.DataFrame:
    """The claims behind a figure: in the period, optionally for one payer (name), one
    denial reason ('CO-50') or, as of ``f.as_of``, one A/R bucket. Columns: claim_id,
    client_id, payer, status, first_service_date, submitted_date, total_charge, paid."""
    conds, extra = [], {"limit": limit}
    base = scope()
    if bucket is not None:
        base = f"(SELECT c.* FROM claims c JOIN ({sql('ar_balances')}) b USING (claim_id) " \
               "WHERE b.bucket = $bucket)"
        extra["bucket"] = bucket
    if payer is not None:
        conds.append("p.name = $payer")
        extra["payer"] = payer
    if reason is not None:
        conds.append(f"s.claim_id IN (SELECT claim_id FROM ({sql('denial_adjustments')}) d "
                     "WHERE d.group_code || '-' || d.carc = $reason)")
        extra["reason"] = reason
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    text = f"""
        SELECT s.claim_id, s.client_id, p.name AS payer, s.status, s.first_service_date,
               s.submitted_date, s.total_charge,
               coalesce((SELECT f.paid FROM claim_facts f
                         WHERE f.claim_id = s.claim_id), 0)::DECIMAL(14,2) AS paid
        FROM {base} s JOIN payers p USING (payer_id)
        {where}
        ORDER BY s.first_service_date, s.claim_id LIMIT $limit"""
    with db.connect() as con:
        return run(con, text, f, **extra)


def filter_options(db: Database) -> dict[str, pd.DataFrame]:
    """What the sidebar offers: payers (payer_id, name), referrers (referrer_id, name, kind),
    providers (provider_id, name), and the service-date span (min_date, max_date)."""
    with db.connect() as con:
        return {
            "payers": fetch_df(con, "SELECT payer_id, name FROM payers ORDER BY name"),
            "referrers": fetch_df(con, "SELECT referrer_id, name, kind FROM referrers "
                                       "ORDER BY name"),
            "providers": fetch_df(con, "SELECT provider_id, last_name || ', ' || first_name "
                                       "AS name FROM providers ORDER BY name"),
            "span": fetch_df(con, "SELECT min(first_service_date) AS min_date, "
                                  "max(first_service_date) AS max_date FROM claims"),
        }
