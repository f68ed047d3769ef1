"""Claims written: built from sessions (modifiers, KX), saved by hand, moved through statuses."""

import datetime as dt
from decimal import Decimal

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry.helpers import count, hand_claim, session
from tests.entry_seed import AS_OF, USER


def test_build_claim_from_sessions_medicare(db):
    s1 = session(db)
    s2 = session(db, day="2025-06-03", minutes={"97161": 40, "97140": 10})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [s1, s2], AS_OF)
    assert claim.payer_id == 1 and claim.referral_id == 1 and claim.referrer_id == 1
    assert claim.diagnosis_codes == ["M54.50", "E11.9"]
    got = [(str(ln.service_date), ln.cpt, ln.units, ln.charge, ln.modifiers, ln.dx_pointers)
           for ln in claim.lines]
    assert got == [
        ("2025-06-02", "97110", 2, Decimal("80.00"), ["GP"], [1, 2]),
        ("2025-06-02", "97140", 1, Decimal("38.00"), ["GP"], [1, 2]),
        # 97140 with an evaluation the same day: the NCCI pair needs 59.
        ("2025-06-03", "97140", 1, Decimal("38.00"), ["GP", "59"], [1, 2]),
        ("2025-06-03", "97161", 1, Decimal("120.00"), ["GP"], [1, 2]),
    ]
    warnings = e.save_claim(db, claim, USER, as_of=AS_OF)
    assert warnings == []
    row = db.query("SELECT * FROM claims").iloc[0]
    assert row.total_charge == Decimal("276.00") and str(row.first_service_date) == "2025-06-02"
    assert row.coverage_id == 1 and row.status == "draft"
    hist = db.query("SELECT * FROM claim_status_history")
    assert list(hist.status) == ["draft"] and list(hist.changed_by) == [USER]
    # Billing the same sessions again is refused.
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [s1], AS_OF)
    assert "already billed" in exc.value.problems[0]


def test_kx_when_past_threshold(db):
    with db.transaction() as con:
        con.execute("UPDATE practice SET kx_threshold = 100")
    s1 = session(db)
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [s1], AS_OF)
    assert [ln.modifiers for ln in claim.lines] == [["GP", "KX"], ["GP", "KX"]]


def test_hand_claim_good_and_fee_warning(db):
    claim = hand_claim(lines=[e.ClaimLineIn("2025-06-10", "97110 ", 2, "$85.00", [], [1])])
    warnings = e.save_claim(db, claim, USER, as_of=AS_OF)
    assert len(warnings) == 1 and "differs from the fee schedule" in warnings[0]
    assert count(db, "claim_lines") == 1
    assert db.scalar("SELECT cpt FROM claim_lines") == "97110"


def test_status_moves(db):
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    with pytest.raises(ValidationError) as exc:
        e.move_claim_status(db, "H1", "paid", USER, as_of=AS_OF)
    assert "can move to ready, voided, not paid" in exc.value.problems[0]
    e.move_claim_status(db, "H1", "ready", USER, on=dt.date(2025, 6, 20), as_of=AS_OF)
    e.move_claim_status(db, "H1", "submitted", USER, on=dt.date(2025, 6, 21), as_of=AS_OF)
    row = db.query("SELECT status, submitted_date FROM claims").iloc[0]
    assert row.status == "submitted" and str(row.submitted_date) == "2025-06-21"
    hist = db.query("SELECT seq, status, changed_by FROM claim_status_history ORDER BY seq")
    assert list(hist.seq) == [1, 2, 3] and list(hist.status) == ["draft", "ready", "submitted"]
    with pytest.raises(ValidationError):
        e.move_claim_status(db, "H1", "voided", USER, as_of=AS_OF)  # no note
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'status'") == 2
