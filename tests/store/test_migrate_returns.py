"""Migrations 0019 (moves and write-offs undone) and 0020 (the denied part of a first
adjudication's line): a store made before them (version 18, with write-offs and a move to the
client) migrates with nothing lost, and its facts are those of the same practice in a store
made today (no move or write-off undone; every balance as it was), and check clean."""

from __future__ import annotations

from metdash.store import Database, facts
from tests import ledger_practice
from tests.store.old_store import store_at

SOURCES = ["claims", "claim_payments", "adjustments", "remittances", "patient_payments",
           "write_offs", "balance_transfers"]
FACTS = {"claim_facts": "claim_id, insurance_balance, patient_balance, denied_open, paid",
         "first_line_facts": "claim_id, cpt, charge, denied, denied_charge"}


def _read(con) -> dict[str, list]:
    return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall()  # noqa: S608
            for t, cols in FACTS.items()}


def test_a_version_18_store_migrates_as_a_new_store_is(tmp_path):
    path = tmp_path / "old.duckdb"
    con = store_at(path, 18)
    con.execute(ledger_practice.SQL)
    assert con.execute("SELECT count(*) FROM balance_transfers").fetchall()[0][0] > 0
    assert con.execute("SELECT count(*) FROM write_offs").fetchall()[0][0] > 0
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in SOURCES}
    con.close()
    fresh = ledger_practice.build(Database(tmp_path / "new.duckdb"))
    with fresh.connect() as con:
        today = _read(con)
    db = Database(path)
    with db.connect() as con:
        assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in SOURCES} == counts
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0] >= 20
        assert con.execute("SELECT count(*) FROM balance_returns").fetchall()[0][0] == 0
        assert _read(con) == today and today["claim_facts"]
        assert facts.check(con) == []
