"""A store made before a migration: the shipped migrations applied up to a version (what a
practice's file holds when it was last opened by that metdash), for the migration tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

from metdash.store import migrate


def store_at(path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A new DuckDB file at ``path`` with migrations 1..``version`` applied and recorded;
    the open connection (close it before opening the file with metdash)."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR "
                "NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    for number, name, sql in migrate.migrations():
        if number > version:
            break
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    [number, name])
    return con
