"""What an 835 names, found among our own rows: service lines and PLB recoupments.

Lines (DOMAIN.md, "Matching lines"): :func:`match_lines` matches each SVC of a claim payment
to a line of our claim, in passes, each over the SVCs still unmatched:

1. REF*6R, when it is the line item control number of a line of this claim
   (:func:`metdash.x12.model837.line_control_number`; a value of another claim, or one our
   837P never sent, is ignored) -- even when the payer recoded the procedure;
2. CPT + service date + units, among the lines no SVC has taken yet (a reversal's negative
   units count as their size);
3. CPT + service date, among the lines not taken yet;
4. CPT + service date among every line: the further SVCs a payer split one billed line into
   (3 units -> 2 paid + 1 denied) when it does not echo REF*6R.

Every SVC of a split line so carries that line's number: they are one claim line.

PLB (DOMAIN.md, "PLB"): :func:`recouped_claims` finds the claim a WO (overpayment recovery)
or FB (forward balance) adjustment names in PLB03-2: the payer claim number (CLP07) of one
of our claims in a remittance from the same payer (same TRN03 payer key, or the same payer
of ours) paid on or before it (a payer takes back what it paid), else one of our claim ids. Several claims under one payer
claim number: the smallest claim id (as migration 0011 resolved the stored rows). A stored
recoupment that named none of ours is resolved again, by the same rule, when a later import
brings payments (:func:`link_late_recoupments`). A claim paid in full that a recoupment
leaves owing, with part of its payment standing, is partially paid again
(:func:`reopen_recouped`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd
import pyarrow as pa

from metdash.entry.claims import add_claim_status
from metdash.entry.problems import fmt_money
from metdash.store import registered
from metdash.x12 import trust835
from metdash.x12.model837 import line_control_numbers
from metdash.x12.parse835 import LinePayment

RECOUPMENTS = ("WO", "FB")  # PLB01 reason codes that take back money paid on a claim


@dataclass(frozen=True)
class ClaimLine:
    """One line of our claim, as far as matching needs it."""

    line_no: int
    cpt: str
    service_date: dt.date | None
    units: int | None


def match_lines(claim_id: str, svcs: Sequence[LinePayment], lines: Sequence[ClaimLine],
                default_date: dt.date | None) -> list[int | None]:
    """Our line number for each SVC (None: no line of ours); ``default_date`` stands in for
    an SVC without its own service date (the claim's DTM*232)."""
    out: list[int | None] = [None] * len(svcs)
    if not lines:
        return out
    taken: set[int] = set()
    if any(svc.line_control_number for svc in svcs):
        nos = [ln.line_no for ln in lines]
        by_control = dict(zip(line_control_numbers(claim_id, nos), nos, strict=True))
        for i, svc in enumerate(svcs):
            no = by_control.get(svc.line_control_number)
            if no is not None:
                out[i] = no
                taken.add(no)

    def same_service(svc: LinePayment, ln: ClaimLine) -> bool:
        date = svc.service_date or default_date
        return ln.cpt == svc.cpt and (date is None or ln.service_date == date)

    def units_of(svc: LinePayment) -> Decimal | None:
        return abs(svc.units) if svc.units is not None else None

    passes = (
        lambda svc, ln: ln.line_no not in taken and same_service(svc, ln)
        and ln.units is not None and units_of(svc) == ln.units,
        lambda svc, ln: ln.line_no not in taken and same_service(svc, ln),
        same_service,
    )
    for fits in passes:
        for i, svc in enumerate(svcs):
            if out[i] is not None:
                continue
            for ln in lines:
                if fits(svc, ln):
                    out[i] = ln.line_no
                    taken.add(ln.line_no)
                    break
    return out


def claim_lines(con: duckdb.DuckDBPyConnection, ids: list[str]
                ) -> dict[str, list[ClaimLine]]:
    """The lines of these claims, in line order (one query)."""
    if not ids:
        return {}
    # Lines are stored roughly in claim order: the range skips the rest.
    with registered(con, "_x12_ids", pa.table({"claim_id": pa.array(ids, pa.string())})):
        rows = con.execute("SELECT l.claim_id, l.line_no, l.cpt, l.service_date, l.units "
                           "FROM claim_lines l SEMI JOIN _x12_ids i ON i.claim_id = l.claim_id "
                           "WHERE l.claim_id BETWEEN ? AND ? ORDER BY 1, 2",
                           [min(ids), max(ids)]).fetchall()
    out: dict[str, list[ClaimLine]] = {}
    for cid, no, cpt, sdate, units in rows:
        out.setdefault(cid, []).append(ClaimLine(no, cpt, sdate, units))
    return out


@dataclass(frozen=True)
class Recoupment:
    """A WO / FB adjustment to resolve: where it is, who sent it, what it names."""

    remittance_id: int
    seq: int
    payer_id: int | None
    payer_key: str
    reference: str
    payment_date: dt.date | None = None  # its remittance's: it takes back what was paid by then


def recouped_claims(con: duckdb.DuckDBPyConnection, wanted: Sequence[Recoupment]
                    ) -> dict[tuple[int, int], str]:
    """The claim each recoupment names, by (remittance id, seq); those naming none of ours
    are left out. Reads the stored claim payments, so the remittances being imported count
    once their claim payments are written (same transaction). One query."""
    if not wanted:
        return {}
    frame = pd.DataFrame([(w.remittance_id, w.seq, w.payer_id, w.payer_key, w.reference,
                           w.payment_date) for w in wanted],
                         columns=["remittance_id", "seq", "payer_id", "payer_key", "reference",
                                  "payment_date"])
    frame["payer_id"] = frame["payer_id"].astype("Int64")
    frame["payment_date"] = pd.to_datetime(frame["payment_date"]).dt.date
    with registered(con, "_x12_plb", frame):
        rows = con.execute("""
            WITH by_number AS (
                SELECT k.remittance_id, k.seq, min(cp.claim_id) AS claim_id
                FROM _x12_plb k
                JOIN claim_payments cp ON cp.payer_claim_number = k.reference
                                      AND cp.claim_id IS NOT NULL
                JOIN remittances r ON r.remittance_id = cp.remittance_id
                 AND (r.payer_key = k.payer_key OR r.payer_id = k.payer_id)
                 AND (k.payment_date IS NULL OR r.payment_date <= k.payment_date)
                GROUP BY ALL
            )
            SELECT k.remittance_id, k.seq, coalesce(n.claim_id, c.claim_id)
            FROM _x12_plb k
            LEFT JOIN by_number n USING (remittance_id, seq)
            LEFT JOIN claims c ON c.claim_id = k.reference
            WHERE coalesce(n.claim_id, c.claim_id) IS NOT NULL""").fetchall()
    return {(int(r[0]), int(r[1])): r[2] for r in rows}


def link_late_recoupments(con: duckdb.DuckDBPyConnection
                          ) -> dict[tuple[int, int], tuple[str, Decimal]]:
    """Link the stored WO / FB recoupments that named no claim of ours when they were
    imported and that :func:`recouped_claims` resolves now (files imported out of date
    order: the payment a recoupment names came later). Returns the claim of each and its
    amount, by (remittance id, seq). The unlinked ones are few: one small read."""
    rows = con.execute(f"""
        SELECT pa.remittance_id, pa.seq, r.payer_id, r.payer_key, pa.reference,
               r.payment_date, pa.amount
        FROM provider_adjustments pa JOIN remittances r USING (remittance_id)
        WHERE pa.claim_id IS NULL AND pa.reason_code IN {RECOUPMENTS!r}
          AND pa.reference IS NOT NULL""").fetchall()
    amounts = {(int(r[0]), int(r[1])): Decimal(r[6]) for r in rows}
    named = recouped_claims(con, [Recoupment(int(r[0]), int(r[1]),
                                             None if r[2] is None else int(r[2]), r[3], r[4],
                                             r[5]) for r in rows])
    for (rem_id, seq), claim_id in named.items():
        con.execute("UPDATE provider_adjustments SET claim_id = ? "
                    "WHERE remittance_id = ? AND seq = ?", [claim_id, rem_id, seq])
    return {key: (claim_id, amounts[key]) for key, claim_id in named.items()}


def reopen_recouped(con: duckdb.DuckDBPyConnection, claims: Iterable[str], user: str
                    ) -> list[str]:
    """Of ``claims``, those paid in full (or closed) that a recoupment (WO, FB) dated on or
    after their last status leaves owing, with part of the payment still standing, are
    partially paid again, from the recoupment's date, as a reversal reopens a claim
    (DOMAIN.md): the status word agrees with the balance, whichever file came first. A
    payment taken back whole (a post-payment review) keeps its status: it is on "Payments
    taken back". Call after :func:`metdash.store.facts.sync`. The claims moved."""
    ids = sorted(set(claims))
    if not ids:
        return []
    rows = con.execute(f"""
        WITH taken AS (
            SELECT pa.claim_id, max(r.payment_date) AS day
            FROM provider_adjustments pa JOIN remittances r USING (remittance_id)
            WHERE pa.claim_id IN (SELECT unnest($ids::VARCHAR[]))
              AND pa.reason_code IN {RECOUPMENTS!r}
            GROUP BY 1
        ), latest AS (
            SELECT claim_id, max(status_date) AS day FROM claim_status_history
            WHERE claim_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY 1
        )
        SELECT c.claim_id, c.status, t.day
        FROM claims c JOIN taken t USING (claim_id) JOIN claim_facts f USING (claim_id)
        LEFT JOIN latest l USING (claim_id)
        WHERE c.status IN ('paid', 'closed') AND f.paid > 0
          AND (l.day IS NULL OR t.day >= l.day)
        ORDER BY 1""", {"ids": ids}).fetchall()
    owed = trust835.insurance_balances(con, [r[0] for r in rows])  # the few recouped
    moved = []
    for claim_id, status, day in rows:
        if owed.get(claim_id, Decimal(0)) > 0:
            add_claim_status(con, claim_id, "partially_paid", day, user,
                             "the payer took back part of its payment (PLB recoupment); "
                             f"insurance owes {fmt_money(owed[claim_id])}", {"status": status})
            moved.append(claim_id)
    return moved
