"""Migration 0019 (moves and write-offs undone): a store made before it (version 18, with
write-offs and a move to the client) migrates with nothing lost and every balance as it was
(no move or write-off has been undone yet), and its facts check clean."""

from __future__ import annotations

import duckdb

from metdash.store import Database, facts, migrate
from tests import ledger_practice

SOURCES = ["claims", "claim_payments", "adjustments", "remittances", "patient_payments",
           "write_offs", "balance_transfers"]


def test_a_version_18_store_migrates_with_every_balance_as_it_was(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR "
                "NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    for version, name, sql in migrate.migrations():
        if version > 18:
            break
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    [version, name])
    con.execute(ledger_practice.SQL)
    # The balances as the store had them: the ledger before 0019 had no returns to read, so
    # an empty stand-in (this connection only) gives the same sums.
    con.execute("CREATE TEMP TABLE balance_returns (claim_id VARCHAR, kind VARCHAR, "
                "source_id INTEGER, amount DECIMAL(12,2), return_date DATE, "
                "remittance_id INTEGER, return_id INTEGER)")
    facts.rebuild(con)
    con.execute("DROP TABLE temp.balance_returns")
    assert con.execute("SELECT count(*) FROM balance_transfers").fetchall()[0][0] > 0
    assert con.execute("SELECT count(*) FROM write_offs").fetchall()[0][0] > 0
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in SOURCES}
    balances = con.execute("SELECT claim_id, insurance_balance, patient_balance, denied_open "
                           "FROM claim_facts ORDER BY claim_id").fetchall()
    con.close()
    db = Database(path)
    with db.connect() as con:
        assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in SOURCES} == counts
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0] >= 19
        assert con.execute("SELECT count(*) FROM balance_returns").fetchall()[0][0] == 0
        assert con.execute("SELECT claim_id, insurance_balance, patient_balance, denied_open "
                           "FROM claim_facts ORDER BY claim_id").fetchall() == balances
        assert facts.check(con) == []
