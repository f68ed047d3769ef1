"""Schema migrations: numbered SQL files in ``metdash/store/migrations/``, applied in order.

Each migration runs in its own transaction and is recorded in ``schema_migrations``; a file
that already holds data is backed up first (:func:`metdash.store.snapshot.copy_held`, reason
``before-migration``). A migration that adds or changes a derived table says so on a line of
its own::

    -- metdash: rebuild-facts

and the facts (:mod:`metdash.store.facts`) are then recomputed for every claim once the
pending migrations are applied.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb

from metdash.store import facts
from metdash.store.snapshot import backup_dir, copy_held

REBUILD_FACTS = "-- metdash: rebuild-facts"


def migrations() -> list[tuple[int, str, str]]:
    """Every migration shipped with metdash as ``(version, name, sql)``, oldest first."""
    found = []
    for entry in resources.files("metdash.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name[5:-4], entry.read_text(encoding="utf-8")))
    return sorted(found)


def rebuilds_facts(sql: str) -> bool:
    """True when a migration's text asks for the facts to be rebuilt after it."""
    return any(line.strip() == REBUILD_FACTS for line in sql.splitlines())


def _applied(con: duckdb.DuckDBPyConnection) -> set[int] | None:
    try:
        return {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    except duckdb.Error:
        return None  # a new file


def backup_before_migrating(con: duckdb.DuckDBPyConnection, path: Path) -> Path | None:
    """Back the file up when it holds data and a migration is pending; the copy's path."""
    done = _applied(con)
    if done and any(v not in done for v, _, _ in migrations()):
        return copy_held(con, path, backup_dir(path), reason="before-migration")
    return None


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations this file lacks, each in its own transaction; return them."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    done = _applied(con) or set()
    applied, rebuild = [], False
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                        [version, name])
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        applied.append(version)
        rebuild = rebuild or rebuilds_facts(sql)
    if rebuild:
        # Derived data changed shape: compute it for the claims already here.
        con.execute("BEGIN TRANSACTION")
        try:
            facts.rebuild(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    return applied
