"""The work list "Payments taken back": claims a payer took money back from that owe again.

Found trying metdash as a new biller: a PLB recoupment (WO) leaves a paid claim owing, and a
reversal (CLP02 22) with no corrected claim after it leaves the claim waiting for the payer,
but neither was on any work list (only A/R carried the money). DOMAIN.md: a recoupment naming
a claim reduces that claim's payment; a reversal reopens a closed claim (it is back in A/R).

The worked case (the seeded practice: C000101 $300 to Acme, C000102 $120 to Medicare):

- 03-10 Acme pays C000101 250, CO-45 50 (ACM-PCN-101). Insurance owes 300 − 250 − 50 = 0.
- 03-12 Medicare pays C000102 80, CO-45 20, PR-2 20 (MCR-1). Insurance 0, the client 20.
- 04-20 Medicare reverses C000102 (CLP02 22: −80, CO-45 −20, PR-2 −20) and sends nothing
  after it: the claim owes its whole 120 again on the insurance side, the client 0. Taken
  back: 80.
- 05-12 Acme pays a claim that is not ours (X1, 100) and takes back 30 on ACM-PCN-101 (PLB
  WO): C000101's payment is 250 − 30 = 220, so insurance owes 300 − 220 − 50 = 30.

As of 04-30 the list holds C000102 only (10 days since the reversal; the WO is later). As of
05-31 both, oldest first: C000102 (41 days, taken back 80, owes 120) and C000101 (19 days,
taken back 30, owes 30).
- 06-05 Medicare sends the corrected claim: C000102 paid 85, CO-45 15, PR-2 20: off the list.
- 06-10 the practice writes off C000101's 30 (appeal lost): insurance owes 0, off the list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from metdash import entry
from metdash import worklists as w
from metdash.x12.post835 import import_835

from .helpers import Claim, Line, build_835

D = Decimal
MEDICARE = {"payer": "MEDICARE PART B", "originator": "1666666666"}

PAID = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")],
                        payer_claim_number="ACM-PCN-101")], trace="P-0310", date="20250310")
MCR_PAID = build_835([Claim("C000102", "1", "120", "80", pr="20",
                            cas=[("CO", "45", "20"), ("PR", "2", "20")],
                            payer_claim_number="MCR-1")],
                     trace="M-0312", date="20250312", **MEDICARE)
MCR_REVERSED = build_835([Claim("C000102", "22", "-120", "-80", pr="-20",
                                cas=[("CO", "45", "-20"), ("PR", "2", "-20")],
                                payer_claim_number="MCR-1")],
                         trace="M-0420", date="20250420", amount="-80", **MEDICARE)
RECOUP = build_835([Claim("X1", "1", "100", "100", payer_claim_number="X-1")],
                   trace="R-0512", date="20250512", plb=[("WO", "30", "ACM-PCN-101")])
MCR_CORRECTED = build_835([Claim("C000102", "1", "120", "85", pr="20",
                                 cas=[("CO", "45", "15"), ("PR", "2", "20")],
                                 payer_claim_number="MCR-1")],
                          trace="M-0605", date="20250605", **MEDICARE)


def _post(db, *files: str) -> None:
    for i, text in enumerate(files):
        s = import_835(db, [(f"f{i}.835", text.encode())], "biller")
        assert s.ok, s.errors


def _rows(db, day: str) -> list[tuple]:
    df = w.payments_taken_back(db, dt.date.fromisoformat(day))
    return [(r.claim_id, r.payer, r.how, str(r.taken_back_date), r.days_since, r.taken_back,
             r.insurance_owes) for r in df.itertuples()]


def test_a_reversal_and_a_recoupment_that_leave_the_claim_owing(seeded):
    _post(seeded, PAID, MCR_PAID, MCR_REVERSED, RECOUP)
    assert _rows(seeded, "2025-04-19") == []
    reversed_row = ("C000102", "Medicare Part B", "reversed (CLP02 22), not processed again",
                    "2025-04-20")
    assert _rows(seeded, "2025-04-30") == [(*reversed_row, 10, D("80.00"), D("120.00"))]
    assert _rows(seeded, "2025-05-31") == [
        (*reversed_row, 41, D("80.00"), D("120.00")),
        ("C000101", "Acme Health", "recoupment (PLB WO)", "2025-05-12", 19, D("30.00"),
         D("30.00"))]
    # The ledger agrees: C000102 owes 120 to insurance and nothing to the client.
    bal = seeded.query("SELECT claim_id, insurance_balance, patient_balance FROM claim_facts "
                       "ORDER BY claim_id")
    assert bal.values.tolist()[:2] == [["C000101", D("30.00"), D("0.00")],
                                       ["C000102", D("120.00"), D("0.00")]]
    # The count the sidebar shows
    assert w.counts(seeded, dt.date(2025, 5, 31))["payments_taken_back"] == 2


def test_leaves_the_list_when_processed_again_or_written_off(seeded):
    _post(seeded, PAID, MCR_PAID, MCR_REVERSED, RECOUP, MCR_CORRECTED)
    # Medicare's corrected claim (06-05) ends C000102's row; it was still there on 05-31
    assert [r[0] for r in _rows(seeded, "2025-06-30")] == ["C000101"]
    entry.write_off(seeded, entry.WriteOffIn("insurance", "30.00", "appeal_lost", "2025-06-10",
                                             "C000101", note="Acme would not reverse the WO"),
                    "biller", as_of=dt.date(2025, 6, 30))
    assert _rows(seeded, "2025-06-30") == []



def test_a_split_claim_taken_back_owes_what_both_answers_paid_less_what_is_left(seeded):
    """Stop 52's helper case, worked by hand (DOMAIN.md, "One claim, several remittances":
    a later CLP replaces an earlier one only when it answers one of its lines):

    - 03-10 Acme answers lines 1 and 2 of C000101 ($250 of $300): paid 120 + 80 = 200,
      CO-45 30 + 20.
    - 03-24 Acme answers line 3 ($50) on its own CLP: paid 40, CO-45 10. Both answers stand:
      Acme's current adjudication pays 200 + 40 = 240, contractual 60; insurance owes 0.
    - 05-12 Acme takes back 220 (PLB WO naming ACM-78).

    Acme's money on the claim is now 240 − 220 = 20, against the 240 its adjudication pays:
    insurance owes 300 − 20 − 60 = 220 again, and the list says 220 (it said 20, reading the
    03-24 answer alone as Acme's current payment)."""
    from metdash.x12.write837 import write_837p

    from .test_answered import SENT

    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    first = build_835([Claim("C000101", "1", "250", "200", payer_claim_number="ACM-78", lines=[
        Line("97110", "150", "120", units="2", cas=[("CO", "45", "30")]),
        Line("97140", "100", "80", cas=[("CO", "45", "20")])])], trace="A-0310", date="20250310")
    rest = build_835([Claim("C000101", "1", "50", "40", payer_claim_number="ACM-78", lines=[
        Line("97530", "50", "40", date="20250205", cas=[("CO", "45", "10")])])],
        trace="A-0324", date="20250324")
    back = build_835([Claim("X1", "1", "300", "300", payer_claim_number="X-1")],
                     trace="A-0512", date="20250512", plb=[("WO", "220", "ACM-78")])
    _post(seeded, first, rest)
    assert _rows(seeded, "2025-05-11") == []
    _post(seeded, back)
    assert _rows(seeded, "2025-05-31") == [
        ("C000101", "Acme Health", "recoupment (PLB WO)", "2025-05-12", 19, D("220.00"),
         D("220.00"))]
    assert seeded.scalar("SELECT insurance_balance FROM claim_facts "
                         "WHERE claim_id = 'C000101'") == D("220.00")
