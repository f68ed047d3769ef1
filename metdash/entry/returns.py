"""Moves to the client and insurance write-offs undone: the money comes back to the payer's side.

A balance the practice moved off a claim's insurance side (a move to the client, an insurance
write-off) is not final. Two things bring it back, each a row of ``balance_returns``
(migration 0019) that the ledger shows as the reversal of what it undoes
(metdash/sql/ledger.sql), with an audit row:

* **the payer pays it after all** (:func:`return_for_payments`, called by 835 posting and
  by a hand-posted EOB in the same transaction): a denial moved to the client and then paid
  on appeal, or a balance written off for timely filing that the payer pays. Without a return
  the claim's insurance side would owe less than zero and the file would be refused. The
  newest moves come back first (the client should not be billed for what the payer paid),
  then the newest write-offs (a recovery), only as far as the payment took the claim below
  zero (not up to the payment's amount: a payment on appeal also undoes the denial it
  replaces). What the client already paid on a move that comes back is a credit to refund.
  A payment beyond every move and write-off is still refused (DOMAIN.md has no insurance
  credit balance).
* **the biller undoes one** (:func:`undo_move`): a move or write-off entered by mistake, or a
  client who turns out not to be liable. What is left of it comes back, dated the day chosen;
  a claim closed meanwhile is reopened at the status it had before it was closed.

Only insurance write-offs are undone here: a patient write-off is the client's balance
(bad debt collected after all is a patient payment, and leaves a credit to refund).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from metdash.entry.claims import add_claim_status
from metdash.entry.problems import Problem, blank, date_field, fmt_money, today
from metdash.errors import ValidationError
from metdash.store import Database, audit, facts, fetch_df, insert_row, next_id

__all__ = ["Returned", "UndoIn", "return_for_payments", "returned_by", "shortfall",
           "undoable", "undo_move", "validate_undo"]

ZERO = Decimal("0.00")
KINDS = {"transfer": "move to the client", "write_off": "write-off"}

# What is left of each move to the client and insurance write-off of the claims in $ids (not
# yet returned), newest moves first, then newest write-offs: the order money comes back in.
_OPEN = """
    WITH src AS (
        SELECT 'transfer' AS kind, transfer_id AS source_id, claim_id, client_id, amount,
               transfer_date AS day, reason, user_name, 0 AS pri
        FROM balance_transfers WHERE claim_id IN (SELECT unnest($ids::VARCHAR[]))
        UNION ALL
        SELECT 'write_off', write_off_id, claim_id, client_id, amount, write_off_date,
               reason, user_name, 1
        FROM write_offs
        WHERE side = 'insurance' AND claim_id IN (SELECT unnest($ids::VARCHAR[]))),
    back AS (
        SELECT kind, source_id, sum(amount) AS back FROM balance_returns
        WHERE claim_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY ALL)
    SELECT s.claim_id, s.kind, s.source_id, s.client_id, s.day, s.amount,
           (s.amount - coalesce(b.back, 0))::DECIMAL(12,2) AS remaining, s.reason, s.user_name
    FROM src s LEFT JOIN back b USING (kind, source_id)
    ORDER BY s.claim_id, s.pri, s.day DESC, s.source_id DESC"""


@dataclass(frozen=True)
class Returned:
    """One move or write-off (part of it) brought back to the insurance side."""

    claim_id: str
    kind: str          # 'transfer' or 'write_off'
    source_id: int
    amount: Decimal
    paid: bool = True  # brought back by a payer's payment (else undone by hand)
    # What the client has paid on the claim beyond what they now owe on it (a move undone
    # after the client paid on it): a credit to refund; None when there is none.
    client_credit: Decimal | None = None

    def words(self) -> str:
        what = ("moved back from the client" if self.kind == "transfer"
                else "of the write-off recovered" if self.paid
                else "of the write-off undone")
        return f"{fmt_money(self.amount)} {what}"


def _insert(con: Any, row: Mapping[str, Any], user: str) -> int:
    rid = next_id(con, "balance_returns", "return_id")
    values = {"return_id": rid, **row, "user_name": user}
    insert_row(con, "balance_returns", values)
    audit(con, user, "create", "balance_returns", rid, None, values)
    return rid


def shortfall(before: Mapping[str, Decimal], after: Mapping[str, Decimal]
              ) -> dict[str, Decimal]:
    """How far a posting took each claim below zero on the insurance side (``before`` /
    ``after``: its insurance balance; a claim missing from ``before`` owed nothing): only the
    part below zero that the posting caused, for :func:`return_for_payments`. Claims that
    stayed at or above zero, or that the posting did not lower, are left out."""
    out = {}
    for claim_id, now in after.items():
        was = before.get(claim_id, ZERO)
        if now < 0 and now < was:
            out[claim_id] = min(-now, was - now)
    return out


def return_for_payments(con: Any, short: Mapping[str, Decimal],
                        paid_by: Mapping[str, tuple[int | None, dt.date | None, str]],
                        user: str) -> list[Returned]:
    """Bring back, per claim, up to ``short[claim_id]`` (how far below zero the payer's
    payment takes its insurance side) from its moves to the client and insurance write-offs:
    the newest moves first, then the newest write-offs. ``paid_by[claim_id]``: the remittance
    id, payment date and payer name of the payment. Each return is dated the payment date, or
    the move's own date when that is later (an older remittance imported late). The claims are
    touched; the caller syncs the facts and checks what is still below zero."""
    ids = sorted(c for c, amount in short.items() if amount > 0)
    if not ids:
        return []
    open_ = fetch_df(con, _OPEN, {"ids": ids})
    out: list[Returned] = []
    for row in open_.itertuples(index=False):
        need = short[row.claim_id] - sum((r.amount for r in out if r.claim_id == row.claim_id),
                                         ZERO)
        left = Decimal(row.remaining)
        if need <= 0 or left <= 0:
            continue
        amount = min(need, left)
        remittance_id, day, payer = paid_by[row.claim_id]
        day = max(d for d in (day, row.day) if d is not None)
        _insert(con, {"claim_id": row.claim_id, "client_id": row.client_id, "kind": row.kind,
                      "source_id": int(row.source_id), "amount": amount, "return_date": day,
                      "remittance_id": remittance_id,
                      "reason": f"paid by {payer}" if payer else "paid by the payer"}, user)
        out.append(Returned(row.claim_id, row.kind, int(row.source_id), amount))
    facts.touch(con, sorted({r.claim_id for r in out}), status_only=True)
    return out


def returned_by(db: Database, remittance_id: int, claim_id: str | None = None
                ) -> list[Returned]:
    """What a remittance's payment brought back from moves and write-offs (to say so); of
    ``claim_id`` alone when given (a check posted by hand may pay other claims too)."""
    with db.connect() as con:
        rows = con.execute("SELECT claim_id, kind, source_id, amount FROM balance_returns "
                           "WHERE remittance_id = ? AND (? IS NULL OR claim_id = ?) "
                           "ORDER BY return_id", [remittance_id, claim_id, claim_id]).fetchall()
    return [Returned(c, k, int(s), Decimal(a)) for c, k, s, a in rows]


def undoable(db: Database, claim_id: str) -> pd.DataFrame:
    """The claim's moves to the client and insurance write-offs with something left to undo:
    kind, source_id, day, amount, remaining, reason, user_name, and label (in words, for a
    picker); newest moves first."""
    with db.connect() as con:
        df = fetch_df(con, _OPEN, {"ids": [claim_id]})
    df = df[df.remaining > 0].reset_index(drop=True)
    df["label"] = [
        f"{'Move to the client' if r.kind == 'transfer' else 'Write-off'} of "
        f"{fmt_money(Decimal(r.amount))} on {r.day:%b %d, %Y} by {r.user_name} "
        f"({r.reason.replace('_', ' ')})"
        + (f", {fmt_money(Decimal(r.remaining))} left" if r.remaining != r.amount else "")
        for r in df.itertuples()]
    return df


@dataclass
class UndoIn:
    """Undo what is left of one move to the client (``kind`` 'transfer') or insurance
    write-off ('write_off') of a claim."""

    claim_id: str
    kind: str
    source_id: int
    undo_date: Any
    reason: str


def _open_one(con: Any, u: UndoIn) -> dict[str, Any] | None:
    df = fetch_df(con, _OPEN, {"ids": [u.claim_id]})
    df = df[(df.kind == u.kind) & (df.source_id == int(u.source_id))]
    return None if df.empty else df.iloc[0].to_dict()


def validate_undo(con: Any, u: UndoIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with undoing a move or write-off: it must exist, on this claim, with
    something left; the date may not be before it, nor in the future; a reason is needed
    (it is audited)."""
    as_of = as_of or today()
    if u.kind not in KINDS:
        return [Problem(f"{u.kind!r} cannot be undone here: choose a move to the client or an "
                        "insurance write-off.", "kind")]
    row = _open_one(con, u)
    what = KINDS[u.kind]
    if row is None:
        return [Problem(f"There is no {what} {u.source_id} on claim {u.claim_id}: choose one of "
                        "the claim's.", "source_id")]
    p: list[Problem] = []
    if Decimal(row["remaining"]) <= 0:
        p.append(Problem(f"The {what} {u.source_id} of {fmt_money(Decimal(row['amount']))} on "
                         f"claim {u.claim_id} is already undone: nothing is left of it.",
                         "source_id"))
    day = date_field(p, u.undo_date, "Date", "undo_date")
    if day is not None and day > as_of:
        p.append(Problem(f"Date {day} is in the future: use today or earlier.", "undo_date"))
    elif day is not None and day < row["day"]:
        p.append(Problem(f"Date {day} is before the {what} itself ({row['day']}): use "
                         f"{row['day']} or later.", "undo_date"))
    if blank(u.reason):
        p.append(Problem("Reason is missing: say why it is undone (e.g. 'moved by mistake', "
                         "'the payer reopened the claim').", "reason"))
    return p


def undo_move(db: Database, u: UndoIn, user: str, as_of: dt.date | None = None) -> Returned:
    """Undo what is left of a move to the client or an insurance write-off: the money is owed
    by the payer again (and, for a move, no longer by the client)."""
    with db.transaction() as con:
        problems = validate_undo(con, u, as_of)
        if problems:
            raise ValidationError(problems)
        row = _open_one(con, u)
        amount = Decimal(row["remaining"])
        _insert(con, {"claim_id": u.claim_id, "client_id": row["client_id"], "kind": u.kind,
                      "source_id": int(u.source_id), "amount": amount,
                      "return_date": date_field([], u.undo_date, "Date", "undo_date"),
                      "remittance_id": None, "reason": u.reason.strip()}, user)
        facts.touch(con, [u.claim_id], status_only=True)
        _reopen(con, u.claim_id, date_field([], u.undo_date, "Date", "undo_date"), user)
        facts.sync(con)
        owes = con.execute("SELECT patient_balance FROM claim_facts WHERE claim_id = ?",
                           [u.claim_id]).fetchall()
        credit = -Decimal(owes[0][0]) if owes and owes[0][0] is not None and owes[0][0] < 0 \
            else None
        return Returned(u.claim_id, u.kind, int(u.source_id), amount, paid=False,
                        client_credit=credit)


def _reopen(con: Any, claim_id: str, day: dt.date, user: str) -> None:
    """A claim closed once nothing was owed on it owes the payer again: back to the status it
    had before it was closed (its payer's last answer: denied, partially paid ...), as a
    reversal reopens a closed claim (DOMAIN.md), so the follow-up lists see it again."""
    rows = con.execute("SELECT status FROM claims WHERE claim_id = ?", [claim_id]).fetchall()
    if not rows or rows[0][0] != "closed":
        return
    before = con.execute("SELECT status FROM claim_status_history WHERE claim_id = ? "
                         "AND status NOT IN ('closed', 'voided') ORDER BY seq DESC LIMIT 1",
                         [claim_id]).fetchall()
    status = before[0][0] if before else "submitted"
    add_claim_status(con, claim_id, status, day, user,
                     "reopened: a move to the client or a write-off was undone",
                     {"status": "closed"})
