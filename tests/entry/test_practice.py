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


def test_a_provider_on_file_is_renamed_but_keeps_its_npi(db):
    """A new-user trial: the claims import added rendering NPI 1679576722 as "Imported
    provider", its first name the NPI, and nothing could rename it ("already on file for
    Imported provider: edit that provider instead", with no edit anywhere). Its name,
    credential and taxonomy are changed with the checks of adding one, audited; the
    placeholder is refused as a name, and the NPI is not changed (another NPI is another
    provider: add it)."""
    npi = "1679576722"
    with db.transaction() as con:
        pid = e.write_provider(con, e.imported_provider(npi), USER)
    before = db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'providers' "
                       "AND action = 'update'")
    with pytest.raises(ValidationError) as exc:
        e.save_provider(db, e.imported_provider(npi), USER, provider_id=pid)
    assert [str(p) for p in exc.value.problems] == [
        "Provider last name 'Imported provider' is the placeholder the claims import gives a "
        "provider its file does not name: enter the provider's own last name.",
        f"Provider first name '{npi}' is a number (the claims import puts the NPI there): "
        "enter the provider's own first name."]
    with pytest.raises(ValidationError) as exc:
        e.save_provider(db, e.ProviderIn("1234567893", "Lindqvist", "Mara"), USER,
                        provider_id=pid)
    assert [str(p) for p in exc.value.problems] == [
        f"Rendering NPI cannot be changed (this provider's is {npi}): an NPI is the "
        "provider's own, and claims were made under it. For another NPI, add a provider."]
    with pytest.raises(ValidationError) as exc:  # the same NPI added again: where to edit it
        e.save_provider(db, e.ProviderIn(npi, "Lindqvist", "Mara"), USER)
    assert [str(p) for p in exc.value.problems] == [
        f"Rendering NPI {npi} is already on file for Imported provider: change that provider "
        "instead (Settings → Providers → Change a provider)."]
    e.save_provider(db, e.ProviderIn(npi, " Lindqvist ", "Mara", "PT", "225100000X"), USER,
                    provider_id=pid)
    row = db.query("SELECT npi, last_name, first_name, credential, taxonomy, active "
                   "FROM providers WHERE provider_id = ?", [pid]).iloc[0].tolist()
    assert row == [npi, "Lindqvist", "Mara", "PT", "225100000X", True]
    assert db.scalar("SELECT count(*) FROM providers WHERE npi = ?", [npi]) == 1
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'providers' "
                     "AND action = 'update'") == before + 1
    assert not e.is_placeholder_provider("Lindqvist", "Mara", npi)
    assert e.is_placeholder_provider("IMPORTED PROVIDER", npi, npi)
