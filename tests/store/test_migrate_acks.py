"""Migration 0014 (acknowledgments) on a store made before it: exports already in the audit
log become x12_submissions rows (so a 999 for a file sent before the upgrade finds its
claims), the practice gets the default waiting time, nothing else changes."""

from __future__ import annotations

from metdash import acks
from metdash.store import Database
from tests.store.old_store import store_at


def test_a_version_13_store_gets_its_exports_from_the_audit_log(tmp_path):
    path = tmp_path / "old.duckdb"
    con = store_at(path, 13)
    con.execute("INSERT INTO practice (practice_id, name, billing_npi, tax_id) "
                "VALUES (1, 'Old Practice', '1234567893', '12-3456789')")
    # What write_837p audited for two exports (interchange, group, transaction, claims),
    # and an unrelated row that must be left alone.
    con.execute("""
        INSERT INTO audit_log (audit_id, changed_at, user_name, action, table_name,
                               record_key, before, after) VALUES
        (1, TIMESTAMP '2025-03-03 09:30', 'tess', 'export', 'x12_control', '7', NULL,
         '{"interchange": 7, "group": 7, "transaction": 7, "claims": ["C1", "C2"]}'),
        (2, TIMESTAMP '2025-03-04 10:00', 'tess', 'export', 'x12_control', '8', NULL,
         '{"interchange": 8, "group": 8, "transaction": 8, "claims": ["C3"]}'),
        (3, TIMESTAMP '2025-03-04 11:00', 'tess', 'update', 'practice', '1', NULL,
         '{"name": "Old Practice"}')""")
    con.close()
    db = Database(path)
    rows = db.query("SELECT interchange, group_number, set_number, claim_id, submitted_at "
                    "FROM x12_submissions ORDER BY claim_id")
    assert rows[["group_number", "set_number", "claim_id"]].values.tolist() == [
        [7, 7, "C1"], [7, 7, "C2"], [8, 8, "C3"]]
    assert str(rows.submitted_at[2]) == "2025-03-04 10:00:00"
    assert acks.ack_wait_days(db) == 3
    assert db.scalar("SELECT count(*) FROM audit_log") == 3
