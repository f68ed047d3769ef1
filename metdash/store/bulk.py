"""One bulk write past the database's memory limit (``METDASH_MEMORY_LIMIT``).

DuckDB spills a query's joins, sorts and aggregates past its memory limit, but not a
transaction's own uncommitted writes: generating the demo practice is one transaction (a
failed demo leaves the file as it was), and at 1M claim lines it needs ~2 GB. Under the
default 1GB limit it failed ("This needed more memory than metdash lets the database use"),
so ``make bench`` and ``metdash demo --claim-lines 1000000`` did.

:func:`lifted` lets such a write use DuckDB's own limit (80 % of the machine's memory) while
it runs, and sets metdash's limit again when the last one ends. The limit is the process's
(one DuckDB instance per file): pages served meanwhile may use more too, for that while.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from metdash.store.db import Database

_lock = threading.Lock()
_lifted: dict[Path, int] = {}   # per store path: bulk writes running now


@contextlib.contextmanager
def lifted(db: Database) -> Iterator[None]:
    """DuckDB's own memory limit for the block's writes (see the module doc); metdash's
    again after it, once no other :func:`lifted` block of the same store runs. Nothing
    changes when metdash sets no limit (``METDASH_MEMORY_LIMIT=none``)."""
    if db.memory_limit.strip().lower() == "none":
        yield
        return
    # A connection held for the whole block keeps the process's handle on the file open:
    # a handle opened again would set metdash's limit at once.
    with db.connect() as con:
        with _lock:
            _lifted[db.path] = _lifted.get(db.path, 0) + 1
            con.execute("RESET memory_limit")
        try:
            yield
        finally:
            with _lock:
                _lifted[db.path] -= 1
                if not _lifted[db.path]:
                    del _lifted[db.path]
                    _restore(con, db.memory_limit)


def _restore(con: duckdb.DuckDBPyConnection, limit: str) -> None:
    """metdash's limit again; DuckDB frees memory down to it first (the written blocks are
    on disk after a checkpoint). Left lifted, not failed, when it cannot: the write is done."""
    for attempt in range(2):
        try:
            con.execute(f"SET memory_limit = '{limit}'")
            return
        except duckdb.Error:
            if attempt == 0:
                with contextlib.suppress(duckdb.Error):
                    con.execute("CHECKPOINT")
    logging.getLogger(__name__).warning(
        "The database's memory limit could not be set back to %s after a bulk write: it "
        "stays at DuckDB's own until metdash opens the file again.", limit)
