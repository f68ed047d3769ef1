"""What each adjustment (group code + CARC) does to the money: the one classification.

DOMAIN.md's table, stored in the practice's ``adjustment_classes`` (seeded with the defaults
by migration 0011, editable by the owner on Settings) and read everywhere -- the ledger and
every figure (``metdash/sql/``), 835 posting and hand-posted EOBs (the claim's status after a
remittance), the denial work lists. Nothing else decides what a CARC means.

=============== ====================================== =============================================
class           default members                        what it does to the money
=============== ====================================== =============================================
contractual     CO-45, CO-253, PI-45                   written off for good
cost_share      PR-1, PR-2, PR-3                       moves to the client (or the next payer)
cob             OA-23, CO-22, PR-22                    the other payer's share
denial          every other reason                     stays owed until resolved
=============== ====================================== =============================================

A payer's own row wins over the row for every payer (payer 0): e.g. CO-59 as contractual for
a payer that uses it for a multiple-procedure reduction. An adjustment with no row is a
denial. Changing the table recomputes every claim's ledger (the balances follow the rule).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from metdash.errors import ValidationError
from metdash.store import Database, audit, facts, fetch_df
from metdash.text import shown, text_problem

CLASSES = ("contractual", "cost_share", "cob", "denial")
CLASS_LABELS = {"contractual": "Contractual (written off)",
                "cost_share": "Cost share (moves to the client)",
                "cob": "Coordination of benefits (another payer's share)",
                "denial": "Denial (stays owed until resolved)"}
GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")
EVERY_PAYER = 0
# DOMAIN.md's defaults, as migration 0011 seeds them (a test keeps the two the same).
DEFAULTS: dict[tuple[str, str], str] = {
    ("CO", "45"): "contractual", ("CO", "253"): "contractual", ("PI", "45"): "contractual",
    ("PR", "1"): "cost_share", ("PR", "2"): "cost_share", ("PR", "3"): "cost_share",
    ("OA", "23"): "cob", ("CO", "22"): "cob", ("PR", "22"): "cob",
}


@dataclasses.dataclass(frozen=True)
class Classification:
    """The table as read at one moment: ``of(payer_id, group, carc)`` is the class."""

    rows: dict[tuple[int, str, str], str]

    @classmethod
    def defaults(cls) -> Classification:
        """DOMAIN.md's table, for every payer."""
        return cls({(EVERY_PAYER, g, c): k for (g, c), k in DEFAULTS.items()})

    def of(self, payer_id: int | None, group_code: str, carc: str) -> str:
        rows = self.rows
        # The common case first: codes as an 835 carries them (upper case, no spaces).
        klass = rows.get((payer_id, group_code, carc)) if payer_id is not None else None
        if klass is None:
            klass = rows.get((EVERY_PAYER, group_code, carc))
        if klass is None and (group_code != group_code.strip().upper()
                              or str(carc) != str(carc).strip().upper()):
            return self.of(payer_id, group_code.strip().upper(), str(carc).strip().upper())
        return klass or "denial"


def load(con: duckdb.DuckDBPyConnection) -> Classification:
    """The practice's classification (read on the open connection, inside a transaction)."""
    rows = con.execute("SELECT payer_id, group_code, carc, class FROM adjustment_classes"
                       ).fetchall()
    return Classification({(int(p), g, c): k for p, g, c, k in rows})


def denied_amount(classification: Classification, payer_id: int | None,
                  adjustments: Iterable[tuple[str, str, Decimal]]) -> Decimal:
    """Σ of the denial-class amounts above 0 among ``(group, carc, amount)`` adjustments."""
    total = Decimal("0")
    for g, c, a in adjustments:
        if a > 0 and classification.of(payer_id, g, c) == "denial":
            total += a
    return total


# The statuses an adjudication leaves a claim in (:func:`claim_status_after`). The newest
# move to one of them, dated by its payment date, is the claim's current adjudication: one
# dated before it (an 835 imported out of date order, a paper EOB found later) is history
# and moves no status (metdash.x12.post835, metdash.entry.posting).
OUTCOMES = ("paid", "partially_paid", "denied")


def claim_status_after(classification: Classification, payer_id: int | None, status_code: str,
                       paid: Decimal, adjustments: Sequence[tuple[str, str, Decimal]]
                       ) -> tuple[str | None, str]:
    """The status a claim moves to after one adjudication (CLP02 ``status_code``, what was
    paid, every claim- and line-level adjustment), and the note for its history.

    DOMAIN.md: a denial is a claim or line with a denial-class adjustment (paid 0 or reduced
    for that reason), or CLP02 = 4. A claim whose whole allowed amount went to the deductible
    (paid 0, CO-45 + PR-1) is processed, not denied. ``None``: the claim keeps its status
    (CLP02 23 "not our claim", 25 pricing only)."""
    if status_code == "22":
        return "submitted", "payment reversed by the payer (CLP02 22): awaiting reprocessing"
    if status_code == "23":
        return None, "payer says this is not its claim (CLP02 23)"
    if status_code == "25":
        return None, "predetermination pricing only (CLP02 25)"
    if status_code == "4":
        return "denied", "denied (CLP02 4)"
    suffix = "; forwarded to the next payer" if status_code in ("19", "20", "21") else ""
    denied = denied_amount(classification, payer_id, adjustments)
    if denied > 0:
        if paid > 0:
            return "partially_paid", f"paid {paid}, {denied} denied{suffix}"
        return "denied", f"paid 0, {denied} denied{suffix}"
    if paid > 0:
        return "paid", f"paid {paid}{suffix}"
    return "paid", f"processed, paid 0 (cost share or contractual only){suffix}"


#: A claim's statuses before its first answer from a payer (or after a reversal sent it back
#: to submitted). A later answer of a claim already answered is not read as "in part": a
#: split claim's second CLP answers the lines the first left out, and both stand in the
#: ledger (metdash/sql/replaced_clps.sql): the two are read together (metdash.answers).
UNANSWERED = frozenset({"draft", "ready", "submitted"})


def part_answered(status: str | None, note: str, answered: Decimal,
                  billed: Decimal | None) -> tuple[str | None, str]:
    """The status after an adjudication (:func:`claim_status_after`'s ``status``, ``note``)
    that answers for ``answered`` (CLP03; a paper EOB's lines) of the claim's ``billed``
    charge: "paid" becomes "partially_paid" when the payer answered for less than was billed
    (the rest is still owed by it). Any other status stands: a denial is worked as one."""
    if status == "paid" and billed is not None and answered < billed:
        return "partially_paid", (f"{note}; the payer answered for ${answered:,.2f} of the "
                                  f"${billed:,.2f} billed")
    return status, note


# -- the owner's edits -------------------------------------------------------------------------
def table(db: Database) -> pd.DataFrame:
    """The classification for Settings: payer_id (0: every payer), payer ('every payer' or
    the payer's name), group_code, carc, class, note."""
    with db.connect() as con:
        return fetch_df(con, """
            SELECT k.payer_id, coalesce(p.name, 'every payer') AS payer, k.group_code, k.carc,
                   k.class, k.note
            FROM adjustment_classes k LEFT JOIN payers p USING (payer_id)
            ORDER BY k.payer_id, k.group_code, lpad(k.carc, 4, '0')""")


def _problems(con: duckdb.DuckDBPyConnection, payer_id: int, group_code: str, carc: str,
              klass: str) -> list[str]:
    p = []
    if group_code not in GROUP_CODES:
        p.append(f"Group {shown(group_code)} must be one of {', '.join(GROUP_CODES)}.")
    if not carc or not carc.isalnum() or len(carc) > 5:
        p.append(f"Reason code {shown(carc)} is not a CARC: copy it from the remittance, "
                 "e.g. 45.")
    if klass not in CLASSES:
        p.append(f"Class {klass!r} must be one of {', '.join(CLASSES)}.")
    if payer_id != EVERY_PAYER and not con.execute(
            "SELECT 1 FROM payers WHERE payer_id = ?", [payer_id]).fetchall():
        p.append(f"Payer {payer_id} is not on file: choose a payer or 'every payer'.")
    return p


def save(db: Database, payer_id: int, group_code: str, carc: str, klass: str, user: str,
         note: str | None = None) -> int:
    """Set the class of one group + CARC (for one payer, or every payer with 0), then
    recompute every claim's ledger and facts in the same transaction; the claims recomputed.
    Raises :class:`ValidationError`."""
    group, code = group_code.strip().upper(), str(carc).strip().upper()
    with db.transaction() as con:
        problems = _problems(con, payer_id, group, code, klass)
        problems += [m for m in [text_problem(note, "Note", "note")] if m]
        if problems:
            raise ValidationError(problems)
        before = con.execute("SELECT class, note FROM adjustment_classes WHERE payer_id = ? "
                             "AND group_code = ? AND carc = ?", [payer_id, group, code]
                             ).fetchall()
        con.execute("INSERT OR REPLACE INTO adjustment_classes (payer_id, group_code, carc, "
                    "class, note) VALUES (?, ?, ?, ?, ?)",
                    [payer_id, group, code, klass, (note or "").strip() or None])
        audit(con, user, "update" if before else "create", "adjustment_classes",
              f"{payer_id}:{group}-{code}",
              {"class": before[0][0], "note": before[0][1]} if before else None,
              {"class": klass, "note": note})
        facts.rebuild(con)
        return int(con.execute("SELECT count(*) FROM claim_facts").fetchall()[0][0])


def remove(db: Database, payer_id: int, group_code: str, carc: str, user: str) -> None:
    """Delete one row (the adjustment then falls back to every payer's row, or to denial) and
    recompute every claim. Raises :class:`ValidationError` when there is no such row."""
    group, code = group_code.strip().upper(), str(carc).strip().upper()
    with db.transaction() as con:
        before = con.execute("SELECT class, note FROM adjustment_classes WHERE payer_id = ? "
                             "AND group_code = ? AND carc = ?", [payer_id, group, code]
                             ).fetchall()
        if not before:
            raise ValidationError([f"{group}-{code} has no row for that payer to remove."])
        con.execute("DELETE FROM adjustment_classes WHERE payer_id = ? AND group_code = ? "
                    "AND carc = ?", [payer_id, group, code])
        audit(con, user, "delete", "adjustment_classes", f"{payer_id}:{group}-{code}",
              {"class": before[0][0], "note": before[0][1]}, None)
        facts.rebuild(con)


def describe(classification: Classification, payer_id: int | None, group_code: str,
             carc: Any) -> str:
    """'CO-45: contractual' -- for messages and notes."""
    return f"{group_code}-{carc}: {classification.of(payer_id, group_code, str(carc))}"
