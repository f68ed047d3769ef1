"""Referrals: the seed's referrals as stored, and a header diagnosis code refused."""

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry.helpers import count
from tests.entry_seed import AS_OF, USER


def test_seed_wrote_audit_rows(db):
    assert count(db, "audit_log") >= 15
    assert db.scalar("SELECT diagnosis_codes FROM referrals WHERE referral_id = 2") == ["M17.11"]


def test_referral_refuses_header_code(db):
    ref = e.ReferralIn(client_id="C001", referrer_id=1, received_date="2025-06-01",
                       diagnosis_codes=["M54.5"])
    with pytest.raises(ValidationError) as exc:
        e.save_referral(db, ref, USER, as_of=AS_OF)
    assert exc.value.problems == [
        "Diagnosis M54.5 is a category, not a billable code: choose M54.50, M54.51 or M54.59."]
