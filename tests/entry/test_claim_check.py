"""Checking a claim: every error at once, coverage, referral, timely filing, modifiers."""

import datetime as dt

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry.helpers import count, hand_claim
from tests.entry_seed import AS_OF, USER


def test_hand_claim_every_error_at_once(db):
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    bad = hand_claim(
        claim_id="H2", diagnosis_codes=["M54.5", "Q99.99"],
        lines=[
            e.ClaimLineIn("2025-06-10", "97110", 1, "40.00", ["GP"], [1]),   # duplicate of H1
            e.ClaimLineIn("2025-07-10", "97112", 0, "-5", ["GPX"], [5]),     # future, units...
            e.ClaimLineIn("2025-05-01", "97530", 1, "45", [], [1]),          # before referral
        ])
    with db.connect() as con:
        chk = e.check_claim(con, bad, AS_OF)
    msgs = "\n".join(chk.errors)
    for text in ("M54.5 is a category", "Q99.99", "already billed on claim H1", "future",
                 "units 0", "negative", "GPX", "pointer 5", "before the referral",
                 "visits authorized"):
        assert text in msgs, text
    assert {p.line for p in chk.errors if p.line is not None} == {0, 1, 2}
    with pytest.raises(ValidationError):
        e.save_claim(db, bad, USER, as_of=AS_OF)
    assert count(db, "claims") == 1


def test_coverage_must_be_active(db):
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(referral_id=None, lines=[
            e.ClaimLineIn("2024-12-15", "97110", 2, "80.00", [], [1])]), AS_OF)
    assert any("no Acme Health coverage active on 2024-12-15" in x for x in chk.errors)


def test_referral_expired_and_visits(db):
    # Referral 2 (C002) allows 2 visits, expires 2025-07-31.
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    e.save_claim(db, hand_claim(claim_id="H2", lines=[
        e.ClaimLineIn("2025-06-11", "97110", 2, "80.00", [], [1])]), USER, as_of=AS_OF)
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(claim_id="H3", lines=[
            e.ClaimLineIn("2025-08-02", "97110", 2, "80.00", [], [1])]), dt.date(2025, 8, 5))
    msgs = "\n".join(chk.errors)
    assert "after the referral expired" in msgs and "0 left" in msgs


def test_timely_filing_warn_refuse_reason(db):
    # Acme: 90 days. Service 2025-06-10 -> deadline 2025-09-08.
    with db.connect() as con:
        ok = e.check_claim(con, hand_claim(), dt.date(2025, 6, 30))
        assert ok.errors == [] and ok.warnings == []
        near = e.check_claim(con, hand_claim(), dt.date(2025, 8, 20))
        assert any("2025-09-08 (19 days left)" in w for w in near.warnings)
        late = e.check_claim(con, hand_claim(), dt.date(2025, 9, 9))
        assert any("record the reason" in x for x in late.errors)
        with_reason = e.check_claim(con, hand_claim(timely_filing_reason="Proof of timely "
                                                    "filing: clearinghouse report 2025-07-01"),
                                    dt.date(2025, 9, 9))
        assert not any("Timely" in x for x in with_reason.errors)
    # The referral expired 2025-07-31 but the service date is before it: fine.
    e.save_claim(db, hand_claim(timely_filing_reason="Proof of earlier submission"), USER,
                 as_of=dt.date(2025, 9, 9))
    assert db.scalar("SELECT timely_filing_reason FROM claims") == "Proof of earlier submission"


def test_missing_gp_is_a_warning_for_medicare(db):
    claim = e.ClaimIn(claim_id="M1", client_id="C001", payer_id=1, diagnosis_codes=["M54.50"],
                      referral_id=1, lines=[e.ClaimLineIn("2025-06-10", "97110", 1, "40", [], [1])])
    with db.connect() as con:
        chk = e.check_claim(con, claim, AS_OF)
    assert chk.errors == []
    assert chk.warnings == ["Line 1: Medicare Part B expects modifier GP on 97110: add it, or "
                            "the line may be denied (CARC 4)."]
