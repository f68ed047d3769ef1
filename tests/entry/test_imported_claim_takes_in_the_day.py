"""A claim imported from a spreadsheet (``spreadsheet.import_claims``) that bills a day's
units takes in the client's sessions of that date not yet billed (``claim_sessions``), as a
claim typed in by hand does (:mod:`tests.entry.test_hand_claim_takes_in_the_day`): a
practice that records its sessions in metdash and bills elsewhere imports the claims, and
Sessions not yet billed empties instead of offering those days again (a second bill of each).
Short of the day's units, the import warns at the claim's row of that date.

Worked by hand (C001, Medicare, the CMS 8-minute rule, DOMAIN.md), 2025-06-02: morning
97110 10 min + 97112 15 min, afternoon 97110 20 min; the day is 97110 30 + 97112 15 = 45 min
-> 3 units (38-52): 97110 x2 (30 = 2 x 15), 97112 x1 (15), nothing left over. 2025-06-03:
97110 20 min -> 1 unit (15, and 5 left < 8).
"""

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from metdash.spreadsheet import import_claims
from tests.entry import test_second_session_of_a_day as second
from tests.entry.helpers import session
from tests.entry_seed import AS_OF, USER
from tests.test_spreadsheet import csv_bytes, row

C001 = dict(client_id="C001", client_last_name="Doe", client_first_name="Jane",
            client_dob="1950-02-03", payer_name="Medicare Part B", payer_type="medicare",
            member_id="1EG4TE5MK72", referral_date="2025-05-01", diagnosis_codes="M54.50",
            submitted_date="2025-06-05")


def _line(claim_id, day, cpt, units, charge):
    return row(**C001, claim_id=claim_id, service_date=day, cpt=cpt, units=str(units),
               charge=charge)


def _taken_in(db, claim_id):
    return db.query("SELECT session_id FROM claim_sessions WHERE claim_id = ? ORDER BY 1",
                    [claim_id]).session_id.tolist()


def test_an_imported_claim_billing_the_day_takes_in_its_sessions(db):
    am = session(db, minutes={"97110": 10, "97112": 15})
    pm = session(db, minutes={"97110": 20})
    other = session(db, day="2025-06-03", minutes={"97110": 20})
    assert second._unbilled(db) == ([am, pm, other], [am, pm, other])
    res = import_claims(db, csv_bytes(_line("S1", "2025-06-02", "97110", 2, "80.00"),
                                      _line("S1", "2025-06-02", "97112", 1, "42.00"),
                                      _line("S2", "2025-06-03", "97110", 1, "40.00")),
                        "claims.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 2
    assert [w for w in res.warnings if "Sessions not yet billed" in w] == []
    assert _taken_in(db, "S1") == [am, pm]
    assert _taken_in(db, "S2") == [other]
    assert second._unbilled(db) == ([], [])
    with db.connect() as con, pytest.raises(ValidationError) as exc:
        e.build_claim_from_sessions(con, [am, pm], AS_OF)
    assert exc.value.problems == [f"Sessions: {am}, {pm} already billed: untick them."]


def test_an_imported_claim_short_of_the_day_warns_at_its_row(db):
    am = session(db, minutes={"97110": 10, "97112": 15})
    pm = session(db, minutes={"97110": 20})
    res = import_claims(db, csv_bytes(_line("S1", "2025-06-02", "97110", 1, "40.00"),
                                      _line("S1", "2025-06-02", "97112", 1, "42.00")),
                        "claims.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 1
    said = (
        "the client's 30 min of 97110 that day bill 2 unit(s) under the CMS 8-minute rule, "
        "and the claims bill 1, 1 unit(s) short: make claim S1's 97110 line of 2025-06-02 "
        "bill 2 unit(s), and the session is billed with it.")
    assert [w for w in res.warnings if "Sessions not yet billed" in w] == [
        f"row 2, claim_id: Session {s} of 2025-06-02 stays on Sessions not yet billed: {said}"
        for s in (am, pm)]
    assert _taken_in(db, "S1") == []
    assert second._unbilled(db) == ([am, pm], [am, pm])


def test_a_refused_import_takes_in_nothing(db):
    am = session(db, minutes={"97110": 10, "97112": 15})
    pm = session(db, minutes={"97110": 20})
    res = import_claims(db, csv_bytes(_line("S1", "2025-06-02", "97110", 2, "80.00"),
                                      _line("S1", "2025-06-02", "97112", 1, "42.00"),
                                      _line("S2", "2025-06-03", "99999", 1, "40.00")),
                        "claims.csv", USER, as_of=AS_OF)
    assert res.problems and res.claims_added == 0
    assert db.scalar("SELECT count(*) FROM claim_sessions") == 0
    assert second._unbilled(db) == ([am, pm], [am, pm])
