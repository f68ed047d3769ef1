"""Money and disputes after a claim is sent: paper EOBs posted by hand (the same rows an 835
makes), patient payments, and appeals of denied claims."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from metdash import adjustment_classes
from metdash.adjustment_classes import claim_status_after, part_answered
from metdash.answers import Answer, StandingAnswers, may_join_earlier
from metdash.entry import returns
from metdash.entry.claims import add_claim_status
from metdash.entry.problems import (
    Problem,
    as_date,
    as_money,
    blank,
    date_field,
    fetch_one,
    fetch_rows,
    fmt_money,
    money_field,
    text_field,
    text_fields,
    today,
)
from metdash.errors import ValidationError
from metdash.store import Database, audit, facts, insert_row, next_id

__all__ = [
    "GROUP_CODES", "AdjustmentIn", "AppealIn", "EobIn", "LinePostingIn",
    "PatientPaymentIn", "eob_payers", "file_appeal", "parse_adjustments",
    "payer_claim_number", "post_eob", "record_appeal_outcome", "record_patient_payment",
    "validate_appeal", "validate_eob", "validate_patient_payment",
]

GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")


@dataclass
class AdjustmentIn:
    """One CAS triple: group code (CO, PR, OA, PI), CARC, amount."""

    group_code: str
    carc: str
    amount: Any


@dataclass
class LinePostingIn:
    """What the EOB says about one of our claim lines."""

    line_no: int
    paid: Any
    adjustments: list[AdjustmentIn] = field(default_factory=list)
    allowed: Any = None


@dataclass
class EobIn:
    """A paper EOB posted by hand, for one claim (per claim, or per line with ``lines``)."""

    claim_id: str
    payment_date: Any
    paid: Any = None                      # per-claim posting; the sum of lines otherwise
    adjustments: list[AdjustmentIn] = field(default_factory=list)   # claim level
    lines: list[LinePostingIn] = field(default_factory=list)
    patient_responsibility: Any = None    # default: the sum of the PR adjustments
    trace_number: str | None = None       # check / EFT number; one is made up when blank
    method: str = "CHK"
    allowed: Any = None
    payer_claim_number: str | None = None
    payer_id: int | None = None           # who paid: the claim's payer when None, else the
                                          # client's secondary / tertiary payer (CLP02 2 / 3)


def _adjustments(p: list[Problem], adjs: Sequence[AdjustmentIn], where: str
                 ) -> list[tuple[str, str, Decimal]]:
    out = []
    for k, a in enumerate(adjs, start=1):
        group = (a.group_code or "").strip().upper()
        carc = (str(a.carc) if a.carc is not None else "").strip().upper()
        if group not in GROUP_CODES:
            p.append(Problem(f"{where}, adjustment {k}: group {a.group_code!r} must be CO, PR, "
                             "OA or PI (as printed on the EOB).", "adjustments"))
        if not re.fullmatch(r"[A-Z]?\d{1,3}|[A-Z]\d{1,2}", carc):
            p.append(Problem(f"{where}, adjustment {k}: reason code {a.carc!r} is not a CARC: "
                             "copy it from the EOB, e.g. 45.", "adjustments"))
        amount = money_field(p, a.amount, f"{where}, adjustment {k}: amount", "adjustments")
        if amount is not None:
            out.append((group, carc, amount))
    return out


def validate_eob(con: Any, eob: EobIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a hand-posted EOB, including the balancing rule."""
    return _check_eob(con, eob, as_of)[0]


def _repeat_problem(con: Any, p: list[Problem], claim_id: str, day: dt.date, paid: Decimal,
                    adjustments: list[tuple[str, str, Decimal]]) -> None:
    """An EOB typed again: a payment by hand for the same claim, date and paid amount with
    the same adjustments, and no check number to tell them apart."""
    mine = sorted((g, c, Decimal(a)) for g, c, a in adjustments)
    for cpid, rid, who in con.execute(
            "SELECT cp.claim_payment_id, r.remittance_id, r.payment_date FROM claim_payments cp "
            "JOIN remittances r USING (remittance_id) WHERE cp.claim_id = ? AND "
            "r.source = 'manual' AND r.payment_date = ? AND cp.paid = ?",
            [claim_id, day, paid]).fetchall():
        theirs = sorted((g, c, Decimal(a)) for g, c, a in con.execute(
            "SELECT group_code, carc, amount FROM adjustments WHERE claim_payment_id = ?",
            [cpid]).fetchall())
        if theirs == mine:
            p.append(Problem(f"This EOB is already posted (payment {rid}, paid "
                             f"{fmt_money(paid)} on {who}): nothing was posted again. If the "
                             "payer really paid this claim twice, type the second payment's "
                             "check / EFT number.", "trace_number"))
            return


def _check_eob(con: Any, eob: EobIn, as_of: dt.date | None):
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, eob, {"trace_number": "Check / EFT number",
                         "payer_claim_number": "Payer claim number"})
    claim = fetch_one(con, "SELECT c.*, p.name AS payer_name FROM claims c JOIN payers p "
                      "USING (payer_id) WHERE claim_id = ?", [eob.claim_id])
    if blank(eob.claim_id):
        p.append(Problem("No claim is chosen: find the claim the EOB pays (claim id, client id "
                         "or last name) and pick it.", "claim_id"))
        return p, None
    if claim is None:
        p.append(Problem(f"Claim {eob.claim_id!r} is not on file: check the claim number on "
                         "the EOB.", "claim_id"))
        return p, None
    if eob.payer_id is not None and eob.payer_id != claim["payer_id"]:
        later = fetch_one(con, """
            SELECT v.priority, p.name FROM coverages v JOIN payers p USING (payer_id)
            WHERE v.client_id = ? AND v.payer_id = ? AND v.priority <> 'primary'
              AND v.effective_date <= ? AND (v.end_date IS NULL OR v.end_date >= ?)
            ORDER BY v.priority LIMIT 1""", [claim["client_id"], eob.payer_id,
                                               claim["first_service_date"],
                                               claim["first_service_date"]])
        if later is None:
            p.append(Problem(f"The payer chosen is not a secondary or tertiary coverage of the "
                             f"client on {claim['first_service_date']}: choose "
                             f"{claim['payer_name']}, or add the coverage to the client "
                             "first.", "payer_id"))
            return p, None
        # Posted as that payer's adjudication: its own status code (2 secondary, 3 tertiary).
        claim = {**claim, "payer_id": eob.payer_id, "payer_name": later["name"],
                 "status_code": "2" if later["priority"] == "secondary" else "3"}
    # A closed claim may still be paid (on appeal, after its denial was moved to the client or
    # written off and the claim closed): the payment brings those back (metdash.entry.returns).
    if claim["status"] in ("draft", "ready", "voided"):
        p.append(Problem(f"Claim {eob.claim_id} is {claim['status']}: only a submitted claim "
                         "can be paid; mark it submitted first.", "claim_id"))
    day = date_field(p, eob.payment_date, "Payment date", "payment_date")
    if day and day > as_of:
        p.append(Problem(f"Payment date {day} is in the future: use the date on the EOB.",
                         "payment_date"))
    if eob.method not in ("CHK", "ACH", "NON", "BOP", "FWT"):
        p.append(Problem(f"Method {eob.method!r} must be CHK, ACH or NON.", "method"))
    claim_adj = _adjustments(p, eob.adjustments, "Claim")
    lines_db = {r["line_no"]: r for r in fetch_rows(
        con, "SELECT * FROM claim_lines WHERE claim_id = ? ORDER BY line_no", [eob.claim_id])}
    posted_lines = []
    for lp in eob.lines:
        where = f"Line {lp.line_no}"
        if lp.line_no not in lines_db:
            p.append(Problem(f"{where}: the claim has no such line: use 1 to {len(lines_db)}.",
                             "lines"))
            continue
        paid = money_field(p, lp.paid, f"{where}: paid", "lines")
        adj = _adjustments(p, lp.adjustments, where)
        allowed = money_field(p, lp.allowed, f"{where}: allowed", "lines", required=False)
        charge = Decimal(lines_db[lp.line_no]["charge"])
        if paid is not None and charge - sum(a[2] for a in adj) != paid:
            p.append(Problem(f"{where}: charge {fmt_money(charge)} minus adjustments "
                             f"{fmt_money(sum((a[2] for a in adj), Decimal(0)))} is not the paid "
                             f"{fmt_money(paid)}: the line must balance (charge - adjustments "
                             "= paid).", "lines"))
        posted_lines.append((lp, paid, adj, allowed, lines_db[lp.line_no]))
    if len({lp.line_no for lp in eob.lines}) != len(eob.lines):
        p.append(Problem("Lines: a line is posted twice: post each line once.", "lines"))
    if eob.lines:
        paid = sum((x[1] for x in posted_lines if x[1] is not None), Decimal("0.00"))
        if not blank(eob.paid) and eob.paid is not None:
            given = money_field(p, eob.paid, "Paid", "paid")
            if given is not None and given != paid:
                p.append(Problem(f"Paid {fmt_money(given)} is not the sum of the lines' paid "
                                 f"amounts ({fmt_money(paid)}): correct one of them.", "paid"))
    else:
        paid = money_field(p, eob.paid, "Paid", "paid")
    charge = Decimal(claim["total_charge"])
    # An EOB that answers some of the claim's lines (a payer that splits a claim, or leaves a
    # line out): it balances against those lines' charges; the rest stays owed by the payer.
    part = bool(eob.lines) and bool(set(lines_db) - {lp.line_no for lp in eob.lines})
    answered = sum((Decimal(x[4]["charge"]) for x in posted_lines), Decimal("0.00")) \
        if part else charge
    all_adj = claim_adj + [a for x in posted_lines for a in x[2]]
    total_adj = sum((a[2] for a in all_adj), Decimal("0.00"))
    if paid is not None and paid < 0:
        # Found by a new-user trial: a negative payment was told to "add the missing
        # adjustment". A payer takes money back by a reversal or a recoupment on its 835.
        p.append(Problem(f"Paid {fmt_money(paid)} is negative: an EOB posted here pays money. "
                         "A payer takes money back by a reversal (CLP02 22) or a recoupment "
                         "(PLB) on its 835: import that 835 (Remittances), or ask the payer "
                         "for it.", "paid"))
    elif paid is not None and answered - total_adj != paid:
        p.append(Problem(f"Balance: charge {fmt_money(answered)}"
                         f"{' (the lines on the EOB)' if part else ''} minus adjustments "
                         f"{fmt_money(total_adj)} = {fmt_money(answered - total_adj)}, but paid "
                         f"is {fmt_money(paid)}: add the missing adjustment (e.g. CO-45) or "
                         "correct the amounts.", "adjustments"))
    pr_sum = sum((a[2] for a in all_adj if a[0] == "PR"), Decimal("0.00"))
    pr = money_field(p, eob.patient_responsibility, "Patient responsibility",
                     "patient_responsibility", required=False)
    if pr is None:
        pr = pr_sum
    elif pr != pr_sum:
        p.append(Problem(f"Patient responsibility {fmt_money(pr)} differs from the PR "
                         f"adjustments ({fmt_money(pr_sum)}): enter deductible, coinsurance "
                         "and copay as PR-1, PR-2, PR-3 adjustments.", "patient_responsibility"))
    allowed = money_field(p, eob.allowed, "Allowed", "allowed", required=False)
    trace = (eob.trace_number or "").strip()
    onto = _same_check(con, p, claim, trace, day) if trace else None
    if not trace and day is not None and paid is not None:
        _repeat_problem(con, p, claim["claim_id"], day, paid, all_adj)
    return p, {"claim": claim, "day": day, "paid": paid, "claim_adj": claim_adj,
               "lines": posted_lines, "pr": pr, "allowed": allowed, "trace": trace,
               "all_adj": all_adj, "onto": onto, "answered": answered}


def _same_check(con: Any, p: list[Problem], claim: dict[str, Any], trace: str,
                day: dt.date | None) -> int | None:
    """The payment (remittance id) a check already posted by hand holds, for the next claim
    it pays: a paper EOB is one check for several claims, each posted on its own. Refused
    on ``p``: the check's number posted from an 835 or with another date, or this claim
    already on it (typed twice)."""
    row = fetch_one(con, "SELECT remittance_id, source, payment_date FROM remittances WHERE "
                    "payer_key = ? AND trace_number = ?", [claim["payer_name"], trace])
    if row is None:
        return None
    rid, on = row["remittance_id"], row["payment_date"]
    where = f"check / EFT {trace} from {claim['payer_name']}"
    if row["source"] != "manual":
        p.append(Problem(f"{where[0].upper()}{where[1:]} is already posted from the payer's "
                         f"835 (payment {rid}, {on}): its claims are posted from the 835, not "
                         "by hand. Check the number on the EOB.", "trace_number"))
    elif day is not None and on != day:
        p.append(Problem(f"{where[0].upper()}{where[1:]} is already posted as paid on {on} "
                         f"(payment {rid}): one check has one date. Check the number and the "
                         "date on the EOB.", "trace_number"))
    elif fetch_one(con, "SELECT 1 FROM claim_payments WHERE remittance_id = ? AND "
                   "claim_id = ?", [rid, claim["claim_id"]]):
        p.append(Problem(f"Claim {claim['claim_id']} is already posted on {where} (payment "
                         f"{rid}, {on}): nothing was posted again. Check it was not entered "
                         "twice.", "trace_number"))
    return rid


def eob_payers(db: Database, claim_id: str) -> list[tuple[int, str]]:
    """Who may have paid a claim's EOB: its payer first, then the client's secondary and
    tertiary payers in force on its first date of service, as (payer_id, name)."""
    with db.connect() as con:
        rows = con.execute("""
            SELECT p.payer_id, p.name, 0 AS k FROM claims c JOIN payers p USING (payer_id)
            WHERE c.claim_id = ?
            UNION
            SELECT p.payer_id, p.name, CASE v.priority WHEN 'secondary' THEN 1 ELSE 2 END
            FROM claims c JOIN coverages v ON v.client_id = c.client_id
             AND v.priority <> 'primary' AND v.payer_id <> c.payer_id
             AND v.effective_date <= c.first_service_date
             AND (v.end_date IS NULL OR v.end_date >= c.first_service_date)
            JOIN payers p ON p.payer_id = v.payer_id
            WHERE c.claim_id = ?
            ORDER BY k, name""", [claim_id, claim_id]).fetchall()
    return [(int(r[0]), r[1]) for r in rows]


def payer_claim_number(con: Any, claim_id: str) -> str | None:
    """The payer's claim number (ICN, CLP07) of the claim's latest remittance that sent one."""
    row = con.execute("SELECT payer_claim_number FROM claim_payments WHERE claim_id = ? "
                      "AND payer_claim_number IS NOT NULL ORDER BY claim_payment_id DESC "
                      "LIMIT 1", [claim_id]).fetchall()
    return row[0][0] if row else None


def post_eob(db: Database, eob: EobIn, user: str, as_of: dt.date | None = None) -> int:
    """Post a paper EOB: the same rows an 835 makes (source='manual'); the remittance id.

    Writes remittances, claim_payments, line_payments, adjustments, moves the claim to
    paid / partially_paid / denied, with audit rows, in one transaction.
    """
    with db.transaction() as con:
        p, ctx = _check_eob(con, eob, as_of)
        if p:
            raise ValidationError(p)
        claim = ctx["claim"]
        facts.sync(con)
        owed_before = _insurance_owed(con, claim["claim_id"])
        rid = ctx["onto"] if ctx["onto"] is not None else next_id(con, "remittances",
                                                                   "remittance_id")
        trace = ctx["trace"] or f"EOB-{claim['claim_id']}-{rid}"
        if ctx["onto"] is not None:   # the check's next claim: the payment grows by what it pays
            con.execute("UPDATE remittances SET amount = amount + ? WHERE remittance_id = ?",
                        [ctx["paid"], rid])
        else:
            con.execute("INSERT INTO remittances (remittance_id, payer_id, payer_name, "
                        "payer_key, payment_date, method, trace_number, amount, source) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'manual')",
                        [rid, claim["payer_id"], claim["payer_name"], claim["payer_name"],
                         ctx["day"], eob.method, trace, ctx["paid"]])
        seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM claim_payments "
                          "WHERE remittance_id = ?", [rid]).fetchone()[0]
        # A posting by hand is a processed claim (CLP02 1): whether it denies anything is read
        # from its adjustments, by the practice's classification (CLP02 4 is the payer's own
        # code for a patient it does not recognise, never typed in from paper).
        code = claim.get("status_code", "1")
        # The payer's whole answer, as an 835's: this EOB and an earlier one of other lines
        billed = Decimal(claim["total_charge"])
        again = may_join_earlier(ctx["answered"], billed)
        whole = StandingAnswers(con, [claim["claim_id"]] if again else []).post(
            claim["claim_id"], str(claim["payer_id"]), code, Answer(
                [lp.line_no for lp, *_ in ctx["lines"]], ctx["paid"], ctx["answered"],
                ctx["all_adj"]))
        status, _ = claim_status_after(
            adjustment_classes.load(con), claim["payer_id"], code, whole.paid,
            list(whole.adjustments))
        note = f"EOB {trace} posted by hand"
        if whole.in_part(claim["status"], billed):   # partially paid, as an 835's
            status, note = part_answered(status, note, whole.charge, billed)
        cpid = next_id(con, "claim_payments", "claim_payment_id")
        con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, "
                    "clp01, status_code, charge, paid, patient_responsibility, allowed, "
                    "payer_claim_number, service_from, service_to) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [cpid, rid, seq, claim["claim_id"], claim["claim_id"], code,
                     ctx["answered"], ctx["paid"], ctx["pr"], ctx["allowed"],
                     eob.payer_claim_number or payer_claim_number(con, claim["claim_id"]),
                     claim["first_service_date"],
                     con.execute("SELECT max(service_date) FROM claim_lines WHERE claim_id = ?",
                                 [claim["claim_id"]]).fetchone()[0]])
        adj_id = next_id(con, "adjustments", "adjustment_id")
        for g, c, a in ctx["claim_adj"]:
            con.execute("INSERT INTO adjustments (adjustment_id, claim_payment_id, "
                        "line_payment_id, group_code, carc, amount) VALUES (?, ?, NULL, ?, ?, ?)",
                        [adj_id, cpid, g, c, a])
            adj_id += 1
        lp_id = next_id(con, "line_payments", "line_payment_id")
        for lp, paid, adjs, allowed, ln in ctx["lines"]:
            con.execute("INSERT INTO line_payments (line_payment_id, claim_payment_id, line_no, "
                        "cpt, modifiers, charge, paid, allowed, units, service_date) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [lp_id, cpid, lp.line_no, ln["cpt"], ln["modifiers"], ln["charge"],
                         paid, allowed, ln["units"], ln["service_date"]])
            for g, c, a in adjs:
                con.execute("INSERT INTO adjustments (adjustment_id, claim_payment_id, "
                            "line_payment_id, group_code, carc, amount) VALUES (?, ?, ?, ?, ?, ?)",
                            [adj_id, cpid, lp_id, g, c, a])
                adj_id += 1
            lp_id += 1
        audit(con, user, "create" if ctx["onto"] is None else "update", "remittances", rid, None,
              {"claim_id": claim["claim_id"], "payment_date": ctx["day"], "paid": ctx["paid"],
               "trace_number": trace, "adjustments": ctx["all_adj"], "source": "manual"})
        # An EOB dated before the claim's newest adjudication (found in the mail later) is
        # history, as an older 835 imported late is (metdash.x12.post835): the books read
        # it in date order, the status stays the newer one's.
        newest = con.execute(
            "SELECT max(status_date) FROM claim_status_history WHERE claim_id = ? "
            "AND status IN (SELECT unnest(?::VARCHAR[]))",
            [claim["claim_id"], list(adjustment_classes.OUTCOMES)]).fetchone()[0]
        current = newest is None or ctx["day"] >= newest
        if current and status != claim["status"]:
            add_claim_status(con, claim["claim_id"], status, ctx["day"], user,
                             note, claim)
        facts.sync(con)
        owed = _insurance_owed(con, claim["claim_id"])
        short = returns.shortfall({claim["claim_id"]: owed_before or Decimal(0)},
                                  {} if owed is None else {claim["claim_id"]: owed})
        if short:
            # What the practice had moved to the client or written off, now paid by the payer
            # (on appeal), comes back to the insurance side as far as the claim went below zero
            # (metdash.entry.returns); what is still below zero is refused.
            if returns.return_for_payments(
                    con, short, {claim["claim_id"]: (rid, ctx["day"], claim["payer_name"])},
                    user):
                facts.sync(con)
                owed = _insurance_owed(con, claim["claim_id"])
        if owed is not None and owed < 0 and (owed_before is None or owed < owed_before):
            # The same rule as an 835 (metdash.x12.trust835.overdrawn_problems): the
            # transaction is rolled back, nothing is posted.
            raise ValidationError([Problem(
                f"Claim {claim['claim_id']} would owe {fmt_money(owed)} after this EOB (it owes "
                f"{fmt_money(owed_before or Decimal(0))} now): with what is already posted, "
                "payments and adjustments would exceed its charge. Check this EOB was not "
                "posted already; if the payer paid the claim twice, ask it how it will take "
                "the overpayment back.", "paid")])
        return rid


def _insurance_owed(con: Any, claim_id: str) -> Decimal | None:
    rows = con.execute("SELECT insurance_balance FROM claim_facts WHERE claim_id = ?",
                       [claim_id]).fetchall()  # fetchall: a half-read result blocks the next read
    return None if not rows or rows[0][0] is None else Decimal(rows[0][0])


@dataclass
class PatientPaymentIn:
    """Money the client paid the practice (copay, coinsurance, deductible, self-pay)."""

    client_id: str
    payment_date: Any
    amount: Any
    method: str = "card"
    claim_id: str | None = None
    reference: str | None = None


def validate_patient_payment(con: Any, pp: PatientPaymentIn,
                             as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a patient payment."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, pp, {"reference": "Reference"})
    known = bool(fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?", [pp.client_id]))
    if blank(pp.client_id):
        p.append(Problem("No client is chosen: choose the client, or the claim the payment "
                         "is toward.", "client_id"))
    elif not known:
        p.append(Problem(f"Client {pp.client_id!r} is not on file: choose the client.",
                         "client_id"))
    day = date_field(p, pp.payment_date, "Payment date", "payment_date")
    if day and day > as_of:
        p.append(Problem(f"Payment date {day} is in the future: use the day it was paid.",
                         "payment_date"))
    amount = None
    if blank(pp.amount):  # (money_field's "0.00 when none" does not fit: 0 is refused)
        p.append(Problem("Amount is missing: enter what the client paid.", "amount"))
    else:
        amount = money_field(p, pp.amount, "Amount", "amount")
    if amount is not None and amount <= 0:
        p.append(Problem(f"Amount {amount} must be more than 0: record refunds separately.",
                         "amount"))
    if pp.method not in ("cash", "check", "card", "hsa"):
        p.append(Problem(f"Method {pp.method!r} must be cash, check, card or hsa.", "method"))
    if not blank(pp.claim_id):
        row = fetch_one(con, "SELECT client_id FROM claims WHERE claim_id = ?", [pp.claim_id])
        if row is None:
            p.append(Problem(f"Claim {pp.claim_id} is not on file: choose the claim again, or "
                             "leave it empty.", "claim_id"))
        elif known and row["client_id"] != pp.client_id:
            p.append(Problem(f"Claim {pp.claim_id} is not one of client {pp.client_id}'s "
                             "claims: choose one of theirs, or leave it empty.", "claim_id"))
    return p


def _claims_client(con: Any, pp: PatientPaymentIn) -> PatientPaymentIn:
    """A payment toward a claim with no client chosen is the claim's client's."""
    if blank(pp.client_id) and not blank(pp.claim_id):
        row = fetch_one(con, "SELECT client_id FROM claims WHERE claim_id = ?", [pp.claim_id])
        if row is not None:
            return replace(pp, client_id=row["client_id"])
    return pp


def record_patient_payment(db: Database, pp: PatientPaymentIn, user: str,
                           as_of: dt.date | None = None) -> int:
    """Record a patient payment; its id.

    A payment that names a claim is applied to that claim; one that names none is applied to
    the client's oldest open services first when balances are read (sql/patient_balances.sql),
    and what is left over is a credit balance."""
    with db.transaction() as con:
        pp = _claims_client(con, pp)
        problems = validate_patient_payment(con, pp, as_of)
        if problems:
            raise ValidationError(problems)
        pid = next_id(con, "patient_payments", "patient_payment_id")
        values = {"patient_payment_id": pid, "client_id": pp.client_id,
                  "claim_id": pp.claim_id or None, "payment_date": as_date(pp.payment_date),
                  "amount": as_money(pp.amount), "method": pp.method,
                  "reference": pp.reference or None}
        insert_row(con, "patient_payments", values)
        audit(con, user, "create", "patient_payments", pid, None, values)
        # The claim's ledger holds it (a payment that names no claim is the client's own).
        facts.touch(con, [values["claim_id"]], status_only=True)
        return pid


# -- appeals -------------------------------------------------------------------------------------

@dataclass
class AppealIn:
    """An appeal of a denied claim."""

    claim_id: str
    filed_date: Any
    reason: str
    level: int = 1
    notes: str | None = None


def _denial_date(con: Any, claim_id: str) -> dt.date | None:
    """The first denying remittance's date (DOMAIN.md: the appeal window runs from the
    initial determination), else the claim's latest remittance."""
    row = fetch_one(con, "SELECT coalesce((SELECT min(payment_date) FROM denial_facts WHERE "
                    "claim_id = ?), (SELECT max(r.payment_date) FROM claim_payments cp JOIN "
                    "remittances r USING (remittance_id) WHERE cp.claim_id = ?)) AS d",
                    [claim_id, claim_id])
    return row["d"] if row else None


def validate_appeal(con: Any, ap: AppealIn, as_of: dt.date | None = None
                    ) -> tuple[list[Problem], list[Problem]]:
    """``(errors, warnings)`` for an appeal; a late appeal (past the window) is a warning."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, ap, {"reason": "Reason", "notes": "Notes"})
    w: list[Problem] = []
    claim = fetch_one(con, "SELECT c.status, p.appeal_window_days, p.name FROM claims c JOIN "
                      "payers p USING (payer_id) WHERE claim_id = ?", [ap.claim_id])
    if claim is None:
        p.append(Problem(f"Claim {ap.claim_id!r} is not on file: choose a denied claim.",
                         "claim_id"))
    elif claim["status"] not in ("denied", "partially_paid", "appealed"):
        p.append(Problem(f"Claim {ap.claim_id} is {claim['status']}: only a denied (or partly "
                         "denied) claim can be appealed.", "claim_id"))
    day = date_field(p, ap.filed_date, "Filed date", "filed_date")
    if day and day > as_of:
        p.append(Problem(f"Filed date {day} is in the future: enter the day it was sent.",
                         "filed_date"))
    pending = fetch_one(con, "SELECT appeal_id, level FROM appeals WHERE claim_id = ? AND "
                        "outcome = 'pending' ORDER BY appeal_id LIMIT 1", [ap.claim_id])
    if pending:
        p.append(Problem(f"Claim {ap.claim_id} already has appeal #{pending['appeal_id']} (level "
                         f"{pending['level']}) waiting for the payer: record its outcome before "
                         "filing another.", "claim_id"))
    if blank(ap.reason):
        p.append(Problem("Reason is missing: say why the denial is wrong (e.g. 'GP modifier "
                         "added, corrected claim').", "reason"))
    if not isinstance(ap.level, int) or not 1 <= ap.level <= 5:
        p.append(Problem(f"Level {ap.level!r} must be 1 to 5.", "level"))
    if claim and day:
        denied_on = _denial_date(con, ap.claim_id)
        if denied_on and day < denied_on:
            p.append(Problem(f"Filed date {day} is before the denial ({denied_on}): check the "
                             "date.", "filed_date"))
        elif denied_on and (day - denied_on).days > claim["appeal_window_days"]:
            w.append(Problem(f"Filed {(day - denied_on).days} days after the denial; "
                             f"{claim['name']} allows {claim['appeal_window_days']}: attach the "
                             "reason it is late.", "filed_date"))
    return p, w


def file_appeal(db: Database, ap: AppealIn, user: str, as_of: dt.date | None = None) -> int:
    """Record an appeal and move the claim to 'appealed'; the appeal id."""
    with db.transaction() as con:
        errors, _w = validate_appeal(con, ap, as_of)
        if errors:
            raise ValidationError(errors)
        aid = next_id(con, "appeals", "appeal_id")
        values = {"appeal_id": aid, "claim_id": ap.claim_id,
                  "filed_date": as_date(ap.filed_date), "level": ap.level,
                  "reason": ap.reason.strip(), "notes": ap.notes or None}
        insert_row(con, "appeals", values)
        audit(con, user, "create", "appeals", aid, None, values)
        claim = fetch_one(con, "SELECT * FROM claims WHERE claim_id = ?", [ap.claim_id])
        if claim["status"] != "appealed":
            add_claim_status(con, ap.claim_id, "appealed", values["filed_date"], user,
                             f"appeal {aid} level {ap.level}", claim)
        return aid


def record_appeal_outcome(db: Database, appeal_id: int, outcome: str, outcome_date: Any,
                          user: str, notes: str | None = None,
                          as_of: dt.date | None = None) -> None:
    """Record an appeal's outcome (overturned, partially_overturned, upheld, withdrawn)."""
    as_of = as_of or today()
    with db.transaction() as con:
        p: list[Problem] = []
        text_field(p, notes, "Notes", "notes")
        row = fetch_one(con, "SELECT * FROM appeals WHERE appeal_id = ?", [appeal_id])
        if row is None:
            p.append(Problem(f"Appeal {appeal_id} is not on file.", "appeal_id"))
        if outcome not in ("pending", "overturned", "partially_overturned", "upheld", "withdrawn"):
            p.append(Problem(f"Outcome {outcome!r} must be overturned, partially_overturned, "
                             "upheld or withdrawn.", "outcome"))
        day = date_field(p, outcome_date, "Outcome date", "outcome_date",
                         required=outcome != "pending")
        if day and day > as_of:
            p.append(Problem(f"Outcome date {day} is in the future: use the date on the "
                             "payer's decision letter.", "outcome_date"))
        if row and day and day < row["filed_date"]:
            p.append(Problem(f"Outcome date {day} is before the appeal was filed "
                             f"({row['filed_date']}).", "outcome_date"))
        if p:
            raise ValidationError(p)
        con.execute("UPDATE appeals SET outcome = ?, outcome_date = ?, notes = coalesce(?, notes)"
                    " WHERE appeal_id = ?", [outcome, day, notes or None, appeal_id])
        audit(con, user, "update", "appeals", appeal_id, row,
              {"outcome": outcome, "outcome_date": day, "notes": notes})


def parse_adjustments(text: str) -> tuple[list[AdjustmentIn], list[Problem]]:
    """Adjustments typed as 'CO-45 32.00; PR-2 10.00' (or 'CO-45:32.00, PR-2:10')."""
    out: list[AdjustmentIn] = []
    problems: list[Problem] = []
    for part in re.split(r"[;,\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z]{2})\s*-?\s*([A-Za-z]?\d{1,3})\s*[: ]\s*\$?\s*(-?[\d.,]+)", part)
        if not m:
            problems.append(Problem(f"Adjustment {part!r} is not 'GROUP-CARC AMOUNT': write it "
                                    "like CO-45 32.00.", "adjustments"))
            continue
        out.append(AdjustmentIn(m.group(1).upper(), m.group(2).upper(),
                                m.group(3).replace(",", "")))
    return out, problems
