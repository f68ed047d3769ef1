"""The database's memory limit (``METDASH_MEMORY_LIMIT``) moved for one piece of work.

DuckDB's memory limit is the process's (one DuckDB instance per file), set when the file is
opened (:class:`metdash.store.Database`). Two kinds of work want another for their while:

- :func:`lifted`, a bulk write: DuckDB spills a query's joins, sorts and aggregates past
  its limit, but not a transaction's own uncommitted writes. Generating the demo practice
  is one transaction (a failed demo leaves the file as it was), and at 1M claim lines it
  needs ~2 GB: under the default 1GB it failed ("This needed more memory than metdash lets
  the database use"), so ``make bench`` and ``metdash demo --claim-lines 1000000`` did. It
  runs under DuckDB's own limit (80 % of the machine's memory).
- :func:`bounded`, a heavy read built once and kept (the denial-risk model's counts, the
  cash forecast's history): DuckDB fills its limit with the blocks it reads, so on a 5M-line
  store each took the page's process ~1 GB above its own memory. It runs under half the
  limit (:func:`build_limit`), and spills the rest.

The limit comes back when the last such block of the store ends (a bulk write wins over a
heavy read). Pages served meanwhile share the moved limit for that while.

Heavy builds also take turns (:func:`in_turn`): one at a time in a process, its read and the
arrays made from it. Two at once (the cash outlook built for a new store in the background
while a visitor's page learns the risk model) added their arrays up: the 5M Denial risk
page's process peaked at 1,132 MB where either build alone peaked at ~900 MB.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from metdash.store.db import Database, size_bytes

_lock = threading.Lock()
_turn = threading.RLock()   # one heavy build at a time in this process (in_turn)
_running: dict[Path, list[int]] = {}   # per store path: [bulk writes, heavy reads] running now


def build_limit(limit: str) -> str | None:
    """Half of a memory limit written as metdash's setting is ("1GB" -> "500MB"); None for
    "none" or what is not a size."""
    size = size_bytes(limit)
    return None if size is None else f"{size // 2 // 10**6}MB"


@contextlib.contextmanager
def lifted(db: Database) -> Iterator[None]:
    """DuckDB's own memory limit for the block's writes (see the module doc)."""
    with _moved(db, 0):
        yield


@contextlib.contextmanager
def bounded(db: Database) -> Iterator[None]:
    """Half the memory limit for the block's reads (see the module doc)."""
    with _moved(db, 1):
        yield


@contextlib.contextmanager
def in_turn() -> Iterator[None]:
    """One heavy build at a time in this process: the block waits for the one under way
    (each takes both cores, so two at once end no sooner than one after the other; their
    memory adds up). Re-entrant: a build within a build does not wait for itself."""
    with _turn:
        yield


def _statement(db: Database, running: list[int]) -> str:
    if running[0]:
        return "RESET memory_limit"
    half = build_limit(db.memory_limit)
    return f"SET memory_limit = '{half if running[1] and half else db.memory_limit}'"


@contextlib.contextmanager
def _moved(db: Database, kind: int) -> Iterator[None]:
    if db.memory_limit.strip().lower() == "none":  # DuckDB's own limit throughout
        yield
        return
    # A connection held for the whole block keeps the process's handle on the file open:
    # a handle opened again would set metdash's limit at once.
    with db.connect() as con:
        with _lock:
            running = _running.setdefault(db.path, [0, 0])
            running[kind] += 1
            _apply(con, _statement(db, running))
        try:
            yield
        finally:
            with _lock:
                running[kind] -= 1
                _apply(con, _statement(db, running))
                if running == [0, 0]:
                    del _running[db.path]


def _apply(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Set the limit; DuckDB frees memory down to a lower one first (written blocks are on
    disk after a checkpoint). Left as it was, not failed, when it cannot: the work goes on."""
    for attempt in range(2):
        try:
            con.execute(statement)
            return
        except duckdb.Error:
            if attempt == 0:
                with contextlib.suppress(duckdb.Error):
                    con.execute("CHECKPOINT")
    logging.getLogger(__name__).warning(
        "The database's memory limit could not be moved (%s): it stays as it was.", statement)
