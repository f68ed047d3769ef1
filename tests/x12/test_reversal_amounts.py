"""A reversal (CLP02 22) takes back exactly the payment it reverses (DOMAIN.md: "reverses an
earlier payment exactly (same amounts, negated)"). Found by a new-user trial: a reversal
whose amounts differ from the payment on file was posted with the amounts on file (the books
$14 away from the bank), and a second reversal of a payment already reversed reversed the
corrected payment instead.

The worked case: Acme pays C000101 (charge 300) 250, CO-45 50 on 03-10 (ACM-PCN-101):
insurance owes 0.
"""

from __future__ import annotations

from decimal import Decimal

from metdash.x12.post835 import import_835

from .helpers import Claim, build_835

PAID = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")],
                        payer_claim_number="ACM-PCN-101")], trace="P-0310", date="20250310")


def _reversal(paid: str, co45: str, trace: str, date: str, corrected: Claim | None = None):
    return build_835([Claim("C000101", "22", "-300", paid, cas=[("CO", "45", co45)],
                            payer_claim_number="ACM-PCN-101"), *([corrected] if corrected else [])],
                     trace=trace, date=date)


def _books(db) -> tuple:
    return tuple(db.query("SELECT paid, insurance_balance FROM claim_facts "
                          "WHERE claim_id = 'C000101'").iloc[0])


def test_a_reversal_of_other_amounts_is_refused(seeded):
    assert import_835(seeded, [("paid.835", PAID.encode())], "biller").ok
    s = import_835(seeded, [("r.835", _reversal("-200", "-100", "R-0401", "20250401").encode())],
                   "biller")
    assert not s.ok
    assert ("claim C000101 is reversed (CLP02 22) for charge -300.00, paid -200.00, but the "
            "payment it reverses (ACME HEALTH, 2025-03-10: charge 300.00, paid 250.00) is not "
            "that") in s.errors[0]
    assert _books(seeded) == (Decimal("250.00"), Decimal("0.00"))   # nothing posted


def test_a_payment_already_reversed_is_not_reversed_again(seeded):
    """04-01: reversed (−250) and corrected (220, CO-45 50, PR-2 30). 04-20: the payer
    "reverses" the 250 again: the payment on file now is the correction's 220, so it is
    refused; a reversal of the 220 is what it would have to send (accepted: owes 300 − 0 −
    0 = 300 again, waiting for the next adjudication)."""
    corrected = Claim("C000101", "1", "300", "220", pr="30",
                      cas=[("CO", "45", "50"), ("PR", "2", "30")],
                      payer_claim_number="ACM-PCN-101")
    assert import_835(seeded, [("paid.835", PAID.encode())], "biller").ok
    assert import_835(seeded, [("r1.835", _reversal("-250", "-50", "R-0401", "20250401",
                                                    corrected).encode())], "biller").ok
    assert _books(seeded) == (Decimal("220.00"), Decimal("0.00"))
    s = import_835(seeded, [("r2.835", _reversal("-250", "-50", "R-0420", "20250420").encode())],
                   "biller")
    assert not s.ok and "paid 220.00) is not that" in s.errors[0]
    assert _books(seeded) == (Decimal("220.00"), Decimal("0.00"))
    again = build_835([Claim("C000101", "22", "-300", "-220", pr="-30",
                             cas=[("CO", "45", "-50"), ("PR", "2", "-30")],
                             payer_claim_number="ACM-PCN-101")], trace="R-0421", date="20250421")
    s = import_835(seeded, [("r3.835", again.encode())], "biller")
    assert s.ok, s.errors
    assert _books(seeded) == (Decimal("0.00"), Decimal("300.00"))
