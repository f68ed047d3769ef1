"""Sessions: validation, and the units they bill as under the payer's rule."""

from metdash import entry as e
from tests.entry_seed import AS_OF


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
        units, rule, payer = e.session_units(con, "C001", {"97110": 33, "97140": 7}, AS_OF)
        assert (units, rule, payer) == ({"97110": 2, "97140": 1}, "cms", "Medicare Part B")
        units, rule, _ = e.session_units(con, "C002", {"97110": 33, "97140": 7}, AS_OF)
        assert (units, rule) == ({"97110": 2, "97140": 0}, "per_code")
