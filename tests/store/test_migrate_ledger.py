"""A store made before the ledger (schema version 10) migrates without losing a row, with
every balance recomputed from the rows it holds and the facts check clean."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from metdash import figures
from metdash.figures import Filters
from metdash.store import Database, facts, migrate
from tests import small_practice
from tests.store.old_store import store_at
from tests.test_figures import PERIOD

SOURCES = ["claims", "claim_lines", "claim_payments", "line_payments", "adjustments",
           "remittances", "patient_payments", "appeals", "claim_status_history",
           "provider_adjustments", "remark_codes", "audit_log"]


def _version_10_store(path) -> None:
    con = store_at(path, 10)
    # The small practice, as version 10 held it (no PLB claim column yet) ...
    sql = small_practice.SQL.format(practice=small_practice.NPI_PRACTICE,
                                    provider=small_practice.NPI_PROVIDER,
                                    r1=small_practice.NPI_R1, r2=small_practice.NPI_R2)
    con.execute(sql)
    # ... and a paper EOB that stored CLP02 4 for a claim paid 0 (the old rule).
    con.execute("INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, "
                "payment_date, method, trace_number, amount, source) VALUES (8, 2, "
                "'Acme Health', 'Acme Health', DATE '2025-03-20', 'CHK', 'EOB-1', 0, 'manual')")
    con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, "
                "clp01, status_code, charge, paid, patient_responsibility) VALUES "
                "(12, 8, 1, 'C12', 'C12', '4', 100, 0, 0)")
    con.execute("INSERT INTO adjustments (adjustment_id, claim_payment_id, line_payment_id, "
                "group_code, carc, amount) VALUES (20, 12, NULL, 'CO', '50', 100)")
    con.close()  # its derived tables empty: migration 0012 rebuilds them all


def test_a_version_10_store_migrates_to_the_ledger(tmp_path):
    path = tmp_path / "old.duckdb"
    _version_10_store(path)
    con = duckdb.connect(str(path))
    before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in SOURCES}
    con.close()
    db = Database(path)
    with db.connect() as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0] == \
            max(v for v, _, _ in migrate.migrations())
        after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                 for t in SOURCES}
        assert facts.check(con) == []
        # The hand-posted EOB is a processed claim now; its CO-50 still makes it a denial.
        assert con.execute("SELECT status_code FROM claim_payments WHERE claim_payment_id = 12"
                           ).fetchall()[0][0] == "1"
    assert after == before  # nothing lost
    # Balances recomputed from the rows that exist: tests/test_figures.py's hand-worked 600
    # insurance and 140 patient A/R -- C12's 100 is now denied but still owed, so the
    # insurance A/R is unchanged.
    k = figures.kpis(db, PERIOD)
    assert (k["insurance_ar_total"], k["patient_ar_total"]) == (Decimal("600.00"),
                                                                Decimal("140.00"))
    assert db.scalar("SELECT denied_open FROM claim_facts WHERE claim_id = 'C12'") == \
        Decimal("100.00")
    assert isinstance(PERIOD, Filters)
