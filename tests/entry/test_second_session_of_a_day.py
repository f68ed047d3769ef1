"""A client's second session of a date whose first is already billed on claim A: each way
the refusal of Bill sessions offers (edit a draft or ready A, send a replacement of a sent A,
void A and bill the day together) ends with both sessions billed, the day's units right
under the payer's rule over all the day's minutes, and no unit billed twice.

The day, worked by hand (C001, Medicare: the CMS 8-minute rule, DOMAIN.md):

- morning: 97110 10 min + 97112 15 min = 25 min -> 2 units (23-37): 97112 x1 (its full 15
  min), the left-over unit to 97110 (10 min left): claim A bills 97110 x1 ($40.00) and
  97112 x1 ($42.00), built from the morning;
- afternoon: 97110 20 min. The day is 97110 30 min + 97112 15 min = 45 min -> 3 units
  (38-52): 97110 x2 (30 = 2 x 15), 97112 x1, nothing left over. A's 97110 line must bill
  2 units ($80.00), one more than it does.
"""

import datetime as dt
from decimal import Decimal

import pytest

from metdash import entry as e
from metdash import worklists
from metdash.entry import corrections
from metdash.errors import ValidationError
from metdash.x12.corrected837 import voids_sent
from tests.entry.helpers import session
from tests.entry_seed import AS_OF, USER

DAY = dt.date(2025, 6, 2)


def _day(db):
    am = session(db, minutes={"97110": 10, "97112": 15})
    with db.connect() as con:
        a = e.build_claim_from_sessions(con, [am], AS_OF, "A")
    assert [(ln.cpt, ln.units, ln.charge) for ln in a.lines] == [
        ("97110", 1, Decimal("40.00")), ("97112", 1, Decimal("42.00"))]
    e.save_claim(db, a, USER, as_of=AS_OF)
    return am, session(db, minutes={"97110": 20})


def _refusal(db, sessions):
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, sessions, AS_OF)
    [problem] = exc.value.problems
    return problem


def _a_billing(db, units_97110):
    """Claim A as on file, its 97110 line billing ``units_97110`` at $40.00 each."""
    with db.connect() as con:
        a = corrections.claim_on_file(con, "A")
    for ln in a.lines:
        if ln.cpt == "97110":
            ln.units, ln.charge = units_97110, Decimal("40.00") * units_97110
    return a


def _unbilled(db):
    return (sorted(e.unbilled_sessions(db).session_id),
            sorted(worklists.sessions_not_billed(db, AS_OF).session_id))


def _sent_and_denied(db):
    e.move_claim_status(db, "A", "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, "A", "submitted", USER, on=dt.date(2025, 6, 12), as_of=AS_OF)
    e.post_eob(db, e.EobIn(claim_id="A", payment_date="2025-06-25", paid="0.00",
                           adjustments=[e.AdjustmentIn("CO", "50", "82.00")],
                           payer_claim_number="PCN-A"), USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'A'") == "denied"


def _both_billed(db, am, pm):
    assert _unbilled(db) == ([], [])
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [pm], AS_OF)
    assert exc.value.problems == [f"Sessions: {pm} already billed: untick them."]
    # The day bills 97110 x2 and 97112 x1, each unit once (on the claims not voided).
    assert db.query("SELECT l.cpt, sum(l.units)::INT AS units FROM claim_lines l JOIN claims c "
                    "USING (claim_id) WHERE c.status <> 'voided' AND l.service_date = ? "
                    "GROUP BY 1 ORDER BY 1", [DAY]).values.tolist() == [["97110", 2],
                                                                         ["97112", 1]]


@pytest.mark.parametrize("status", ["draft", "ready"])
def test_a_draft_or_ready_claim_edited_to_bill_the_day_bills_the_afternoon(db, status):
    am, pm = _day(db)
    if status == "ready":
        e.move_claim_status(db, "A", "ready", USER, as_of=AS_OF)
    word = "a draft" if status == "draft" else "ready"
    assert _refusal(db, [pm]) == (
        "Sessions: 97110 on 2025-06-02 is already billed on claim A (1 unit(s)); with these "
        "sessions the day's 30 minutes of 97110 bill 2: one date and code on two claims is "
        f"denied as a duplicate. Claim A is {word}, not sent yet: edit it (Claims → Status → "
        "Edit claim A) so its 97110 line of 2025-06-02 bills 2 unit(s), charged for them: "
        "the day's sessions not yet billed are then billed on claim A.")
    assert _unbilled(db) == ([pm], [pm])
    warnings = corrections.edit_claim(db, "A", _a_billing(db, 2), USER,
                                      note="the afternoon's minutes", as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == []
    _both_billed(db, am, pm)
    assert db.scalar("SELECT total_charge FROM claims WHERE claim_id = 'A'") == Decimal("122.00")
    assert db.query("SELECT session_id FROM claim_sessions WHERE claim_id = 'A' ORDER BY 1"
                    ).session_id.tolist() == [am, pm]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'claim_sessions' "
                     "AND record_key = 'A'") == 1


def test_a_draft_edited_short_of_the_day_leaves_the_afternoon_unbilled_and_says_so(db):
    am, pm = _day(db)
    a = _a_billing(db, 1)
    a.diagnosis_codes = ["E11.9", "M54.50"]  # an edit that leaves the day 1 unit short
    warnings = corrections.edit_claim(db, "A", a, USER, note="diagnoses", as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == [
        f"Session {pm} of 2025-06-02 stays on Sessions not yet billed: the client's 30 min of "
        "97110 that day bill 2 unit(s) under the CMS 8-minute rule, and the claims bill 1, 1 "
        "unit(s) short: make claim A's 97110 line of 2025-06-02 bill 2 unit(s), and the "
        "session is billed with it."]
    assert _unbilled(db) == ([pm], [pm])
    assert db.query("SELECT session_id FROM claim_sessions WHERE claim_id = 'A'"
                    ).session_id.tolist() == [am]


def test_a_sent_claim_replaced_to_bill_the_day_bills_the_afternoon(db):
    am, pm = _day(db)
    _sent_and_denied(db)
    assert _refusal(db, [pm]).endswith(
        "Claim A went to the payer on 2025-06-12, so it is not edited: send a replacement "
        "claim (frequency 7) whose 97110 line of 2025-06-02 bills 2 unit(s) (the day's "
        "sessions not yet billed are then billed on claim A), or void it (frequency 8) and "
        "bill the day's sessions together once the void is sent (Claims → Status → Correct "
        "/ void claim A).")
    assert _unbilled(db) == ([pm], [pm])
    warnings = corrections.replace_claim(db, "A", _a_billing(db, 2), USER,
                                         reason="the afternoon's minutes", as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == []
    assert db.query("SELECT status, frequency_code FROM claims WHERE claim_id = 'A'"
                    ).iloc[0].tolist() == ["ready", "7"]
    _both_billed(db, am, pm)


def test_a_replacement_short_of_the_day_leaves_the_afternoon_unbilled_and_says_so(db):
    am, pm = _day(db)
    _sent_and_denied(db)
    warnings = corrections.replace_claim(db, "A", _a_billing(db, 1), USER,
                                         reason="resent as it was: the payer asked for it",
                                         as_of=AS_OF, unchanged_ok=True)
    assert [w for w in warnings if w.field == "sessions"] == [
        f"Session {pm} of 2025-06-02 stays on Sessions not yet billed: the client's 30 min of "
        "97110 that day bill 2 unit(s) under the CMS 8-minute rule, and the claims bill 1, 1 "
        "unit(s) short: make claim A's 97110 line of 2025-06-02 bill 2 unit(s), and the "
        "session is billed with it."]
    assert _unbilled(db) == ([pm], [pm])


def test_a_sent_claim_voided_then_the_day_billed_together(db):
    am, pm = _day(db)
    _sent_and_denied(db)
    corrections.void_claim(db, "A", USER, reason="rebill the day", as_of=AS_OF)
    with db.transaction() as con:
        assert voids_sent(con, ["A"], USER, dt.datetime(2025, 6, 30, 9), 7) == ["A"]
    assert _unbilled(db) == ([am, pm], [am, pm])
    with db.connect() as con:
        b = e.build_claim_from_sessions(con, [am, pm], AS_OF, "B")
    # 45 min -> 3 units: 97110 x2 on the afternoon (20 min > 10), 97112 x1 on the morning.
    assert [(ln.cpt, ln.units, ln.charge, ln.session_id) for ln in b.lines] == [
        ("97110", 2, Decimal("80.00"), pm), ("97112", 1, Decimal("42.00"), am)]
    e.save_claim(db, b, USER, as_of=AS_OF)
    _both_billed(db, am, pm)


def test_a_code_no_claim_bills_yet_is_named_and_billed_on_its_own(db):
    # The afternoon also has 97530 15 min. The day: 97110 30 + 97112 15 + 97530 15 = 60
    # min -> 4 units (53-67): 97110 x2, 97112 x1, 97530 x1. A edited to 97110 x2 still
    # leaves 97530 unbilled: the afternoon stays unbilled, 1 unit of 97530 short.
    am = session(db, minutes={"97110": 10, "97112": 15})
    with db.connect() as con:
        e.save_claim(db, e.build_claim_from_sessions(con, [am], AS_OF, "A"), USER, as_of=AS_OF)
    pm = session(db, minutes={"97110": 20, "97530": 15})
    warnings = corrections.edit_claim(db, "A", _a_billing(db, 2), USER, note="the day",
                                      as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == [
        f"Session {pm} of 2025-06-02 stays on Sessions not yet billed: the client's 15 min of "
        "97530 that day bill 1 unit(s) under the CMS 8-minute rule, and the claims bill 0, 1 "
        "unit(s) short: add a 97530 line of 2025-06-02 billing 1 unit(s) to claim A, and the "
        "session is billed with it, or bill the session on its own (Claims → Bill sessions "
        "bills what the day still owes)."]
    assert _unbilled(db) == ([pm], [pm])
    # Billed on its own: only the 97530 unit the day still owes ($45.00).
    with db.connect() as con:
        b = e.build_claim_from_sessions(con, [pm], AS_OF, "B")
    assert [(ln.cpt, ln.units, ln.charge) for ln in b.lines] == [
        ("97530", 1, Decimal("45.00"))]
    e.save_claim(db, b, USER, as_of=AS_OF)
    assert _unbilled(db) == ([], [])


def test_per_code_payer_draft_edited_to_bill_the_day(db):
    # C002, Acme: the per-code rule over the day's minutes of each code. Morning 97110 10
    # min -> 1 unit (10 >= 8) on draft A ($40.00); afternoon 97110 20 min: the day's 30 min
    # -> 2 units (2 x 15, nothing left). A's line edited to 2 units ($80.00) bills the day.
    am = session(db, client="C002", day="2025-06-10", minutes={"97110": 10}, referral=2)
    with db.connect() as con:
        a = e.build_claim_from_sessions(con, [am], AS_OF, "A")
    assert [(ln.cpt, ln.units) for ln in a.lines] == [("97110", 1)]
    e.save_claim(db, a, USER, as_of=AS_OF)
    pm = session(db, client="C002", day="2025-06-10", minutes={"97110": 20}, referral=2)
    assert "so its 97110 line of 2025-06-10 bills 2 unit(s)" in _refusal(db, [pm])
    short = corrections.edit_claim(db, "A", _a_billing(db, 1), USER, note="-", as_of=AS_OF)
    assert [w for w in short if w.field == "sessions"] == [
        f"Session {pm} of 2025-06-10 stays on Sessions not yet billed: the client's 30 min of "
        "97110 that day bill 2 unit(s) under the per-code rule, and the claims bill 1, 1 "
        "unit(s) short: make claim A's 97110 line of 2025-06-10 bill 2 unit(s), and the "
        "session is billed with it."]
    corrections.edit_claim(db, "A", _a_billing(db, 2), USER, note="the day", as_of=AS_OF)
    assert _unbilled(db) == ([], [])
