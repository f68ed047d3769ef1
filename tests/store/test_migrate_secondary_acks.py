"""Migration 0018 (acknowledgments of secondary claims) on a store made before it (version
17): nothing lost, every earlier submission and acknowledgment stays the primary's, and a
secondary 837P already sent becomes a submission a 999 can find -- when the store's own
exports show its group and set numbers equal its interchange number."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from metdash.store import Database
from metdash.x12.post_ack import import_acks
from tests.store.old_store import store_at
from tests.x12.helpers import build_999

TABLES = ["x12_submissions", "claim_acks", "secondary_claims", "acknowledgments", "audit_log"]


def _version_17_store(path, primary_export: tuple[int, int, int]) -> None:
    con = store_at(path, 17)
    interchange, group, transaction = primary_export
    # A primary 837P (C1, C2) and its 999; then C1 sent to its secondary in interchange 5
    # (what write_secondary_837p audited then: no group or set number); a demo-like sending
    # with no interchange (C2), which no 999 can name.
    con.execute("INSERT INTO x12_submissions VALUES "
                "(?, ?, ?, 'C1', TIMESTAMP '2025-02-21 09:00'), "
                "(?, ?, ?, 'C2', TIMESTAMP '2025-02-21 09:00')", [interchange, group,
                                                                  transaction] * 2)
    con.execute("""
        INSERT INTO acknowledgments (ack_id, kind, content_sha256, control_number, imported_by)
        VALUES (1, '999', 'sha-1', '0001', 'tess');
        INSERT INTO claim_acks VALUES
            (1, 1, 'C1', 'C1', '999', 'accepted', 'IK5*A', 'Accepted.', DATE '2025-02-22',
             NULL, 5),
            (1, 2, 'C2', 'C2', '999', 'accepted', 'IK5*A', 'Accepted.', DATE '2025-02-22',
             NULL, 5);
        INSERT INTO secondary_claims (secondary_claim_id, claim_id, payer_id, coverage_id,
                                      payer_sequence, prior_claim_payment_id, submitted_date,
                                      interchange, user_name, created_at) VALUES
            (1, 'C1', 3, 2, 'S', 10, DATE '2025-03-12', 5, 'tess',
             TIMESTAMP '2025-03-12 09:00:07'),
            (2, 'C2', 3, 4, 'S', 11, DATE '2025-03-12', NULL, 'demo',
             TIMESTAMP '2025-03-12 09:00:07');
        INSERT INTO audit_log (audit_id, changed_at, user_name, action, table_name,
                               record_key, before, after) VALUES
        (2, TIMESTAMP '2025-03-12 09:00', 'tess', 'export', 'secondary_claims', '5', NULL,
         '{"interchange": 5, "claims": ["C1"], "payers": [3]}')""")
    con.execute("""
        INSERT INTO audit_log (audit_id, changed_at, user_name, action, table_name,
                               record_key, before, after)
        VALUES (1, TIMESTAMP '2025-02-21 09:00', 'tess', 'export', 'x12_control', ?, NULL,
                json_object('interchange', ?, 'group', ?, 'transaction', ?,
                            'claims', ['C1', 'C2']))""",
                [str(interchange), interchange, group, transaction])
    con.close()


def _counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path))
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
    finally:
        con.close()


def test_a_version_17_store_keeps_everything_and_finds_its_secondary_837p(tmp_path):
    path = tmp_path / "old.duckdb"
    _version_17_store(path, (4, 4, 4))
    before = _counts(path)
    db = Database(path)
    rows = db.query("SELECT interchange, group_number, set_number, claim_id, submitted_at, "
                    "coalesce(secondary_claim_id, 0) AS sending FROM x12_submissions "
                    "ORDER BY group_number, claim_id").values.tolist()
    # The primary's rows as they were (0: no secondary sending), and the secondary 837P's,
    # dated when its export was audited.
    assert rows == [[4, 4, 4, "C1", dt.datetime(2025, 2, 21, 9, 0), 0],
                    [4, 4, 4, "C2", dt.datetime(2025, 2, 21, 9, 0), 0],
                    [5, 5, 5, "C1", dt.datetime(2025, 3, 12, 9, 0), 1]]
    assert db.scalar("SELECT count(*) FROM claim_acks WHERE secondary_claim_id IS NULL") == 2
    assert db.scalar("SELECT count(*) FROM secondary_claims WHERE rejected_date IS NULL "
                     "AND rejection_reason IS NULL") == 2
    after = {t: db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}
    assert after == {**before, "x12_submissions": before["x12_submissions"] + 1}
    # The clearinghouse's 999 for that 837P, imported after the upgrade, finds it.
    s = import_acks(db, [("late.999", build_999(5, 5, accepted=False).encode())], "tess",
                    now=dt.datetime(2025, 3, 13, 15, 0))
    assert s.ok and (s.rejected, s.secondary_rejected, s.unmatched) == (1, 1, 0)
    assert db.scalar("SELECT rejected_date FROM secondary_claims WHERE secondary_claim_id = 1"
                     ) == dt.date(2025, 3, 13)


@pytest.mark.parametrize("numbers", [(4, 9, 4), (4, 4, 7)], ids=["group", "set"])
def test_numbers_not_in_step_are_not_guessed(tmp_path, numbers):
    # An export whose group (or set) number differs from its interchange: the secondary
    # 837P's own numbers cannot be known, so it is not made up; the rest is as above.
    path = tmp_path / "old.duckdb"
    _version_17_store(path, numbers)
    before = _counts(path)
    db = Database(path)
    assert db.scalar("SELECT count(*) FROM x12_submissions WHERE secondary_claim_id IS NOT "
                     "NULL") == 0
    assert {t: db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES} == before
