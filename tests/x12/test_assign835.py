"""An unmatched claim payment posted by hand to the claim it pays (metdash.x12.assign835).

Found by a new-user trial (stop 30): a CLP whose claim id the payer mistyped stayed on
"Unmatched claim payments" with its money on no claim, and nothing could post it.

Worked by hand (the seeded practice: C000101 $300 to Acme, lines 97110 x2 150, 97140 100,
97530 50 on 02-03 / 02-05; C000102 $120 to Medicare):

- 03-10 Acme pays "C00010I" (a typo of C000101): charge 300, paid 250, CO-45 50, its three
  SVCs echoing our line control numbers. Nothing of ours matches: C000101 owes nothing yet
  (never sent: no ledger), the payment is unmatched.
- Posted to C000101: insurance A/R 300 − 250 − 50 = 0, paid 250, the claim paid; its lines
  paid 120 / 90 / 40 as the SVCs said.
- The same file imported again: already imported, nothing changes.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from metdash.entry.problems import Problem
from metdash.errors import ValidationError
from metdash.x12.assign835 import assign_claim_payment, unassigned_claim_payments
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835

D = Decimal
LINES = [Line("97110", "150", "120", mods=["GP"], units="2", cas=[("CO", "45", "30")],
              control="C000101-1"),
         Line("97140", "100", "90", mods=["GP", "59"], cas=[("CO", "45", "10")],
              control="C000101-2"),
         Line("97530", "50", "40", date="20250205", cas=[("CO", "45", "10")],
              control="C000101-3")]
TYPO = build_835([Claim("C00010I", "1", "300", "250", lines=LINES,
                        payer_claim_number="ACM-101")], trace="A-0310", date="20250310")


def _unmatched(db) -> int:
    s = import_835(db, [("typo.835", TYPO.encode())], "biller")
    assert s.ok and (s.matched, s.unmatched) == (0, 1), s.errors
    [cpid] = unassigned_claim_payments(db).claim_payment_id.tolist()
    return int(cpid)


def test_an_unmatched_payment_is_posted_to_its_claim(seeded):
    cpid = _unmatched(seeded)
    label = unassigned_claim_payments(seeded).label[0]
    assert label == ("Mar 10, 2025 ACME HEALTH, trace A-0310: claim id sent C00010I for "
                     "SAMPLE, SAM, served Feb 03, 2025, charge $300.00, paid $250.00")
    # Its lines' REF*6R name the claim (a CLP without them names none: the last test).
    assert unassigned_claim_payments(seeded).lines_name[0] == "C000101"
    assert unassigned_claim_payments(seeded, masked=True).label[0] == (
        "Mar 10, 2025 ACME HEALTH, trace A-0310: claim id sent C00010I for S•••, S•••, "
        "served Feb 03, 2025, charge $300.00, paid $250.00")
    assert seeded.scalar("SELECT first_ledger_date FROM claim_facts "
                         "WHERE claim_id = 'C000101'") is None
    done = assign_claim_payment(seeded, cpid, "C000101", "biller")
    assert (done.claim_id, done.status, done.returned) == ("C000101", "paid", ())
    row = seeded.query("SELECT insurance_balance, patient_balance, paid FROM claim_facts "
                       "WHERE claim_id = 'C000101'").iloc[0]
    assert (row.insurance_balance, row.patient_balance, row.paid) == (D("0.00"), D("0.00"),
                                                                     D("250.00"))
    lines = seeded.query("SELECT line_no, paid FROM line_facts WHERE claim_id = 'C000101' "
                         "ORDER BY line_no")
    assert lines.values.tolist() == [[1, D("120.00")], [2, D("90.00")], [3, D("40.00")]]
    assert unassigned_claim_payments(seeded).empty
    assert seeded.scalar("SELECT count(*) FROM audit_log WHERE action = 'assign' "
                         "AND table_name = 'claim_payments'") == 1
    # The same file again: already imported, nothing moves back
    again = import_835(seeded, [("typo.835", TYPO.encode())], "biller")
    assert again.ok and again.already_imported == 1 and again.payments == 0
    assert seeded.scalar("SELECT paid FROM claim_facts WHERE claim_id = 'C000101'") \
        == D("250.00")


@pytest.mark.parametrize("claim_id, says", [
    ("NOPE", "Claim 'NOPE' is not on file: choose the claim the payment pays."),
    ("C000102", "Claim C000102 is billed to Medicare Part B, but this payment comes from "
                "ACME HEALTH: choose a claim of ACME HEALTH."),
    ("C000102", "The payment is for a charge of $300.00 (CLP03), but claim C000102 is "
                "$120.00: it pays another claim; choose the claim with that charge."),
])
def test_a_payment_is_not_posted_to_a_claim_it_cannot_pay(seeded, claim_id, says):
    cpid = _unmatched(seeded)
    with pytest.raises(ValidationError) as e:
        assign_claim_payment(seeded, cpid, claim_id, "biller")
    assert says in str(e.value)
    assert len(unassigned_claim_payments(seeded)) == 1
    assert seeded.scalar("SELECT count(*) FROM claim_payments WHERE claim_id IS NOT NULL") == 0


def test_a_payment_is_not_posted_to_the_same_clients_claim_of_another_week(seeded):
    """K001 is seen weekly: C000104 (Feb 17) has C000101's payer, charge and lines. The
    payment's services are Feb 03 and Feb 05 (its SVCs): it pays C000101, not C000104."""
    with seeded.transaction() as con:
        con.execute("""INSERT INTO claims (claim_id, client_id, payer_id, coverage_id,
                           referral_id, referrer_id, rendering_provider_id, status,
                           diagnosis_codes, total_charge, first_service_date)
                       VALUES ('C000104', 'K001', 1, 1, 1, 1, 1, 'ready',
                               ['M54.50', 'E11.9'], 300.00, DATE '2025-02-17')""")
        con.execute("""INSERT INTO claim_lines (claim_id, line_no, service_date, cpt,
                           modifiers, units, charge, dx_pointers)
                       VALUES ('C000104', 1, DATE '2025-02-17', '97110', ['GP'], 2, 150, [1]),
                              ('C000104', 2, DATE '2025-02-17', '97140', ['GP', '59'], 1,
                               100, [1]),
                              ('C000104', 3, DATE '2025-02-19', '97530', [], 1, 50, [2])""")
    cpid = _unmatched(seeded)
    with pytest.raises(ValidationError) as e:
        assign_claim_payment(seeded, cpid, "C000104", "biller")
    assert e.value.problems == [Problem(
        "The payment is for services on Feb 03, 2025 and Feb 05, 2025 (DTM*472), but claim "
        "C000104 was served on Feb 17, 2025 and Feb 19, 2025: it pays another claim; choose "
        "the claim of those dates.")]
    assert e.value.problems[0].field == "claim_id"
    assert seeded.scalar("SELECT count(*) FROM claim_payments WHERE claim_id IS NOT NULL") == 0
    assert assign_claim_payment(seeded, cpid, "C000101", "biller").status == "paid"


def test_a_payment_is_posted_once(seeded):
    cpid = _unmatched(seeded)
    assign_claim_payment(seeded, cpid, "C000101", "biller")
    with pytest.raises(ValidationError) as e:
        assign_claim_payment(seeded, cpid, "C000101", "biller")
    assert "The payment sent as claim C00010I is posted to claim C000101 already." \
        in str(e.value)


def test_a_payment_on_appeal_posted_by_hand_brings_the_move_back(seeded):
    """C000101 denied (CO-50 300) and moved to the client; the payment on appeal arrives as
    "C00010I" and is posted by hand: as for a matched 835 (tests/x12/test_paid_after_move.py)
    the move comes back, 300 − 250 − 50 − 300 + 300 = 0 on the insurance side, 0 for the
    client."""
    import datetime as dt

    from metdash import entry
    denied = build_835([Claim("C000101", "1", "300", "0", cas=[("CO", "50", "300")],
                              payer_claim_number="ACM-101")], trace="A-0301", date="20250301")
    assert import_835(seeded, [("denied.835", denied.encode())], "biller").ok
    entry.move_to_client(seeded, entry.TransferIn("C000101", "300", "2025-03-05", "waiver"),
                         "biller", as_of=dt.date(2025, 6, 30))
    cpid = _unmatched(seeded)
    done = assign_claim_payment(seeded, cpid, "C000101", "biller")
    assert [(r.kind, r.amount) for r in done.returned] == [("transfer", D("300.00"))]
    row = seeded.query("SELECT insurance_balance, patient_balance FROM claim_facts "
                       "WHERE claim_id = 'C000101'").iloc[0]
    assert (row.insurance_balance, row.patient_balance) == (D("0.00"), D("0.00"))


def test_a_payment_for_another_patient_is_not_posted(seeded):
    """Found by a new-user trial (stop 31): the payment named Rosa Birch, and was posted to
    Milo Sage's claim of the same payer and charge. The patient the CLP names (NM1*QC, kept
    since migration 0021) must be the claim's client, as for an import."""
    with seeded.transaction() as con:
        con.execute("""
            INSERT INTO clients (client_id, last_name, first_name, dob, sex)
            VALUES ('K003', 'Other', 'Olga', DATE '1971-01-01', 'F');
            INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, relationship,
                                   effective_date)
            VALUES (3, 'K003', 1, 'ACM000333', 'self', DATE '2024-01-01');
            INSERT INTO claims (claim_id, client_id, payer_id, coverage_id, referrer_id,
                                rendering_provider_id, status, diagnosis_codes, total_charge,
                                first_service_date)
            VALUES ('C000104', 'K003', 1, 3, 1, 1, 'submitted', ['M54.50'], 300.00,
                    DATE '2025-02-03');""")
    cpid = _unmatched(seeded)
    with pytest.raises(ValidationError) as e:
        assign_claim_payment(seeded, cpid, "C000104", "biller")
    assert ("Claim C000104 is Other, Olga's, but the payment names patient SAMPLE, SAM, "
            "member id ACM000111 (NM1*QC): choose that patient's claim.") in str(e.value)
    assert [p.masked for p in e.value.problems if p.masked] == [
        "Claim C000104 is O•••, O•••'s, but the payment names patient S•••, S•••, member id "
        "•••11 (NM1*QC): choose that patient's claim."]
    assert len(unassigned_claim_payments(seeded)) == 1


def test_a_recoupment_of_the_payment_follows_it_to_its_claim(seeded):
    """Acme's WO of 04-10 takes 30 back from the payment it sent as claim C00010I (payer
    claim number ACM-101), unmatched then. Posted by hand to C000101 (paid 250 + CO-45 50 on
    300), the claim owes 300 − 220 − 50 = 30: partially paid from 04-10, not paid."""
    cpid = _unmatched(seeded)
    recoup = build_835([Claim("X1", "1", "100", "100", payer_claim_number="X-1")],
                       trace="W-0410", date="20250410", plb=[("WO", "30", "ACM-101")])
    assert import_835(seeded, [("w.835", recoup.encode())], "biller").ok
    done = assign_claim_payment(seeded, cpid, "C000101", "biller")
    assert done.status == "partially_paid"
    assert seeded.scalar("SELECT insurance_balance FROM claim_facts "
                         "WHERE claim_id = 'C000101'") == D("30.00")
    assert seeded.query("SELECT status, status_date::VARCHAR AS d FROM claim_status_history "
                        "WHERE claim_id = 'C000101' ORDER BY seq").values.tolist()[-2:] == [
        ["paid", "2025-03-10"], ["partially_paid", "2025-04-10"]]


def test_a_payment_without_line_ids_names_no_claim(seeded):
    # A claim-level CLP (no SVC, so no REF*6R) with a mistyped claim id: nothing to go by;
    # the biller finds the claim.
    bare = build_835([Claim("C00010I", "1", "300", "250", cas=[("CO", "45", "50")])],
                     trace="A-0311", date="20250311")
    assert import_835(seeded, [("bare.835", bare.encode())], "biller").unmatched == 1
    assert unassigned_claim_payments(seeded).lines_name.isna().tolist() == [True]
