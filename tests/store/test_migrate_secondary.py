"""Migration 0017 (secondary claims): a store made before it (version 13) migrates with nothing
lost, and its balances are recomputed under the new rule -- cost share goes to the next payer
when the client had a secondary coverage on the date of service."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from metdash.store import Database, facts
from tests import ledger_practice
from tests.store.old_store import store_at

SOURCES = ["claims", "claim_payments", "adjustments", "remittances", "coverages",
           "patient_payments", "write_offs", "balance_transfers"]


def _version_13_store(path) -> None:
    con = store_at(path, 13)
    con.execute(ledger_practice.SQL)
    # Pat (client P) has the Gap Plan as her secondary coverage since 2025-01-01, with Acme
    # primary.
    con.execute("INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, "
                "effective_date, priority) VALUES (1, 'P', 1, 'A1', DATE '2025-01-01', "
                "'primary'), (2, 'P', 3, 'G1', DATE '2025-01-01', 'secondary')")
    con.close()


def test_a_version_13_store_migrates_and_sends_cost_share_to_the_secondary(tmp_path):
    path = tmp_path / "old.duckdb"
    _version_13_store(path)
    con = duckdb.connect(str(path))
    before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in SOURCES}
    con.close()
    db = Database(path)
    with db.connect() as con:
        after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in SOURCES}
        assert facts.check(con) == []
        assert con.execute("SELECT count(*) FROM secondary_claims").fetchall()[0][0] == 0
    assert after == before  # nothing lost
    # L2 (Pat, Acme, served 04-03): 100 - 56 paid - 30 CO-45 = 14 still owed, now by the Gap
    # Plan (PR-2 14 goes to the secondary); Pat's 10 paid on this claim is a credit: 0 - 10.
    row = db.query("SELECT insurance_balance, patient_balance FROM claim_facts "
                   "WHERE claim_id = 'L2'").iloc[0]
    assert (row.insurance_balance, row.patient_balance) == (Decimal("14.00"),
                                                            Decimal("-10.00"))
    # L7 was billed to the Gap Plan itself (secondary, nothing after it): its PR-2 10 stays
    # Pat's.
    row = db.query("SELECT insurance_balance, patient_balance FROM claim_facts "
                   "WHERE claim_id = 'L7'").iloc[0]
    assert (row.insurance_balance, row.patient_balance) == (Decimal("0.00"), Decimal("10.00"))
