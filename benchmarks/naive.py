"""The naive way a typical dashboard computes the overview: load whole tables into pandas on
every rerun, then filter and group there.

To keep the comparison honest (a lower bound on the ratio), the load is the fastest naive
one we know: through Arrow, with money cast to float64 (``.df()`` on text columns is ~8×
slower, and Decimal objects make pandas group-bys slower still). The figures follow the
same definitions as ``metdash/sql`` closely enough to do the same work; the benchmark
checks gross charges and payer payments against ``metdash.figures``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

TABLES = ["claims", "claim_lines", "claim_payments", "line_payments", "adjustments",
          "remittances", "patient_payments", "payers", "claim_status_history",
          "provider_adjustments", "patient_refunds"]


def _float_money(table: pa.Table) -> pa.Table:
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    return table


def load_tables(path: str) -> dict[str, pd.DataFrame]:
    """SELECT * of every table the overview needs, as DataFrames (what a naive page does on
    every rerun)."""
    con = duckdb.connect(path, read_only=True)
    try:
        return {t: _float_money(con.sql(f"SELECT * FROM {t}").to_arrow_table()).to_pandas()
                for t in TABLES}
    finally:
        con.close()


def _days(a: pd.Series, b: pd.Series) -> pd.Series:
    return (pd.to_datetime(b) - pd.to_datetime(a)).dt.days


def kpis(t: dict[str, pd.DataFrame], date_from: dt.date, date_to: dt.date,
         as_of: dt.date | None = None) -> dict[str, Any]:
    """The overview's ten figures, computed with pandas from whole tables."""
    as_of = as_of or date_to
    d0, d1, asof = pd.Timestamp(date_from), pd.Timestamp(date_to), pd.Timestamp(as_of)
    claims = t["claims"].copy()
    claims["fsd"] = pd.to_datetime(claims.first_service_date)
    claims["sub"] = pd.to_datetime(claims.submitted_date)
    live = claims[claims.status != "voided"]
    scope = live[(live.fsd >= d0) & (live.fsd <= d1)]
    window = live[(live.fsd >= asof - pd.Timedelta(days=89)) & (live.fsd <= asof)]
    rem = t["remittances"][["remittance_id", "payment_date"]].copy()
    rem["payment_date"] = pd.to_datetime(rem.payment_date)
    cp = t["claim_payments"].merge(rem, on="remittance_id")
    in_range = cp[(cp.payment_date >= d0) & (cp.payment_date <= d1)
                  & cp.claim_id.isin(live.claim_id)]
    # a PLB recoupment (WO, FB) naming a claim takes back part of its payment (DOMAIN.md)
    plb = t["provider_adjustments"].merge(rem, on="remittance_id")
    recouped = plb[plb.reason_code.isin(["WO", "FB"]) & plb.claim_id.isin(live.claim_id)
                   & (plb.payment_date >= d0) & (plb.payment_date <= d1)].amount.sum()
    payer_paid = in_range.paid.sum() - recouped
    pp = t["patient_payments"].copy()
    pp["payment_date"] = pd.to_datetime(pp.payment_date)
    rf = t["patient_refunds"].copy()
    rf["refund_date"] = pd.to_datetime(rf.refund_date)
    patient_paid = (pp[(pp.payment_date >= d0) & (pp.payment_date <= d1)].amount.sum()
                    - rf[(rf.refund_date >= d0) & (rf.refund_date <= d1)].amount.sum())
    adj = t["adjustments"]
    adj_cp = adj.merge(in_range[["claim_payment_id"]], on="claim_payment_id")
    contractual = adj_cp[(adj_cp.group_code == "CO") & adj_cp.carc.isin(["45", "253"])
                         ].amount.sum()

    # First adjudication per claim in scope, and whether it denied the claim or a line.
    scp = cp[cp.claim_id.isin(scope.claim_id)]
    adjudicating = scp[~scp.status_code.isin(["22", "23"])]
    first = (adjudicating.sort_values(["payment_date", "remittance_id", "seq"])
             .groupby("claim_id", as_index=False).first())
    a = adj[adj.claim_payment_id.isin(scp.claim_payment_id)].copy()
    a["reason"] = (a.group_code != "PR") & ~((a.group_code == "CO") & a.carc.isin(["45", "253"]))
    claim_level = a[a.line_payment_id.isna()].groupby("claim_payment_id").reason.any()
    any_reason = a.groupby("claim_payment_id").reason.any()
    lp = t["line_payments"]
    lp_first = lp[lp.claim_payment_id.isin(first.claim_payment_id)]
    lp_adj = lp_first.merge(a[a.line_payment_id.notna()][["line_payment_id", "reason"]],
                            on="line_payment_id")
    line_denied = (lp_adj.assign(d=(lp_adj.paid == 0) & lp_adj.reason)
                   .groupby("claim_payment_id").d.any())
    first["claim_level"] = first.claim_payment_id.map(claim_level).fillna(False).astype(bool)
    first["any_reason"] = first.claim_payment_id.map(any_reason).fillna(False).astype(bool)
    first["line_denied"] = first.claim_payment_id.map(line_denied).fillna(False).astype(bool)
    denied = ((first.status_code == "4") | ((first.paid == 0) & first.claim_level)
              | first.line_denied)
    resolved = (first.status_code.isin(["1", "2", "3", "19", "20", "21"])
                & ~first.any_reason)
    paid_first = (adjudicating[adjudicating.paid > 0].groupby("claim_id").payment_date.min()
                  .rename("first_paid").reset_index())
    dtp = scope.merge(paid_first, on="claim_id")
    median_days = _days(dtp["sub"], dtp.first_paid).median()

    # A/R as of the last day.
    hist = t["claim_status_history"]
    ended = (hist[hist.status.isin(["closed", "voided"])].groupby("claim_id").status_date.min()
             .rename("ended").reset_index())
    oc = claims.merge(ended, on="claim_id", how="left")
    oc["ended"] = pd.to_datetime(oc.ended)
    gone = ((oc.ended.notna() & (oc.ended <= asof))
            | (oc.ended.isna() & oc.status.isin(["closed", "voided"])))
    oc = oc[(oc["sub"] <= asof) & ~gone]
    posted = cp[(cp.payment_date <= asof) & cp.claim_id.isin(oc.claim_id)]
    paid = posted.groupby("claim_id").paid.sum()
    adjusted = (adj.merge(posted[["claim_payment_id", "claim_id"]], on="claim_payment_id")
                .groupby("claim_id").amount.sum())
    bal = (oc.set_index("claim_id").total_charge - paid.reindex(oc.claim_id).fillna(0).values
           - adjusted.reindex(oc.claim_id).fillna(0).values)
    ar = bal[bal > 0].sum()

    gross = scope.total_charge.sum()
    payments = payer_paid + patient_paid
    daily = window.total_charge.sum() / 90
    n_adj = len(first)
    return {
        "gross_charges": gross, "payments": payments, "contractual_adjustments": contractual,
        "gross_collection_rate": payments / gross if gross else None,
        "net_collection_rate": payments / (gross - contractual) if gross - contractual else None,
        "denial_rate": denied.sum() / n_adj if n_adj else None,
        "first_pass_resolution_rate": resolved.sum() / n_adj if n_adj else None,
        "ar_total": ar, "days_in_ar": ar / daily if daily else None,
        "median_days_to_payment": median_days,
        "payer_paid": payer_paid,
    }


def revenue_by_payer(t: dict[str, pd.DataFrame], date_from: dt.date, date_to: dt.date
                     ) -> pd.DataFrame:
    """Per payer: claims, billed, allowed, paid, patient responsibility, visits."""
    claims = t["claims"]
    fsd = pd.to_datetime(claims.first_service_date)
    scope = claims[(claims.status != "voided") & (fsd >= pd.Timestamp(date_from))
                   & (fsd <= pd.Timestamp(date_to))]
    cp = t["claim_payments"]
    cp = cp[cp.claim_id.isin(scope.claim_id) & (cp.status_code != "23")].copy()
    cp["allowed"] = cp.allowed.fillna(cp.paid + cp.patient_responsibility)
    per_claim = cp.groupby("claim_id")[["allowed", "paid", "patient_responsibility"]].sum()
    s = scope[["claim_id", "payer_id", "client_id", "total_charge"]].merge(
        per_claim, left_on="claim_id", right_index=True, how="left").fillna(0)
    out = s.groupby("payer_id").agg(claims=("claim_id", "size"), billed=("total_charge", "sum"),
                                    allowed=("allowed", "sum"), paid=("paid", "sum"),
                                    patient_responsibility=("patient_responsibility", "sum"))
    lines = t["claim_lines"][["claim_id", "service_date"]].merge(
        scope[["claim_id", "payer_id", "client_id"]], on="claim_id")
    visits = lines.drop_duplicates(["payer_id", "client_id", "service_date"]).groupby(
        "payer_id").size().rename("visits")
    out = out.join(visits).reset_index().merge(
        t["payers"][["payer_id", "name"]].rename(columns={"name": "payer"}), on="payer_id")
    return out.sort_values(["billed", "payer"], ascending=[False, True])


def overview(path: str, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """One naive rerun: load everything, then this period's KPIs, the previous period's,
    and revenue by payer."""
    t = load_tables(path)
    days = (date_to - date_from).days + 1
    prev_to = date_from - dt.timedelta(days=1)
    prev_from = prev_to - dt.timedelta(days=days - 1)
    return {"now": kpis(t, date_from, date_to), "before": kpis(t, prev_from, prev_to),
            "revenue": revenue_by_payer(t, date_from, date_to)}
