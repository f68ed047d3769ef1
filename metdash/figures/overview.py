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
    run_all,
    scope,
    sql,
)
from metdash.store import Database, fetch_df


def _kpi_jobs(f: Filters, tag: str = "") -> dict[str, tuple[str, Filters]]:
    """The queries behind :func:`kpis` (key -> (SQL, filters)), keys prefixed with ``tag``."""
    window = f.replace(date_from=f.as_of - dt.timedelta(days=89), date_to=f.as_of)
    charges = f"SELECT coalesce(sum(total_charge), 0) AS v FROM {scope()} s"
    return {tag + k: v for k, v in {
        # the slowest first, so the short ones fill the other worker meanwhile
        "patient_ar": (sql("patient_ar_total"), f),
        "ar": (f"SELECT coalesce(sum(balance), 0) AS v FROM ({sql('ar_balances')}) b", f),
        "posted": (sql("payments_posted"), f),
        "adj": (f"""
            SELECT count(*) FILTER (WHERE adjudicated) AS adjudicated,
                   count(*) FILTER (WHERE adjudicated AND denied) AS denied,
                   count(*) FILTER (WHERE adjudicated AND resolved) AS resolved,
                   median(days_to_payment) AS median_days
            FROM ({sql('claim_adjudication')}) a""", f),
        "charges": (charges, f),
        "window_charges": (charges, window),
    }.items()}


def default_period(last_service: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period every page (and ``metdash figures`` without dates) opens with: it ends
    today, so balances are as of today and a payment posted today counts; it starts 12 months
    back from today, or from the last service date when the data ends earlier (a new
    practice whose last session was weeks ago, an imported practice whose claims stop in the
    past), so that year still shows."""
    last = today if last_service is None or last_service >= today else last_service
    return last - dt.timedelta(days=364), today


def net_collection_rate(payments: Any, gross: Any, contractual: Any) -> float | None:
    """Payments ÷ (gross charges − contractual adjustments); None (shown "—") unless that
    denominator is above zero. Charges count by service date and adjustments by posting
    date, so a period with adjustments posted on earlier services and few charges of its own
    can have none left, or less than none: no rate means anything there."""
    base = float(gross or 0) - float(contractual or 0)
    return None if base <= 0 else float(payments or 0) / base


def _kpis_from(r: dict[str, pd.DataFrame], tag: str = "") -> dict[str, Any]:
    posted, adj = r[tag + "posted"], r[tag + "adj"]
    gross = money(r[tag + "charges"].v[0])
    payments = money(posted.payer_paid[0]) + money(posted.patient_paid[0])
    contractual = money(posted.contractual[0])
    insurance_ar = money(r[tag + "ar"].v[0])
    patient_ar_total = money(r[tag + "patient_ar"].patient_ar[0])
    ar_total = insurance_ar + patient_ar_total
    daily = float(money(r[tag + "window_charges"].v[0])) / 90
    a = adj.iloc[0]
    return {
        "gross_charges": gross,
        "payments": payments,
        "contractual_adjustments": contractual,
        "gross_collection_rate": ratio(payments, gross),
        "net_collection_rate": net_collection_rate(payments, gross, contractual),
        "denial_rate": ratio(a.denied, a.adjudicated),
        "first_pass_resolution_rate": ratio(a.resolved, a.adjudicated),
        "ar_total": ar_total,
        "insurance_ar_total": insurance_ar,
        "patient_ar_total": patient_ar_total,
        "days_in_ar": None if daily == 0 else float(ar_total) / daily,
        "median_days_to_payment": as_float(a.median_days),
    }


def kpis(db: Database, f: Filters) -> dict[str, Any]:
    """The overview's figures (keys as in :data:`metdash.metrics.KPI_NAMES`, plus A/R's two
    parts, insurance_ar_total and patient_ar_total; ar_total is their sum).

    Money as Decimal (2 places), rates as floats 0..1 (None when there is nothing to divide
    by), days as floats (None when no claim qualifies).
    """
    return _kpis_from(run_all(db, _kpi_jobs(f)))


def kpis_compared(db: Database, f: Filters) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`kpis` for ``f`` and for the period before it (:meth:`Filters.previous`), the
    overview's tiles and their deltas: both periods' queries run together, two at a time."""
    before = f.previous()
    r = run_all(db, {**_kpi_jobs(f), **_kpi_jobs(before, "before_")})
    return _kpis_from(r), _kpis_from(r, "before_")


def nothing_before(before: dict[str, Any]) -> bool:
    """True when the period before had nothing at all -- no charges, no money posted, nothing
    owed at its end -- as before a practice's first records: a change against it is only the
    period's own amount ("+$1,280" against nothing, A/R's in red; a new-user trial), so the
    overview shows none."""
    return not any(before.get(name) for name in ("gross_charges", "payments", "ar_total"))


def claims_list(db: Database, f: Filters, *, payer: str | None = None,
                reason: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The claims behind a figure: in the period, optionally for one payer (name) or one
    denial reason ('CO-50'). Columns: claim_id, client_id, payer, status,
    first_service_date, submitted_date, total_charge, paid. (The claims of one A/R bucket,
    with what is owed on them: :func:`~metdash.figures.payment.oldest_open_claims`.)"""
    conds, extra = [], {"limit": limit}
    base = scope()
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
