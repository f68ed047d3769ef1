"""A bulk write past the memory limit (metdash.store.bulk), and the failure of a write
statement that reads a registered frame (metdash.store.rows.registered)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from metdash import demo
from metdash.store import Database, bulk, insert_frame, registered


def _limit(db: Database) -> str:
    return db.scalar("SELECT current_setting('memory_limit')")


def test_the_demo_is_one_transaction_past_the_memory_limit_which_then_comes_back(
        tmp_path, monkeypatch):
    """DuckDB does not spill a transaction's own writes: under a 50MB limit a 5,000-line demo
    failed ("more memory than metdash lets the database use"), as the 1M demo did under the
    default 1GB (make bench)."""
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "50MB")
    db = Database(tmp_path / "d.duckdb")
    mine = _limit(db)
    assert mine == "47.6 MiB"
    summary = demo.generate(db, seed=3, claim_lines=5000, as_of=dt.date(2026, 6, 30))
    assert summary.claim_lines >= 4000
    assert _limit(db) == mine   # the pages served after it are bounded again


def test_lifted_blocks_end_with_the_last_one(tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "200MB")
    db = Database(tmp_path / "l.duckdb")
    mine = _limit(db)
    with bulk.lifted(db):
        own = _limit(db)
        assert own != mine   # DuckDB's own: 80 % of the machine's memory
        with bulk.lifted(db):
            assert _limit(db) == own
        assert _limit(db) == own   # another bulk write still runs
    assert _limit(db) == mine


def test_no_metdash_limit_no_change(tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "none")
    db = Database(tmp_path / "n.duckdb")
    before = _limit(db)
    with bulk.lifted(db):
        assert _limit(db) == before
    assert _limit(db) == before


def test_a_failed_write_is_raised_as_itself_not_as_the_aborted_transaction(tmp_path):
    """The view's removal in an aborted transaction raised "Current transaction is aborted"
    in place of the error that aborted it (an out-of-memory error in the demo read so)."""
    db = Database(tmp_path / "w.duckdb")
    with db.connect() as con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0))")
    with pytest.raises(Exception, match="CHECK constraint") as caught, db.transaction() as con:
        insert_frame(con, "t", pd.DataFrame({"id": [1, 2], "n": [5, -1]}))
    assert "aborted" not in str(caught.value)
    with pytest.raises(Exception, match="Conversion Error") as caught, db.transaction() as con:
        with registered(con, "_v", pd.DataFrame({"n": ["x"]})):
            con.execute("INSERT INTO t SELECT 1, n::INTEGER FROM _v")
    assert "aborted" not in str(caught.value)
    assert db.scalar("SELECT count(*) FROM t") == 0
