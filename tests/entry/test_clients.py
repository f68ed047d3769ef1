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
