"""Money the practice sends back to a payer that overpaid a claim.

A payer that pays a claim twice (a second claim payment with no reversal: DOMAIN.md, "One
claim, several remittances") leaves the claim's insurance side below zero: the practice owes
the difference back. The payer either takes it from a later payment itself (a PLB recoupment
naming the claim, posted with its 835) or asks for a check; this module records the second.

A refund is one ``payer_refunds`` row (with an audit row, in one transaction), which the
ledger reads as a recoupment (metdash/sql/ledger.sql): the payer's money on the claim is less
by it, on the refund's date, so payments posted that day are negative by it and revenue by
payer puts it under that payer. A refund is at most what the claim is overpaid and what that
payer has paid on it, dated no earlier than that payer's last payment on the claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from metdash.entry.problems import (
    Problem,
    as_date,
    as_money,
    blank,
    date_field,
    fetch_one,
    fetch_rows,
    fmt_money,
    money_field,
    text_fields,
    today,
)
from metdash.errors import ValidationError
from metdash.store import Database, audit, facts, fetch_df, insert_row, next_id

__all__ = ["PAYER_REFUND_METHODS", "PayerRefundIn", "payers_paid", "refund_payer",
           "refunds_sent", "validate_payer_refund"]

PAYER_REFUND_METHODS = ("check", "eft")


@dataclass
class PayerRefundIn:
    """A refund to ``payer_id`` of (part of) what it overpaid on ``claim_id``; ``reference``
    is the check or EFT number the payer matches it by."""

    claim_id: str
    payer_id: Any
    amount: Any
    refund_date: Any
    method: str = "check"
    reference: str = ""
    note: str = ""


# What each payer's money on the claim is now: its claim payments (CLP04, a reversal's
# negative) less its recoupments naming the claim and the refunds already sent it (the
# ledger's payer_payment rows, by the payer of their remittance), with its last claim payment.
_PAID = """
    SELECT r.payer_id, p.name AS payer, sum(l.amount)::DECIMAL(14,2) AS paid,
           max(r.payment_date) FILTER (WHERE l.source = 'claim_payment') AS last_paid,
           arg_max(l.remittance_id, (r.payment_date, l.remittance_id))
               FILTER (WHERE l.source = 'claim_payment') AS last_remittance_id
    FROM ledger l JOIN remittances r USING (remittance_id) JOIN payers p ON p.payer_id = r.payer_id
    WHERE l.claim_id = ? AND l.kind = 'payer_payment'
    GROUP BY r.payer_id, p.name
    HAVING last_paid IS NOT NULL
    ORDER BY last_paid DESC, r.payer_id"""


def payers_paid(db: Database, claim_id: str) -> pd.DataFrame:
    """The payers that paid ``claim_id``, latest first: payer_id, payer, paid (their money
    on the claim now, Decimal), last_paid (their last claim payment's date),
    last_remittance_id."""
    with db.connect() as con:
        return fetch_df(con, _PAID, [claim_id])


def refunds_sent(db: Database) -> pd.DataFrame:
    """The refunds sent to payers, newest first: refund_id, refund_date, claim_id,
    client_id, payer, amount (Decimal), method, reference, note, user_name, undone_on (the
    day it was undone, None while it stands: :mod:`metdash.entry.refund_undos`), and why
    (undo_reason)."""
    with db.connect() as con:
        return fetch_df(con, """
            SELECT pr.refund_id, pr.refund_date, pr.claim_id, c.client_id, p.name AS payer,
                   pr.amount, pr.method, pr.reference, pr.note, pr.user_name,
                   u.refund_date AS undone_on, u.note AS undo_reason
            FROM payer_refunds pr JOIN claims c USING (claim_id)
            JOIN payers p ON p.payer_id = pr.payer_id
            LEFT JOIN payer_refunds u ON u.reverses = pr.refund_id
            WHERE pr.reverses IS NULL
            ORDER BY pr.refund_date DESC, pr.refund_id DESC""")


def validate_payer_refund(con: Any, r: PayerRefundIn, as_of: dt.date | None = None
                          ) -> list[Problem]:
    """Every problem with a refund to a payer."""
    return _checked(con, r, as_of)[0]


def _checked(con: Any, r: PayerRefundIn, as_of: dt.date | None
             ) -> tuple[list[Problem], dict[str, Any] | None]:
    """The refund's problems, and the payer's row of :data:`_PAID` (None when it paid
    nothing on the claim)."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, r, {"reference": "Check or EFT number", "note": "Note"})
    claim = fetch_one(con, "SELECT claim_id, status, insurance_balance FROM claim_facts "
                           "WHERE claim_id = ?", [r.claim_id])
    if claim is None:
        return [Problem(f"Claim {r.claim_id!r} is not on file: choose the claim.",
                        "claim_id")], None
    cid = claim["claim_id"]
    if claim["status"] == "voided":
        return [Problem(f"Claim {cid} is voided: nothing on it changes any more.",
                        "claim_id")], None
    over = -Decimal(claim["insurance_balance"])
    if over <= 0:
        return [Problem(f"Claim {cid} is not overpaid: its payers have not paid more than "
                        "they owe on it, so there is nothing to refund.", "claim_id")], None
    paid = {row["payer_id"]: row for row in fetch_rows(con, _PAID, [cid])}
    payer = paid.get(_as_int(r.payer_id))
    if payer is None:
        name = fetch_one(con, "SELECT name FROM payers WHERE payer_id = ?",
                         [_as_int(r.payer_id)])
        who = name["name"] if name else f"Payer {r.payer_id!r}"
        p.append(Problem(f"{who} has paid nothing on claim {cid}: refund the payer that "
                         f"paid it ({', '.join(row['payer'] for row in paid.values())}).",
                         "payer_id"))
    amount = money_field(p, r.amount, "Amount", "amount")
    if amount is not None and amount <= 0:
        p.append(Problem(f"Amount {fmt_money(amount)} must be more than $0.00.", "amount"))
    elif amount is not None and payer is not None:
        most = min(over, Decimal(payer["paid"]))
        if amount > most:
            p.append(Problem(f"Amount {fmt_money(amount)} is more than {payer['payer']} "
                             f"overpaid on claim {cid} ({fmt_money(most)}): refund at most "
                             "that.", "amount"))
    if r.method not in PAYER_REFUND_METHODS:
        p.append(Problem(f"Method {r.method!r} must be one of "
                         f"{', '.join(PAYER_REFUND_METHODS)}.", "method"))
    if blank(r.reference):
        p.append(Problem("Check or EFT number is missing: enter the number the payer will "
                         "match the refund by.", "reference"))
    day = date_field(p, r.refund_date, "Refund date", "refund_date")
    if day and day > as_of:
        p.append(Problem(f"Refund date {day} is in the future: use today or earlier.",
                         "refund_date"))
    elif day and payer is not None and day < payer["last_paid"]:
        p.append(Problem(f"Refund date {day} is before {payer['payer']}'s last payment on "
                         f"claim {cid} ({payer['last_paid']:%b %d, %Y}): a refund returns money "
                         "already received.", "refund_date"))
    return p, payer


def refund_payer(db: Database, r: PayerRefundIn, user: str, as_of: dt.date | None = None
                 ) -> int:
    """Record a refund to the payer that overpaid a claim; the refund's id."""
    with db.transaction() as con:
        problems, payer = _checked(con, r, as_of)
        if problems or payer is None:
            raise ValidationError(problems)
        rid = next_id(con, "payer_refunds", "refund_id")
        values = {"refund_id": rid, "claim_id": r.claim_id, "payer_id": payer["payer_id"],
                  "remittance_id": payer["last_remittance_id"],
                  "refund_date": as_date(r.refund_date),
                  "amount": as_money(r.amount),
                  "method": r.method, "reference": r.reference.strip(),
                  "note": (r.note or "").strip() or None, "user_name": user}
        insert_row(con, "payer_refunds", values)
        audit(con, user, "create", "payer_refunds", rid, None, values)
        facts.touch(con, [r.claim_id])
        return rid


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
