"""A claim typed in by hand (Claims → Enter by hand, ``entry.save_claim``) that bills a day's
units takes in the client's sessions of that date not yet billed (``claim_sessions``, as an
edit or a replacement does: :func:`metdash.entry.days.day_cover`), so Bill sessions does
not offer them again (a second bill of the same day); short of the day's units, it warns
as an edit does. A claim built from sessions names its own and takes in nothing else.

Worked by hand (C001, Medicare, the CMS 8-minute rule, DOMAIN.md), 2025-06-02: morning
97110 10 min + 97112 15 min, afternoon 97110 20 min; the day is 97110 30 + 97112 15 = 45 min
-> 3 units (38-52): 97110 x2 (30 = 2 x 15), 97112 x1 (15), nothing left over.
"""

import datetime as dt

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry import test_second_session_of_a_day as second
from tests.entry.helpers import session
from tests.entry_seed import AS_OF, USER

DAY = dt.date(2025, 6, 2)


def _hand(units_97110, claim_id="H"):
    return e.ClaimIn(claim_id=claim_id, client_id="C001", payer_id=1,
                     diagnosis_codes=["M54.50"], rendering_provider_id=1, referral_id=1,
                     referrer_id=1,
                     lines=[e.ClaimLineIn(DAY, "97110", units_97110,
                                          f"{40 * units_97110}.00", ["GP"], [1]),
                            e.ClaimLineIn(DAY, "97112", 1, "42.00", ["GP"], [1])])


def _sessions(db, claim_id="H"):
    return db.query("SELECT session_id FROM claim_sessions WHERE claim_id = ? ORDER BY 1",
                    [claim_id]).session_id.tolist()


def test_a_hand_claim_billing_the_day_takes_in_its_sessions(db):
    # Not so a claim built from sessions. 2025-06-03: 97110 20 min -> 1 unit; a later 97110
    # 2 min makes the day 22 min, still 1 unit: the claim built from the first bills the
    # day, yet names only the first (the later one is Bill sessions' to record).
    first = session(db, day="2025-06-03", minutes={"97110": 20})
    later = session(db, day="2025-06-03", minutes={"97110": 2})
    with db.connect() as con:
        a = e.build_claim_from_sessions(con, [first], AS_OF, "A")
    assert [(ln.cpt, ln.units) for ln in a.lines] == [("97110", 1)]
    e.save_claim(db, a, USER, as_of=AS_OF)
    assert _sessions(db, "A") == [first]
    am = session(db, minutes={"97110": 10, "97112": 15})
    pm = session(db, minutes={"97110": 20})
    assert second._unbilled(db) == ([later, am, pm], [later, am, pm])
    warnings = e.save_claim(db, _hand(2), USER, as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == []
    assert _sessions(db) == [am, pm]
    assert _sessions(db, "A") == [first]
    assert second._unbilled(db) == ([later], [later])
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'claim_sessions' "
                     "AND record_key = 'H'") == 1
    # Bill sessions offers them no more: no second bill of the day.
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [am, pm], AS_OF)
    assert exc.value.problems == [f"Sessions: {am}, {pm} already billed: untick them."]


def test_a_hand_claim_short_of_the_day_says_so_and_takes_in_nothing(db):
    am = session(db, minutes={"97110": 10, "97112": 15})
    pm = session(db, minutes={"97110": 20})
    warnings = e.save_claim(db, _hand(1), USER, as_of=AS_OF)
    assert [w for w in warnings if w.field == "sessions"] == [
        f"Session {s} of 2025-06-02 stays on Sessions not yet billed: the client's 30 min of "
        "97110 that day bill 2 unit(s) under the CMS 8-minute rule, and the claims bill 1, 1 "
        "unit(s) short: make claim H's 97110 line of 2025-06-02 bill 2 unit(s), and the "
        "session is billed with it." for s in (am, pm)]
    assert _sessions(db) == []
    assert second._unbilled(db) == ([am, pm], [am, pm])
