"""A payer's answer of a claim as it stands, CLP by CLP, for the claim's status after an 835 or
a paper EOB: the CLPs that stand together (metdash/sql/replaced_clps.sql, the rule the ledger
and claim_facts read), so a payer that split a claim is read whole -- its second CLP with its
first -- and an appeal or a reprocessing replaces what it answers again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

import duckdb

from metdash.adjustment_classes import UNANSWERED
from metdash.store import facts

__all__ = ["Answer", "StandingAnswers", "may_join_earlier"]

FAR = dt.date(9999, 12, 31)


class Answer(NamedTuple):
    """A payer's answer of a claim: one CLP, or the CLPs of it that stand together.
    ``line_nos``: our line numbers its SVCs name (None for one that names none of ours);
    ``charge``: what it answered for (CLP03); ``adjustments``: (group, CARC, amount), claim and
    lines; ``clps``: how many CLPs; ``claim_payment_id``: the CLP's on file (None: one being
    posted). (A tuple: an import makes one per CLP.)"""

    line_nos: Sequence[int | None]
    paid: Decimal
    charge: Decimal
    adjustments: Sequence[tuple[str, str, Decimal]]
    clps: int = 1
    claim_payment_id: int | None = None

    @property
    def lines(self) -> frozenset[int] | None:
        """The lines it answers; None when it names none of ours."""
        return frozenset(n for n in self.line_nos if n is not None) or None

    def in_part(self, status_before: str, billed: Decimal | None) -> bool:
        """Whether it leaves some of the ``billed`` charge unanswered, the claim being
        ``status_before`` it: the claim's first answer since it was sent (or sent again after
        a reversal), or a split's answers together, short of the charge. (A later answer on
        its own -- an appeal of one line -- says nothing of the lines it does not repeat.)"""
        return ((status_before in UNANSWERED or self.clps > 1) and billed is not None
                and self.charge < billed)


def may_join_earlier(charge: Decimal, billed: Decimal | None) -> bool:
    """Whether a CLP for ``charge`` of a claim billed ``billed`` can stand with an earlier
    answer of its payer (so :class:`StandingAnswers` must read the claim's): only an answer
    for less than the charge. One for the whole charge stands alone. The claim's status does
    not settle it: one back in "submitted" after a reversal of one part of a split still has
    the other part standing."""
    return billed is not None and charge < billed


class StandingAnswers:
    """Each payer's answer of the claims an 835 (or a paper EOB) posts to, as it stands after
    each CLP it posts (metdash/sql/replaced_clps.sql's rule: a later CLP replaces an earlier one
    when it answers one of its lines, or either names none; a reversal undoes the one it
    reverses). ``answered``: the claims answered before this file, whose standing CLPs are
    read from the store once (metdash/sql/standing_answers.sql); the others start with none."""

    def __init__(self, con: duckdb.DuckDBPyConnection, answered: Sequence[str]) -> None:
        self._parts: dict[tuple[str, str], list[Answer]] = {}
        if not answered:
            return
        for claim_id, payer, paid, charge, lines, adjustments, cp_id in con.execute(
                facts.sql_text("standing_answers"), {"ids": list(answered), "as_of": FAR}
        ).fetchall():
            self._parts.setdefault((claim_id, payer), []).append(Answer(
                lines or (), paid, charge,
                [(a["group_code"], a["carc"], a["amount"]) for a in adjustments or ()],
                claim_payment_id=cp_id))

    def post(self, claim_id: str, payer: str, status_code: str, answer: Answer,
             reverses: int | None = None) -> Answer:
        """``answer`` (CLP02 ``status_code``) posted for ``payer`` (its payer id, or "key " and
        its name as the 835 gave it); returns the payer's whole answer as it now stands.
        ``reverses``: the claim payment a reversal takes back (metdash.x12.trust835.Reversals;
        None: the payer's latest answer)."""
        key = (claim_id, payer)
        earlier = self._parts.get(key)
        if status_code == "22":   # undoes the CLP it reverses; the claim is sent back
            self._parts[key] = ((earlier or [])[:-1] if reverses is None else
                                [e for e in earlier or () if e.claim_payment_id != reverses])
            return answer
        if not earlier:   # (most claims: nothing to compare)
            self._parts[key] = [answer]
            return answer
        lines = answer.lines
        kept = [e for e in earlier if lines and (el := e.lines) and not el & lines]
        self._parts[key] = [*kept, answer]
        if not kept:
            return answer
        every = [*kept, answer]
        return Answer([n for e in every for n in e.line_nos],
                      sum((e.paid for e in every), Decimal(0)),
                      sum((e.charge for e in every), Decimal(0)),
                      [a for e in every for a in e.adjustments], len(every))

    def post_clp(self, claim_id: str, payer_id: int | None, payer_key: str, clp: Any,
                 line_nos: Sequence[int | None], reverses: int | None = None) -> Answer:
        """:meth:`post` for an 835's CLP (metdash.x12.parse835) from the payer ``payer_id``
        (None: not on file, known by ``payer_key``) matched to our lines ``line_nos``;
        ``reverses``: the claim payment a reversal takes back."""
        return self.post(claim_id, f"key {payer_key}" if payer_id is None else str(payer_id),
                         clp.status_code, Answer(
                             line_nos, clp.paid, clp.charge,
                             [(a.group_code, a.carc, a.amount) for a in clp.all_adjustments()]),
                         reverses)
