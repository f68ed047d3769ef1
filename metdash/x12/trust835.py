"""What an 835 must be before it posts to our claims (issue 19: "835 posting trusts the file").

A remittance file is text anyone can write. :mod:`metdash.x12.post835` posts a file only
when every check here passes; each failure is an :class:`~metdash.errors.X12Error` naming the
file, the segment and the claim, and refuses the whole file ("Nothing was imported."):

* **the payee is the practice** (:func:`payee_problems`): the N1*PE loop's NPI (N103 XX)
  must be the practice's billing NPI and its tax id (N103 FI, or REF*TJ) the practice's; a
  payee naming neither cannot be checked and is refused, and so is every file while the
  practice's own NPI and tax id are not set up;
* **the payer is the claim's** (:func:`claim_problems`): a CLP that names one of our claims
  must come from the payer the claim is billed to, or, processed as secondary or tertiary
  (CLP02 2, 3, 20, 21) or reversing (22), from the payer of another of the client's
  coverages in force on the claim's first date of service (DOMAIN.md, "Secondary claims":
  the secondary's own 835, after a crossover or a secondary claim);
* **money is taken back only by a reversal** (:func:`claim_problems`): a negative CLP04
  outside CLP02 22 is refused (005010X221A1 reports a re-adjudication as a reversal and its
  correction; a payer recovers money by a PLB recoupment);
* **a reversal reverses a payment on file** (:func:`claim_problems`, :class:`Reversals`): a
  CLP02 22 needs an adjudication of the claim by the same payer on file that stands, dated on
  or before it, of its amounts negated (DOMAIN.md: it "reverses an earlier payment
  exactly"); imported before the payment it reverses, the file is refused, saying to import
  that remittance first;
* **the patient is the claim's client** (:func:`claim_problems`): a CLP naming one of our
  claims must name (NM1*QC) the claim's client, by last name or by a member id of the
  client's coverages; otherwise the money would post to another client's account (found by a
  new-user trial: a CLP01 naming the wrong claim posted silently);
* **a claim once per file** (:func:`claim_problems`): a claim of ours appears once, or as a
  reversal (22) followed by its correction; anything else would post it twice;
* **no claim below zero** (:func:`overdrawn_problems`): once the file is written (same
  transaction), no claim it posted to may owe less than zero on the insurance side unless
  it already did and the file did not lower it further. DOMAIN.md has no insurance credit
  balance: a payer's overpayment is recovered by the payer (PLB WO / FB), so a file that
  overpays a claim is refused, naming the claim, for the biller to ask the payer.

Claims that are not ours (and CLP02 23, "not our claim") post nothing to our claims and are
only kept for the work list; the payer, reversal and repeat rules look at our claims only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa

from metdash.adjustment_classes import OUTCOMES
from metdash.errors import Naming, X12Error
from metdash.privacy import mask_text
from metdash.store import facts, registered
from metdash.x12.parse835 import ClaimPayment, Payment

# CLP02 codes with which a payer other than the claim's may report on it: processed as
# secondary / tertiary (and forwarded), and the reversal of such a payment.
AS_SECONDARY = {"2", "3", "20", "21", "22"}
ZERO = Decimal("0")


@dataclass(frozen=True)
class PracticeIds:
    """The practice's own identifiers, as an 835's payee must carry them."""

    npi: str
    tax_id: str


@dataclass(frozen=True)
class OurClaim:
    """What the checks need of one of our claims."""

    claim_id: str
    payer_id: int
    payer_name: str
    other_payers: frozenset[int]  # payers of the client's other coverages in force on the
                                  # claim's first date of service
    service_date: dt.date | None = None  # its first date of service
    # What posting needs besides the checks (read in the same query, :func:`our_claims`):
    status: str = ""
    charge: Decimal | None = None  # the claim's total charge
    insurance_balance: Decimal | None = None  # claim_facts' as read (None: no facts row)
    history_seq: int = 0  # its last claim_status_history seq (0: none)
    # The date of its newest move to an adjudication's outcome (paid, partially paid,
    # denied: an 835's or a posted EOB's move is dated by its payment date): an adjudication
    # dated before it is history, not the claim's current state.
    last_status_date: dt.date | None = None
    # Who the claim is for (the patient check): the client's last name and name as shown,
    # and the member ids of the client's coverages (normalised: letters and digits, upper;
    # read only for the claims whose CLP names another last name: with_member_ids).
    client_last_name: str = ""
    client_name: str = ""
    member_ids: frozenset[str] = frozenset()


def payer_part(payer_id: int | None, payer_key: str) -> str:
    """How the ledger tells a claim's payers apart: our payer id, else the 835's payer key."""
    return str(payer_id) if payer_id is not None else f"key {payer_key}"


def _digits(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def _money(value: Decimal) -> str:
    return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


def practice_ids(con: duckdb.DuckDBPyConnection) -> PracticeIds | None:
    """The practice's billing NPI and tax id; None when either is not set up."""
    rows = con.execute("SELECT billing_npi, tax_id FROM practice ORDER BY practice_id LIMIT 1"
                       ).fetchall()
    if not rows or not (rows[0][0] or "").strip() or not _digits(rows[0][1]):
        return None
    return PracticeIds(rows[0][0].strip(), rows[0][1].strip())


def payee_problems(name: str, payments: Sequence[Payment], practice: PracticeIds | None
                   ) -> list[X12Error]:
    """Every payment whose payee is not the practice (one problem each)."""
    if practice is None:
        return [X12Error(name, None, None,
                         "the practice's billing NPI and tax id are not set up (Settings → "
                         "Practice), so whether this remittance is the practice's cannot be "
                         "checked.")]
    out = []
    for p in payments:
        where = p.payee_segment_number or p.segment_number
        seg_id = "N1" if p.payee_segment_number else "ST"
        npis = [(p.payee_id, "N1*PE")] if p.payee_id_qualifier == "XX" else []
        taxes = [(p.payee_id, "N1*PE")] if p.payee_id_qualifier == "FI" else []
        if p.payee_tax_id:
            taxes.append((p.payee_tax_id, "REF*TJ"))
        if not npis and not taxes:
            out.append(X12Error(name, where, seg_id,
                                "the remittance names no NPI (XX) or tax id (FI, REF*TJ) of the "
                                "payee, so it cannot be checked to be the practice's; ask the "
                                "payer for a remittance naming the practice's NPI."))
            continue
        for npi, elem in npis:
            if npi.strip() != practice.npi:
                out.append(X12Error(name, where, seg_id,
                                    f"the payee's NPI {npi.strip()} ({elem}) is not the "
                                    f"practice's billing NPI {practice.npi}: this remittance "
                                    "pays another provider; send it back to the "
                                    "clearinghouse."))
        for tax, elem in taxes:
            if _digits(tax) != _digits(practice.tax_id):
                out.append(X12Error(name, where, seg_id,
                                    f"the payee's tax id {tax.strip()} ({elem}) is not the "
                                    f"practice's tax id {practice.tax_id}: this remittance "
                                    "pays another provider; send it back to the "
                                    "clearinghouse."))
    return out


def our_claims(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> dict[str, OurClaim]:
    """Our claims among ``ids``: their payer and the payers of the client's other coverages
    (the checks), and their status, charge, insurance balance and last status-history seq
    (what posting needs, read with them: one query instead of five)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    with registered(con, "_x12_trust_ids", pa.table({"claim_id": pa.array(ids, pa.string())})):
        # Claims, their facts and their history are stored roughly in claim id order: the
        # range lets DuckDB skip the row groups outside it (one 835's claims are close).
        rows = con.execute("""
            WITH mine AS (
                SELECT c.claim_id, c.client_id, c.payer_id, c.first_service_date, c.status,
                       c.total_charge
                FROM claims c SEMI JOIN _x12_trust_ids i ON i.claim_id = c.claim_id
                WHERE c.claim_id BETWEEN $lo AND $hi),
            others AS (
                SELECT m.claim_id, list(DISTINCT v.payer_id) AS payers
                FROM mine m JOIN coverages v ON v.client_id = m.client_id
                 AND v.payer_id <> m.payer_id AND v.effective_date <= m.first_service_date
                 AND (v.end_date IS NULL OR v.end_date >= m.first_service_date)
                GROUP BY 1),
            seqs AS (
                SELECT h.claim_id, max(h.seq) AS seq,
                       max(h.status_date)
                           FILTER (WHERE list_contains($outcomes::VARCHAR[], h.status))
                           AS status_date
                FROM claim_status_history h SEMI JOIN mine m ON m.claim_id = h.claim_id
                WHERE h.claim_id BETWEEN $lo AND $hi
                GROUP BY 1),
            balances AS (
                SELECT f.claim_id, f.insurance_balance
                FROM claim_facts f SEMI JOIN mine m ON m.claim_id = f.claim_id
                WHERE f.claim_id BETWEEN $lo AND $hi)
            SELECT m.claim_id, m.payer_id, coalesce(p.name, 'payer ' || m.payer_id), o.payers,
                   m.first_service_date, m.status, m.total_charge, b.insurance_balance, s.seq,
                   s.status_date, cl.last_name, cl.last_name || ', ' || cl.first_name
            FROM mine m
            LEFT JOIN clients cl ON cl.client_id = m.client_id
            LEFT JOIN payers p ON p.payer_id = m.payer_id
            LEFT JOIN others o ON o.claim_id = m.claim_id
            LEFT JOIN balances b ON b.claim_id = m.claim_id
            LEFT JOIN seqs s ON s.claim_id = m.claim_id""",
            {"lo": ids[0], "hi": ids[-1], "outcomes": list(OUTCOMES)}).fetchall()
    return {r[0]: OurClaim(r[0], int(r[1]), r[2], frozenset(r[3] or ()), r[4], r[5],
                           Decimal(r[6]) if r[6] is not None else None,
                           Decimal(r[7]) if r[7] is not None else None, int(r[8] or 0),
                           r[9], r[10] or "", r[11] or "")
            for r in rows}


def with_member_ids(con: duckdb.DuckDBPyConnection, ours: dict[str, OurClaim],
                    payments: Sequence[Payment]) -> dict[str, OurClaim]:
    """``ours`` with the member ids of the client's coverages filled in for the claims whose
    CLP names a patient of another last name (the few the patient check then looks at by
    member id: read for them alone, an 835 of 10,000 claims read every client's coverages
    for nothing)."""
    odd = sorted({c.clp01 for p in payments for c in p.claims
                  if c.clp01 in ours and other_patient(c, ours[c.clp01]) is not None})
    if not odd:
        return ours
    rows = con.execute("SELECT c.claim_id, list(DISTINCT v.member_id) FROM claims c "
                       "JOIN coverages v ON v.client_id = c.client_id "
                       "WHERE c.claim_id IN (SELECT unnest(?::VARCHAR[])) "
                       "AND v.member_id IS NOT NULL GROUP BY 1", [odd]).fetchall()
    out = dict(ours)
    for claim_id, members in rows:
        out[claim_id] = replace(ours[claim_id], member_ids=frozenset(
            _digits(m) for m in members if _digits(m)))
    return out


class OnFile(NamedTuple):
    """A claim payment on file of a claim an 835 reverses (:class:`Reversals`): the payer part
    (the payer's id, or "key " + TRN03 for a payer not on file, as the ledger groups them:
    metdash/sql/ledger.sql), CLP02, payment date, CLP03 charge, CLP04 paid, CLP07, and whether
    it stands (metdash/sql/standing_clps.sql: not a reversal, not reversed, not replaced)."""

    claim_payment_id: int
    payer_part: str
    status_code: str
    payment_date: dt.date
    charge: Decimal
    paid: Decimal
    payer_claim_number: str | None
    stands: bool


class Reversals:
    """The payments on file that an 835's reversals (CLP02 22 naming claims of ours) may take
    back, read once for the claims they reverse (``ours``: :func:`our_claims`; ``payer_of``:
    our payer id of each payment, by ``id(payment)``).

    DOMAIN.md: a reversal "reverses an earlier payment exactly (same amounts, negated)". It
    takes back its payer's answer of the claim that stands, on or before its date, whose charge
    and paid are its own negated: the one with its payer claim number (CLP07) when there are
    several, else the latest. Not necessarily the payer's last CLP: a payer that split a claim
    (lines 1-2 on one 835, line 3 on a later one) may reverse the first part, the second
    standing."""

    def __init__(self, con: duckdb.DuckDBPyConnection, payments: Sequence[Payment],
                 ours: Mapping[str, OurClaim], payer_of: Mapping[int, int | None]) -> None:
        self._payer_of = payer_of
        self._on_file: dict[str, list[OnFile]] = {}
        ids = sorted({c.clp01 for p in payments for c in p.claims
                      if c.status_code == "22" and c.clp01 in ours})
        if not ids:
            return
        for claim_id, *row in con.execute(f"""
                WITH c AS (SELECT claim_id, payer_id FROM claims
                           WHERE claim_id IN (SELECT unnest($ids::VARCHAR[]))),
                {facts.sql_text("standing_clps")}
                SELECT o.claim_id, o.claim_payment_id, o.payer_part, o.status_code,
                       o.payment_date, o.charge, o.paid, p.payer_claim_number,
                       o.claim_payment_id IN (SELECT claim_payment_id FROM stands)
                FROM ordered o JOIN claim_payments p USING (claim_payment_id)
                ORDER BY o.claim_id, o.payer_part, o.n""",  # noqa: S608 (our own SQL file)
                {"ids": ids, "as_of": dt.date(9999, 12, 31)}).fetchall():
            self._on_file.setdefault(claim_id, []).append(OnFile(*row))

    def candidates(self, claim_id: str, p: Payment) -> list[OnFile]:
        """The answers of ``claim_id`` a reversal in payment ``p`` may take back: its payer's
        that stand, dated on or before it, in posting order."""
        part = payer_part(self._payer_of[id(p)], p.payer_key)
        return [x for x in self._on_file.get(claim_id, ()) if x.payer_part == part and x.stands
                and (p.payment_date is None or x.payment_date <= p.payment_date)]

    def target(self, claim_id: str, p: Payment, c: ClaimPayment) -> OnFile | None:
        """The answer the reversal ``c`` (in payment ``p``) of ``claim_id`` takes back; None
        when none on file is its amounts negated (refused: :func:`claim_problems`)."""
        same = [x for x in self.candidates(claim_id, p)
                if (x.charge, x.paid) == (-c.charge, -c.paid)]
        named = [x for x in same if c.payer_claim_number
                 and x.payer_claim_number == c.payer_claim_number]
        return (named or same)[-1] if same else None

    def taken_back(self, claim_id: str | None, p: Payment, c: ClaimPayment) -> int | None:
        """The claim_payment_id of :meth:`target` when ``c`` is a reversal of our claim
        ``claim_id`` (None: not ours), else None."""
        target = self.target(claim_id, p, c) if claim_id and c.status_code == "22" else None
        return target.claim_payment_id if target else None


def _not_its_payer(claim: OurClaim, p: Payment, payer_id: int | None) -> str:
    """Why a payer other than the claim's may not pay it; for a payer on file under no name
    or id the 835 gives (a Medicare contractor's "NORIDIAN JF PART B" for the practice's
    "Medicare Part B"), how to tell metdash they are one."""
    said = (f"claim {claim.claim_id} is billed to {claim.payer_name}, but this remittance "
            f"comes from {p.payer_name} (N1*PR)")
    if payer_id is not None:
        return said + ": a payer pays only its own claims; check the claim's payer, or send " \
            "the file back."
    named = [(v, w) for v, w in ((p.payer_ref, "REF*2U"), (p.payer_id, "N104"),
                                 (p.originator, "TRN03")) if v]
    ids = ", ".join(f"{w} {v}" for v, w in named)
    return (said + ", a payer not on file under that name" + (f" or id ({ids})" if ids else "")
            + f". If it is {claim.payer_name}, say so: answer \"Whose is this 835?\" below "
            f"(Remittances; on a terminal, metdash payer-name --payer \"{claim.payer_name}\" "
            f"\"{p.payer_name}\"), then import the file again; if not, check the claim's "
            "payer, or send the file back.")


def unknown_payers(new: Sequence[Payment], payer_of: Mapping[int, int | None],
                   on_file: Mapping[str, OurClaim]) -> list[tuple[str, tuple[str, ...], int | None]]:
    """(N1*PR name, ids, the one payer its claims of ours are billed to, else None) of each
    payment from a payer on file under none of its names, that pays claims of ours."""
    out = set()
    for p in new:
        billed = {on_file[c.clp01].payer_id for c in p.claims if c.clp01 in on_file}
        if payer_of[id(p)] is None and billed:
            out.add((p.payer_name, tuple(x for x in (p.payer_ref, p.payer_id, p.originator)
                                         if x), billed.pop() if len(billed) == 1 else None))
    return sorted(out, key=lambda u: (u[0], u[1]))


def claim_problems(name: str, payments: Sequence[Payment], ours: Mapping[str, OurClaim],
                   payer_of: Mapping[int, int | None], reversals: Reversals | None = None
                   ) -> list[X12Error]:
    """The payer, reversal and repeat rules for every CLP naming one of our claims.
    ``payer_of``: our payer id of each payment (by ``id(payment)``), None when the 835's
    payer is none of ours. ``reversals``: what the file's reversals may take back (None:
    nothing on file, every reversal is refused)."""
    out = []
    seen: dict[str, list[tuple[str, int]]] = {}  # claim -> (CLP02, segment) in file order
    for p in payments:
        payer_id = payer_of[id(p)]
        for c in p.claims:
            claim = ours.get(c.clp01)
            if claim is None or c.status_code == "23":
                continue
            where = (name, c.segment_number, "CLP")
            if (payer_id is not None and payer_id != claim.payer_id
                    and payer_id not in claim.other_payers and c.status_code in AS_SECONDARY):
                out.append(X12Error(*where,
                                    f"{p.payer_name} (N1*PR) paid claim {claim.claim_id} as a "
                                    "later payer, but the client has no coverage with it on "
                                    f"the claim's date of service {claim.service_date}: add "
                                    "the client's secondary coverage (Clients) with its dates, "
                                    "then import the file again."))
            elif payer_id != claim.payer_id and not (
                    payer_id in claim.other_payers and c.status_code in AS_SECONDARY):
                out.append(X12Error(*where, _not_its_payer(claim, p, payer_id)))
            could = (reversals.candidates(claim.claim_id, p)
                     if c.status_code == "22" and reversals else [])
            if c.status_code == "22" and not could:
                out.append(X12Error(*where,
                                    f"claim {claim.claim_id} is reversed (CLP02 22), but there "
                                    f"is no payment from {p.payer_name} on file that it "
                                    "reverses: import the remittance it reverses first, then "
                                    "this file again (or ask the payer which payment it "
                                    "reverses)."))
            elif could and reversals and reversals.target(claim.claim_id, p, c) is None:
                out.append(X12Error(*where, _not_reversed(claim.claim_id, p.payer_name, c,
                                                          could)))
            if c.paid < 0 and c.status_code != "22":
                out.append(X12Error(*where,
                                    f"claim {claim.claim_id} is paid {c.paid:.2f} (CLP04) as "
                                    f"claim status {c.status_code}: a payer takes money back "
                                    "only by a reversal (CLP02 22) or a recoupment (PLB); ask "
                                    "the payer for a corrected remittance."))
            if c.status_code != "22":
                if c.paid > c.charge:
                    out.append(X12Error(*where,
                                        f"claim {claim.claim_id} is paid {c.paid:.2f} (CLP04), "
                                        f"more than its charge {c.charge:.2f} (CLP03): an "
                                        "overpayment is the payer's to take back (PLB); ask the "
                                        "payer for a corrected remittance."))
                negative = [a for a in [*c.adjustments,
                                        *(a for line in c.lines for a in line.adjustments)]
                            if a.amount < 0]
                if negative:
                    a = negative[0]
                    out.append(X12Error(*where,
                                        f"claim {claim.claim_id} has a negative adjustment "
                                        f"{a.group_code}-{a.carc} {a.amount:.2f} (CAS) as claim "
                                        f"status {c.status_code}: only a reversal (CLP02 22) "
                                        "undoes adjustments; ask the payer for a corrected "
                                        "remittance."))
            wrong = other_patient(c, claim)
            if wrong:
                out.append(X12Error(*where, wrong))
            before = seen.setdefault(claim.claim_id, [])
            # Allowed: one CLP, or a reversal (22) and then its correction.
            if before and not (len(before) == 1 and before[0][0] == "22"
                               and c.status_code != "22"):
                out.append(X12Error(*where,
                                    f"claim {claim.claim_id} is in this file again (first at "
                                    f"segment {before[0][1]}): a remittance pays a claim once, "
                                    "or reverses it (CLP02 22) and then corrects it; ask the "
                                    "payer for a corrected file."))
            before.append((c.status_code, c.segment_number))
    return out


def _letters(value: str) -> str:
    return re.sub(r"[^A-Z]", "", (value or "").upper())


def other_patient(c: ClaimPayment | Any, claim: OurClaim) -> str | None:
    """Why a CLP naming our claim is for another patient, or None (``c``: anything with
    the patient's ``patient_last_name``, ``patient_first_name``, ``patient_member_id``, as
    parsed or as kept on a claim payment). The 835's patient
    (NM1*QC) must be the claim's client by last name or by member id: a CLP01 that names
    another client's claim (a typo at the payer, a claim id reused) would post money to the
    wrong account. Lenient where payers are: names compared by their letters (hyphens,
    spaces, case), either one a prefix of the other when both have at least three letters
    (payers shorten long names); a member id matching any of the client's coverages, or
    starting with one (a payer's suffix). A CLP without a patient name is not checked."""
    theirs = _letters(c.patient_last_name)
    ours = _letters(claim.client_last_name)
    if not theirs or not ours or theirs == ours or (
            min(len(theirs), len(ours)) >= 3
            and (theirs.startswith(ours) or ours.startswith(theirs))):
        return None
    member = _digits(c.patient_member_id)
    if member and any(member.startswith(m) for m in claim.member_ids):
        return None
    who = ", ".join(x for x in (c.patient_last_name.strip(), c.patient_first_name.strip())
                    if x)
    their_id = c.patient_member_id.strip() if member else ""

    def text(client: str, patient: str, member_id: str) -> str:
        return (f"claim {claim.claim_id} is {client}'s, but this remittance pays it for "
                f"patient {patient}{f', member id {member_id}' if member_id else ''} (NM1*QC): "
                "neither the name nor the member id is the client's, so the money would post to "
                "the wrong account. Ask the payer which claim it paid (CLP01 is the claim id we "
                "sent), or correct the client's name or member id (Clients) if they are wrong "
                "on file; then import the file again.")

    return Naming(text(claim.client_name, who, their_id),
                  text(mask_text(claim.client_name), mask_text(who),
                       mask_text(their_id, "member_id") if their_id else ""))


def _not_reversed(claim_id: str, payer_name: str, c: ClaimPayment,
                  could: Sequence[OnFile]) -> str:
    """Why a reversal ``c`` takes back none of the payments it ``could`` (its payer's that
    stand, on or before it: :meth:`Reversals.candidates`)."""
    listed = "; ".join(f"{x.payment_date}: charge {x.charge:.2f}, paid {x.paid:.2f}"
                       for x in could)
    which = ("the payment it reverses" if len(could) == 1
             else "the payments it could reverse")
    return (f"claim {claim_id} is reversed (CLP02 22) for charge {c.charge:.2f}, paid "
            f"{c.paid:.2f}, but {which} ({payer_name}, {listed}) "
            f"{'is' if len(could) == 1 else 'are'} not that: a reversal takes back exactly "
            "what was paid (an earlier payment already reversed cannot be reversed again); ask "
            "the payer for a corrected remittance.")


def insurance_balances(con: duckdb.DuckDBPyConnection, ids: Iterable[str]
                       ) -> dict[str, Decimal]:
    """What the payers owe on each of these claims now (claim_facts, kept by the
    transaction: call :func:`metdash.store.facts.sync` first after writing)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = con.execute("SELECT claim_id, insurance_balance FROM claim_facts "
                       "WHERE claim_id BETWEEN ? AND ? "
                       "AND claim_id IN (SELECT unnest(?::VARCHAR[]))",
                       [ids[0], ids[-1], ids]).fetchall()
    return {r[0]: Decimal(r[1]) for r in rows}


def overrecouped_problems(name: str, con: duckdb.DuckDBPyConnection,
                          recouped: Mapping[str, Decimal]) -> list[X12Error]:
    """Claims this file's recoupments (``recouped``: PLB WO / FB, by claim) took more from
    than the payers have paid on them, net (claim_facts.paid below zero once the file is
    written and the facts synced): a payer takes back what it paid, not more."""
    ids = sorted(c for c, amount in recouped.items() if amount > 0)
    if not ids:
        return []
    rows = con.execute("SELECT claim_id, paid FROM claim_facts "
                       "WHERE claim_id IN (SELECT unnest(?::VARCHAR[])) AND paid < 0 "
                       "ORDER BY claim_id", [ids]).fetchall()
    return [X12Error(name, None, None,
                     f"its recoupment (PLB WO / FB) of {_money(recouped[cid])} on claim {cid} "
                     f"takes back more than the payer has paid on it on file (it would have "
                     f"paid {_money(Decimal(paid))}): import the remittance that paid it "
                     "first, or ask the payer.")
            for cid, paid in rows]


def claim_charges(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> dict[str, Decimal]:
    """Each of these claims' charge."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = con.execute("SELECT claim_id, total_charge FROM claims "
                       "WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()
    return {r[0]: Decimal(r[1]) for r in rows}


def overdrawn_problems(name: str, before: Mapping[str, Decimal], after: Mapping[str, Decimal],
                       segment_of: Mapping[str, int],
                       charges: Mapping[str, Decimal] | None = None,
                       recouped: Mapping[str, Decimal] | None = None,
                       clp_charges: Mapping[str, Decimal] | None = None) -> list[X12Error]:
    """Claims the file took below zero (or further below), or above their charge (a
    reversal of money never paid, or a recoupment of more than was paid): one problem each,
    at the claim's first CLP in the file (``segment_of``). ``recouped``: what this file's
    PLB recoupments (WO / FB) take back from each claim. ``clp_charges``: the charge (CLP03)
    the file's adjudication of each claim reports: one that is not the claim's own says the
    CLP is likely another claim's (found by a new-user trial: such a refusal asked whether the
    payer "paid this claim twice")."""
    out = []
    for claim_id in sorted(after, key=lambda c: (segment_of.get(c, 0), c)):
        now, was = after[claim_id], before.get(claim_id, ZERO)
        charge = (charges or {}).get(claim_id)
        if charge is not None and now > charge and now > was:
            seg = segment_of.get(claim_id)
            taken = (recouped or {}).get(claim_id, ZERO)
            why = (f"its recoupment (PLB WO / FB) of {_money(taken)} takes back more than the "
                   "payer has paid on it on file; import the remittance that paid it first, "
                   "or ask the payer" if taken > 0 else
                   "the file reverses money that was never posted; ask the payer for the "
                   "remittance it reverses, or a corrected file")
            out.append(X12Error(name, seg, "CLP" if seg else None,
                                f"claim {claim_id} would owe {_money(now)} after this "
                                f"remittance, more than its charge {_money(charge)}: {why}."))
            continue
        if now < 0 and now < was:
            seg = segment_of.get(claim_id)
            theirs = (clp_charges or {}).get(claim_id)
            why = ("ask the payer whether it paid this claim twice" if theirs is None
                   or charge is None or theirs == charge else
                   f"the remittance bills it at {_money(theirs)} (CLP03), but the claim's "
                   f"charge is {_money(charge)}, so this CLP is probably another claim's (or "
                   "an old version of it); ask the payer which claim it paid")
            out.append(X12Error(name, seg, "CLP" if seg else None,
                                f"claim {claim_id} would owe {_money(now)} after this "
                                f"remittance (it owes {_money(was)} now): payments and "
                                f"adjustments would exceed its charge; {why}."))
    return out
