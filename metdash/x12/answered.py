"""What an 835 says that the biller must see besides the money it posts: a claim the payer
answered only in part, and a claim answered before (or without) being sent.

**Answered in part.** CLP03 is the charge the payer adjudicated. A payer that splits a claim
(or skips lines it does not recognise) answers for less than the charge billed: a $152 claim
of 97110 $104 + 97140 $48, answered "charge 104, paid 80, CO-45 24", has paid and settled the
97110 line and said nothing of the 97140. DOMAIN.md's insurance A/R keeps the $48 owed by the
payer (the ledger's charge is the claim's), so the money is right. The status must not say
"paid" (a new-user trial saw such a claim marked paid and on no work list): it is partially
paid, and the import says which lines the 835 left out. A split claim's other lines come on
a later 835, whose CLP answers none of the first's lines: both stand in the ledger (a later
CLP replaces an earlier one only for the lines it answers again: metdash/sql/replaced_clps.sql).
The claim's status reads the payer's whole answer as it stands (:mod:`metdash.answers`): a
split's second CLP with its first (lines 1-2 paid, then line 3 denied: partially paid, not
denied; a second CLP still leaving a line out: still partially paid).

**Answered before it was sent.** A claim answered on a day before it was first sent reads a
days to payment below zero; one never sent from metdash (a draft or ready claim) has none,
and is left out of days to payment and the clean-claim rate. Both are posted all the same
(the money arrived), with a note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from metdash.adjustment_classes import UNANSWERED, part_answered
from metdash.answers import StandingAnswers, may_join_earlier
from metdash.entry.posted import lines_in_words
from metdash.x12.match835 import ClaimLine

__all__ = ["UNANSWERED", "PartAnswer", "StandingAnswers", "answered_again",
           "answered_before_sent", "part_answered", "part_answered_notes"]


def answered_again(payments: Sequence[Any], on_file: Mapping[str, Any]) -> list[str]:
    """The claims an 835's ``payments`` answer again for less than their charge (a split's
    next part, a line's appeal): the ones :class:`metdash.answers.StandingAnswers` reads the
    earlier answers of (:func:`metdash.answers.may_join_earlier`)."""
    return sorted({c.clp01 for p in payments for c in p.claims if c.clp01 in on_file
                   and may_join_earlier(c.charge, on_file[c.clp01].charge)})


@dataclass(frozen=True)
class PartAnswer:
    """A claim's current adjudication in this file that answers for ``answered`` of the
    ``billed`` charge; ``matched``: our line numbers its SVCs name."""

    answered: Decimal
    billed: Decimal
    matched: frozenset[int]


def part_answered_notes(name: str, parts: Mapping[str, PartAnswer],
                        lines: Mapping[str, Sequence[ClaimLine]]) -> list[str]:
    """A note for each claim this file answered in part: what it answered for, the lines it
    left out (our lines no SVC of it names; none named when it sent no SVC), what to do."""
    out = []
    for claim_id in sorted(parts):
        p = parts[claim_id]
        left = [(ln.line_no, ln.cpt, ln.service_date) for ln in lines.get(claim_id, ())
                if ln.line_no not in p.matched]
        which = (f"{lines_in_words(left)} not on it" if p.matched and left
                 else "it names no line")
        out.append(f"{name}: claim {claim_id}: the payer answered for ${p.answered:,.2f} of "
                   f"the ${p.billed:,.2f} billed; {which}. Insurance still owes the "
                   f"${p.billed - p.answered:,.2f} not answered: a payer that splits a claim "
                   "answers the rest on a later 835; if none comes, ask the payer about it.")
    return out


def answered_before_sent(con: duckdb.DuckDBPyConnection, name: str,
                         paid_by: Mapping[str, tuple[Any, dt.date | None, Any]]) -> list[str]:
    """A note for each claim this file answers on a day before the claim was first sent (its
    days to payment would read below zero: a new-user tour saw "median days to pay -4.0"),
    or that was never sent from metdash at all (no date sent: a draft or ready claim)."""
    dated = [(cid, when) for cid, (_, when, _) in paid_by.items() if when is not None]
    if not dated:
        return []
    rows = con.execute(
        "SELECT p.claim_id, p.paid_on, c.submitted_date FROM (SELECT unnest(?) AS "
        "claim_id, unnest(?) AS paid_on) p JOIN claims c USING (claim_id) "
        "WHERE c.submitted_date IS NULL OR c.submitted_date > p.paid_on ORDER BY p.claim_id",
        [[c for c, _ in dated], [w for _, w in dated]]).fetchall()
    out = []
    for cid, paid_on, sent in rows:
        if sent is None:
            out.append(f"{name}: claim {cid} is answered by the payer ({paid_on:%b %d, %Y}) "
                       "but was never sent from metdash: posted all the same, it has no date "
                       "sent, so it is left out of days to payment and the clean-claim rate. "
                       "A claim sent another way (the payer's portal) is moved to submitted, "
                       "with the day it went, before its 835 is imported (Claims → Status).")
        else:
            out.append(f"{name}: claim {cid} is paid on {paid_on:%b %d, %Y}, before it was "
                       f"sent ({sent:%b %d, %Y}): its days to payment read below zero. Check "
                       "the claim's submission date (Claims → Status) or the 835's payment "
                       "date (BPR16).")
    return out
