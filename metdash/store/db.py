"""The store: one DuckDB file, opened briefly for each piece of work.

DuckDB lets one process at a time hold a database file (even read-only). The dashboard
and a scheduled ``metdash import-835`` must share the file, so no process keeps it for
long: the first :meth:`Database.connect` of a process opens the file (retrying while
another process holds it) and every thread then works on its own cursor of that one
handle. A process waiting to open the file says so by touching ``<file>.waiting`` while it
polls. The handle is closed once it has been idle for ``IDLE_SECONDS``, or as soon as it is
idle while another process waits; a busy handle is handed back after ``HOLD_SECONDS`` when
another process waits (its users finish, it closes, and waits ``GAP_SECONDS`` before
reopening), so a writer in another process always gets its turn. Without a waiter the handle
stays open: a close loses DuckDB's buffer cache, and the next queries read the file again
(an open costs 15-75 ms, and a page's first queries after it took 30-55 ms more at 1M claim
lines). Commands keep an idle handle 2 s; the app server, whose visitor reads a page before
the next click, a minute (:func:`hold_idle_handles`, called by serve.py).

Reads go through :meth:`Database.query` (a DataFrame via Arrow, which is far faster than
``.df()`` on text columns); writes go through :meth:`Database.transaction`, one
transaction per user action, rolled back whole on any error. A commit is durable in
DuckDB's write-ahead log (``<file>.wal``, part of the store: copy the file only through
:mod:`metdash.store.backup`, or with no process holding it); the log is folded into the file
when the handle closes (see ``CHECKPOINT_THRESHOLD``).

A store file metdash creates is readable by its owner only (mode 0600), and its log always
has the store's own mode (:func:`private_log`): both hold patient information.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import errno
import json
import os
import random
import re
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from metdash.errors import StoreBusy, StoreError
from metdash.store import facts
from metdash.store.migrate import backup_before_migrating, migrate
from metdash.store.rows import insert_rows
from metdash.store.snapshot import (
    make_private,
    make_private_dir,
    match_mode,
    raw_stamp,
    same_content,
)

DEFAULT_DB = Path("data") / "demo.duckdb"
LOCK_WAIT_SECONDS = 30.0
IDLE_SECONDS = 2.0   # close the shared handle after this long unused (hold_idle_handles)
APP_IDLE_SECONDS = 60.0   # the app server's (serve.py)
IDLE_POLL_SECONDS = 0.25   # how often an idle handle looks for a process waiting for the file
HOLD_SECONDS = 5.0   # hand a busy handle back after this long, so other processes get a turn
GAP_SECONDS = 0.15   # how long a handed-back file stays free before we reopen it
WAITER_FRESH_SECONDS = 1.0  # a .waiting marker older than this is left over, not a waiter
# A commit writes DuckDB's write-ahead log (<file>.wal, fsynced: the write is durable) and
# the log is folded into the file by a checkpoint: when the handle closes (idle, handed to
# another process, or at exit), before a backup, or once the log passes this size. DuckDB's
# default (16 MiB) checkpointed inside the commit of nearly every 835 import, and a
# checkpoint rewrites the tail of every table written and merges row groups with deleted
# rows: 0.1-0.7 s of a 10,000-claim import at 1M lines, where one checkpoint after three
# such imports took 0.26 s. Until the checkpoint the changes also sit in memory, which
# this size bounds.
CHECKPOINT_THRESHOLD = "128MiB"
# DuckDB's memory for the whole process (every session's queries share it); past it, joins,
# aggregates and sorts spill to ``<file>.tmp``. DuckDB's own, 80 % of the machine, took a 5M
# store's first risk learning to 2.2 GB; 400 MB made 5M Work lists 1.2-1.45 s (NOTES.md).
MEMORY_LIMIT = "1GB"


def default_db_path() -> Path:
    """The database file: ``$METDASH_DB``, else ``data/demo.duckdb``."""
    env = os.environ.get("METDASH_DB", "").strip()
    return Path(env) if env else DEFAULT_DB


def lock_wait_default() -> float:
    """Seconds to wait for a file another process holds: ``$METDASH_LOCK_WAIT`` (default 30)."""
    try:
        return max(0.0, float(os.environ.get("METDASH_LOCK_WAIT", "") or LOCK_WAIT_SECONDS))
    except ValueError:
        return LOCK_WAIT_SECONDS


def memory_limit_default() -> str:
    """DuckDB's memory limit: ``$METDASH_MEMORY_LIMIT`` ("600MB", "2GB"; "none": DuckDB's
    own, 80 % of the machine's memory), else :data:`MEMORY_LIMIT`."""
    value = os.environ.get("METDASH_MEMORY_LIMIT", "").strip()
    return value or MEMORY_LIMIT


_SIZE_UNITS = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def size_bytes(value: str) -> int | None:
    """The bytes of a memory size as DuckDB reads one ("600MB", "1.5 GB", "2GiB"); None for
    what is not a size."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b)\s*", value, re.IGNORECASE)
    return int(float(found[1]) * _SIZE_UNITS[found[2].lower()]) if found else None


def _limit_sql(value: str) -> str | None:
    """The SET statement for a memory limit; None for "none"; StoreError for what is not a
    size."""
    if value.lower() == "none":
        return None
    if size_bytes(value) is None:
        raise StoreError(f"METDASH_MEMORY_LIMIT={value!r} is not a size: write it as 600MB "
                         "or 2GB, or none for DuckDB's own limit")
    return f"SET memory_limit = '{value}'"


def _spill_sql(path: Path) -> str | None:
    """The SET statement for ``<file>.tmp``, DuckDB's own place for what it spills, made mode
    0700 when missing; None when it cannot be made (a read-only folder: nothing can be
    spilled there anyway)."""
    try:
        folder = make_private_dir(path.with_name(path.name + ".tmp"))
    except OSError:
        return None
    return "SET temp_directory = '{}'".format(str(folder).replace("'", "''"))


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


# One encoder for every call: json.dumps with options builds a new one each time, which was
# most of the cost of an 835's ten thousand audit rows.
_ENCODER = json.JSONEncoder(default=_json_default, sort_keys=True)


class JSONText(str):
    """Text :func:`to_json` already made: the audit log takes it as it is. (An 835 writes one
    status row per claim, nearly all alike: encoding each distinct value once saves the
    encoder's ~3 µs per row.)"""

    @classmethod
    def of(cls, value: Any) -> JSONText:
        return cls(_ENCODER.encode(value))


def to_json(value: Any) -> str | None:
    """JSON text for the audit log (Decimals as strings, dates ISO)."""
    if value is None:
        return None
    if isinstance(value, JSONText):
        return value
    return _ENCODER.encode(value)


class Database:
    """The practice's DuckDB file.

    ``Database(path)`` does not touch the file; the first :meth:`connect` creates it if
    missing and applies pending migrations.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None,
                 lock_wait: float | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.lock_wait = lock_wait if lock_wait is not None else lock_wait_default()
        self.memory_limit = memory_limit_default()
        self._migrated = False
        self._migrate_lock = threading.Lock()
        # Bumped after every write from this process, so caches can key on it.
        self.generation = 0

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    # -- opening ---------------------------------------------------------------------
    def _open(self) -> duckdb.DuckDBPyConnection:
        limit = _limit_sql(self.memory_limit)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_wait
        delay = 0.01
        marker = _waiting_marker(self.path)
        waited = False
        try:
            while True:
                new = not self.path.exists()
                try:
                    con = duckdb.connect(str(self.path))
                    if new:  # DuckDB made the file with the process's umask (often 0644)
                        make_private(self.path)
                    private_log(self.path)
                    # A setting, not connect()'s config: a plain duckdb.connect() of the
                    # same file in this process (tests, tools) then shares the instance.
                    con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
                    # Where DuckDB spills past its memory limit: patient rows, so a folder
                    # only the owner opens (DuckDB's own is 0755). An instance that already
                    # spilled (a tool opened it first) keeps its own: DuckDB refuses a change.
                    spill = _spill_sql(self.path)
                    with contextlib.suppress(duckdb.Error):
                        if spill is not None:
                            con.execute(spill)
                    if limit is not None:
                        con.execute(limit)
                    # Memory DuckDB frees goes back to the system at once, not when the next
                    # query allocates (5M Denial risk: a 1,596 -> 1,468 MB peak).
                    con.execute("SET allocator_background_threads = true")
                    return con
                except duckdb.Error as exc:
                    if not _is_lock_error(exc):
                        raise damaged(self.path, exc) from exc
                    if time.monotonic() >= deadline:
                        raise StoreBusy(
                            f"The database {self.path} has been busy for {self.lock_wait:.0f} s "
                            "(another metdash process is writing to it). Try again in a moment."
                        ) from exc
                    waited = _touch(marker) or waited  # "a process is waiting for the file"
                    time.sleep(delay + random.uniform(0, delay))
                    # Poll more often than another process's GAP_SECONDS, to catch its turn.
                    delay = min(delay * 2, GAP_SECONDS / 3)
        finally:
            if waited:
                with contextlib.suppress(OSError):
                    marker.unlink(missing_ok=True)

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own (a cursor of the process's shared handle on the file,
        opened and migrated when needed); given back when the block ends."""
        holder = _holder(self.path)
        con = holder.acquire(self._open)
        try:
            if not self._migrated:
                with self._migrate_lock:
                    if not self._migrated:
                        try:
                            backup_before_migrating(con, self.path)
                            migrate(con)
                        except duckdb.Error as exc:
                            # A file DuckDB opens but whose tables cannot be read (cut
                            # short, overwritten): not a store to work on.
                            raise damaged(self.path, exc) from exc
                        private_log(self.path)
                        self._migrated = True
            yield con
        except duckdb.IOException as exc:
            # The file failed under a read or a write: a damaged file, a full disk.
            raise store_failure(self.path, exc) from exc
        except duckdb.OutOfMemoryException as exc:
            raise StoreError(
                f"This needed more memory than metdash lets the database use "
                f"({self.memory_limit}; DuckDB: {_first_line(exc)}). Set METDASH_MEMORY_LIMIT "
                "higher (for example 2GB, or none for DuckDB's own limit) and start metdash "
                "again." if _limit_sql(self.memory_limit) is not None else
                f"This needed more memory than this machine lets the database use (DuckDB: "
                f"{_first_line(exc)}). Close other programs, or run metdash on a machine with "
                "more memory.") from exc
        finally:
            holder.release(con)

    def release(self) -> None:
        """Close this process's handle on the file now (waiting for its users); the close
        folds the write-ahead log in, so the file alone is then complete and can be copied."""
        release_file(self.path)

    # -- reading ---------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None,
              *, categories: bool = False, few: bool = False) -> pd.DataFrame:
        """Run one read query with bound parameters; the result as a DataFrame
        (``categories``, ``few``: as :func:`fetch_df`)."""
        with self.connect() as con:
            return fetch_df(con, sql, params, categories=categories, few=few)

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row (None when there is no row)."""
        with self.connect() as con:
            row = con.execute(sql, params or []).fetchone()
            return None if row is None else row[0]

    # -- writing ---------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, bookkeeping: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: committed when the block ends, rolled back on any error.

        Writers in this process take turns (two browser sessions saving at the same moment
        would otherwise both compute the same next audit_id, and DuckDB would refuse one
        at commit); other processes wait for the file itself.

        ``bookkeeping``: the block writes only what no cached result reads (a sign-in's
        ``users`` row and its audit row), so the store's stamp stays the one from before
        it (:func:`metdash.store.snapshot.same_content`) and the app's cached figures stay
        valid: every sign-in made every figure of every session be computed again.
        """
        with _write_lock(self.path), self.connect() as con:
            before = raw_stamp(self.path) if bookkeeping else None
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                facts.sync(con)
                facts.verify_if_asked(con)
                _test_pause_in_transaction()
            except BaseException as exc:
                facts.forget(con)
                with contextlib.suppress(duckdb.Error):  # a failed write may have ended it
                    con.execute("ROLLBACK")
                if _is_write_failure(exc):
                    raise store_failure(self.path, exc) from exc
                raise
            else:
                # Durable once the write-ahead log is on disk; the log is folded into the
                # file later (see CHECKPOINT_THRESHOLD), not on the writer's time.
                try:
                    con.execute("COMMIT")
                except duckdb.Error as exc:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("ROLLBACK")
                    if _is_write_failure(exc):
                        raise store_failure(self.path, exc) from exc
                    raise
                private_log(self.path)  # the commit may have made the log anew
                self.generation += 1
                if before is not None:  # still under the lock: no other write in between
                    same_content(self.path, before)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].rstrip(".!") if lines else type(exc).__name__


def damaged(path: Path, exc: BaseException) -> StoreError:
    """The error for a file that is not a readable metdash store (garbage, cut short)."""
    return StoreError(
        f"Cannot open the database {path}: {_first_line(exc)}. The file is damaged or is not "
        f"a metdash database: restore the latest backup (metdash restore --db {path} --from "
        "BACKUP; backups are in the backups folder beside it).")


def _is_write_failure(exc: BaseException) -> bool:
    """True for the file system refusing a write (a full disk, a failing drive), not for a
    refusal of metdash's own."""
    if isinstance(exc, OSError):
        return exc.errno in _WRITE_ERRNOS
    return isinstance(exc, duckdb.IOException)


# A full disk, a full quota, a failing drive, a drive gone read-only.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS}


def store_failure(path: Path, exc: BaseException) -> StoreError:
    """The error for the file system failing the store: a read of a damaged file, or a save
    it refused (a full disk: nothing was saved)."""
    text = str(exc).lower()
    if "read" in text and "writ" not in text:
        return damaged(path, exc)
    return StoreError(
        f"The database {path} could not be written ({_first_line(exc)}): nothing was saved. "
        "If the disk is full, free some disk space; then try again.")


def private_log(path: str | os.PathLike[str]) -> None:
    """Give the store's write-ahead log (``<file>.wal``, when there is one) the store's own
    permission bits. DuckDB makes the log with the process's umask, anew after every
    checkpoint (which deletes it), so this follows every commit: a store made by metdash is
    0600, and so is its log, which holds the latest changes in full."""
    match_mode(f"{os.fspath(path)}.wal", path)


def _waiting_marker(path: str | os.PathLike[str]) -> Path:
    return Path(f"{path}.waiting")


def _touch(marker: Path) -> bool:
    try:
        marker.touch()
        return True
    except OSError:
        return False  # a read-only folder: the holder then keeps the file until it idles


class _Holder:
    """This process's one open handle on a database file, shared by its threads."""

    def __init__(self, path: str = "") -> None:
        self.path = path
        self.marker = _waiting_marker(path)
        self.cond = threading.Condition()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.users = 0
        self.opened_at = 0.0
        self.last_used = 0.0
        self.draining = False
        self.watching = False  # a watcher thread runs (set and cleared under cond)

    def acquire(self, opener: Any) -> duckdb.DuckDBPyConnection:
        with self.cond:
            while self.draining:
                self.cond.wait()
            if self.con is not None and time.monotonic() - self.opened_at > HOLD_SECONDS \
                    and self._someone_waits():
                # Held long enough and another process waits: let the current users finish,
                # then give the file back for a moment, so it gets its turn.
                self.draining = True
                try:
                    while self.users > 0:
                        self.cond.wait()
                    self._close()
                    time.sleep(GAP_SECONDS)
                finally:
                    self.draining = False
                    self.cond.notify_all()
            if self.con is None:
                self.con = opener()
                self.opened_at = time.monotonic()
                self.last_used = self.opened_at
                if not self.watching:   # not is_alive(): a watcher that has just closed
                    self.watching = True  # the handle may not have ended yet, and returns
                    threading.Thread(target=self._watch, daemon=True,
                                     name="metdash-store-idle").start()
            self.users += 1
            try:
                return self.con.cursor()
            except BaseException:
                self.users -= 1
                raise

    def _someone_waits(self) -> bool:
        try:
            return time.time() - self.marker.stat().st_mtime < WAITER_FRESH_SECONDS
        except OSError:
            return False

    def release(self, cursor: duckdb.DuckDBPyConnection) -> None:
        try:
            cursor.close()
        finally:
            with self.cond:
                self.users -= 1
                self.last_used = time.monotonic()
                self.cond.notify_all()

    def _watch(self) -> None:
        """While the handle is open: close it once it has been unused for IDLE_SECONDS, or
        at once when unused and another process waits for the file (a busy handle is handed
        back in :meth:`acquire`). Polled: a waiter only touches a file."""
        with self.cond:
            try:
                while self.con is not None:
                    if self.users == 0 and time.monotonic() - self.last_used >= IDLE_SECONDS:
                        self._close()
                        return
                    if self.users == 0 and self._someone_waits():
                        self._close()
                        time.sleep(GAP_SECONDS)   # the file free a moment, as in acquire()
                        return
                    self.cond.wait(min(IDLE_POLL_SECONDS, IDLE_SECONDS))
            finally:
                self.watching = False   # under cond: the next open starts another

    def close_now(self) -> None:
        """Close the handle as soon as its current users are done (before the file is
        replaced, e.g. by a restore)."""
        with self.cond:
            while self.users > 0:
                self.cond.wait()
            self._close()

    def _close(self) -> None:
        if self.con is not None:
            before = raw_stamp(self.path)
            try:
                self.con.close()  # checkpoints: folds the write-ahead log into the file
            finally:
                self.con = None
                same_content(self.path, before)


_HOLDERS: dict[str, _Holder] = {}
_HOLDERS_GUARD = threading.Lock()


def _close_all_at_exit() -> None:
    """Close every shared handle while the interpreter is still whole: a DuckDB connection
    left to a daemon thread or to finalization can abort the process at exit."""
    with _HOLDERS_GUARD:
        holders = list(_HOLDERS.values())
    for holder in holders:
        with holder.cond:
            holder.users = 0
            holder._close()


atexit.register(_close_all_at_exit)


def _holder(path: Path) -> _Holder:
    key = os.path.abspath(path)
    with _HOLDERS_GUARD:
        if key not in _HOLDERS:
            _HOLDERS[key] = _Holder(key)
        return _HOLDERS[key]


def hold_idle_handles(seconds: float) -> None:
    """Keep this process's idle handles open this long (``IDLE_SECONDS``), unless another
    process waits for the file: the app server keeps DuckDB's cache between a visitor's
    clicks."""
    global IDLE_SECONDS
    IDLE_SECONDS = float(seconds)


def release_file(path: str | os.PathLike[str]) -> None:
    """Close this process's handle on ``path`` now (waiting for its users): call before
    replacing or deleting the file."""
    _holder(Path(path)).close_now()


_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(path: Path) -> threading.RLock:
    """The one write lock of this process for the database file at ``path``."""
    key = os.path.abspath(path)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.RLock())


def _test_pause_in_transaction() -> None:
    """TEST ONLY (tests/security): with ``METDASH_TEST_PAUSE_IN_TX=<marker file>`` set, a
    write touches the marker and sleeps just before COMMIT, so a test can SIGKILL the
    process inside its transaction. Never set it outside the test suite."""
    marker = os.environ.get("METDASH_TEST_PAUSE_IN_TX")
    if marker:
        Path(marker).touch()
        time.sleep(float(os.environ.get("METDASH_TEST_PAUSE_SECONDS", "60")))


# fetch_df(few=True) takes a small result's Arrow copy from the DB-API on purpose (see there);
# DuckDB warns of that copy to the calling module, so only this module's warning is dropped.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result",
                        category=UserWarning, module=re.escape(__name__))


def fetch_df(con: duckdb.DuckDBPyConnection, sql: str,
             params: Sequence[Any] | Mapping[str, Any] | None = None, *,
             categories: bool = False, few: bool = False) -> pd.DataFrame:
    """A query's result as a DataFrame, through Arrow (much faster than ``.df()``);
    ``categories``: text as categories in the order text sorts in (far less memory for many
    rows of few values; a sort of the frame is the same as of the text).

    ``few``: the result is a few thousand rows at most (a work list). DuckDB's relation API
    binds a statement once to learn its columns and again to run it; the DB-API runs it
    once and then copies the rows into Arrow. For a long statement with a short result the
    second bind costs more than the copy: the 17 work lists at 1M claim lines, one by one,
    231 against 254 ms (the page ~10 ms sooner); for a large result the copy costs more
    (every claim line: 81 against 54 ms)."""
    # On the connection itself: a cursor would not see the open transaction's own writes.
    if few:
        table = con.execute(sql, params or []).to_arrow_table()
    else:
        table = con.sql(sql, params=params or None).to_arrow_table()
    if not categories:
        return table.to_pandas()
    frame = table.to_pandas(strings_to_categorical=True)
    for col in frame.select_dtypes("category").columns:
        frame[col] = frame[col].cat.reorder_categories(sorted(frame[col].cat.categories))
    return frame


def next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    """The next free integer id of ``table.column`` (call inside the write transaction)."""
    # table/column are ours, never user input.
    # fetchall, not fetchone: a half-read result blocks register/append on this connection.
    rows = con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchall()
    return int(rows[0][0])


def audit(con: duckdb.DuckDBPyConnection, user: str, action: str, table: str,
          key: str | int, before: Any = None, after: Any = None) -> None:
    """Record one change in the audit log (inside the change's own transaction)."""
    con.execute(
        "INSERT INTO audit_log (audit_id, user_name, action, table_name, record_key, before, after)"
        " VALUES ((SELECT coalesce(max(audit_id), 0) + 1 FROM audit_log), ?, ?, ?, ?, ?, ?)",
        [user, action, table, str(key), to_json(before), to_json(after)],
    )


AUDIT_COLUMNS = ("audit_id", "changed_at", "user_name", "action", "table_name", "record_key",
                 "before", "after")


def audit_many(con: duckdb.DuckDBPyConnection, user: str,
               entries: Sequence[tuple[str, str, str | int, Any, Any]],
               when: dt.datetime | None = None) -> int:
    """Record many changes in the audit log at once (inside their transaction): each entry is
    ``(action, table, key, before, after)``, as for :func:`audit`; one bulk insert."""
    if not entries:
        return 0
    first = con.execute("SELECT coalesce(max(audit_id), 0) + 1 FROM audit_log").fetchall()[0][0]
    when = when or dt.datetime.now()
    rows = [(first + i, when, user, action, table, str(key), to_json(before), to_json(after))
            for i, (action, table, key, before, after) in enumerate(entries)]
    return insert_rows(con, "audit_log", AUDIT_COLUMNS, rows)


def row_dicts(con: duckdb.DuckDBPyConnection, sql: str,
              params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts (for the small reads of forms and rules)."""
    res = con.execute(sql, params or [])
    names = [d[0] for d in res.description]
    return [dict(zip(names, row, strict=True)) for row in res.fetchall()]
