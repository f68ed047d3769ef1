"""Presentation mode's masking rule (metdash.privacy), on its own."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from metdash import privacy


@pytest.mark.parametrize("column, kind", [
    ("last_name", "name"), ("first_name", "name"), ("client_name", "name"),
    ("Client name", "name"), ("patient_name", "name"), ("client", "name"),
    ("subscriber_last_name", "name"), ("subscriber_first_name", "name"),
    ("subscriber_dob", "dob"), ("dob", "dob"), ("birth_date", "dob"),
    ("date_of_birth", "dob"), ("member_id", "member_id"), ("subscriber_id", "member_id"),
    ("client_id", None), ("provider", None), ("payer", None), ("name", None),
    ("service_date", None), ("npi", None), ("client_dob", "dob"),
    # Issue 17, item 5: declared, not guessed from a prefix. The insurance scenario's own
    # numbers are not names; phones and addresses are identifiers.
    ("insured_visits", None), ("insured_revenue", None), ("insured_weekly_visits", None),
    ("subscriber_count", None), ("patient_responsibility", None), ("patient_balance", None),
    ("phone", "contact"), ("address_line1", "contact"), ("zip", "contact"),
    ("email", "contact"), ("city", "contact"),
])
def test_columns_are_declared(column, kind):
    assert privacy.column_kind(column) == kind


def test_mask_frame_hides_names_birth_dates_and_member_ids():
    df = pd.DataFrame({"client_id": ["CL1", "CL2"], "client_name": ["Alpha, Ann", None],
                       "dob": [dt.date(1950, 1, 1), dt.date(1961, 2, 3)],
                       "member_id": ["1EG4TE5MK72", "AB"], "paid": [1.5, 2.0]})
    out = privacy.mask_frame(df)
    assert out.client_name[0] == "A•••, A•••" and pd.isna(out.client_name[1])
    assert list(out.dob) == ["••••-••-••", "••••-••-••"]
    assert list(out.member_id) == ["•••72", "•••"]
    # Everything else, and the input frame, untouched.
    assert list(out.client_id) == ["CL1", "CL2"] and list(out.paid) == [1.5, 2.0]
    assert df.client_name[0] == "Alpha, Ann"
    text = out.to_csv()
    assert "Alpha" not in text and "1950" not in text and "1EG4TE5MK72" not in text


def test_frames_without_client_columns_come_back_as_they_are():
    df = pd.DataFrame({"payer": ["Medicare"], "paid": [1]})
    assert privacy.mask_frame(df) is df
    assert privacy.mask_if(df, False) is df


@pytest.mark.parametrize("value, on", [("1", True), ("true", True), ("yes", True),
                                       ("0", False), ("", False), ("off", False)])
def test_environment_switch(value, on):
    assert privacy.present_by_default({"METDASH_PRESENT": value}) is on


def test_contact_details_are_masked_in_tables():
    df = pd.DataFrame({"client_id": ["CL1"], "phone": ["555-0142"],
                       "address_line1": ["12 Elm St"], "insured_visits": [4.5]})
    out = privacy.mask_frame(df)
    assert (out.phone[0], out.address_line1[0]) == ("•••", "•••")
    assert out.insured_visits[0] == 4.5
