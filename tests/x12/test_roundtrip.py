"""837P out → a payer pays it (tests/x12/helpers.pay_837) → 835 in → statuses and amounts."""

from __future__ import annotations

from decimal import Decimal

from metdash.x12.post835 import import_835
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import write_837p

from .conftest import NOW
from .helpers import pay_837


def test_round_trip(seeded):
    claims_file = write_837p(seeded, None, user="biller", now=NOW)
    assert pyx12_validate(claims_file) == []
    era = pay_837(claims_file, deny={"97140"})
    assert pyx12_validate(era) == []
    s = import_835(seeded, [("era_rt.835", era.encode())], "biller")
    # C000101: 97110 150 → allowed 120, copay 10, paid 110; 97140 100 denied CO-97;
    #          97530 50 → allowed 40, paid 40.  Paid 150.
    # C000102: 97110 120 → allowed 96, copay 10, paid 86.  Total 236.
    # Each payer pays its own claim: Acme C000101, Medicare C000102, one payment each.
    assert s.as_dict() == {"files": 1, "payments": 2, "claims": 2, "matched": 2, "unmatched": 0,
                           "paid": 236.0, "already_imported": 0, "errors": []}
    with seeded.connect() as con:
        assert con.execute("SELECT claim_id, status FROM claims ORDER BY claim_id").fetchall() \
            == [("C000101", "partially_paid"), ("C000102", "paid"), ("C000103", "draft")]
        assert con.execute(
            "SELECT claim_id, charge, paid, patient_responsibility FROM claim_payments "
            "ORDER BY claim_id").fetchall() == [
            ("C000101", Decimal("300.00"), Decimal("150.00"), Decimal("10.00")),
            ("C000102", Decimal("120.00"), Decimal("86.00"), Decimal("10.00"))]
        # Each line matched by the REF*6R the 837P sent and the payer echoed.
        assert con.execute(
            "SELECT cp.claim_id, lp.line_no, lp.paid, lp.allowed, lp.line_control_number "
            "FROM line_payments lp JOIN claim_payments cp USING (claim_payment_id) "
            "ORDER BY 1, 2").fetchall() == [
            ("C000101", 1, Decimal("110.00"), Decimal("120.00"), "C000101-1"),
            ("C000101", 2, Decimal("0.00"), None, "C000101-2"),
            ("C000101", 3, Decimal("40.00"), Decimal("40.00"), "C000101-3"),
            ("C000102", 1, Decimal("86.00"), Decimal("96.00"), "C000102-1")]
        assert con.execute(
            "SELECT group_code, carc, sum(amount) FROM adjustments GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall() == [("CO", "45", Decimal("64.00")), ("CO", "97", Decimal("100.00")),
                         ("PR", "3", Decimal("20.00"))]
        assert con.execute(
            "SELECT claim_id, seq, status FROM claim_status_history ORDER BY 1, 2").fetchall() \
            == [("C000101", 1, "submitted"), ("C000101", 2, "partially_paid"),
                ("C000102", 1, "submitted"), ("C000102", 2, "paid")]
