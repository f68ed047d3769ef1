"""The memory limit moved for a bulk write or a heavy read (metdash.store.bulk), and the
failure of a write statement that reads a registered frame (metdash.store.rows.registered)."""

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
    with bulk.lifted(db), bulk.bounded(db):
        assert _limit(db) == before
    assert _limit(db) == before


@pytest.mark.parametrize("limit, half", [("1GB", "500MB"), ("600MB", "300MB"),
                                         ("2GiB", "1073MB"), ("1.5 GB", "750MB"),
                                         ("none", None), ("lots", None)])
def test_a_heavy_read_gets_half_the_limit(limit, half):
    assert bulk.build_limit(limit) == half


def test_a_heavy_read_is_bounded_and_a_bulk_write_meanwhile_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "1GB")
    db = Database(tmp_path / "h.duckdb")
    mine = _limit(db)
    with bulk.bounded(db):
        assert _limit(db) == "476.8 MiB"   # 500MB
        with bulk.lifted(db):
            assert _limit(db) not in (mine, "476.8 MiB")   # DuckDB's own
        assert _limit(db) == "476.8 MiB"
    assert _limit(db) == mine


def test_the_risk_models_counts_and_the_forecasts_history_are_read_bounded(
        demo_db_path, tmp_path, monkeypatch):
    """The two heavy reads built once and kept: on a 5M-line store each took the page's
    process ~1 GB above its own memory under the default limit."""
    import shutil

    from metdash import risk
    from metdash.forecast import outlook

    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "1GB")
    shutil.copy(demo_db_path, tmp_path / "r.duckdb")
    db = Database(tmp_path / "r.duckdb")
    seen = []

    def watch(real):
        def read(*args, **kwargs):
            seen.append(_limit(db))
            return real(*args, **kwargs)
        return read

    monkeypatch.setattr(risk, "history_counts", watch(risk.history_counts))
    monkeypatch.setattr(outlook, "load_history", watch(outlook.load_history))
    as_of = dt.date(2026, 6, 30)
    assert risk.learned(db, as_of).model is not None
    outlook.build_outlook(db, as_of, 4)
    assert seen == ["476.8 MiB", "476.8 MiB"]
    assert _limit(db) == "953.6 MiB"


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


def test_heavy_builds_take_turns(demo_db_path, tmp_path):
    """One heavy build at a time in a process: the cash outlook built for a new store in the
    background while a visitor's page learned the risk model added their arrays up (the 5M
    Denial risk page's process peaked at 1,132 MB, either build alone at ~900 MB)."""
    import shutil
    import threading

    from metdash import risk
    from metdash.forecast import outlook

    shutil.copy(demo_db_path, tmp_path / "t.duckdb")
    db = Database(tmp_path / "t.duckdb")
    as_of = dt.date(2026, 6, 30)
    done: list[str] = []
    builds = [threading.Thread(target=lambda: (risk.learned(db, as_of), done.append("risk"))),
              threading.Thread(target=lambda: (outlook.cash_outlook(db, as_of, 4),
                                               done.append("outlook")))]
    with bulk.in_turn():   # a build under way
        for build in builds:
            build.start()
        for build in builds:
            build.join(3)
        assert done == []   # both wait for it
    for build in builds:
        build.join(120)
    assert sorted(done) == ["outlook", "risk"]
    with bulk.in_turn():   # kept now: read, not built, so not waiting for a turn
        ended = threading.Thread(target=lambda: risk.learned(db, as_of))
        ended.start()
        ended.join(30)
        assert not ended.is_alive()
