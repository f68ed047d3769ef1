"""What the payments page says after a paper EOB is posted: what its check holds so far,
and what an EOB for some of a claim's lines left owed (:mod:`metdash.entry.posting`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from metdash.entry.problems import fetch_one, fetch_rows, fmt_money
from metdash.store import Database

__all__ = ["answered_in_part", "check_so_far", "lines_in_words"]


def check_so_far(db: Database, remittance_id: int) -> str | None:
    """What a check posted by hand holds so far, once it pays more than one claim (its claims
    are posted one by one): "check 4471 now holds $130.00 for 2 claims"; else None."""
    with db.connect() as con:
        row = fetch_one(con, "SELECT r.trace_number, r.amount, count(*) AS claims "
                        "FROM remittances r JOIN claim_payments cp USING (remittance_id) "
                        "WHERE r.remittance_id = ? GROUP BY ALL", [remittance_id])
    if row is None or row["claims"] < 2:
        return None
    return (f"check / EFT {row['trace_number']} now holds {fmt_money(row['amount'])} for "
            f"{row['claims']} claims")


def answered_in_part(db: Database, remittance_id: int, claim_id: str) -> str | None:
    """What a paper EOB posted on ``claim_id`` (payment ``remittance_id``) left unanswered,
    in words, when it answered only some of the claim's lines and some of the others are on
    no answer yet (an EOB for the rest of a split claim leaves nothing); else None."""
    with db.connect() as con:
        row = fetch_one(con, """
            SELECT cp.charge, c.total_charge
            FROM claim_payments cp JOIN claims c USING (claim_id)
            WHERE cp.remittance_id = ? AND cp.claim_id = ?
            ORDER BY cp.claim_payment_id DESC LIMIT 1""", [remittance_id, claim_id])
        if row is None or row["charge"] is None or row["charge"] >= row["total_charge"]:
            return None
        left = fetch_rows(con, """
            SELECT l.line_no, l.cpt, l.service_date, l.charge FROM claim_lines l
            WHERE l.claim_id = ? AND l.line_no NOT IN (
                SELECT lp.line_no FROM line_payments lp
                JOIN claim_payments cp USING (claim_payment_id)
                WHERE cp.claim_id = ? AND cp.status_code NOT IN ('22', '23', '25')
                  AND lp.line_no IS NOT NULL)
            ORDER BY l.line_no""", [claim_id, claim_id])
    if not left:
        return None
    which = lines_in_words([(r["line_no"], r["cpt"], r["service_date"]) for r in left])
    owed = sum((Decimal(r["charge"]) for r in left), Decimal("0.00"))
    return (f"The EOB answers {fmt_money(row['charge'])} of the "
            f"{fmt_money(row['total_charge'])} billed: {which} not on it. Insurance still owes "
            f"the {fmt_money(owed)} not answered: if the payer sends no EOB for it, ask the "
            "payer about it (Work lists, Claims unpaid past the usual lag).")


def lines_in_words(lines: Sequence[tuple[int, str, dt.date | None]]) -> str:
    """Claim lines (line number, CPT, date of service) as a sentence's subject: "line 3
    (97530, Feb 05, 2025) is", "lines 2 (97112, ...) and 3 (...) are"."""
    said = [f"{n} ({cpt}, {day:%b %d, %Y})" if day else f"{n} ({cpt})" for n, cpt, day in lines]
    if len(said) == 1:
        return f"line {said[0]} is"
    return f"lines {', '.join(said[:-1])} and {said[-1]} are"
