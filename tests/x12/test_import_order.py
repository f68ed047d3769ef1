"""Remittances imported in any order give the same books (found trying metdash as a new
biller: ``import-835 era/*.835`` where the names do not sort by date).

DOMAIN.md, "One claim, several remittances": a later CLP without a reversal replaces the
earlier adjudication for the claim's current state; "PLB": a recoupment (WO, FB) naming a
claim's payer claim number reduces that claim's payment; a CLP02 = 22 reverses an earlier
payment exactly. The worked case, for C000101 (charge 300, billed to Acme):

- 03-10 (file A): denied CO-50 300, paid 0, payer claim number ACM-PCN-101;
- 04-10 (file B): paid on appeal, a new CLP with no reversal: 250 paid, CO-45 50;
- 05-12 (file C): Acme takes back 30 it overpaid on ACM-PCN-101 (PLB WO) while paying a claim
  that is not ours (X1, 100): deposit 70.

By hand, whatever the order the files come in: C000101's payments 250 − 30 = 220, its
contractual 50, so its insurance A/R is 300 − 220 − 50 = 30; its current adjudication is
B's (paid), its first is A's (a first-pass denial); owing 30 again after C, it is partially
paid, not paid.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from metdash.store import facts
from metdash.x12.post835 import import_835

from .helpers import Claim, build_835

D = Decimal

DENIED = build_835([Claim("C000101", "1", "300", "0", cas=[("CO", "50", "300")],
                          payer_claim_number="ACM-PCN-101")], trace="A-0310", date="20250310")
APPEAL = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")],
                          payer_claim_number="ACM-PCN-101")], trace="B-0410", date="20250410")
RECOUP = build_835([Claim("X1", "1", "100", "100", payer_claim_number="X-1")],
                   trace="C-0512", date="20250512", plb=[("WO", "30", "ACM-PCN-101")])
FILES = {"a.835": DENIED, "b.835": APPEAL, "c.835": RECOUP}


def _books(db) -> tuple:
    row = db.query("SELECT status, insurance_balance, paid, contractual, "
                   "first_adjudication_date::VARCHAR AS first_adj, claim_level_denied "
                   "FROM claim_facts WHERE claim_id = 'C000101'").iloc[0]
    plb = db.scalar("SELECT claim_id FROM provider_adjustments WHERE reason_code = 'WO'")
    return (row.status, row.insurance_balance, row.paid, row.contractual, row.first_adj,
            bool(row.claim_level_denied), plb)


EXPECTED = ("partially_paid", D("30.00"), D("220.00"), D("50.00"), "2025-03-10", True, "C000101")


@pytest.mark.parametrize("order", list(itertools.permutations(FILES)),
                         ids=["-".join(o) for o in itertools.permutations(FILES)])
def test_the_same_books_in_any_order_one_file_at_a_time(seeded, order):
    """One order cannot post as it comes: C after A alone would take 30 back from a claim
    the payer has paid nothing on yet (owing 330 on a 300 charge). C is refused, saying to
    import the remittance that paid the claim first; imported again after B, it posts."""
    refused = []
    for name in order:
        s = import_835(seeded, [(name, FILES[name].encode())], "biller")
        if not s.ok:
            assert order.index("a.835") < order.index("c.835") < order.index("b.835")
            assert "import the remittance that paid it first" in s.errors[0], s.errors
            refused.append(name)
    for name in refused:
        s = import_835(seeded, [(name, FILES[name].encode())], "biller")
        assert s.ok, s.errors
    assert _books(seeded) == EXPECTED
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_the_same_books_when_one_import_holds_them_newest_first(seeded):
    s = import_835(seeded, [(n, FILES[n].encode()) for n in ("c.835", "b.835", "a.835")],
                   "biller")
    assert s.ok, s.errors
    assert _books(seeded) == EXPECTED
    # The older denial, imported last, did not put the claim back to "denied": its status
    # history has no move for it.
    hist = seeded.query("SELECT status FROM claim_status_history WHERE claim_id = 'C000101' "
                        "ORDER BY seq").status.tolist()
    assert hist[-2:] == ["paid", "partially_paid"] and "denied" not in hist


def test_a_recoupment_is_linked_once_the_payment_it_names_arrives(seeded):
    """C first: its WO names a payer claim number no remittance on file carries yet, so it
    is kept unlinked (the deposit still reconciles). B then brings ACM-PCN-101: the
    recoupment now reduces C000101's payment (250 − 30 = 220, owes 300 − 220 − 50 = 30)."""
    s = import_835(seeded, [("c.835", RECOUP.encode())], "biller")
    assert s.ok
    assert seeded.scalar("SELECT claim_id FROM provider_adjustments") is None
    # Said, not silent: the deposit is 30 short of what the claims paid.
    assert s.notes == [
        "c.835: the recoupment PLB WO ACM-PCN-101 of $30.00 names no claim of ours (a payer "
        "claim number or claim id on file, paid on or before it): it is on the deposit "
        "(Remittances, deposit reconciliation) but reduces no claim's payment yet. It is "
        "linked when the payment it names is imported; otherwise ask the payer which claim "
        "it recovers.",
        "c.835: 1 claim payment(s) name a claim id that is none of yours (X1): their money is "
        "on the deposit but on no claim. Find the claim each pays and post it under "
        "Remittances → Unmatched claim payments."]
    s = import_835(seeded, [("b.835", APPEAL.encode())], "biller")
    assert s.ok
    assert s.notes == ["b.835: an earlier recoupment of $30.00 named this file's payment of "
                       "claim C000101: it now reduces that payment.",
                       # the seeded claim is ready, never sent from metdash
                       "b.835: claim C000101 is answered by the payer (Apr 10, 2025) but was "
                       "never sent from metdash: posted all the same, it has no date sent, so "
                       "it is left out of days to payment and the clean-claim rate. A claim "
                       "sent another way (the payer's portal) is moved to submitted, with the "
                       "day it went, before its 835 is imported (Claims → Status).",
                       "b.835: claim C000101 was paid; the payer took part of it back (PLB "
                       "recoupment), and it is partially paid again."]
    # From the recoupment's own date (05-12), after the payment (04-10).
    assert seeded.query("SELECT status, status_date::VARCHAR AS d FROM claim_status_history "
                        "WHERE claim_id = 'C000101' ORDER BY seq").values.tolist()[-2:] == [
        ["paid", "2025-04-10"], ["partially_paid", "2025-05-12"]]
    assert seeded.scalar("SELECT claim_id FROM provider_adjustments") == "C000101"
    assert seeded.scalar("SELECT insurance_balance FROM claim_facts "
                         "WHERE claim_id = 'C000101'") == D("30.00")


def test_a_recoupment_does_not_reach_back_to_a_later_payment(seeded):
    """A payer takes back money it paid before: a WO dated 03-01 names ACM-PCN-101, which
    only a payment dated 04-10 carries. That payment is not what it recouped: the WO stays
    unlinked and C000101 owes 300 − 250 − 50 = 0."""
    early = build_835([Claim("X1", "1", "100", "100", payer_claim_number="X-1")],
                      trace="C-0301", date="20250301", plb=[("WO", "30", "ACM-PCN-101")])
    assert import_835(seeded, [("early.835", early.encode())], "biller").ok
    assert import_835(seeded, [("b.835", APPEAL.encode())], "biller").ok
    assert seeded.scalar("SELECT claim_id FROM provider_adjustments") is None
    assert seeded.scalar("SELECT insurance_balance FROM claim_facts "
                         "WHERE claim_id = 'C000101'") == D("0.00")


def test_nor_when_the_later_payment_was_imported_first(seeded):
    """The same two files the other way round: the WO dated 03-01 finds ACM-PCN-101 on file,
    but only on the 04-10 payment, after it: it stays unlinked."""
    early = build_835([Claim("X1", "1", "100", "100", payer_claim_number="X-1")],
                      trace="C-0301", date="20250301", plb=[("WO", "30", "ACM-PCN-101")])
    assert import_835(seeded, [("b.835", APPEAL.encode())], "biller").ok
    assert import_835(seeded, [("early.835", early.encode())], "biller").ok
    assert seeded.scalar("SELECT claim_id FROM provider_adjustments") is None
    assert seeded.scalar("SELECT insurance_balance FROM claim_facts "
                         "WHERE claim_id = 'C000101'") == D("0.00")


REVERSAL = build_835([Claim("C000101", "22", "-300", "-250", cas=[("CO", "45", "-50")],
                            payer_claim_number="ACM-PCN-101"),
                      Claim("C000101", "1", "300", "220", pr="30",
                            cas=[("CO", "45", "50"), ("PR", "2", "30")],
                            payer_claim_number="ACM-PCN-101")],
                     trace="R-0515", date="20250515")


def test_a_reversal_of_a_payment_not_on_file_is_refused(seeded):
    """05-15: Acme reverses its 250 on C000101 and corrects it to 220 + PR-2 30. Imported
    before the payment it reverses, it would post −250 against nothing (the claim would owe
    its whole charge back and the client 30 more): refused, naming the claim and what to
    import first. Imported after B, it posts: paid 220, contractual 50, cost share 30 to the
    client, so insurance A/R 300 − 220 − 50 − 30 = 0 and patient A/R 30."""
    s = import_835(seeded, [("r.835", REVERSAL.encode())], "biller")
    assert not s.ok
    assert len(s.errors) == 1
    msg = s.errors[0]
    assert "claim C000101" in msg and "reverses" in msg
    assert "no payment from ACME HEALTH on file" in msg
    assert "import the remittance it reverses first" in msg
    assert msg.endswith("Nothing was imported.")
    assert seeded.scalar("SELECT count(*) FROM claim_payments") == 0
    assert import_835(seeded, [("b.835", APPEAL.encode())], "biller").ok
    assert import_835(seeded, [("r.835", REVERSAL.encode())], "biller").ok
    row = seeded.query("SELECT insurance_balance, patient_balance, paid FROM claim_facts "
                       "WHERE claim_id = 'C000101'").iloc[0]
    assert (row.insurance_balance, row.patient_balance, row.paid) == (
        D("0.00"), D("30.00"), D("220.00"))
