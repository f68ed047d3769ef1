"""An edit or a replacement that takes every line of a date off a claim lets go of the
claim's sessions of that date (``claim_sessions``): nothing bills them any more, so they go
back to Sessions not yet billed (and an audit row says so). A claim that still bills the
date keeps them.

Worked by hand (C001, Medicare: the CMS 8-minute rule, DOMAIN.md):

- 2025-06-02, morning: 97110 10 min + 97112 15 min = 25 min -> 2 units: 97112 x1 (its full
  15 min), the left-over unit to 97110 (10 min left) x1;
- 2025-06-03: 97110 15 min -> 1 unit (8-22): 97110 x1.

Claim A built from both: 97110 x1 $40.00 + 97112 x1 $42.00 of 06-02, 97110 x1 $40.00 of
06-03 ($122.00), naming both sessions. The afternoon of 06-02 (97110 20 min) makes the day
97110 30 + 97112 15 = 45 min -> 3 units: 97110 x2, 97112 x1; A's 06-02 97110 line edited to
2 units ($80.00) takes the afternoon in.
"""

import datetime as dt
import json
from decimal import Decimal

from metdash import entry as e
from metdash.entry import corrections
from tests.entry import test_second_session_of_a_day as second
from tests.entry.helpers import session
from tests.entry_seed import AS_OF, USER

DAY, NEXT = dt.date(2025, 6, 2), dt.date(2025, 6, 3)


def _two_days(db):
    am = session(db, minutes={"97110": 10, "97112": 15})
    other = session(db, day="2025-06-03", minutes={"97110": 15})
    with db.connect() as con:
        a = e.build_claim_from_sessions(con, [am, other], AS_OF, "A")
    assert [(ln.service_date, ln.cpt, ln.units, ln.charge) for ln in a.lines] == [
        (DAY, "97110", 1, Decimal("40.00")), (DAY, "97112", 1, Decimal("42.00")),
        (NEXT, "97110", 1, Decimal("40.00"))]
    e.save_claim(db, a, USER, as_of=AS_OF)
    return am, other


def _claim_sessions(db):
    return db.query("SELECT session_id FROM claim_sessions WHERE claim_id = 'A' ORDER BY 1"
                    ).session_id.tolist()


def _without(db, day, code=None):
    """Claim A as on file without its lines of ``day`` (only its ``code`` line when given)."""
    with db.connect() as con:
        a = corrections.claim_on_file(con, "A")
    a.lines = [ln for ln in a.lines
               if not (ln.service_date == day and (code is None or ln.cpt == code))]
    return a


def test_a_date_edited_off_a_draft_sends_its_sessions_back_to_the_list(db):
    am, other = _two_days(db)
    pm = session(db, minutes={"97110": 20})
    corrections.edit_claim(db, "A", second._a_billing(db, 2), USER, note="the day",
                           as_of=AS_OF)
    assert _claim_sessions(db) == [am, other, pm]
    # Its 97112 line of 06-02 off: A still bills 06-02, so it keeps the day's sessions.
    corrections.edit_claim(db, "A", _without(db, DAY, "97112"), USER, note="97112 off",
                           as_of=AS_OF)
    assert _claim_sessions(db) == [am, other, pm]
    assert second._unbilled(db) == ([], [])
    # Every line of 06-02 off: nothing bills the day's sessions any more.
    warnings = corrections.edit_claim(db, "A", _without(db, DAY), USER,
                                      note="06-02 billed elsewhere", as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == [
        f"Session {s} of 2025-06-02 is back on Sessions not yet billed: claim A no longer "
        "bills 2025-06-02; bill it again (Claims → Bill sessions) if that day is still owed."
        for s in (am, pm)]
    assert _claim_sessions(db) == [other]
    assert second._unbilled(db) == ([am, pm], [am, pm])
    action, before = db.query("SELECT action, CAST(before AS VARCHAR) AS b FROM audit_log "
                              "WHERE table_name = 'claim_sessions' AND record_key = 'A' "
                              "ORDER BY audit_id").values.tolist()[-1]
    assert (action, json.loads(before)) == (
        "delete", {"sessions": [am, pm], "service_dates": ["2025-06-02"]})
    # Billed again on a claim of their own: 45 min -> 97110 x2 (pm), 97112 x1 (am).
    with db.connect() as con:
        b = e.build_claim_from_sessions(con, [am, pm], AS_OF, "B")
    assert [(ln.cpt, ln.units) for ln in b.lines] == [("97110", 2), ("97112", 1)]


def test_a_replacement_without_a_date_sends_its_session_back_to_the_list(db):
    am, other = _two_days(db)
    e.move_claim_status(db, "A", "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, "A", "submitted", USER, on=dt.date(2025, 6, 12), as_of=AS_OF)
    e.post_eob(db, e.EobIn(claim_id="A", payment_date="2025-06-25", paid="0.00",
                           adjustments=[e.AdjustmentIn("CO", "50", "122.00")],
                           payer_claim_number="PCN-A"), USER, as_of=AS_OF)
    warnings = corrections.replace_claim(db, "A", _without(db, NEXT), USER,
                                         reason="06-03 was not a visit", as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == [
        f"Session {other} of 2025-06-03 is back on Sessions not yet billed: claim A no "
        "longer bills 2025-06-03; bill it again (Claims → Bill sessions) if that day is "
        "still owed."]
    assert _claim_sessions(db) == [am]
    assert second._unbilled(db) == ([other], [other])
