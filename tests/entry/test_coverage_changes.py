"""A client's coverage ended or corrected (metdash.entry.coverage_changes).

The seeded practice (tests/entry_seed.py): Jane Doe (C001) has Medicare member 1EG4TE5MK72
from 2020-01-01, open; Rick Roe (C002) Acme Health ACM123 for 2025.

Jane moves to Acme Health on 2025-07-01: the Acme coverage is added, and her Medicare coverage
ends on 2025-06-30. Until it is ended she has two primaries from July on: allowed (her July
visits, billed to Medicare and denied CO-27, can only move to Acme once Acme's coverage is on
file, and Medicare cannot end before them), and said on the Clients page.
"""

import datetime as dt

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry_seed import USER

D = dt.date


def test_a_change_of_insurance(db):
    acme = e.CoverageIn("C001", 2, "ACM555", D(2025, 7, 1))
    [medicare] = e.client_coverages(db, "C001").coverage_id.tolist()
    assert e.overlapping_primaries(db, "C001") is None
    e.save_coverage(db, acme, USER)
    assert e.overlapping_primaries(db, "C001") == (
        "Two primary coverages overlap from 2025-07-01: Medicare Part B (from 2020-01-01) and "
        "Acme Health (from 2025-07-01). If Acme Health replaced Medicare Part B, end Medicare "
        "Part B on its last day (\"End a coverage\") once the claims served after that day "
        "are billed to Acme Health. A plan that pays after another is a secondary coverage.")
    with pytest.raises(ValidationError, match="before the coverage started"):
        e.end_coverage(db, medicare, D(2019, 12, 31), USER)
    e.end_coverage(db, medicare, D(2025, 6, 30), USER)
    assert e.overlapping_primaries(db, "C001") is None
    on_file = e.client_coverages(db, "C001")
    assert on_file[["payer", "member_id", "end_date"]].values.tolist() == [
        ["Acme Health", "ACM555", None], ["Medicare Part B", "1EG4TE5MK72", D(2025, 6, 30)]]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'coverages' "
                     "AND action = 'update'") == 1


def test_a_coverage_with_claims_after_the_date_is_not_ended(db):
    with db.transaction() as con:
        con.execute("""
            INSERT INTO claims (claim_id, client_id, payer_id, coverage_id, status,
                                diagnosis_codes, total_charge, first_service_date)
            VALUES ('Z1', 'C001', 1, 1, 'ready', ['M54.50'], 40, DATE '2025-06-10')""")
    with pytest.raises(ValidationError, match=r"Claims served after 2025-05-31 are billed to "
                                              r"this coverage \(Z1\)"):
        e.end_coverage(db, 1, D(2025, 5, 31), USER)
    e.end_coverage(db, 1, D(2025, 6, 10), USER)  # its last claim's day: fine


def test_a_member_id_corrected(db):
    with pytest.raises(ValidationError, match="old Health Insurance Claim Number"):
        e.correct_member_id(db, 1, "123456789A", USER)
    assert e.correct_member_id(db, 1, "1eg4-te5-mk79", USER) == "1EG4TE5MK79"
    assert e.correct_member_id(db, 2, " ACM-9 ", USER) == "ACM-9"  # Acme's own ids: kept
    assert db.scalar("SELECT member_id FROM coverages WHERE coverage_id = 1") == "1EG4TE5MK79"


def test_the_group_and_subscriber_corrected_as_on_the_card(db):
    """Rick Roe's Acme card (coverage 2) shows group G-77 and his wife Rita as the
    subscriber: the claims went out with him as the subscriber and were denied (CO-31). Each
    wrong detail is refused with what to do; the change is audited, field by field."""
    with pytest.raises(ValidationError) as err:
        e.correct_subscriber(db, 2, USER, group_number="G-77", relationship="spouse",
                             subscriber_last_name="Roe", subscriber_first_name=" ")
    assert err.value.problems == [
        "Subscriber name is missing: when the client is not the subscriber, enter the "
        "subscriber's last and first name as on the card."]
    with pytest.raises(ValidationError, match="Relationship 'wife' must be self, spouse"):
        e.correct_subscriber(db, 2, USER, group_number="G-77", relationship="wife",
                             subscriber_last_name="Roe", subscriber_first_name="Rita")
    assert e.correct_subscriber(db, 2, USER, group_number=" G-77 ", relationship="spouse",
                                subscriber_last_name="Roe", subscriber_first_name="Rita") == [
        "group number", "relationship", "subscriber last name", "subscriber first name"]
    assert e.coverage_subscriber(db, 2) == {
        "group_number": "G-77", "relationship": "spouse", "subscriber_last_name": "Roe",
        "subscriber_first_name": "Rita"}
    with pytest.raises(ValidationError, match="nothing was changed"):
        e.correct_subscriber(db, 2, USER, group_number="G-77", relationship="spouse",
                             subscriber_last_name="Roe", subscriber_first_name="Rita")
    # Back to Rick as the subscriber: the subscriber's name goes with it; the group stays.
    assert e.correct_subscriber(db, 2, USER, group_number="G-77", relationship="self",
                                subscriber_last_name="Roe", subscriber_first_name="Rita") == [
        "relationship", "subscriber last name", "subscriber first name"]
    assert e.coverage_subscriber(db, 2)["subscriber_last_name"] is None
    audits = db.query("SELECT CAST(before AS VARCHAR) AS b, CAST(after AS VARCHAR) AS a "
                      "FROM audit_log WHERE table_name = 'coverages' AND action = 'update' "
                      "ORDER BY audit_id")
    assert len(audits) == 2 and '"subscriber_first_name":"Rita"' in audits.a[0].replace(" ", "")
