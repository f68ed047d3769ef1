"""A balanced 835 paying claims that are in the store (benchmark input).

The claims are read with :func:`metdash.x12.write837.load_batch` (the 837P export's own
loader), so every CLP01, SVC code, charge and service date matches a claim line of ours.
The stand-in payer allows 80 % of each line (CO-45 the rest) and puts a copay (PR-3) on the
first line, so every SVC, CLP and the BPR balance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from metdash.store import Database
from metdash.x12.model837 import line_control_number
from metdash.x12.write837 import load_batch

CENT = Decimal("0.01")


def pick_claims(db: Database, n: int) -> list[str]:
    """Up to ``n`` exportable claims (not draft or voided) that no payer has paid and the
    practice has not written off or moved to the client, sent ones first: paying any other
    claim in full would take it below zero, which an 835 import refuses
    (metdash.x12.trust835)."""
    rows = db.query(
        "SELECT claim_id FROM claims c JOIN claim_facts f USING (claim_id)"
        " WHERE c.status NOT IN ('draft', 'voided') AND f.paid = 0"
        " AND NOT EXISTS (SELECT 1 FROM write_offs w WHERE w.claim_id = c.claim_id"
        "                 AND w.side = 'insurance')"
        " AND NOT EXISTS (SELECT 1 FROM balance_transfers t WHERE t.claim_id = c.claim_id)"
        " ORDER BY c.status <> 'submitted', claim_id LIMIT ?", [n])
    return list(rows.claim_id)


def balanced_835(db: Database, claim_ids: list[str], *, trace: str = "BENCH835",
                 payment_date: dt.date = dt.date(2026, 7, 15)) -> bytes:
    """One 835 paying ``claim_ids``, one payment per payer (each pays only its own claims;
    traces ``trace``, ``trace``-2, ...); returns the file's bytes."""
    with db.connect() as con:
        batch, problems = load_batch(con, claim_ids)
    if batch is None:
        raise ValueError("; ".join(problems))
    d8 = payment_date.strftime("%Y%m%d")
    payments: list[list[str]] = []
    payers = list(dict.fromkeys(c.payer_name for c in batch.claims))
    for n, payer in enumerate(payers, start=1):
        claims = [c for c in batch.claims if c.payer_name == payer]
        payments.extend(_payment(claims, payer, trace if n == 1 else f"{trace}-{n}",
                                 f"{n:04d}", batch.billing, d8, payment_date))
    segs = [
        ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'BENCHPAYER':<15}", "ZZ",
         f"{batch.billing.npi:<15}", payment_date.strftime("%y%m%d"), "1200", "^", "00501",
         "000000901", "0", "P", ":"],
        ["GS", "HP", "BENCHPAYER", batch.billing.npi, d8, "1200", "901", "X", "005010X221A1"],
        *payments,
        ["GE", str(len(payers)), "901"],
        ["IEA", "1", "000000901"],
    ]
    return "".join("*".join(s) + "~\n" for s in segs).encode()


def _payment(claims: list, payer: str, trace: str, st_control: str, billing: Any, d8: str,
             payment_date: dt.date) -> list[list[str]]:
    """One payment (ST..SE) of ``payer`` paying ``claims``."""
    body: list[list[str]] = []
    total = Decimal(0)
    for c in claims:
        segs: list[list[str]] = []
        paid_c = pr_c = Decimal(0)
        for i, ln in enumerate(c.lines):
            charge = Decimal(ln.charge)
            allowed = (charge * Decimal("0.8")).quantize(CENT)
            copay = min(Decimal(10), allowed) if i == 0 else Decimal(0)
            paid = allowed - copay
            paid_c += paid
            pr_c += copay
            segs.append(["SVC", ":".join(["HC", ln.cpt, *ln.modifiers]), str(charge), str(paid),
                         "", str(ln.units)])
            segs.append(["DTM", "472", ln.service_date.strftime("%Y%m%d")])
            cas = ["CAS", "CO", "45", str(charge - allowed)]
            segs.append(cas)
            if copay:
                segs.append(["CAS", "PR", "3", str(copay)])
            # The payer echoes the 837P's line control number (2110 REF*6R): lines match on it.
            segs.append(["REF", "6R", line_control_number(c.claim_id, i + 1)])
            segs.append(["AMT", "B6", str(allowed)])
        charge_c = sum((Decimal(ln.charge) for ln in c.lines), Decimal(0))
        first = min(ln.service_date for ln in c.lines) if c.lines else payment_date
        body.append(["CLP", c.claim_id, "1", str(charge_c), str(paid_c), str(pr_c), "12",
                     "B" + c.claim_id])
        body.append(["NM1", "QC", "1", c.patient_last_name.upper(),
                     c.patient_first_name.upper(), "", "", "", "MI", c.member_id])
        body.append(["DTM", "232", first.strftime("%Y%m%d")])
        body.extend(segs)
        total += paid_c
    head = [
        ["ST", "835", st_control],
        ["BPR", "I", str(total), "C", "ACH", "CCP", "01", "999999999", "DA", "123456",
         "1900000001", "", "01", "888888888", "DA", "654321", d8],
        ["TRN", "1", trace, "1900000001"],
        ["DTM", "405", d8],
        ["N1", "PR", payer.upper()],
        ["N3", "1 PAYER WAY"], ["N4", "CHICAGO", "IL", "60601"],
        ["N1", "PE", billing.name.upper(), "XX", billing.npi],
        ["LX", "1"],
    ]
    st = head + body
    st.append(["SE", str(len(st) + 1), st_control])
    return st
