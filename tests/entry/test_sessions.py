"""Sessions: validation, and the units they bill as under the payer's rule."""

import datetime as dt

from metdash import entry as e
from tests.entry.helpers import session
from tests.entry_seed import AS_OF, USER


def test_session_validation(db):
    s = e.SessionIn(client_id="C001", provider_id=9, session_date="2025-07-05", kind="x",
                    minutes={"99999": 10, "97110": -3}, referral_id=2)
    with db.connect() as con:
        p = e.validate_session(con, s, AS_OF)
    fields = [x.field for x in p]
    assert fields.count("provider_id") == 1 and "kind" in fields and "referral_id" in fields
    assert any("future" in x for x in p)
    assert any("99999" in x for x in p) and any("-3" in x for x in p)


def test_session_units_follow_the_payer_rule(db):
    with db.connect() as con:
        got = e.session_units(con, "C001", {"97110": 33, "97140": 7}, AS_OF)
        assert (got.units, got.rule, got.payer) == ({"97110": 2, "97140": 1}, "cms",
                                                    "Medicare Part B")
        assert got.other_sessions == 0
        got = e.session_units(con, "C002", {"97110": 33, "97140": 7}, AS_OF)
        assert (got.units, got.rule) == ({"97110": 2, "97140": 0}, "per_code")


def test_session_units_count_the_clients_whole_day(db):
    # DOMAIN.md: a 10-minute morning and a 10-minute afternoon 97110 are 20 minutes = 1
    # unit, not 2. The morning is saved; the preview of the afternoon shows the day.
    session(db, day="2025-06-02", minutes={"97110": 10})
    with db.connect() as con:
        got = e.session_units(con, "C001", {"97110": 10}, dt.date(2025, 6, 2))
        assert (got.minutes, got.units, got.other_sessions) == ({"97110": 20}, {"97110": 1}, 1)
        # Another day of the same client is not counted.
        assert e.session_units(con, "C001", {"97110": 10}, dt.date(2025, 6, 3)).units == {
            "97110": 1}
    # Per code (Acme): 97112 5 min in the morning and 5 in the afternoon: 10 min of the day
    # -> 0 full units, remainder 10 >= 8 -> 1 unit (each session alone: 0).
    session(db, client="C002", day="2025-06-02", minutes={"97112": 5}, referral=2)
    with db.connect() as con:
        got = e.session_units(con, "C002", {"97112": 5}, dt.date(2025, 6, 2))
        assert (got.rule, got.units) == ("per_code", {"97112": 1})


def test_an_exact_duplicate_session_is_found_with_a_warning(db):
    # A new-user tour: the same session entered twice saved silently, and building the claim
    # later refused the doubled day. Two identical sessions in one day can be real, so it is
    # a warning the page asks the user to confirm, not a refusal.
    first = session(db, day="2025-06-02", minutes={"97110": 33, "97140": 7})
    again = e.SessionIn("C001", 1, "2025-06-02", "treatment", {"97140": 7, "97110 ": 33,
                                                                "97530": 0})
    with db.connect() as con:
        assert e.duplicate_sessions(con, again) == [first]
        assert e.duplicate_session_warning(con, again) == (
            "A session for this client with this provider on 2025-06-02 with the same codes "
            f"and minutes (97110 33 min, 97140 7 min) is already on file (session {first}). "
            "Two identical sessions in one day are rare: check it was not entered twice. "
            "Save it anyway?")
        # Not a duplicate: other minutes, another code, another day, provider or client.
        for other in (e.SessionIn("C001", 1, "2025-06-02", "treatment", {"97110": 30,
                                                                          "97140": 7}),
                      e.SessionIn("C001", 1, "2025-06-02", "treatment", {"97110": 33}),
                      e.SessionIn("C001", 1, "2025-06-03", "treatment", {"97110": 33,
                                                                          "97140": 7}),
                      e.SessionIn("C001", 2, "2025-06-02", "treatment", {"97110": 33,
                                                                          "97140": 7}),
                      e.SessionIn("C002", 1, "2025-06-02", "treatment", {"97110": 33,
                                                                          "97140": 7}),
                      # Incomplete: nothing to compare (the save's checks say what is wrong).
                      e.SessionIn("C001", None, "2025-06-02", "treatment", {"97110": 33,
                                                                             "97140": 7}),
                      e.SessionIn("C001", 1, "06/02/2025", "treatment", {"97110": 33,
                                                                          "97140": 7})):
            assert e.duplicate_sessions(con, other) == [], other
            assert e.duplicate_session_warning(con, other) is None
    # Confirmed, it saves as any session does; a third names both.
    second = e.save_session(db, again, USER, as_of=AS_OF)
    with db.connect() as con:
        assert e.duplicate_sessions(con, again) == [first, second]
        assert f"(sessions {first}, {second})" in e.duplicate_session_warning(con, again)
