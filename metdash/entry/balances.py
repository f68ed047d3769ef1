"""What the practice itself does to a balance: write-offs (one, or a batch of small balances
after a preview), moving an insurance balance to the client, and refunding a client's credit.

Each writes one row the ledger reads (metdash/sql/ledger.sql), with an audit row, in one
transaction; a balance is never changed in place. DOMAIN.md: a write-off is an adjustment the
practice makes itself -- reason, who, when -- reported by reason; insurance A/R is reduced by
insurance write-offs and transfers to the client, patient A/R by patient write-offs, and a
refund gives a credit back.
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
    blank,
    date_field,
    fetch_one,
    fmt_money,
    money_field,
    text_field,
    text_fields,
    today,
)
from metdash.errors import ValidationError
from metdash.store import Database, audit, facts, fetch_df, insert_row, next_id

__all__ = [
    "PATIENT_REASONS", "INSURANCE_REASONS", "REFUND_METHODS", "SMALL_BALANCE_AT_MOST",
    "RefundIn", "TransferIn",
    "WriteOffIn", "client_patient_balance", "move_to_client", "refund_credit",
    "small_balances", "validate_refund", "validate_transfer", "validate_write_off",
    "write_off", "write_off_small_balances",
]

# DOMAIN.md's reasons, by the side of the books they may reduce.
INSURANCE_REASONS = ("timely_filing", "small_balance", "appeal_lost", "contractual_correction")
PATIENT_REASONS = ("small_balance", "courtesy", "bad_debt")
REFUND_METHODS = ("check", "card", "cash", "hsa")
ZERO = Decimal("0.00")
# A small balance is at most this much: a larger one is written off on its own, with its own
# reason (a new-user trial set "Under" to 5,000 and was offered the whole patient A/R).
SMALL_BALANCE_AT_MOST = Decimal("50.00")


@dataclass
class WriteOffIn:
    """A write-off: of a claim's insurance balance, or of a client's patient balance (on one
    claim, or the client's balance as a whole when ``claim_id`` is empty)."""

    side: str                      # 'insurance' or 'patient'
    amount: Any
    reason: str
    write_off_date: Any
    claim_id: str | None = None
    client_id: str | None = None
    note: str | None = None


@dataclass
class TransferIn:
    """Move (part of) a claim's insurance balance to the client: a denial the client is
    liable for (PR-96, PR-204), or a secondary that will not pay."""

    claim_id: str
    amount: Any
    transfer_date: Any
    reason: str
    note: str | None = None


@dataclass
class RefundIn:
    """Money given back to a client with a credit balance."""

    client_id: str
    amount: Any
    refund_date: Any
    method: str = "check"
    reference: str | None = None
    note: str | None = None
    claim_id: str | None = None


def _claim(con: Any, claim_id: str) -> dict[str, Any] | None:
    return fetch_one(con, "SELECT c.claim_id, c.client_id, c.status, f.insurance_balance, "
                     "f.patient_balance, f.first_ledger_date FROM claims c "
                     "JOIN claim_facts f USING (claim_id) WHERE c.claim_id = ?", [claim_id])


def client_patient_balance(con: Any, client_id: str) -> Decimal:
    """What the client owes now, all claims together (negative: a credit): the patient side of
    every claim's ledger, less money paid or written off that names no claim, plus refunds."""
    row = con.execute("""
        SELECT coalesce((SELECT sum(patient_balance) FROM claim_facts
                         WHERE client_id = $c AND status <> 'voided'), 0)
             - coalesce((SELECT sum(amount) FROM patient_payments
                         WHERE client_id = $c AND claim_id IS NULL), 0)
             - coalesce((SELECT sum(amount) FROM write_offs
                         WHERE client_id = $c AND claim_id IS NULL AND side = 'patient'), 0)
             + coalesce((SELECT sum(amount) FROM patient_refunds
                         WHERE client_id = $c AND claim_id IS NULL), 0)""",
                      {"c": client_id}).fetchall()
    return Decimal(row[0][0]).quantize(Decimal("0.01"))


def _day(p: list[Problem], value: Any, label: str, fld: str, as_of: dt.date) -> dt.date | None:
    day = date_field(p, value, label, fld)
    if day and day > as_of:
        p.append(Problem(f"{label} {day} is in the future: use today or earlier.", fld))
    return day


def validate_write_off(con: Any, w: WriteOffIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a write-off (the amount may not exceed what is owed on that side)."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, w, {"note": "Note"})
    if w.side not in ("insurance", "patient"):
        p.append(Problem(f"Side {w.side!r} must be insurance or patient.", "side"))
        return p
    reasons = INSURANCE_REASONS if w.side == "insurance" else PATIENT_REASONS
    if w.reason not in reasons:
        whose = "an insurance" if w.side == "insurance" else "a client's"
        p.append(Problem(f"Reason {w.reason!r} cannot write off {whose} balance: choose "
                         f"{', '.join(r.replace('_', ' ') for r in reasons)}.", "reason"))
    amount = money_field(p, w.amount, "Amount", "amount")
    if amount is not None and amount <= 0:
        p.append(Problem(f"Amount {amount} must be more than 0.", "amount"))
    _day(p, w.write_off_date, "Write-off date", "write_off_date", as_of)
    if w.reason in ("courtesy", "bad_debt") and blank(w.note):
        p.append(Problem("Note: say why (who approved the courtesy, what collection was "
                         "tried) -- a write-off of a client's money is audited.", "note"))
    owed: Decimal | None = None
    if not blank(w.claim_id):
        claim = _claim(con, str(w.claim_id))
        if claim is None:
            p.append(Problem(f"Claim {w.claim_id!r} is not on file: choose the claim.",
                             "claim_id"))
            return p
        if claim["status"] == "voided":
            p.append(Problem(f"Claim {w.claim_id} is voided: it owes nothing.", "claim_id"))
            return p
        if not blank(w.client_id) and w.client_id != claim["client_id"]:
            p.append(Problem(f"Claim {w.claim_id} is not one of client {w.client_id}'s.",
                             "claim_id"))
        owed = Decimal(claim["insurance_balance" if w.side == "insurance" else "patient_balance"])
    elif w.side == "insurance":
        p.append(Problem("Claim is missing: an insurance balance is written off claim by "
                         "claim.", "claim_id"))
    elif blank(w.client_id) or not fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?",
                                             [w.client_id]):
        p.append(Problem(f"Client {w.client_id!r} is not on file: choose the client.",
                         "client_id"))
    else:
        owed = client_patient_balance(con, str(w.client_id))
    if owed is not None and amount is not None and amount > 0 and amount > owed:
        whom = "the payer" if w.side == "insurance" else "the client"
        p.append(Problem(f"Amount {fmt_money(amount)} is more than {whom} owes "
                         f"({fmt_money(max(owed, ZERO))}): write off at most that.", "amount"))
    return p


def _write(con: Any, w: WriteOffIn, user: str, batch_id: int | None = None) -> int:
    wid = next_id(con, "write_offs", "write_off_id")
    client_id = w.client_id
    if not blank(w.claim_id):
        client_id = fetch_one(con, "SELECT client_id FROM claims WHERE claim_id = ?",
                              [w.claim_id])["client_id"]
    values = {"write_off_id": wid, "client_id": client_id, "claim_id": w.claim_id or None,
              "side": w.side, "amount": Decimal(str(w.amount)).quantize(Decimal("0.01")),
              "reason": w.reason, "note": (w.note or "").strip() or None,
              "write_off_date": as_date(w.write_off_date), "user_name": user,
              "batch_id": batch_id}
    insert_row(con, "write_offs", values)
    audit(con, user, "create", "write_offs", wid, None, values)
    facts.touch(con, [values["claim_id"]], status_only=True)
    return wid


def write_off(db: Database, w: WriteOffIn, user: str, as_of: dt.date | None = None) -> int:
    """Write off (part of) a balance; the write-off's id. Raises :class:`ValidationError`."""
    with db.transaction() as con:
        problems = validate_write_off(con, w, as_of)
        if problems:
            raise ValidationError(problems)
        return _write(con, w, user)


def small_balances(db: Database, side: str, under: Any, as_of: dt.date | None = None
                   ) -> pd.DataFrame:
    """The preview of a batch write-off: every balance of ``side`` above 0 and below
    ``under`` dollars now. Insurance: claim_id, client_id, payer, first_service_date, amount
    (the claim's insurance balance). Patient: client_id, client_name, amount (what the client
    owes, all claims together), claim_id empty."""
    limit = Decimal(str(under))
    with db.connect() as con:
        if side == "insurance":
            return fetch_df(con, """
                SELECT f.claim_id, f.client_id, p.name AS payer, f.first_service_date,
                       f.insurance_balance AS amount
                FROM claim_facts f JOIN payers p USING (payer_id)
                WHERE f.status <> 'voided' AND f.insurance_balance > 0
                  AND f.insurance_balance < ?
                ORDER BY f.first_service_date, f.claim_id""", [limit])
        return fetch_df(con, """
            WITH per_client AS (
                SELECT client_id, sum(balance) AS amount FROM (
                    SELECT client_id, patient_balance AS balance FROM claim_facts
                    WHERE status <> 'voided'
                    UNION ALL SELECT client_id, -amount FROM patient_payments
                    WHERE claim_id IS NULL
                    UNION ALL SELECT client_id, -amount FROM write_offs
                    WHERE claim_id IS NULL AND side = 'patient'
                    UNION ALL SELECT client_id, amount FROM patient_refunds
                    WHERE claim_id IS NULL)
                GROUP BY client_id)
            SELECT NULL::VARCHAR AS claim_id, pc.client_id,
                   cl.last_name || ', ' || cl.first_name AS client_name,
                   pc.amount::DECIMAL(14,2) AS amount
            FROM per_client pc JOIN clients cl USING (client_id)
            WHERE pc.amount > 0 AND pc.amount < ?
            ORDER BY pc.client_id""", [limit])


def write_off_small_balances(db: Database, side: str, under: Any, user: str,
                             write_off_date: Any = None, note: str | None = None,
                             expected: int | None = None, as_of: dt.date | None = None,
                             expected_total: Any = None) -> tuple[int, int, Decimal]:
    """Write off every balance :func:`small_balances` lists (reason 'small balance'), as one
    batch in one transaction: ``(batch_id, write-offs, total)``. ``expected`` and
    ``expected_total``: how many and how much the preview showed -- when the balances
    changed since, nothing is written (ValidationError)."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_field(p, note, "Note", "note")
    if side not in ("insurance", "patient"):
        raise ValidationError([Problem(f"Side {side!r} must be insurance or patient.", "side")])
    limit = money_field(p, under, "Under", "under")
    if limit is not None and limit <= 0:
        p.append(Problem("Under: enter an amount above 0, e.g. 5.00.", "under"))
    elif limit is not None and limit > SMALL_BALANCE_AT_MOST:
        p.append(Problem(f"Under {fmt_money(limit)} is more than a small balance "
                         f"({fmt_money(SMALL_BALANCE_AT_MOST)} at most): write off a larger "
                         "balance on its own, with its reason (Balances & write-offs → Write "
                         "off).", "under"))
    day = _day(p, write_off_date or as_of, "Write-off date", "write_off_date", as_of)
    if p:
        raise ValidationError(p)
    rows = small_balances(db, side, limit, as_of)
    if expected is not None and len(rows) != expected:
        raise ValidationError([Problem(
            f"The balances changed since the preview ({expected} then, {len(rows)} now): "
            "preview again before writing off.", "under")])
    now_total = Decimal(str(rows.amount.sum())) if len(rows) else ZERO
    if expected_total is not None and now_total != Decimal(str(expected_total)):
        raise ValidationError([Problem(
            f"The balances changed since the preview ({fmt_money(Decimal(str(expected_total)))} "
            f"then, {fmt_money(now_total)} now): preview again before writing off.", "under")])
    if rows.empty:
        raise ValidationError([Problem(f"No {side} balance is under {fmt_money(limit)}: "
                                       "nothing to write off.", "under")])
    with db.transaction() as con:
        batch = int(con.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM write_offs"
                                ).fetchall()[0][0])
        total = ZERO
        for r in rows.itertuples(index=False):
            claim_id = r.claim_id if isinstance(r.claim_id, str) else None
            w = WriteOffIn(side, r.amount, "small_balance", day, claim_id=claim_id,
                           client_id=r.client_id, note=note or f"batch {batch}: balances "
                           f"under {fmt_money(limit)}")
            problems = validate_write_off(con, w, as_of)
            if problems:  # a balance changed under us: write nothing
                raise ValidationError(problems)
            _write(con, w, user, batch)
            total += Decimal(str(r.amount))
        return batch, len(rows), total


def validate_transfer(con: Any, t: TransferIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with moving an insurance balance to the client."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, t, {"note": "Note"})
    claim = _claim(con, t.claim_id)
    if claim is None:
        return [Problem(f"Claim {t.claim_id!r} is not on file: choose the claim.", "claim_id")]
    amount = money_field(p, t.amount, "Amount", "amount")
    if amount is not None and amount <= 0:
        p.append(Problem(f"Amount {amount} must be more than 0.", "amount"))
    elif amount is not None and amount > Decimal(claim["insurance_balance"]):
        p.append(Problem(f"Amount {fmt_money(amount)} is more than the payer owes on "
                         f"{t.claim_id} ({fmt_money(max(Decimal(claim['insurance_balance']), ZERO))}):"
                         " move at most that.", "amount"))
    _day(p, t.transfer_date, "Transfer date", "transfer_date", as_of)
    if blank(t.reason):
        p.append(Problem("Reason is missing: say why the client owes it (e.g. 'PR-96 not "
                         "covered, client signed the waiver').", "reason"))
    return p


def move_to_client(db: Database, t: TransferIn, user: str, as_of: dt.date | None = None) -> int:
    """Move (part of) a claim's insurance balance to the client; the transfer's id."""
    with db.transaction() as con:
        problems = validate_transfer(con, t, as_of)
        if problems:
            raise ValidationError(problems)
        tid = next_id(con, "balance_transfers", "transfer_id")
        claim = _claim(con, t.claim_id)
        values = {"transfer_id": tid, "claim_id": t.claim_id, "client_id": claim["client_id"],
                  "amount": Decimal(str(t.amount)).quantize(Decimal("0.01")),
                  "transfer_date": as_date(t.transfer_date), "reason": t.reason.strip(),
                  "note": (t.note or "").strip() or None, "user_name": user}
        insert_row(con, "balance_transfers", values)
        audit(con, user, "create", "balance_transfers", tid, None, values)
        facts.touch(con, [t.claim_id], status_only=True)
        return tid


def validate_refund(con: Any, r: RefundIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a refund (only a credit can be refunded)."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, r, {"reference": "Reference", "note": "Note"})
    if not fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?", [r.client_id]):
        return [Problem(f"Client {r.client_id!r} is not on file: choose the client.",
                        "client_id")]
    amount = money_field(p, r.amount, "Amount", "amount")
    credit = -client_patient_balance(con, r.client_id)
    if amount is not None and amount <= 0:
        p.append(Problem(f"Amount {amount} must be more than 0.", "amount"))
    elif amount is not None and amount > credit:
        p.append(Problem(f"Amount {fmt_money(amount)} is more than the client's credit "
                         f"({fmt_money(max(credit, ZERO))}): refund at most that.", "amount"))
    if r.method not in REFUND_METHODS:
        p.append(Problem(f"Method {r.method!r} must be one of {', '.join(REFUND_METHODS)}.",
                         "method"))
    _day(p, r.refund_date, "Refund date", "refund_date", as_of)
    return p


def refund_credit(db: Database, r: RefundIn, user: str, as_of: dt.date | None = None) -> int:
    """Refund (part of) a client's credit balance; the refund's id."""
    with db.transaction() as con:
        problems = validate_refund(con, r, as_of)
        if problems:
            raise ValidationError(problems)
        rid = next_id(con, "patient_refunds", "refund_id")
        values = {"refund_id": rid, "client_id": r.client_id, "claim_id": r.claim_id or None,
                  "refund_date": as_date(r.refund_date),
                  "amount": Decimal(str(r.amount)).quantize(Decimal("0.01")),
                  "method": r.method, "reference": (r.reference or "").strip() or None,
                  "note": (r.note or "").strip() or None, "user_name": user}
        insert_row(con, "patient_refunds", values)
        audit(con, user, "create", "patient_refunds", rid, None, values)
        facts.touch(con, [values["claim_id"]], status_only=True)
        return rid
