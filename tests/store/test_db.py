"""The store: migrations, transactions, and two real processes sharing one file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from metdash.errors import StoreBusy
from metdash.store import Database, migrate, snapshot
from metdash.store import db as dbmod

ROOT = Path(__file__).resolve().parents[2]


def test_missing_file_is_created_with_the_schema(tmp_path):
    db = Database(tmp_path / "sub" / "new.duckdb")
    assert not db.path.exists()
    tables = set(db.query("SELECT table_name FROM information_schema.tables").table_name)
    assert db.path.exists()
    assert {"claims", "claim_lines", "remittances", "claim_payments", "adjustments",
            "payers", "referrers", "audit_log", "schema_migrations"} <= tables


def test_migrations_are_recorded_and_idempotent(tmp_path):
    path = tmp_path / "m.duckdb"
    Database(path).scalar("SELECT 1")
    with Database(path).connect() as con:
        assert migrate.migrate(con) == []  # nothing left to apply on a second open
        versions = [r[0] for r in con.execute(
            "SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert versions == [v for v, _, _ in migrate.migrations()]
    assert versions[0] == 1


def test_money_is_decimal(tmp_path):
    db = Database(tmp_path / "d.duckdb")
    types = dict(db.query("SELECT column_name, data_type FROM information_schema.columns "
                          "WHERE table_name = 'claim_lines'").values)
    assert types["charge"] == "DECIMAL(12,2)"


def test_a_failed_transaction_leaves_the_store_as_it_was(tmp_path):
    db = Database(tmp_path / "t.duckdb")
    with db.transaction() as con:
        con.execute("INSERT INTO cpt_codes VALUES ('97110', 'Exercise', TRUE, FALSE, TRUE)")
    with pytest.raises(RuntimeError), db.transaction() as con:
        con.execute("INSERT INTO cpt_codes VALUES ('97112', 'Balance', TRUE, FALSE, TRUE)")
        raise RuntimeError("boom")
    assert db.query("SELECT cpt FROM cpt_codes").cpt.tolist() == ["97110"]


def test_audit_rows_record_who_and_what(tmp_path):
    db = Database(tmp_path / "a.duckdb")
    with db.transaction() as con:
        dbmod.audit(con, "tess", "create", "payers", 1, None, {"name": "Medicare"})
        dbmod.audit(con, "tess", "update", "payers", 1, {"name": "Medicare"}, {"name": "MCR"})
    log = db.query("SELECT audit_id, user_name, action, before, after FROM audit_log "
                   "ORDER BY audit_id")
    assert log.audit_id.tolist() == [1, 2]
    assert log.action.tolist() == ["create", "update"]
    assert '"MCR"' in log.after[1]


READER = textwrap.dedent("""
    import sys, time
    from metdash.store import Database
    db = Database(sys.argv[1], lock_wait=60)
    db.query("SELECT count(*) AS n FROM cpt_codes")
    print("ready", flush=True)  # it holds the file: the writers start now
    end = time.monotonic() + float(sys.argv[2])
    n = 1
    while time.monotonic() < end:
        db.query("SELECT count(*) AS n FROM cpt_codes")
        n += 1
    print(n)
""")

WRITER = textwrap.dedent("""
    import sys
    from metdash.store import Database
    db = Database(sys.argv[1], lock_wait=60)
    for i in range(int(sys.argv[2])):
        with db.transaction() as con:
            con.execute("INSERT INTO cpt_codes VALUES (?, 'x', TRUE, FALSE, TRUE)",
                        [f"{sys.argv[3]}{i:04d}"])
    print("ok")
""")


CRASH_AFTER_COMMIT = textwrap.dedent("""
    import os, sys
    from metdash.store import Database
    db = Database(sys.argv[1])
    with db.transaction() as con:
        con.execute("INSERT INTO cpt_codes VALUES ('97112', 'Balance', TRUE, FALSE, TRUE)")
    print(os.path.getsize(sys.argv[1] + ".wal"), flush=True)
    os._exit(0)  # no close, no checkpoint: as if the process were killed
""")


def test_a_commit_survives_a_crash_before_the_checkpoint(tmp_path):
    """The commit is in the write-ahead log; the next open replays it."""
    path = tmp_path / "crash.duckdb"
    Database(path).release()
    proc = subprocess.run([sys.executable, "-c", CRASH_AFTER_COMMIT, str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) > 0  # the write was left in the log, not in the file
    assert Database(path).scalar("SELECT string_agg(cpt) FROM cpt_codes") == "97112"


def test_release_folds_the_log_into_the_file(tmp_path):
    db = Database(tmp_path / "r.duckdb")
    with db.transaction() as con:
        con.execute("INSERT INTO cpt_codes VALUES ('97110', 'Exercise', TRUE, FALSE, TRUE)")
    wal = db.path.with_name(db.path.name + ".wal")
    assert wal.exists() and wal.stat().st_size > 0  # the commit went to the log only
    db.release()
    assert not wal.exists()
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.path.read_bytes())  # the file alone now holds everything
    assert Database(copy).scalar("SELECT string_agg(cpt) FROM cpt_codes") == "97110"


def test_the_stamp_moves_with_writes_not_with_checkpoints(tmp_path):
    """Caches key on store_stamp: a write changes it, folding the log in does not."""
    db = Database(tmp_path / "s.duckdb")
    db.release()
    empty = snapshot.store_stamp(db.path)
    with db.transaction() as con:
        con.execute("INSERT INTO cpt_codes VALUES ('97110', 'Exercise', TRUE, FALSE, TRUE)")
    written = snapshot.store_stamp(db.path)
    assert written != empty
    on_disk = snapshot.raw_stamp(db.path)
    db.release()  # the checkpoint rewrites the file and removes the log
    assert snapshot.raw_stamp(db.path) != on_disk
    assert snapshot.store_stamp(db.path) == written
    with db.transaction() as con:
        con.execute("INSERT INTO cpt_codes VALUES ('97112', 'Balance', TRUE, FALSE, TRUE)")
    assert snapshot.store_stamp(db.path) not in (empty, written)


def test_two_processes_share_the_file_without_lock_errors(tmp_path):
    """A dashboard-like reader and a command-line writer at the same time: both finish."""
    path = tmp_path / "shared.duckdb"
    Database(path).release()  # created and migrated; this process lets go of it
    # The reader reads for 8 s: it holds the file, hands it to the waiting writers after
    # HOLD_SECONDS, and reads again once they are done or hand it back in turn.
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), "8"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "ready", reader.stderr.read()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), "25", prefix],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for prefix in ("A", "B")]
    outs = [w.communicate(timeout=120) for w in writers]
    r_out, r_err = reader.communicate(timeout=120)
    for (out, err), w in zip(outs, writers, strict=True):
        assert w.returncode == 0, err
        assert out.strip() == "ok"
    assert reader.returncode == 0, r_err
    assert int(r_out.strip()) > 10  # the reader kept working while the writers wrote
    assert Database(path).scalar("SELECT count(*) FROM cpt_codes") == 50


def test_a_held_file_gives_a_clear_busy_error(tmp_path):
    path = tmp_path / "busy.duckdb"
    Database(path).scalar("SELECT 1")
    dbmod.release_file(path)  # our own idle handle would otherwise keep the other process out
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
         " time.sleep(5)", str(path)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    try:
        with pytest.raises(StoreBusy, match="busy"):
            Database(path, lock_wait=0.5).scalar("SELECT 1")
    finally:
        holder.kill()
        holder.wait()


def test_a_busy_handle_is_handed_back_only_when_another_process_waits(tmp_path, monkeypatch):
    """Past HOLD_SECONDS the handle is kept (a close loses DuckDB's cache) unless a process
    waiting to open the file has touched its .waiting marker lately."""
    monkeypatch.setattr(dbmod, "HOLD_SECONDS", 0.1)
    monkeypatch.setattr(dbmod, "GAP_SECONDS", 0.01)
    path = tmp_path / "hold.duckdb"
    db = Database(path)
    db.scalar("SELECT 1")
    holder = dbmod._holder(path)
    first = holder.con
    time.sleep(0.2)
    db.scalar("SELECT 1")
    assert holder.con is first  # nobody waits: kept
    dbmod._waiting_marker(path).touch()
    time.sleep(0.2)
    db.scalar("SELECT 1")
    assert holder.con is not first  # a waiter: closed, a moment free, reopened
    dbmod._waiting_marker(path).unlink()


def test_threads_share_one_handle_and_it_closes_when_idle(tmp_path, monkeypatch):
    import threading

    monkeypatch.setattr(dbmod, "IDLE_SECONDS", 0.2)
    path = tmp_path / "idle.duckdb"
    db = Database(path)
    results = []

    def work():
        results.append(db.scalar("SELECT count(*) FROM payers"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [0] * 8
    time.sleep(0.6)
    # Idle: the file is free for another process again.
    out = subprocess.run([sys.executable, "-c",
                          "import duckdb, sys; duckdb.connect(sys.argv[1]).close(); print('ok')",
                          str(path)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def _setting(db: Database, name: str) -> str:
    return db.scalar("SELECT current_setting(?)", [name])


def test_duckdb_works_within_the_memory_it_is_given(tmp_path, monkeypatch):
    monkeypatch.delenv("METDASH_MEMORY_LIMIT", raising=False)
    db = Database(tmp_path / "a.duckdb")
    assert _setting(db, "memory_limit") == "953.6 MiB"   # MEMORY_LIMIT, 1 GB
    assert _setting(db, "allocator_background_threads") is True   # freed memory returned
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "600MB")
    db = Database(tmp_path / "b.duckdb")
    assert _setting(db, "memory_limit") == "572.2 MiB"
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "none")   # DuckDB's own: 80 % of the memory
    db = Database(tmp_path / "c.duckdb")
    assert _setting(db, "memory_limit") == _setting(Database(tmp_path / "d.duckdb"),
                                                   "max_memory")


def test_a_memory_limit_that_is_not_a_size_says_how_to_write_one(tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "lots")
    with pytest.raises(dbmod.StoreError, match="METDASH_MEMORY_LIMIT='lots' is not a size: "
                                               "write it as 600MB or 2GB"):
        Database(tmp_path / "a.duckdb").scalar("SELECT 1")


def test_what_passes_the_memory_limit_is_spilled_to_a_private_folder(tmp_path, monkeypatch):
    """A query needing more than the limit spills and completes; the folder it spills to is
    beside the store and only its owner can open it (DuckDB's own would be mode 0755)."""
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "100MB")
    db = Database(tmp_path / "s.duckdb")
    spill = tmp_path / "s.duckdb.tmp"
    assert _setting(db, "temp_directory") == str(spill)
    assert spill.stat().st_mode & 0o777 == 0o700
    rows = db.scalar("""
        SELECT count(*) FROM (
            SELECT s, count(*) FROM (
                SELECT i::VARCHAR || '-some-padding-to-make-it-wide' AS s FROM range(3000000) t(i))
            GROUP BY s)""")
    assert rows == 3000000


def test_a_query_that_cannot_fit_the_memory_limit_says_which_setting_to_raise(
        tmp_path, monkeypatch):
    monkeypatch.setenv("METDASH_MEMORY_LIMIT", "30MB")
    db = Database(tmp_path / "o.duckdb")
    with pytest.raises(dbmod.StoreError, match=r"more memory than metdash lets the database "
                                               r"use \(30MB; DuckDB: Out of Memory Error.*"
                                               r"Set METDASH_MEMORY_LIMIT higher"):
        db.scalar("SELECT len(list(i)) FROM range(20000000) t(i)")  # one 160 MB value
    assert db.scalar("SELECT 1") == 1   # the store is still there to use


def test_an_idle_handle_is_kept_until_another_process_waits(tmp_path, monkeypatch):
    """The app server keeps its idle handle (DuckDB's cache with it) for as long as
    IDLE_SECONDS, yet a process waiting for the file gets it within a poll or two, and
    what it writes is read on the next use."""
    monkeypatch.setattr(dbmod, "IDLE_SECONDS", 60.0)
    path = tmp_path / "kept.duckdb"
    db = Database(path)
    db.scalar("SELECT 1")
    holder = dbmod._holder(path)
    first = holder.con
    time.sleep(0.5)
    assert holder.con is first   # idle, nobody waits: kept
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c",
         "import sys\nfrom metdash.store import Database\n"
         "db = Database(sys.argv[1], lock_wait=10)\n"
         "with db.transaction() as con:\n"
         "    con.execute('CREATE TABLE written_elsewhere AS SELECT 1 AS a')\n"
         "db.release()\nprint('ok')", str(path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.stdout.strip() == "ok", out.stderr
    assert time.monotonic() - started < 8   # not the 10 s lock wait, not the 60 s idle
    assert holder.con is not first
    assert db.scalar("SELECT count(*) FROM written_elsewhere") == 1


def test_a_handle_opened_again_after_the_watcher_closed_it_is_watched_again(tmp_path,
                                                                           monkeypatch):
    """The watcher that closed a handle says so under the handle's lock, so an open right
    after it starts a watcher of its own (checking the thread's is_alive() raced with a
    watcher that had closed the handle and was still ending: the handle, reopened, was then
    kept for good and a waiting import timed out)."""
    monkeypatch.setattr(dbmod, "IDLE_SECONDS", 0.2)
    path = tmp_path / "again.duckdb"
    db = Database(path)
    db.scalar("SELECT 1")
    holder = dbmod._holder(path)
    deadline = time.monotonic() + 5
    while holder.con is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert holder.con is None and not holder.watching
    db.scalar("SELECT 1")   # opened again: watched again, closed again when idle
    assert holder.watching
    deadline = time.monotonic() + 5
    while holder.con is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert holder.con is None


TRY_OPEN = textwrap.dedent("""
    import sys, duckdb
    try:
        duckdb.connect(sys.argv[1]).close()
        print("opened")
    except duckdb.Error as exc:
        print("refused" if "lock" in str(exc).lower() else repr(exc))
""")


def test_a_backup_keeps_the_file_locked_against_other_processes(tmp_path):
    """DuckDB locks its file with POSIX record locks, which a process loses on *every*
    descriptor of the file the moment it closes any one of them. The backup copied the held
    file through Python's own open(): after it, the dashboard still had the file open, yet
    `metdash import-835` in another process opened it as well, and its first checkpoint died
    on the log's lock (a new-user trial: "FATAL Error: Failed to create checkpoint"). Two
    writers on one file is how a store gets damaged: the copy is made by a child process."""
    from metdash.store import backup

    db = Database(tmp_path / "held.duckdb")
    with db.transaction() as con:
        con.execute("CREATE TABLE scratch AS SELECT range AS x FROM range(1000)")
    with db.connect():
        copy = backup.backup(db, tmp_path / "backups")
        other = subprocess.run([sys.executable, "-c", TRY_OPEN, str(db.path)],
                               capture_output=True, text=True, timeout=60)
        assert other.stdout.strip() == "refused", other.stdout + other.stderr
    assert copy.stat().st_size > 0 and (copy.stat().st_mode & 0o777) == 0o600
    db.release()
    assert snapshot.read_whole(copy) >= 1
