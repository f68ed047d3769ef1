"""Settings: the practice, payers, codes and fees."""

from decimal import Decimal

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
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
