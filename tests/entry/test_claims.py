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


def prior_medicare(db, amount, day="2025-05-05", claim_id="Y1"):
    """A Medicare claim of C001 for ``amount`` (no payer fee on file: its charge counts as
    the expected allowed amount)."""
    e.save_claim(db, e.ClaimIn(claim_id, "C001", 1, ["M54.50"], [
        e.ClaimLineIn(day, "97110", 1, amount, ["GP"], [1])], rendering_provider_id=1),
        USER, as_of=dt.date(2026, 1, 31))


@pytest.mark.parametrize("before,kx", [("2300.00", True), ("2292.00", False)])
def test_kx_past_the_years_threshold(db, before, kx):
    # 2025's threshold is $2,410.00 (DOMAIN.md). The session bills 97110 x2 ($80.00) +
    # 97140 x1 ($38.00) = $118.00. $2,300.00 + $118.00 = $2,418.00 > $2,410.00: KX on
    # every therapy line; $2,292.00 + $118.00 = $2,410.00 is not past it: no KX.
    prior_medicare(db, before)
    s1 = session(db)
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [s1], AS_OF)
    want = ["GP", "KX"] if kx else ["GP"]
    assert [(ln.cpt, ln.units, ln.charge, ln.modifiers) for ln in claim.lines] == [
        ("97110", 2, Decimal("80.00"), want), ("97140", 1, Decimal("38.00"), want)]


def test_two_sessions_of_one_day_bill_as_the_day(db):
    # DOMAIN.md: a 10-minute morning and a 10-minute afternoon 97110 are 20 minutes = 1
    # unit, not 2: one line 97110 x1 at $40.00. The line carries the morning session (same
    # minutes: the first); the claim names both sessions, so neither is left unbilled.
    am = session(db, minutes={"97110": 10})
    pm = session(db, minutes={"97110": 10})
    # Two choices on the Claims page, told apart by their numbers (a picker whose labels
    # repeat let a new-user trial choose only one of them).
    labels = e.unbilled_sessions(db).label.tolist()
    assert len(set(labels)) == 2 and [f"session {am} ·" in labels[0],
                                      f"session {pm} ·" in labels[1]] == [True, True]
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [am, pm], AS_OF, claim_id="D1")
    assert [(ln.cpt, ln.units, ln.charge, ln.session_id) for ln in claim.lines] == [
        ("97110", 1, Decimal("40.00"), am)]
    assert list(claim.session_ids) == [am, pm]
    assert e.save_claim(db, claim, USER, as_of=AS_OF) == []
    assert db.query("SELECT session_id FROM claim_sessions ORDER BY 1").session_id.tolist() == [
        am, pm]
    assert e.unbilled_sessions(db).empty
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [pm], AS_OF)
    assert exc.value.problems == [f"Sessions: {pm} already billed: untick them."]
    # Voided, the sessions are back on the list.
    e.move_claim_status(db, "D1", "voided", USER, note="entered twice", as_of=AS_OF)
    assert sorted(e.unbilled_sessions(db).session_id) == [am, pm]


def test_the_afternoon_alone_is_billed_and_the_morning_named(db):
    """A new-user trial (stop 32) could pick only one of two same-day sessions (their labels
    were the same) and saw the day's line vanish. Built from the afternoon alone, the claim
    bills the day's 1 unit (20 min of 97110 with the unbilled morning) on the afternoon, and
    says the morning is on no claim yet."""
    am = session(db, minutes={"97110": 10})
    pm = session(db, minutes={"97110": 10})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [pm], AS_OF, claim_id="PM")
        check = e.check_claim(con, claim, AS_OF)
    assert [(ln.cpt, ln.units, ln.session_id) for ln in claim.lines] == [("97110", 1, pm)]
    assert [w for w in check.warnings if w.startswith("Sessions:")] == [
        f"Sessions: session {am} of this client on 2025-06-02 is on no claim yet: the 8-minute "
        "rule counts the day's minutes together, so bill it on this claim, or next (only the "
        "units it adds to the day are billed then)."]


def test_a_day_split_over_two_claims_never_bills_a_unit_twice(db):
    # Morning 97110 10 min, billed alone on A: 1 unit (8-22 min).
    am = session(db, minutes={"97110": 10})
    with db.connect() as con:
        e.save_claim(db, e.build_claim_from_sessions(con, [am], AS_OF, "A"), USER, as_of=AS_OF)
    # Afternoon 97140 20 min: the day is 30 min -> 2 units; 97140 takes its full 15 min,
    # the left-over unit goes to the larger remainder (97110 10 vs 97140 5): 97110 x1,
    # 97140 x1. A holds the 97110 unit, so B bills 97140 x1 ($38.00), and only that.
    pm = session(db, minutes={"97140": 20})
    with db.connect() as con:
        b = e.build_claim_from_sessions(con, [pm], AS_OF, "B")
    assert [(ln.cpt, ln.units, ln.charge) for ln in b.lines] == [("97140", 1, Decimal("38.00"))]
    assert e.save_claim(db, b, USER, as_of=AS_OF) == []


def test_a_later_session_that_adds_nothing_to_the_day(db):
    # Morning 97110 10 min on A (1 unit). Afternoon 97140 10 min: the day is 20 min ->
    # 1 unit, given on the tie (10 vs 10 min) to the first code of the day, 97110, which A
    # already bills: nothing more to bill for the day.
    am = session(db, minutes={"97110": 10})
    with db.connect() as con:
        e.save_claim(db, e.build_claim_from_sessions(con, [am], AS_OF, "A"), USER, as_of=AS_OF)
    pm = session(db, minutes={"97140": 10})
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [pm], AS_OF)
    assert "no billable units" in exc.value.problems[0]


def test_more_units_of_a_code_another_claim_holds_for_the_day(db):
    # Morning 97110 10 min on A (1 unit); afternoon 97110 20 min: the day's 30 min of
    # 97110 bill 2 units, one more than A's. One date and code on two claims is denied as a
    # duplicate: refused, with the way out for a draft: edit its line to the day's units
    # (tests/entry/test_second_session_of_a_day.py). Moved to voided instead (it was never
    # sent) and the day billed together -> 97110 x2.
    am = session(db, minutes={"97110": 10})
    with db.connect() as con:
        e.save_claim(db, e.build_claim_from_sessions(con, [am], AS_OF, "A"), USER, as_of=AS_OF)
    pm = session(db, minutes={"97110": 20})
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [pm], AS_OF)
    assert exc.value.problems == [
        "Sessions: 97110 on 2025-06-02 is already billed on claim A (1 unit(s)); with these "
        "sessions the day's 30 minutes of 97110 bill 2: one date and code on two claims is "
        "denied as a duplicate. Claim A is a draft, not sent yet: edit it (Claims → Status → "
        "Edit claim A) so its 97110 line of 2025-06-02 bills 2 unit(s), charged for them: the "
        "day's sessions not yet billed are then billed on claim A."]
    e.move_claim_status(db, "A", "voided", USER, note="rebill the day", as_of=AS_OF)
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [am, pm], AS_OF)
    # 30 min -> 2 units (23-37); the afternoon's 20 min carry the line.
    assert [(ln.cpt, ln.units, ln.charge, ln.session_id) for ln in claim.lines] == [
        ("97110", 2, Decimal("80.00"), pm)]



def _day_held_by_claim_a(db):
    """Morning 97110 10 min + 97112 15 min on claim A (25 min: 97112 x1, 97110 x1); the
    afternoon's 97110 20 min make the day's 30 min of 97110 bill 2. The sessions."""
    am = session(db, minutes={"97110": 10, "97112": 15})
    with db.connect() as con:
        e.save_claim(db, e.build_claim_from_sessions(con, [am], AS_OF, "A"), USER, as_of=AS_OF)
    return am, session(db, minutes={"97110": 20})


def _refusal(db, sessions):
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, sessions, AS_OF)
    [problem] = exc.value.problems
    start = ("Sessions: 97110 on 2025-06-02 is already billed on claim A (1 unit(s)); with "
             "these sessions the day's 30 minutes of 97110 bill 2: one date and code on two "
             "claims is denied as a duplicate. ")
    assert problem.startswith(start)
    return problem.removeprefix(start)


def test_a_day_held_by_a_draft_says_edit_the_draft(db):
    """A new-user tour: the refusal said "void claim A" when A was a draft that can simply be
    edited. (Its advice, followed: tests/entry/test_second_session_of_a_day.py.) Taking A's
    97110 line off and billing the afternoon also bills the day."""
    from metdash.entry import corrections

    am, pm = _day_held_by_claim_a(db)
    assert _refusal(db, [pm]) == (
        "Claim A is a draft, not sent yet: edit it (Claims → Status → Edit claim A) so its "
        "97110 line of 2025-06-02 bills 2 unit(s), charged for them: the day's sessions not "
        "yet billed are then billed on claim A.")
    e.move_claim_status(db, "A", "ready", USER, as_of=AS_OF)
    assert _refusal(db, [pm]).startswith("Claim A is ready, not sent yet: edit it")
    with db.connect() as con:
        a = corrections.claim_on_file(con, "A")
    a.lines = [ln for ln in a.lines if ln.cpt != "97110"]
    corrections.edit_claim(db, "A", a, USER, note="the day is billed together", as_of=AS_OF)
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [pm], AS_OF)
    assert [(ln.cpt, ln.units, ln.session_id) for ln in claim.lines] == [("97110", 2, pm)]


def test_a_day_held_by_a_sent_claim_says_correct_or_void_it(db):
    # DOMAIN.md: a claim the payer has is corrected by a replacement (frequency 7) or a void
    # (frequency 8) carrying REF*F8; it is not edited.
    am, pm = _day_held_by_claim_a(db)
    e.move_claim_status(db, "A", "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, "A", "submitted", USER, on=dt.date(2025, 6, 12), as_of=AS_OF)
    assert _refusal(db, [pm]) == (
        "Claim A went to the payer on 2025-06-12, so it is not edited: send a replacement "
        "claim (frequency 7) whose 97110 line of 2025-06-02 bills 2 unit(s) (the day's "
        "sessions not yet billed are then billed on claim A), or void it (frequency 8) and "
        "bill the day's sessions together once the void is sent (Claims → Status → Correct / "
        "void claim A).")
    e.post_eob(db, e.EobIn(claim_id="A", payment_date="2025-06-25", paid="82.00",
                           payer_claim_number="PCN-A"), USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'A'") == "paid"
    assert _refusal(db, [pm]) == (
        "Claim A is paid: the payer has settled it, and metdash corrects only a submitted or "
        "denied claim, so ask the payer to reopen claim A for the day's 2 unit(s) of 97110, "
        "or leave these sessions unbilled.")


def test_a_day_held_by_a_void_waiting_to_be_sent(db):
    from metdash.entry import corrections

    am, pm = _day_held_by_claim_a(db)
    e.move_claim_status(db, "A", "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, "A", "submitted", USER, on=dt.date(2025, 6, 12), as_of=AS_OF)
    e.post_eob(db, e.EobIn(claim_id="A", payment_date="2025-06-25", paid="0.00",
                           adjustments=[e.AdjustmentIn("CO", "50", "82.00")],
                           payer_claim_number="PCN-A"), USER, as_of=AS_OF)
    assert _refusal(db, [pm]).startswith(  # denied: corrected, as a submitted claim is
        "Claim A went to the payer on 2025-06-12, so it is not edited: send a replacement")
    corrections.void_claim(db, "A", USER, reason="billed the wrong day", as_of=AS_OF)
    assert _refusal(db, [pm]) == (
        "Claim A is a void waiting to be sent: send it with the next 837P (Remittances, or "
        "`metdash export-837`), then bill the day's sessions together.")


def test_97530_with_97140_gets_59_when_built(db):
    # 97140 15 min + 97530 15 min = 30 min -> 2 units, one each. The NCCI pair: 59 on the
    # column-2 code, 97530 (DOMAIN.md: "97530 and 97140 in separate time blocks").
    s1 = session(db, minutes={"97140": 15, "97530": 15})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [s1], AS_OF)
    assert [(ln.cpt, ln.units, ln.modifiers) for ln in claim.lines] == [
        ("97140", 1, ["GP"]), ("97530", 1, ["GP", "59"])]


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
    # Paid by hand with no payer answer on file: refused (found by a new-user trial: the
    # claim left "unpaid past the usual lag" while still owing its charge).
    with pytest.raises(ValidationError) as exc:
        e.move_claim_status(db, "H1", "paid", USER, on=dt.date(2025, 6, 25), as_of=AS_OF)
    assert exc.value.problems == [
        "Claim H1 has no answer from the payer on file: post its EOB (Payments & appeals, Post "
        "an EOB) or import its 835, and the status follows; it cannot be paid by hand."]
    hist = db.query("SELECT seq, status, changed_by FROM claim_status_history ORDER BY seq")
    assert list(hist.seq) == [1, 2, 3] and list(hist.status) == ["draft", "ready", "submitted"]
    with pytest.raises(ValidationError):
        e.move_claim_status(db, "H1", "voided", USER, as_of=AS_OF)  # no note
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'status'") == 2


def test_a_claim_with_a_line_charged_nothing_saves_as_a_draft_but_is_not_made_ready(db):
    claim = hand_claim(lines=[e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1]),
                              e.ClaimLineIn("2025-06-10", "97112", 1, "0", [], [1])])
    e.save_claim(db, claim, USER, as_of=AS_OF)   # a draft may hold it while it is built
    with pytest.raises(ValidationError) as exc:
        e.move_claim_status(db, "H1", "ready", USER, as_of=AS_OF)
    assert exc.value.problems == [
        "Claim H1: line 2 (97112) is charged $0.00: a payer pays nothing on it, and many "
        "reject the whole claim. Enter the line's charge (correct the claim), or add the "
        "code's fee under Settings and build the claim again."]
    assert db.scalar("SELECT status FROM claims") == "draft"
