"""Clients and referrers: every problem at once, the NPI check digit, duplicates."""

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry.helpers import count
from tests.entry_seed import USER


def test_client_problems_all_at_once(db):
    bad = e.ClientIn(client_id="", last_name=" ", first_name="", dob="03/04/1950", sex="X",
                     zip="12")
    with pytest.raises(ValidationError) as exc:
        e.save_client(db, bad, USER)
    msgs = exc.value.problems
    assert len(msgs) == 6
    assert any("YYYY-MM-DD" in m for m in msgs)
    assert {m.field for m in msgs} == {"client_id", "last_name", "first_name", "dob", "sex", "zip"}
    assert count(db, "clients") == 2


def test_referrer_npi_check_digit_and_duplicate(db):
    with db.connect() as con:
        p = e.validate_referrer(con, e.ReferrerIn(npi="1234567890", name="X"))
        assert p == ["Referring NPI 1234567890 fails its check digit: copy it again from the "
                     "referral or NPPES."]
        p = e.validate_referrer(con, e.ReferrerIn(npi="1679576722", name="Y"))
        assert "already on file as Smith, Anna" in p[0]
        assert e.find_referrer(con, " 1679576722 ")["name"] == "Smith, Anna"


def test_a_new_client_never_overwrites_one_on_file(db):
    """Found trying metdash as a new user: "New client" with a chart number already on file
    replaced that person's name and birth date and emptied their address and phone (all of
    their claims then named someone else). A new client is refused instead; updating the
    one on file is asked for explicitly (new=False). The same person under a second chart
    number is refused too."""
    before = db.query("SELECT * FROM clients WHERE client_id = 'C001'")
    with pytest.raises(ValidationError) as exc:
        e.save_client(db, e.ClientIn("C001", "Other", "Person", "1970-01-01"), USER, new=True)
    assert exc.value.problems == [
        "Client id C001 is already on file (Doe, Jane, born 1950-02-03): choose another chart "
        "number for a new client, or tick 'Update the client on file' to change this client's "
        "details."]
    assert exc.value.problems[0].masked == (
        "Client id C001 is already on file (D•••, J•••, born ••••-••-••): choose another chart "
        "number for a new client, or tick 'Update the client on file' to change this client's "
        "details.")
    assert db.query("SELECT * FROM clients WHERE client_id = 'C001'").equals(before)
    with pytest.raises(ValidationError) as exc:
        e.save_client(db, e.ClientIn("C777", " doe ", "JANE", "1950-02-03"), USER, new=True)
    assert exc.value.problems == ["doe, JANE, born 1950-02-03, is already on file as client "
                                  "C001: use that chart number (one person, one chart)."]
    assert exc.value.problems[0].masked == ("d•••, J•••, born ••••-••-••, is already on file as "
                                            "client C001: use that chart number (one person, "
                                            "one chart).")
    assert count(db, "clients") == 2
    # Asked for: the details are replaced
    e.save_client(db, e.ClientIn("C001", "Doe", "Janet", "1950-02-03"), USER)
    assert db.scalar("SELECT first_name FROM clients WHERE client_id = 'C001'") == "Janet"
