"""Settings: the practice, payers, codes and fees."""

from decimal import Decimal

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from metdash.store import Database
from tests.entry_seed import USER


def test_settings_validation(db):
    with pytest.raises(ValidationError) as exc:
        e.save_practice(db, e.PracticeIn(name="", billing_npi="1234567890", tax_id="123"),
                        USER)
    # Name, NPI check digit, EIN (the KX threshold is no longer the practice's: a table by
    # year, issue 15).
    assert len(exc.value.problems) == 3
    with pytest.raises(ValidationError) as exc:
        e.save_payer(db, e.PayerIn(name="acme health", payer_type="hmo", timely_filing_days=0,
                                   units_rule="x"), USER)
    assert len(exc.value.problems) == 4
    e.save_cpt_code(db, "97113", "Aquatic therapeutic exercise", True, USER)
    e.save_fee(db, "97113", "50", USER)
    e.save_fee(db, "97113", "44.50", USER, payer_id=1)
    assert db.scalar("SELECT allowed_amount FROM payer_fee_schedule") == Decimal("44.50")


def test_practice_address_and_phone_are_checked(tmp_path):
    """Found by a new-user trial: ZIP "6270" and phone "555" were saved, and every 837P then
    carried them. A 5-digit ZIP is saved, with a notice: the 837P's billing provider needs
    ZIP+4."""
    db = Database(tmp_path / "p.duckdb")

    def problems(**kw):
        fields = {"name": "Move Well", "billing_npi": "1234567893", "tax_id": "12-3456789",
                  "state": "IL", "zip": "62701-1234", "phone": "(217) 555-0100", **kw}
        with db.connect() as con:
            return {p.field: str(p) for p in e.validate_practice(con, e.PracticeIn(**fields))}

    assert problems() == {}
    assert problems(zip="627011234", phone="1-217-555-0100", state="il") == {}
    assert problems(zip="62701") == {}
    bad = problems(zip="6270", phone="555", state="I1")
    assert bad["zip"] == ("ZIP '6270' is not a ZIP code: 5 digits, or better the 9 of ZIP+4 "
                          "(e.g. 62701-1234), which the 837P's billing provider needs.")
    assert bad["phone"].startswith("Phone '555' is not a 10-digit phone number")
    assert bad["state"] == ("State 'I1' is not a US state code: use its two-letter USPS "
                            "code, e.g. IL.")
    # Found by a new-user trial: "ZZ" was saved (two letters, no state), "or" kept lower-case.
    assert "State 'ZZ' is not a US state code" in problems(state="ZZ")["state"]
    e.save_practice(db, e.PracticeIn(name="Move Well", billing_npi="1234567893",
                                     tax_id="12-3456789", state="or", zip="97477-1234"), "owner")
    assert db.scalar("SELECT state FROM practice") == "OR"
    assert "62701-NNNN" in e.practice_notices("62701")[0]
    assert "exports no 837P until it is entered" in e.practice_notices("62701")[0]
    assert e.practice_notices("62701-1234") == [] and e.practice_notices("") == []
