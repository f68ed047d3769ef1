"""A tiny synthetic practice for the X12 tests (made-up names; NPIs valid by the Luhn rule)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from metdash.store import Database

NPI_PRACTICE = "1234567893"
NPI_PROVIDER = "1987654328"
NPI_REFERRER = "1543210987"
NOW = dt.datetime(2025, 3, 3, 9, 30)

SEED = f"""
INSERT INTO practice (practice_id, name, billing_npi, tax_id, taxonomy, address_line1, city,
                      state, zip, phone)
VALUES (1, 'Moving Well Exercise LLC', '{NPI_PRACTICE}', '12-3456789', '225100000X',
        '10 Elm Street', 'Springfield', 'IL', '627011234', '217-555-0100');
-- The clearinghouse settings (an export is refused without them): the same envelope the
-- golden file had when it was written with placeholders.
INSERT INTO clearinghouse_settings (settings_id, submitter_id, submitter_name, contact_phone,
                                    receiver_id, receiver_name, isa_sender_qualifier,
                                    isa_sender_id, isa_receiver_qualifier, isa_receiver_id,
                                    usage_indicator)
VALUES (1, '{NPI_PRACTICE}', 'Moving Well Exercise LLC', '2175550100', 'CLEARINGHOUSE',
        'CLEARINGHOUSE', 'ZZ', '{NPI_PRACTICE}', 'ZZ', 'CLEARINGHOUSE', 'P');
INSERT INTO providers (provider_id, npi, last_name, first_name, credential, taxonomy)
VALUES (1, '{NPI_PROVIDER}', 'Trainer', 'Tess', 'MEP', '225100000X');
INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id)
VALUES (1, 'Acme Health', 'commercial', 'ACME1'), (2, 'Medicare Part B', 'medicare', 'MCRB1');
INSERT INTO referrers (referrer_id, npi, name, kind)
VALUES (1, '{NPI_REFERRER}', 'Okafor, Ada', 'physician');
INSERT INTO clients (client_id, last_name, first_name, dob, sex, address_line1, city, state, zip)
VALUES ('K001', 'Sample', 'Sam', DATE '1960-04-02', 'M', '5 Oak Ave', 'Springfield', 'IL',
        '62702'),
       ('K002', 'Example', 'Eve', DATE '2012-08-15', 'F', '7 Pine Rd', 'Springfield', 'IL',
        '62703');
INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, group_number, relationship,
                       subscriber_last_name, subscriber_first_name, subscriber_dob,
                       effective_date)
VALUES (1, 'K001', 1, 'ACM000111', 'GRP9', 'self', NULL, NULL, NULL, DATE '2024-01-01'),
       (2, 'K002', 2, '3AC4DE5FG67', NULL, 'child', 'Example', 'Ed', DATE '1980-01-01',
        DATE '2024-01-01');
INSERT INTO referrals (referral_id, client_id, referrer_id, received_date, diagnosis_codes,
                       prior_auth_number)
VALUES (1, 'K001', 1, DATE '2025-01-20', ['M54.50', 'E11.9'], 'PA12345'),
       (2, 'K002', 1, DATE '2025-01-22', ['M54.50'], NULL);
INSERT INTO claims (claim_id, client_id, payer_id, coverage_id, referral_id, referrer_id,
                    rendering_provider_id, status, diagnosis_codes, total_charge,
                    first_service_date)
VALUES ('C000101', 'K001', 1, 1, 1, 1, 1, 'ready', ['M54.50', 'E11.9'], 300.00,
        DATE '2025-02-03'),
       ('C000102', 'K002', 2, 2, 2, 1, 1, 'ready', ['M54.50'], 120.00, DATE '2025-02-04'),
       ('C000103', 'K001', 1, 1, 1, 1, 1, 'draft', ['M54.50'], 100.00, DATE '2025-02-10');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers)
VALUES ('C000101', 1, DATE '2025-02-03', '97110', ['GP'], 2, 150.00, [1, 2]),
       ('C000101', 2, DATE '2025-02-03', '97140', ['GP', '59'], 1, 100.00, [1]),
       ('C000101', 3, DATE '2025-02-05', '97530', [], 1, 50.00, [2]),
       ('C000102', 1, DATE '2025-02-04', '97110', ['GP'], 2, 120.00, [1]),
       ('C000103', 1, DATE '2025-02-10', '97110', ['GP'], 1, 100.00, [1]);
"""


def seed(db: Database) -> Database:
    with db.transaction() as con:
        con.execute(SEED)
    return db


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A migrated empty store and a seeded one, made once and copied per test (fast)."""
    base = tmp_path_factory.mktemp("x12_templates")
    empty = Database(base / "empty.duckdb")
    with empty.connect():
        pass
    seeded = seed(Database(base / "seeded.duckdb"))
    empty.release()  # each file complete on its own: the tests copy them
    seeded.release()
    return empty.path, seeded.path


@pytest.fixture
def db(tmp_path: Path, _templates: tuple[Path, Path]) -> Database:
    """An empty, migrated store."""
    target = tmp_path / "x12.duckdb"
    shutil.copy(_templates[0], target)
    return Database(target)


@pytest.fixture
def seeded(tmp_path: Path, _templates: tuple[Path, Path]) -> Database:
    """The store with the tiny practice: claims C000101 and C000102 ready, C000103 draft."""
    target = tmp_path / "x12.duckdb"
    shutil.copy(_templates[1], target)
    return Database(target)
