"""The 835 parser: values from a hand-written file, codes and balancing, each message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from metdash.errors import X12FileError
from metdash.x12.parse835 import parse_835

from .helpers import Claim, Line, build_835

FIXTURE = Path(__file__).parent / "fixtures" / "era_basic.835"


def _problems(text: str, name: str = "era.835") -> list[str]:
    with pytest.raises(X12FileError) as info:
        parse_835(text, name)
    return info.value.messages()


def test_fixture_values():
    remit = parse_835(FIXTURE.read_bytes(), FIXTURE.name)
    (p,) = remit.payments
    assert (p.amount, p.credit_debit, p.method) == (Decimal("226.50"), "C", "ACH")
    assert p.payment_date == dt.date(2025, 3, 10)
    assert p.production_date == dt.date(2025, 3, 8)
    assert (p.trace_number, p.originator, p.payer_key) == ("EFT0007", "1999999999", "1999999999")
    assert (p.payer_name, p.payee_name, p.payee_id) == (
        "ACME HEALTH", "MOVING WELL EXERCISE LLC", "1234567893")
    c1, c2 = p.claims
    assert (c1.clp01, c1.status_code, c1.charge, c1.paid, c1.patient_responsibility) == (
        "C000101", "1", Decimal("300"), Decimal("160"), Decimal("10"))
    assert c1.payer_claim_number == "ACM-PCN-101"
    assert (c1.service_from, c1.service_to, c1.received_date) == (
        dt.date(2025, 2, 3), dt.date(2025, 2, 5), dt.date(2025, 2, 15))
    assert c1.allowed == Decimal("170")
    assert c1.remarks == ["MA01"]
    assert (c1.patient_last_name, c1.patient_member_id) == ("SAMPLE", "ACM000111")
    l1, l2, l3 = c1.lines
    assert (l1.cpt, l1.modifiers, l1.charge, l1.paid, l1.units, l1.allowed) == (
        "97110", ["GP"], Decimal("150"), Decimal("120"), Decimal("2"), Decimal("130"))
    assert [(a.group_code, a.carc, a.amount) for a in l1.adjustments] == [
        ("CO", "45", Decimal("20")), ("PR", "3", Decimal("10"))]
    assert (l2.modifiers, l2.remarks, l2.is_denied) == (["GP", "59"], ["M15"], True)
    # all six reason slots of one CAS segment
    assert [(a.carc, a.amount) for a in l3.adjustments] == [
        ("45", Decimal("5")), ("253", Decimal("1")), ("45", Decimal("1")), ("45", Decimal("1")),
        ("45", Decimal("1")), ("45", Decimal("1"))]
    assert c1.has_line_denial and not l1.is_denied
    assert (c2.clp01, c2.paid, [(a.group_code, a.carc) for a in c2.adjustments]) == (
        "X999", Decimal("64"), [("PR", "2")])
    (plb,) = p.provider_adjustments
    assert (plb.reason_code, plb.reference, plb.amount, plb.fiscal_period_date) == (
        "L6", "INT1", Decimal("-2.50"), dt.date(2025, 12, 31))


def test_several_payments_in_one_file():
    text = build_835([Claim("C1", "1", "10", "10")], trace="A") + \
        build_835([Claim("C2", "1", "20", "20")], trace="B")
    remit = parse_835(text, "two.835")
    assert [p.trace_number for p in remit.payments] == ["A", "B"]
    assert [p.amount for p in remit.payments] == [Decimal("10"), Decimal("20")]


def test_paid_amount_not_a_number():
    text = build_835([Claim("C1", "1", "100", "80", cas=[("CO", "45", "20")])], amount="80")
    text = text.replace("CLP*C1*1*100*80*", "CLP*C1*1*100*abc*")
    assert _problems(text, "era_0412.835") == [
        "era_0412.835, segment 13 (CLP): paid amount 'abc' is not a number."]


def test_unknown_cas_group_and_clp_status():
    text = build_835([Claim("C1", "7", "100", "80", cas=[("XX", "45", "20")])])
    assert _problems(text) == [
        "era.835, segment 13 (CLP): claim status '7' (CLP02) is not a known 835 claim status "
        "(1, 2, 3, 4, 19, 20, 21, 22, 23, 25).",
        "era.835, segment 14 (CAS): adjustment group code 'XX' is not one of CO, PR, OA, PI, CR.",
    ]


def test_claim_does_not_balance():
    text = build_835([Claim("C1", "1", "100", "80", cas=[("CO", "45", "15")])])
    assert _problems(text) == [
        "era.835, segment 13 (CLP): claim C1 does not balance: charge 100 − adjustments 15 = 85, "
        "but paid is 80."]


def test_line_does_not_balance():
    line = Line("97110", "100", "80", cas=[("CO", "45", "10")])
    text = build_835([Claim("C1", "1", "100", "80", cas=[("CO", "45", "10")], lines=[line])])
    msgs = _problems(text)
    assert "era.835, segment 17 (SVC): service line 97110 of claim C1 does not balance: charge " \
           "100 − adjustments 10 = 90, but paid is 80." in msgs


def test_transaction_does_not_balance():
    text = build_835([Claim("C1", "1", "100", "80", cas=[("CO", "45", "20")])],
                     plb=[("L6", "-1.00")], amount="80")
    assert _problems(text) == [
        "era.835, segment 4 (BPR): the payment does not balance: claims paid 80 − provider "
        "adjustments -1.00 = 81.00, but the payment amount (BPR02) is 80."]


def test_plb_balances_the_payment():
    text = build_835([Claim("C1", "1", "100", "80", cas=[("CO", "45", "20")])],
                     plb=[("WO", "30"), ("L6", "-2.5")])
    (p,) = parse_835(text, "plb.835").payments
    assert p.amount == Decimal("52.5")
    assert [(a.reason_code, a.amount) for a in p.provider_adjustments] == [
        ("WO", Decimal("30")), ("L6", Decimal("-2.5"))]


def test_reversal_amounts_as_sent():
    text = build_835([Claim("C1", "22", "-100", "-80", pr="-0", cas=[("CO", "45", "-20")])])
    (c,) = parse_835(text, "rev.835").payments[0].claims
    assert (c.charge, c.paid, c.adjustments[0].amount) == (
        Decimal("-100"), Decimal("-80"), Decimal("-20"))


def test_bad_date():
    text = build_835([Claim("C1", "1", "10", "10")], date="20251340")
    msgs = _problems(text)
    assert "era.835, segment 4 (BPR): payment date '20251340' is not a date (CCYYMMDD)." in msgs


def test_an_837_is_not_an_835():
    text = build_835([Claim("C1", "1", "10", "10")]).replace("ST*835*", "ST*837*")
    assert _problems(text, "claims.x12") == [
        "claims.x12, segment 3 (ST): this is an X12 837 transaction, not an 835 remittance."]
