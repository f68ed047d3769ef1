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


def _rate(clean: int, rejected: int, unacknowledged: int, acknowledged: int) -> float | None:
    """clean ÷ (clean + rejected + unacknowledged); None when no claim has any
    acknowledgment (the payer, or the clearinghouse, sends none: not a 0 %) or none is due."""
    due = clean + rejected + unacknowledged
    return clean / due if acknowledged and due else None


def clean_claims_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer: payer, submitted (claims first submitted in the period), clean, rejected,
    unacknowledged (no outcome more than the practice's ack_wait_days after the first
    submission: submitted, not clean), awaiting (no outcome, still inside that wait: not
    counted yet), acknowledged (claims with any 999 / 277CA), clean_claim_rate (clean ÷
    (clean + rejected + unacknowledged); None when none of the payer's claims has an
    acknowledgment, or none is due yet). Payers by name; payers with no submission are left
    out."""
    with db.connect() as con:
        frame = run(con, sql("clean_claims"), f)
    frame["clean_claim_rate"] = [
        _rate(*(int(v) for v in r))
        for r in frame[["clean", "rejected", "unacknowledged", "acknowledged"]].itertuples(
            index=False)]
    return frame


def clean_claim_rate(db: Database, f: Filters) -> dict[str, Any]:
    """Over every payer that passes the filters: clean_claim_rate, claims_submitted,
    claims_clean, claims_rejected, claims_unacknowledged, claims_awaiting_ack (see
    :func:`clean_claim_totals`)."""
    return clean_claim_totals(clean_claims_by_payer(db, f))


def clean_claim_totals(by_payer: pd.DataFrame) -> dict[str, Any]:
    """The totals of :func:`clean_claims_by_payer`'s frame: the counts over every payer; the
    rate over the payers that acknowledge at all (a payer none of whose claims has a 999 /
    277CA is left out of it rather than counted 0 %)."""
    seen = by_payer[by_payer["acknowledged"] > 0]
    rate = _rate(int(seen["clean"].sum()), int(seen["rejected"].sum()),
                 int(seen["unacknowledged"].sum()), int(seen["acknowledged"].sum()))
    return {"clean_claim_rate": rate, "claims_submitted": int(by_payer["submitted"].sum()),
            "claims_clean": int(by_payer["clean"].sum()),
            "claims_rejected": int(by_payer["rejected"].sum()),
            "claims_unacknowledged": int(by_payer["unacknowledged"].sum()),
            "claims_awaiting_ack": int(by_payer["awaiting"].sum())}
