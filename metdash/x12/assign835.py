"""A claim payment that matched no claim of ours, posted to the claim it pays.

Found by a new-user trial (stop 30): an 835's CLP whose claim id (CLP01) the payer mistyped,
or that names a claim under an old number, is kept as "unmatched" (the Remittances page, the
work list "Remittances that matched no claim") and its money is on the deposit but on no
claim, with no way to post it. A biller who finds the claim it pays posts it there
(:func:`assign_claim_payment`): the stored CLP, its service lines and adjustments become that
claim's adjudication, as if the payer had sent the right claim id, in one transaction with an
audit row.

The same rules as an 835 (:mod:`metdash.x12.trust835`), each refused with what to do:

* the CLP is unmatched (not assigned already) and is not the payer's "not our claim" (CLP02
  23) nor a reversal (22: it goes with the payment it reverses);
* the claim is on file, not voided, and billed to the remittance's payer (or, processed as
  secondary / tertiary, to a payer of another of the client's coverages on its date of
  service);
* the CLP's charge (CLP03) is the claim's charge: a different charge is another claim's;
* the patient the CLP names (NM1*QC, kept since migration 0021) is the claim's client, by
  last name or member id (:func:`metdash.x12.trust835.other_patient`); a payment imported
  before 0021 names none and is not checked;
* the services it pays fall on one of the claim's dates of service (when it names any:
  the SVCs' DTM*472, else the CLP's DTM*232): a client seen weekly has many claims of one
  charge with one payer;
* the claim is not paid by this remittance already;
* after it, the claim owes no less than zero on the insurance side (what the practice had
  moved to the client or written off comes back first, as for an 835:
  :mod:`metdash.entry.returns`).

Its lines match the claim's as an 835's do (REF*6R, then CPT + date + units); the claim's
status follows the CLP unless the claim has a newer answer; a recoupment that named this
payment's payer claim number is linked to the claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pandas as pd

from metdash import adjustment_classes
from metdash.adjustment_classes import claim_status_after
from metdash.entry import returns
from metdash.entry.claims import add_claim_status
from metdash.entry.problems import Problem, fmt_money
from metdash.errors import ValidationError
from metdash.privacy import mask_text
from metdash.store import Database, audit, facts
from metdash.x12 import trust835
from metdash.x12.match835 import (
    claim_lines,
    link_late_recoupments,
    match_lines,
    reopen_recouped,
)

__all__ = ["Assigned", "assign_claim_payment", "unassigned_claim_payments"]


@dataclass(frozen=True)
class Assigned:
    """What posting an unmatched claim payment to a claim did."""

    claim_id: str
    status: str                  # the claim's status after it
    returned: tuple[returns.Returned, ...] = ()


def unassigned_claim_payments(db: Database, masked: bool = False) -> pd.DataFrame:
    """The claim payments that matched no claim of ours and can be posted to one (not
    "not our claim", not a reversal), newest first: claim_payment_id, label (in words: the
    payment, the claim id sent, the patient and service date it names, the money; the
    patient's name masked when ``masked``, as in presentation mode), payment_date,
    payer_name, trace_number, clp01, patient, member_id, service_from, charge, paid, and
    lines_name: the one claim on file its service lines name by their line control numbers
    (REF*6R echoes our 837P's "<claim id>-<line no>": the payer mistyped only CLP01), else
    None."""
    df = db.query("""
        SELECT cp.claim_payment_id, r.payment_date, r.payer_name, r.trace_number, cp.clp01,
               cp.status_code,
               nullif(concat_ws(', ', cp.patient_last_name, cp.patient_first_name), '')
                   AS patient,
               cp.patient_member_id AS member_id, cp.service_from, cp.charge, cp.paid,
               (SELECT CASE WHEN count(DISTINCT c.claim_id) = 1 THEN min(c.claim_id) END
                FROM line_payments lp
                JOIN claims c ON c.claim_id = regexp_extract(lp.line_control_number,
                                                             '^(.+)-[0-9]+$', 1)
                WHERE lp.claim_payment_id = cp.claim_payment_id) AS lines_name
        FROM claim_payments cp JOIN remittances r USING (remittance_id)
        WHERE cp.claim_id IS NULL AND cp.status_code NOT IN ('22', '23')
        ORDER BY r.payment_date DESC, cp.claim_payment_id""")

    def who(r: Any) -> str:
        if r.patient is None or r.patient != r.patient:
            return ""
        name = mask_text(r.patient) if masked else r.patient
        served = (f", served {r.service_from:%b %d, %Y}" if r.service_from is not None
                  and r.service_from == r.service_from else "")
        return f" for {name}{served}"

    df.insert(1, "label", [
        f"{r.payment_date:%b %d, %Y} {r.payer_name}, trace {r.trace_number}: claim id sent "
        f"{r.clp01}{who(r)}, charge {fmt_money(Decimal(r.charge))}, paid "
        f"{fmt_money(Decimal(r.paid))}" for r in df.itertuples()])
    return df


def _clp(con: Any, claim_payment_id: int) -> dict[str, Any] | None:
    rows = con.execute("""
        SELECT cp.claim_payment_id, cp.claim_id, cp.clp01, cp.status_code, cp.charge, cp.paid,
               cp.remittance_id, cp.service_from, r.payer_id, r.payer_name, r.payment_date,
               r.trace_number, cp.patient_last_name, cp.patient_first_name,
               cp.patient_member_id
        FROM claim_payments cp JOIN remittances r USING (remittance_id)
        WHERE cp.claim_payment_id = ?""", [claim_payment_id]).fetchall()
    if not rows:
        return None
    keys = ["claim_payment_id", "claim_id", "clp01", "status_code", "charge", "paid",
            "remittance_id", "service_from", "payer_id", "payer_name", "payment_date",
            "trace_number", "patient_last_name", "patient_first_name", "patient_member_id"]
    return dict(zip(keys, rows[0], strict=True))


def _problems(con: Any, clp: dict[str, Any] | None, claim: trust835.OurClaim | None,
              claim_id: str) -> list[Problem]:
    if clp is None:
        return [Problem("That claim payment is not on file: reload the page.",
                        "claim_payment_id")]
    if clp["claim_id"] is not None:
        return [Problem(f"The payment sent as claim {clp['clp01']} is posted to claim "
                        f"{clp['claim_id']} already.", "claim_payment_id")]
    if clp["status_code"] == "23":
        return [Problem(f"The payer says claim {clp['clp01']} is not its own (CLP02 23): "
                        "there is no payment to post.", "claim_payment_id")]
    if clp["status_code"] == "22":
        return [Problem(f"The payment sent as claim {clp['clp01']} is a reversal (CLP02 22): "
                        "it goes with the payment it reverses; ask the payer for a corrected "
                        "remittance.", "claim_payment_id")]
    if claim is None:
        return [Problem(f"Claim {claim_id!r} is not on file: choose the claim the payment "
                        "pays.", "claim_id")]
    p: list[Problem] = []
    if claim.status == "voided":
        p.append(Problem(f"Claim {claim_id} is voided: choose the claim that replaced it.",
                         "claim_id"))
    payer_id = clp["payer_id"]
    secondary = clp["status_code"] in trust835.AS_SECONDARY
    if payer_id is None:
        p.append(Problem(f"{clp['payer_name']} is not a payer on file: add it (Settings → "
                         "Payers, with its clearinghouse id) before posting its payments.",
                         "claim_id"))
    elif payer_id != claim.payer_id and not (secondary and payer_id in claim.other_payers):
        p.append(Problem(f"Claim {claim_id} is billed to {claim.payer_name}, but this payment "
                         f"comes from {clp['payer_name']}: choose a claim of "
                         f"{clp['payer_name']}.", "claim_id"))
    if claim.charge is not None and Decimal(clp["charge"]) != claim.charge:
        p.append(Problem(f"The payment is for a charge of {fmt_money(Decimal(clp['charge']))} "
                         f"(CLP03), but claim {claim_id} is {fmt_money(claim.charge)}: it pays "
                         "another claim; choose the claim with that charge.", "claim_id"))
    if clp.get("patient_last_name"):
        named = SimpleNamespace(patient_last_name=clp["patient_last_name"] or "",
                                patient_first_name=clp["patient_first_name"] or "",
                                patient_member_id=clp["patient_member_id"] or "")
        full = trust835.with_member_ids(con, {claim_id: claim},
                                        [SimpleNamespace(claims=[SimpleNamespace(
                                            clp01=claim_id, **vars(named))])])[claim_id]
        if trust835.other_patient(named, full):
            who = ", ".join(x for x in (named.patient_last_name, named.patient_first_name) if x)
            member = named.patient_member_id

            def text(client: str, patient: str, member_id: str) -> str:
                return (f"Claim {claim_id} is {client}'s, but the payment names patient "
                        f"{patient}{f', member id {member_id}' if member_id else ''} (NM1*QC): "
                        "choose that patient's claim.")

            p.append(Problem(text(claim.client_name, who, member), "claim_id",
                             masked=text(mask_text(claim.client_name), mask_text(who),
                                         mask_text(member, "member_id") if member else "")))
    p += _date_problems(con, clp, claim_id)
    twice = con.execute("SELECT count(*) FROM claim_payments WHERE claim_id = ? "
                        "AND remittance_id = ?", [claim_id, clp["remittance_id"]]).fetchall()
    if twice[0][0]:
        p.append(Problem(f"Claim {claim_id} is paid by this remittance already (trace "
                         f"{clp['trace_number']}): a remittance pays a claim once.", "claim_id"))
    return p


def _date_problems(con: Any, clp: dict[str, Any], claim_id: str) -> list[Problem]:
    """A payment whose services (its SVCs' DTM*472, else the CLP's DTM*232) fall on none of
    the claim's dates of service pays another claim: a client seen weekly has many claims
    of one charge with one payer, and the charge and the patient alone do not tell them
    apart. A payment that names no date is not checked."""
    paid_on = sorted({d for (d,) in con.execute(
        "SELECT DISTINCT service_date FROM line_payments WHERE claim_payment_id = ? "
        "AND service_date IS NOT NULL", [clp["claim_payment_id"]]).fetchall()})
    if not paid_on and clp.get("service_from") is not None:
        paid_on = [clp["service_from"]]
    served = sorted({ln.service_date for ln in claim_lines(con, [claim_id]).get(claim_id, [])})
    if not paid_on or not served or set(paid_on) & set(served):
        return []

    def days(values: list[dt.date]) -> str:
        text = [f"{d:%b %d, %Y}" for d in values]
        return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]

    return [Problem(f"The payment is for services on {days(paid_on)} (DTM*472), but claim "
                    f"{claim_id} was served on {days(served)}: it pays another claim; choose "
                    "the claim of those dates.", "claim_id")]


def assign_claim_payment(db: Database, claim_payment_id: int, claim_id: str, user: str
                         ) -> Assigned:
    """Post the unmatched claim payment ``claim_payment_id`` to ``claim_id`` (see the
    module's rules); raises :class:`ValidationError` with every problem, and then nothing
    changes."""
    claim_id = (claim_id or "").strip()
    with db.transaction() as con:
        clp = _clp(con, int(claim_payment_id))
        claim = trust835.our_claims(con, [claim_id]).get(claim_id) if claim_id else None
        problems = _problems(con, clp, claim, claim_id)
        if problems:
            raise ValidationError(problems)
        assert clp is not None and claim is not None
        before = claim.insurance_balance if claim.insurance_balance is not None else Decimal(0)
        con.execute("UPDATE claim_payments SET claim_id = ? WHERE claim_payment_id = ?",
                    [claim_id, clp["claim_payment_id"]])
        # Its service lines: matched to the claim's lines as an 835's are.
        svcs = con.execute("SELECT line_payment_id, cpt, service_date, units, "
                           "line_control_number FROM line_payments WHERE claim_payment_id = ? "
                           "ORDER BY line_payment_id", [clp["claim_payment_id"]]).fetchall()
        found = match_lines(claim_id, [SimpleNamespace(cpt=s[1], service_date=s[2],
                                                       units=None if s[3] is None
                                                       else Decimal(s[3]),
                                                       line_control_number=s[4] or "")
                                       for s in svcs],
                            claim_lines(con, [claim_id]).get(claim_id, []),
                            clp["service_from"])
        for s, line_no in zip(svcs, found, strict=True):
            con.execute("UPDATE line_payments SET line_no = ? WHERE line_payment_id = ?",
                        [line_no, s[0]])
        # The claim's status follows the CLP, unless the claim has a newer answer (an older
        # adjudication found later is history, as for an 835 imported late).
        adjs = [(g, c, Decimal(a)) for g, c, a in con.execute(
            "SELECT group_code, carc, amount FROM adjustments WHERE claim_payment_id = ?",
            [clp["claim_payment_id"]]).fetchall()]
        status, note = claim_status_after(adjustment_classes.load(con), clp["payer_id"],
                                          clp["status_code"], Decimal(clp["paid"]), adjs)
        newest = claim.last_status_date
        day: dt.date = clp["payment_date"]
        if status is not None and status != claim.status and (newest is None or day >= newest):
            add_claim_status(con, claim_id, status, day, user,
                             f"{note} — 835 trace {clp['trace_number']}, claim id sent "
                             f"{clp['clp01']}, posted by hand", {"status": claim.status})
        late = link_late_recoupments(con)
        facts.touch(con, [claim_id, *(c for c, _ in late.values())])
        facts.sync(con)
        owed = trust835.insurance_balances(con, [claim_id]).get(claim_id, Decimal(0))
        back: list[returns.Returned] = []
        short = returns.shortfall({claim_id: before}, {claim_id: owed})
        if short:
            back = returns.return_for_payments(
                con, short, {claim_id: (clp["remittance_id"], day, clp["payer_name"])}, user)
            facts.sync(con)
            owed = trust835.insurance_balances(con, [claim_id]).get(claim_id, Decimal(0))
        reopen_recouped(con, [claim_id, *(c for c, _ in late.values())], user)
        if owed < 0 and owed < before:
            raise ValidationError([Problem(
                f"Claim {claim_id} would owe {fmt_money(owed)} after this payment (it owes "
                f"{fmt_money(before)} now): payments and adjustments would exceed its charge. "
                "Check the claim is the one the payer paid, or ask the payer whether it paid "
                "it twice.", "claim_id")])
        audit(con, user, "assign", "claim_payments", clp["claim_payment_id"],
              {"claim_id": None, "clp01": clp["clp01"]},
              {"claim_id": claim_id, "clp01": clp["clp01"], "trace_number": clp["trace_number"],
               "paid": clp["paid"]})
        now = con.execute("SELECT status FROM claims WHERE claim_id = ?",
                          [claim_id]).fetchall()[0][0]
        return Assigned(claim_id, now, tuple(back))
