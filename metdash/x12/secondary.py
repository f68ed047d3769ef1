"""Secondary (and tertiary) claims from the store: which claims to bill to the next payer, and
their 837P with the earlier payers' adjudication (DOMAIN.md "Secondary claims").

When a claim goes to the next payer (metdash/sql/secondary_to_bill.sql says when; the ledger
keeps the cost share the earlier payer left in insurance A/R meanwhile, metdash/sql/ledger.sql),
the 837P is the same claim -- CLM01 our claim id, so the next payer's 835 posts to it --
with the next payer in 2010BB, its subscriber in 2010BA, SBR01 S (T), and each earlier payer's
current adjudication in 2320/2330/2430: its CLPs that stand (metdash/sql/standing_clps.sql: the
latest, and an earlier one answering other lines of a claim the payer split), as one payer
(:mod:`metdash.x12.write837_cob`). Sending it records a ``secondary_claims`` row (migration
0017): the claim leaves the work list; its own status, payer and charge do not change.

A Medicare crossover (CLP02 19) is never listed: the payer forwarded the claim itself, and the
secondary's 835 (CLP02 2) posts to the same claim like any other (metdash.x12.trust835 accepts
it from the payer of another of the client's coverages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from metdash.errors import X12ExportError
from metdash.store import Database, audit, facts, fetch_df, insert_rows
from metdash.x12.model837 import Batch837
from metdash.x12.post_ack import record_submission
from metdash.x12.validate import claim_problems
from metdash.x12.write837 import FILING_CODES, load_batch, next_control_numbers, render_837p
from metdash.x12.write837_cob import (
    Cas,
    LineAdjudication,
    OtherPayer,
    SecondaryClaim837,
    cob_problems,
)

RANKS = {"primary": 1, "secondary": 2, "tertiary": 3}
PRIORITY_OF = {1: "primary", 2: "secondary", 3: "tertiary"}


def _sql() -> str:
    return facts.sql_text("secondary_to_bill")


def secondary_claims_to_bill(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Claims to bill to the next payer in line ("bill the secondary"), oldest adjudication
    first. Columns: see metdash/sql/secondary_to_bill.sql (money DECIMAL(12,2), days whole)."""
    return db.query(_sql(), {"as_of": as_of}, few=True)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any]
          ) -> list[dict[str, Any]]:
    res = con.execute(sql, params)
    names = [d[0] for d in res.description]
    return [dict(zip(names, r, strict=True)) for r in res.fetchall()]


def _to_bill(con: duckdb.DuckDBPyConnection, claim_id: str, as_of: dt.date
             ) -> dict[str, Any] | None:
    frame = fetch_df(con, f"SELECT * FROM ({_sql()}) WHERE claim_id = $claim_id",
                     {"as_of": as_of, "claim_id": claim_id})
    return None if frame.empty else frame.iloc[0].to_dict()


def _standing(con: duckdb.DuckDBPyConnection, claim_id: str, as_of: dt.date
              ) -> dict[str, list[dict[str, Any]]]:
    """Each payer's CLPs of the claim that stand as of ``as_of`` (metdash/sql/earlier_payers.sql:
    the latest, and an earlier one answering other lines of a claim the payer split), in
    posting order, by payer."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(con, facts.sql_text("earlier_payers"), {"claim_id": claim_id,
                                                            "as_of": as_of}):
        out.setdefault(row["payer_part"], []).append(row)
    return out


def _earlier_payers(con: duckdb.DuckDBPyConnection, claim_id: str, next_rank: int,
                    as_of: dt.date) -> list[OtherPayer]:
    """Each payer ranked before ``next_rank`` with an answer of the claim that stands, as
    2320/2330/2430 carry it, in their order in line: one payer, however many CLPs its answer
    took (a split claim's: paid and adjustments summed, each line with the date of the CLP
    that answered it; 2330B dated and numbered as the latest)."""
    line_index = {r["line_no"]: i for i, r in enumerate(_rows(
        con, "SELECT line_no FROM claim_lines WHERE claim_id = ? ORDER BY line_no",
        [claim_id]), start=1)}
    payers = []
    for clps in _standing(con, claim_id, as_of).values():
        rank = RANKS.get(clps[0]["priority"] or "primary", 1)
        if rank < next_rank:
            payers.append((rank, clps))
    out = []
    for rank, clps in sorted(payers, key=lambda p: p[0]):
        claim_cas: list[Cas] = []
        lines = []
        for clp in clps:
            cas = _rows(con, "SELECT line_payment_id, group_code, carc, amount FROM adjustments "
                             "WHERE claim_payment_id = ? ORDER BY adjustment_id",
                        [clp["claim_payment_id"]])
            claim_cas += [Cas(a["group_code"], a["carc"], Decimal(a["amount"])) for a in cas
                          if a["line_payment_id"] is None]
            for lp in _rows(con, "SELECT * FROM line_payments WHERE claim_payment_id = ? "
                                 "ORDER BY line_payment_id", [clp["claim_payment_id"]]):
                if lp["line_no"] not in line_index:
                    continue  # an SVC matching none of our lines: cob_problems reports the gap
                lines.append(LineAdjudication(
                    line_index[lp["line_no"]], lp["cpt"], tuple(lp["modifiers"] or ()),
                    Decimal(lp["paid"]), int(lp["units"] or 1),
                    tuple(Cas(a["group_code"], a["carc"], Decimal(a["amount"])) for a in cas
                          if a["line_payment_id"] == lp["line_payment_id"]),
                    clp["payment_date"]))
        last = clps[-1]
        self_sub = (last["relationship"] or "self") == "self"
        out.append(OtherPayer(
            payer_name=last["payer_name"], payer_code=last["clearinghouse_payer_id"] or "",
            responsibility=PRIORITY_OF[rank],
            filing_indicator=FILING_CODES.get(last["payer_type"], "ZZ"),
            member_id=last["member_id"] or "",
            subscriber_last_name=(last["last_name"] if self_sub
                                  else last["subscriber_last_name"]) or last["last_name"],
            subscriber_first_name=(last["first_name"] if self_sub
                                   else last["subscriber_first_name"]) or "",
            relationship=last["relationship"] or "self",
            group_number=last["group_number"] or "",
            paid=sum((Decimal(c["paid"]) for c in clps), Decimal(0)),
            adjudication_date=max(c["payment_date"] for c in clps),
            payer_claim_number=next((c["payer_claim_number"] for c in reversed(clps)
                                     if c["payer_claim_number"]), ""),
            claim_adjustments=tuple(claim_cas),
            lines=tuple(sorted(lines, key=lambda ln: ln.line_index))))
    return out


def _answered_in_part(con: duckdb.DuckDBPyConnection, claim_id: str, as_of: dt.date
                      ) -> str | None:
    """Why a claim is not billed to the next payer yet when a payer answered it in part (its
    standing CLPs answer for less than the claim's charge): None when none did."""
    total = con.execute("SELECT total_charge FROM claims WHERE claim_id = ?",
                        [claim_id]).fetchall()
    if not total:
        return None
    for clps in _standing(con, claim_id, as_of).values():
        answered = sum((Decimal(c["charge"]) for c in clps), Decimal(0))
        if answered < total[0][0]:
            return (f"Claim {claim_id}: {clps[-1]['payer_name']} has answered "
                    f"${answered:,.2f} of the ${total[0][0]:,.2f} billed; the secondary claim "
                    "carries its answer for every line: wait for the rest (Work lists → "
                    "Claims unpaid past the usual lag follows it up).")
    return None


def load_secondary_batch(con: duckdb.DuckDBPyConnection, claim_ids: list[str],
                         as_of: dt.date) -> tuple[Batch837 | None, list[str], list[dict]]:
    """The secondary 837P's claims, every problem found, and what each row of
    ``secondary_claims`` will record."""
    problems: list[str] = []
    todo = []
    for cid in dict.fromkeys(claim_ids):
        row = _to_bill(con, cid, as_of)
        part = None if row is not None else _answered_in_part(con, cid, as_of)
        if part is not None:
            problems.append(part)
        elif row is None:
            problems.append(f"Claim {cid} is not waiting for a secondary claim: it needs a "
                            "remittance from its payer that left cost share, a later coverage "
                            "of the client on its date of service, and not to have been sent "
                            "to that payer already (a crossover, CLP02 19, is sent by the "
                            "payer itself).")
        else:
            todo.append(row)
    if not todo:
        return None, problems, []
    batch, more = load_batch(con, [r["claim_id"] for r in todo])
    problems += more
    if batch is None:
        return None, problems, []
    claims = []
    for base, row in zip(batch.claims, todo, strict=True):
        cov = _rows(con, "SELECT v.*, p.name AS payer_name, p.payer_type, "
                         "p.clearinghouse_payer_id FROM coverages v JOIN payers p "
                         "USING (payer_id) WHERE coverage_id = ?", [int(row["next_coverage_id"])])[0]
        rank = RANKS[cov["priority"]]
        sec = SecondaryClaim837(**vars(base),
                                other_payers=tuple(_earlier_payers(con, base.claim_id, rank, as_of)))
        sec = replace(
            sec, payer_name=cov["payer_name"], payer_code=cov["clearinghouse_payer_id"] or "",
            filing_indicator=FILING_CODES.get(cov["payer_type"], "ZZ"),
            member_id=cov["member_id"], relationship=cov["relationship"],
            priority=cov["priority"], group_number=cov["group_number"] or "",
            subscriber_last_name=cov["subscriber_last_name"] or base.patient_last_name,
            subscriber_first_name=cov["subscriber_first_name"] or "",
            subscriber_dob=cov["subscriber_dob"])
        if not sec.payer_code:
            problems.append(f"Claim {sec.claim_id}: {sec.payer_name} has no clearinghouse "
                            "payer id: enter it under Settings → Payers.")
        problems += cob_problems(sec)
        claims.append(sec)
    return replace(batch, claims=claims), problems, todo


def write_secondary_837p(db: Database, claim_ids: list[str], *, user: str,
                         now: dt.datetime | None = None,
                         deliver: Callable[[str], object] | None = None) -> str:
    """The 837P billing ``claim_ids`` to the next payer in line; returns its text.

    In one transaction: checks every claim (raises :class:`X12ExportError` listing every
    problem, nothing changed), takes the next control numbers, records each sending in
    ``secondary_claims`` (the claims leave "bill the secondary") and in ``x12_submissions``
    with its sending's id (so the clearinghouse's 999 and the payer's 277CA find it:
    :mod:`metdash.x12.post_ack`), then ``deliver(text)``; if it raises, nothing is committed.
    """
    now = now or dt.datetime.now().replace(microsecond=0)
    with db.transaction() as con:
        batch, problems, todo = load_secondary_batch(con, list(claim_ids), now.date())
        if batch is not None:
            problems += claim_problems(batch)
        if problems or batch is None:
            raise X12ExportError(problems)
        numbers = next_control_numbers(con)
        text = render_837p(batch, numbers, now)
        first = con.execute("SELECT coalesce(max(secondary_claim_id), 0) FROM "
                            "secondary_claims").fetchall()[0][0] + 1
        rows = [(first + i, r["claim_id"], int(r["next_payer_id"]), int(r["next_coverage_id"]),
                 r["payer_sequence"], int(r["prior_claim_payment_id"]), now.date(),
                 numbers.interchange, user) for i, r in enumerate(todo)]
        insert_rows(con, "secondary_claims", [
            "secondary_claim_id", "claim_id", "payer_id", "coverage_id", "payer_sequence",
            "prior_claim_payment_id", "submitted_date", "interchange", "user_name"], rows)
        audit(con, user, "export", "secondary_claims", numbers.interchange, None, {
            "interchange": numbers.interchange, "group": numbers.group,
            "transaction": numbers.transaction, "claims": [r[1] for r in rows],
            "payers": [r[2] for r in rows], "secondary_claims": [r[0] for r in rows]})
        # Which claims went out under which GS06 / ST02, as which sending: what a 999 names,
        # and what tells a 277CA about this sending from one about the primary's.
        record_submission(con, numbers.interchange, numbers.group, numbers.transaction,
                          [r[1] for r in rows], now, [r[0] for r in rows])
        if deliver is not None:
            deliver(text)
    return text


__all__ = ["load_secondary_batch", "secondary_claims_to_bill", "write_secondary_837p"]
