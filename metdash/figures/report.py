"""Every figure of the dashboard as one JSON-ready report (what ``metdash figures`` prints,
and what the benchmark times): money as numbers with 2 decimals, rates 0..1, dates ISO."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd

from metdash import exports
from metdash.figures.clean_claims import clean_claim_totals, clean_claims_by_payer
from metdash.figures.core import Filters
from metdash.figures.denials import denial_reasons
from metdash.figures.ledger import write_offs_by_reason
from metdash.figures.overview import kpis
from metdash.figures.payment import AR_KINDS, ar_agings, days_to_payment
from metdash.figures.referrers import referrer_volume
from metdash.figures.revenue import revenue_by_payer
from metdash.metrics import CATALOGUE, KPI_NAMES
from metdash.store import Database


def _plain(value: Any, fmt: str | None = None) -> Any:
    """A JSON-ready value: money as a number with 2 decimals, rates 0..1, dates ISO."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, Decimal) or fmt == "money":
        return round(float(value), 2)
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat() if hasattr(value, "date") else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item(), fmt)
    if isinstance(value, float) and fmt == "days":
        return round(value, 1)
    return value


def _rows(df: pd.DataFrame, columns: list[str], formats: dict[str, str]) -> list[dict]:
    return [{c: _plain(row[c], formats.get(c)) for c in columns} for _, row in df.iterrows()]


def figures_report(db: Database, f: Filters) -> dict[str, Any]:
    """Every figure of the dashboard for ``f`` as a JSON-ready dict (the CLI's output)."""
    k = kpis(db, f)
    money = {"billed": "money", "allowed": "money", "paid": "money", "paid_as_secondary": "money",
             "patient_responsibility": "money", "balance": "money", "amount": "money"}
    rev = revenue_by_payer(db, f)
    dtp = days_to_payment(db, f)
    agings = ar_agings(db, f)
    aging = pd.concat([agings[kind].assign(kind=kind) for kind in AR_KINDS],
                      ignore_index=True)
    reasons = denial_reasons(db, f)
    written = write_offs_by_reason(db, f)
    refs = referrer_volume(db, f)
    clean = clean_claims_by_payer(db, f)
    return {
        "from": f.date_from.isoformat(), "to": f.date_to.isoformat(),
        "as_of": f.as_of.isoformat(),
        "kpis": {n: _plain(k[n], CATALOGUE[n].format) for n in KPI_NAMES},
        "revenue_by_payer": _rows(rev, ["payer", "claims", "billed", "allowed", "paid",
                                        "paid_as_secondary",
                                        "patient_responsibility"], money),
        "days_to_payment": _rows(dtp, ["payer", "claims_paid", "median_days", "p90_days"], {}),
        "ar_aging": _rows(aging, ["kind", "bucket", "claims", "balance"], money),
        "denial_reasons": _rows(reasons, ["group", "carc", "description", "claims", "lines",
                                          "amount"], money),
        "referrers": _rows(refs, ["npi", "name", "kind", "referrals", "converted", "sessions",
                                  "billed", "paid", "last_referral"], money),
        "write_offs": _rows(written, ["reason", "side", "write_offs", "amount", "recovered",
                                      "undone"], {**money, "recovered": "money",
                                                  "undone": "money"}),
        "clean_claims": {**{k: _plain(v) for k, v in clean_claim_totals(clean).items()},
                         "by_payer": _rows(clean, ["payer", "submitted", "clean", "rejected",
                                                   "unacknowledged", "awaiting",
                                                   "acknowledged", "clean_claim_rate"], {})},
    }


def report_csv(report: dict[str, Any]) -> str:
    """The report as one CSV: section, name, then the row's fields as key=value columns."""
    rows = []
    for name, value in report["kpis"].items():
        rows.append(["kpis", name, "value", "" if value is None else value])
    keys = {"denial_reasons": lambda r: f"{r['group']}-{r['carc']}",
            "ar_aging": lambda r: f"{r['kind']} {r['bucket']}",
            "write_offs": lambda r: f"{r['side']} {r['reason']}"}
    for name, value in report.get("clean_claims", {}).items():
        if name != "by_payer":
            rows.append(["clean_claims", name, "value", "" if value is None else value])
    for row in report.get("clean_claims", {}).get("by_payer", []):
        for field, value in row.items():
            rows.append(["clean_claims_by_payer", row["payer"], field,
                         "" if value is None else value])
    for section in ("revenue_by_payer", "days_to_payment", "ar_aging", "denial_reasons",
                    "referrers", "write_offs"):
        for row in report[section]:
            key = keys[section](row) if section in keys else row[next(iter(row))]
            for field, value in row.items():
                rows.append([section, key, field, "" if value is None else value])
    # Through metdash.exports: a referrer or payer name never runs as a formula.
    return exports.rows_csv(["section", "key", "field", "value"], rows)
