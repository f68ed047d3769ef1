"""A refund undone: money recorded as sent back, to a client or to a payer, that was not.

A refund recorded by mistake (the wrong client, a check never sent) or a check that came back
uncashed left the books with no way back: the client's credit, or the payer's overpayment,
was gone for good. An undo is a row of the refund's own table (migration 0024) with its
amount negated, dated the day it is undone and naming the refund (``reverses``), with an
audit row, in one transaction. Everything that sums refunds nets it on its own date:

* a client's refund (``patient_refunds``): the credit is the client's again (What clients
  owe, Credit balances to refund), and the money posted on the undo's date is more by it;
* a payer's refund (``payer_refunds``): the payer's money on the claim is what it was
  before the refund, so the claim is overpaid again (Payers overpaid), and the money posted
  on the undo's date is more by it.

A refund is undone whole (it is one check or one transfer), once, on or after its own date
and not in the future, with a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metdash.entry.problems import (
    Problem,
    as_date,
    blank,
    date_field,
    fetch_one,
    fmt_money,
    text_fields,
    today,
)
from metdash.errors import ValidationError
from metdash.store import Database, audit, facts, fetch_df, insert_row, next_id

__all__ = ["REFUND_TABLES", "RefundUndoIn", "client_refunds", "undo_choices", "undo_refund",
           "validate_refund_undo"]

# Whose refund -> its table.
REFUND_TABLES = {"client": "patient_refunds", "payer": "payer_refunds"}


@dataclass
class RefundUndoIn:
    """Undo the refund ``refund_id`` of ``kind`` ("client" or "payer") on ``undo_date``,
    for ``reason`` (e.g. "check never sent", "recorded for the wrong client")."""

    kind: str
    refund_id: Any
    undo_date: Any
    reason: str = ""


def client_refunds(db: Database, client_id: str) -> pd.DataFrame:
    """A client's refunds, newest first: refund_id, refund_date, claim_id, amount (Decimal),
    method, reference, undone_on (the day it was undone, None while it stands) and why
    (undo_reason)."""
    with db.connect() as con:
        return fetch_df(con, """
            SELECT r.refund_id, r.refund_date, r.claim_id, r.amount, r.method, r.reference,
                   u.refund_date AS undone_on, u.note AS undo_reason
            FROM patient_refunds r
            LEFT JOIN patient_refunds u ON u.reverses = r.refund_id
            WHERE r.client_id = ? AND r.reverses IS NULL
            ORDER BY r.refund_date DESC, r.refund_id DESC""", [client_id])


def undo_choices(refunds: pd.DataFrame) -> dict[int, str]:
    """The refunds of ``refunds`` (rows of :func:`client_refunds` or
    :func:`metdash.entry.refunds_sent`) that can still be undone, by id, each in words for a
    picker: "$10.00 on May 25, 2025, check 1042", with its claim and payer when they are
    columns ("claim L14 - Acme Health - ...")."""
    out = {}
    for r in refunds[refunds.undone_on.isna()].itertuples():
        ref = r.reference if isinstance(r.reference, str) and r.reference.strip() else ""
        words = f"${r.amount:,.2f} on {r.refund_date:%b %d, %Y}, {r.method}" + (
            f" {ref}" if ref else "")
        if hasattr(r, "payer"):
            words = f"claim {r.claim_id} - {r.payer} - {words}"
        out[int(r.refund_id)] = words
    return out


def validate_refund_undo(con: Any, u: RefundUndoIn, as_of: dt.date | None = None
                         ) -> list[Problem]:
    """Every problem with undoing a refund."""
    return _checked(con, u, as_of)[0]


def _checked(con: Any, u: RefundUndoIn, as_of: dt.date | None
             ) -> tuple[list[Problem], dict[str, Any] | None]:
    """The undo's problems, and the refund's row (None when there is none to undo)."""
    as_of = as_of or today()
    p: list[Problem] = []
    table = REFUND_TABLES.get(u.kind)
    if table is None:
        return [Problem(f"Kind {u.kind!r} must be client or payer.", "kind")], None
    text_fields(p, u, {"reason": "Reason"})
    refund = None
    try:
        refund_id = int(u.refund_id)
    except (TypeError, ValueError):
        refund_id = None
    if refund_id is not None:
        refund = fetch_one(con, f"SELECT * FROM {table} WHERE refund_id = ? "
                                "AND reverses IS NULL", [refund_id])
    if refund is None:
        p.append(Problem(f"Refund {u.refund_id!r} is not a refund on file: choose one from the "
                         "list.", "refund_id"))
    else:
        done = fetch_one(con, f"SELECT refund_date FROM {table} WHERE reverses = ?",
                         [refund_id])
        if done is not None:
            p.append(Problem(f"Refund {refund_id} ({fmt_money(refund['amount'])} on "
                             f"{refund['refund_date']}) was already undone on "
                             f"{done['refund_date']}.", "refund_id"))
            refund = None
    day = date_field(p, u.undo_date, "Undone on", "undo_date")
    if day is not None and day > as_of:
        p.append(Problem(f"Undone on {day} is in the future: use today or earlier.",
                         "undo_date"))
    elif day is not None and refund is not None and day < refund["refund_date"]:
        p.append(Problem(f"Undone on {day} is before the refund itself "
                         f"({refund['refund_date']}): use {refund['refund_date']} for a refund "
                         "recorded by mistake, or the day the check came back.", "undo_date"))
    if blank(u.reason):
        p.append(Problem("Reason is missing: say why the refund did not happen (e.g. 'check "
                         "never sent', 'recorded for the wrong client').", "reason"))
    return p, refund


def undo_refund(db: Database, u: RefundUndoIn, user: str, as_of: dt.date | None = None
                ) -> int:
    """Undo a refund to a client or a payer (see the module); the undo row's id."""
    with db.transaction() as con:
        problems, refund = _checked(con, u, as_of)
        if problems or refund is None:
            raise ValidationError(problems)
        table = REFUND_TABLES[u.kind]
        rid = next_id(con, table, "refund_id")
        values = {**{k: v for k, v in refund.items() if k not in ("created_at",)},
                  "refund_id": rid, "refund_date": as_date(u.undo_date),
                  "amount": -refund["amount"], "note": u.reason.strip(), "user_name": user,
                  "reverses": refund["refund_id"]}
        insert_row(con, table, values)
        audit(con, user, "create", table, rid, None, values)
        if refund.get("claim_id"):
            facts.touch(con, [refund["claim_id"]], status_only=(u.kind == "client"))
        return rid
