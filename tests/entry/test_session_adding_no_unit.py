"""A later session of a day whose units the client's claims already bill adds no unit to it:
Bill sessions records it as billed on the claim that bills the day (``claim_sessions``,
audited) and says so, instead of refusing it ("no billable units") and leaving it on
Sessions not yet billed for good. The rule is :func:`metdash.entry.days.day_cover`'s: every
code of the day billed for at least the units the payer's rule gives for all the day's
minutes.

Worked by hand (DOMAIN.md, "Units from minutes"):

- C001, Medicare, the CMS 8-minute rule, 2025-06-02. Morning 97110 10 min -> 1 unit (8-22):
  claim X bills 97110 x1 ($40.00). Afternoon 97140 10 min: the day is 20 min -> 1 unit; no
  code has a full 15 min, the left-over unit goes to the code with the most minutes left,
  10 against 10, then the most minutes in all, 10 against 10, then the first met (the
  morning's 97110): 97110 x1, 97140 x0. X bills that: the afternoon adds no unit.
- C002, Acme, the per-code rule, 2025-06-10. Morning 97110 20 min -> 1 unit (15, and 5 left
  < 8): claim X bills 97110 x1. Afternoon 97110 2 min: the day's 22 min -> 1 unit (15, and
  7 left < 8): it adds no unit.
- Against that, an afternoon of 97140 11 min (C001): 21 min -> 1 unit, which goes to 97140
  (11 min left against 10): 97110 x0, 97140 x1. X bills 97110, not 97140: the day is not
  billed as the rule gives it, and the afternoon is not recorded on X. Bill sessions says
  the unit is on the wrong code and how X is put right by what X is now (edit a draft,
  replace a sent claim, ask the payer to reopen a paid one); put right, X bills 97140 x1
  ($38.00) and the afternoon with it.
"""

import datetime as dt
from decimal import Decimal

import pytest

from metdash import entry as e
from metdash.entry import corrections
from metdash.errors import ValidationError
from tests.entry import test_second_session_of_a_day as second
from tests.entry.helpers import session
from tests.entry_seed import AS_OF, USER

FEES = {"97110": Decimal("40.00"), "97140": Decimal("38.00")}


def _x(db, **kw):
    am = session(db, **kw)
    with db.connect() as con:
        e.save_claim(db, e.build_claim_from_sessions(con, [am], AS_OF, "X"), USER, as_of=AS_OF)
    return am


def _recorded(db, claim_id="X"):
    return db.query("SELECT session_id FROM claim_sessions WHERE claim_id = ? ORDER BY 1",
                    [claim_id]).session_id.tolist()


def test_a_session_adding_no_unit_is_recorded_on_the_claim_billing_the_day(db):
    am = _x(db, minutes={"97110": 10})
    pm = session(db, minutes={"97140": 10})
    assert second._unbilled(db) == ([pm], [pm])
    billing = e.bill_sessions(db, [pm], USER, as_of=AS_OF)
    assert billing.draft is None
    assert billing.recorded == [
        f"Session {pm} adds no unit to 2025-06-02: claim X already bills the day's 1 unit(s); "
        "it is recorded as billed on claim X."]
    assert _recorded(db) == [am, pm]
    assert second._unbilled(db) == ([], [])
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'claim_sessions' "
                     "AND record_key = 'X' AND action = 'create'") == 1
    # Nothing more is billed for the day: X's one unit of 97110.
    assert db.query("SELECT cpt, units FROM claim_lines").values.tolist() == [["97110", 1]]


def test_per_code_payer_a_session_adding_no_unit_is_recorded(db):
    am = _x(db, client="C002", day="2025-06-10", minutes={"97110": 20}, referral=2)
    pm = session(db, client="C002", day="2025-06-10", minutes={"97110": 2}, referral=2)
    billing = e.bill_sessions(db, [pm], USER, as_of=AS_OF)
    assert billing.recorded == [
        f"Session {pm} adds no unit to 2025-06-10: claim X already bills the day's 1 unit(s); "
        "it is recorded as billed on claim X."]
    assert _recorded(db) == [am, pm]
    assert second._unbilled(db) == ([], [])


def test_with_a_day_still_owed_the_rest_makes_the_draft(db):
    am = _x(db, minutes={"97110": 10})
    pm = session(db, minutes={"97140": 10})
    # 2025-06-03: 97110 15 min -> 1 unit, on a claim of its own.
    other = session(db, day="2025-06-03", minutes={"97110": 15})
    billing = e.bill_sessions(db, [pm, other], USER, as_of=AS_OF, claim_id="B")
    assert billing.recorded == [
        f"Session {pm} adds no unit to 2025-06-02: claim X already bills the day's 1 unit(s); "
        "it is recorded as billed on claim X."]
    assert [(ln.service_date, ln.cpt, ln.units) for ln in billing.draft.lines] == [
        (dt.date(2025, 6, 3), "97110", 1)]
    assert billing.draft.session_ids == [other]
    assert _recorded(db) == [am, pm]
    e.save_claim(db, billing.draft, USER, as_of=AS_OF)
    assert _recorded(db, "B") == [other]
    assert second._unbilled(db) == ([], [])


def _x_with(db, code, units=1):
    """Claim X as on file, its 2025-06-02 line billing ``code`` x ``units`` at its fee."""
    with db.connect() as con:
        x = corrections.claim_on_file(con, "X")
    [ln] = x.lines
    ln.cpt, ln.units, ln.charge = code, units, FEES[code] * units
    return x


def _sent_and_answered(db, paid, adjustment):
    """Claim X sent on 2025-06-12, its EOB posted on 2025-06-25: ``paid`` and ``adjustment``."""
    e.move_claim_status(db, "X", "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, "X", "submitted", USER, on=dt.date(2025, 6, 12), as_of=AS_OF)
    e.post_eob(db, e.EobIn(claim_id="X", payment_date="2025-06-25", paid=paid,
                           adjustments=[adjustment], payer_claim_number="PCN-X"), USER,
               as_of=AS_OF)


WRONG_CODE = (
    "Sessions: on 2025-06-02 the client's 21 timed minutes (97110 10 min, 97140 11 min) bill "
    "97140 x1 under the CMS 8-minute rule, and the claims bill 97110 x1: the day's unit is "
    "billed under another code, so these sessions add none. ")


def test_a_day_billed_with_another_code_than_the_rule_gives_says_to_change_the_code(db):
    am = _x(db, minutes={"97110": 10})
    pm = session(db, minutes={"97140": 11})
    with pytest.raises(ValidationError) as exc:
        e.bill_sessions(db, [pm], USER, as_of=AS_OF)
    assert exc.value.problems == [
        WRONG_CODE + "Claim X is a draft, not sent yet: edit it (Claims → Status → Edit claim "
        "X) so that on 2025-06-02 it bills 97140 x1 instead of 97110 x1, charged for it: the "
        "day's sessions not yet billed are then billed on claim X."]
    assert pm not in _recorded(db)
    assert second._unbilled(db) == ([pm], [pm])
    # Done as it says, the afternoon is billed with X: 97140 x1 at $38.00, nothing twice.
    warnings = corrections.edit_claim(db, "X", _x_with(db, "97140"), USER,
                                      note="the day's unit is 97140's", as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == []
    assert _recorded(db) == [am, pm]
    assert second._unbilled(db) == ([], [])
    assert db.query("SELECT cpt, units, charge FROM claim_lines").values.tolist() == [
        ["97140", 1, Decimal("38.00")]]


def test_a_sent_claim_billing_the_wrong_code_is_replaced(db):
    am = _x(db, minutes={"97110": 10})
    pm = session(db, minutes={"97140": 11})
    # Denied (a replacement names the payer's claim number, from its answer).
    _sent_and_answered(db, "0.00", e.AdjustmentIn("CO", "50", "40.00"))
    with pytest.raises(ValidationError) as exc:
        e.bill_sessions(db, [pm], USER, as_of=AS_OF)
    assert exc.value.problems == [
        WRONG_CODE + "Claim X went to the payer on 2025-06-12, so it is not edited: send a "
        "replacement claim (frequency 7) that bills 97140 x1 instead of 97110 x1 on "
        "2025-06-02 (Claims → Status → Correct / void claim X): the day's sessions not yet "
        "billed are then billed on claim X."]
    warnings = corrections.replace_claim(db, "X", _x_with(db, "97140"), USER,
                                         reason="the day's unit is 97140's", as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == []
    assert _recorded(db) == [am, pm]
    assert second._unbilled(db) == ([], [])


def test_a_settled_claim_billing_the_wrong_code_is_the_payers_to_reopen(db):
    _x(db, minutes={"97110": 10})
    pm = session(db, minutes={"97140": 11})
    _sent_and_answered(db, "32.00", e.AdjustmentIn("CO", "45", "8.00"))  # paid
    with pytest.raises(ValidationError) as exc:
        e.bill_sessions(db, [pm], USER, as_of=AS_OF)
    assert exc.value.problems == [
        WRONG_CODE + "Claim X is paid: the payer has settled it, and metdash corrects only a "
        "submitted or denied claim, so ask the payer to reopen claim X to bill 97140 x1 "
        "instead of 97110 x1 on 2025-06-02, or leave these sessions unbilled."]
    assert second._unbilled(db) == ([pm], [pm])


def test_a_wrong_code_day_is_not_billed_silently_beside_another_day(db):
    # Before, the afternoon rode along on the new claim's session list (billed, its day
    # still billing 97110): the build is refused until the day is put right.
    _x(db, minutes={"97110": 10})
    pm = session(db, minutes={"97140": 11})
    other = session(db, day="2025-06-03", minutes={"97110": 15})
    with pytest.raises(ValidationError) as exc:
        e.bill_sessions(db, [pm, other], USER, as_of=AS_OF)
    assert [p.startswith(WRONG_CODE) for p in exc.value.problems] == [True]
    assert second._unbilled(db) == ([pm, other], [pm, other])


def test_a_refused_build_records_nothing(db):
    # The covered afternoon with a session of another client: refused, nothing recorded.
    _x(db, minutes={"97110": 10})
    pm = session(db, minutes={"97140": 10})
    theirs = session(db, client="C002", day="2025-06-10", minutes={"97110": 20}, referral=2)
    with pytest.raises(ValidationError) as exc:
        e.bill_sessions(db, [pm, theirs], USER, as_of=AS_OF)
    assert exc.value.problems == ["Sessions: they belong to different clients: bill one "
                                  "client's sessions at a time."]
    assert pm not in _recorded(db)
