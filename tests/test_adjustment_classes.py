"""The one classification of adjustments: seeded with DOMAIN.md's table, editable, and what
every balance follows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metdash import adjustment_classes as ac
from metdash.errors import ValidationError
from metdash.store import Database, facts
from tests import ledger_practice


@pytest.fixture
def db(tmp_path):
    return ledger_practice.build(Database(tmp_path / "l.duckdb"))


def test_the_seed_is_domain_md_table(db):
    with db.connect() as con:
        seeded = ac.load(con)
    assert seeded == ac.Classification.defaults()
    # DOMAIN.md: anything not listed is a denial; PR other than 1/2/3 too.
    assert seeded.of(1, "PR", "96") == "denial"
    assert seeded.of(1, "CO", "50") == "denial"
    assert seeded.of(None, "OA", "23") == "cob"
    assert seeded.of(2, "CO", "253") == "contractual"


def test_a_payer_rule_changes_the_balances(db):
    # L13 (Acme): CO-97 5 on line 2 is a denial: 5 owed, denied. Classified as contractual
    # for Acme (say its contract bundles 97140), it is written off for good: 100 - 75 - 15 -
    # 5 - 5 = 0, and the claim is no longer denied at its first adjudication.
    before = db.query("SELECT insurance_balance, denied_open, denied FROM claim_facts "
                      "WHERE claim_id = 'L13'").iloc[0].tolist()
    assert before == [Decimal("5.00"), Decimal("5.00"), True]
    ac.save(db, 1, "co", "97", "contractual", "owner", "Acme contract bundles 97140")
    after = db.query("SELECT insurance_balance, denied_open, denied FROM claim_facts "
                     "WHERE claim_id = 'L13'").iloc[0].tolist()
    assert after == [Decimal("0.00"), Decimal("0.00"), False]
    with db.connect() as con:
        assert facts.check(con) == []
        assert ac.load(con).of(1, "CO", "97") == "contractual"
        assert ac.load(con).of(2, "CO", "97") == "denial"  # Medicare's stays a denial
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'adjustment_classes'") == 1
    ac.remove(db, 1, "CO", "97", "owner")
    assert db.scalar("SELECT denied_open FROM claim_facts WHERE claim_id = 'L13'") == \
        Decimal("5.00")


def test_bad_rows_are_refused_with_every_problem(db):
    with pytest.raises(ValidationError) as err:
        ac.save(db, 99, "XX", "4-5", "waived", "owner")
    text = " ".join(err.value.problems)
    for part in ("Group 'XX'", "Reason code '4-5'", "Class 'waived'", "Payer 99"):
        assert part in text
