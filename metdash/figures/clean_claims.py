"""The clean claim rate (DOMAIN.md): claims accepted on their first submission ÷ claims
submitted with an outcome, overall and by payer. The definition, word for word, is the
figure catalogue's (:mod:`metdash.metrics`, ``clean_claim_rate``); the query is
``metdash/sql/clean_claims.sql``; the acknowledgments come from :mod:`metdash.x12.post_ack`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from metdash.figures.core import Filters, run, sql
from metdash.store import Database


def clean_claims_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer: payer, submitted (claims first submitted in the period), clean, rejected,
    awaiting (no outcome yet), clean_claim_rate (clean ÷ (clean + rejected); None when no
    claim has an outcome). Payers by name; payers with no submission are left out."""
    with db.connect() as con:
        frame = run(con, sql("clean_claims"), f)
    den = frame["clean"] + frame["rejected"]
    frame["clean_claim_rate"] = [None if d == 0 else c / d
                                 for c, d in zip(frame["clean"], den, strict=True)]
    return frame


def clean_claim_rate(db: Database, f: Filters) -> dict[str, Any]:
    """Over every payer that passes the filters: clean_claim_rate (None when no claim has an
    outcome), claims_submitted, claims_clean, claims_rejected, claims_awaiting_ack."""
    return clean_claim_totals(clean_claims_by_payer(db, f))


def clean_claim_totals(by_payer: pd.DataFrame) -> dict[str, Any]:
    """The totals of :func:`clean_claims_by_payer`'s frame (see :func:`clean_claim_rate`)."""
    clean, rejected = int(by_payer["clean"].sum()), int(by_payer["rejected"].sum())
    return {"clean_claim_rate": clean / (clean + rejected) if clean + rejected else None,
            "claims_submitted": int(by_payer["submitted"].sum()), "claims_clean": clean,
            "claims_rejected": rejected, "claims_awaiting_ack": int(by_payer["awaiting"].sum())}
