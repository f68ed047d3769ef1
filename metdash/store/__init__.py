"""The store: the practice's DuckDB file, its schema, its derived tables and its backups.

- :mod:`~metdash.store.db` -- :class:`Database` (connections shared by a process's threads,
  one write transaction per user action);
- :mod:`~metdash.store.rows` -- bulk inserts, and frames read as views by a write;
- :mod:`~metdash.store.migrate` -- the numbered schema migrations;
- :mod:`~metdash.store.snapshot` -- file stamps, checkpoints, consistent copies, and files
  readable by their owner only (``write_private`` for an export that holds PHI);
- :mod:`~metdash.store.facts` -- the derived per-claim tables every write keeps up to date;
- :mod:`~metdash.store.backup` -- backups, restore, and the backup taken before an import;
- :mod:`~metdash.store.bulk` -- the memory limit moved for a bulk write or a heavy read;
- :mod:`~metdash.store.derived` -- results kept between processes beside the store (a trained
  model, a backtest), keyed by what they were built from.

Nothing here imports a part of metdash built on the store.
"""

from metdash.store import backup, bulk, derived, facts, migrate, snapshot  # noqa: I001  (after db: backup uses it)
from metdash.store.db import (
    Database,
    JSONText,
    audit,
    audit_many,
    default_db_path,
    fetch_df,
    next_id,
    release_file,
    row_dicts,
    to_json,
)
from metdash.store.rows import insert_frame, insert_row, insert_rows, registered
from metdash.store.snapshot import checkpoint, store_stamp, write_private

__all__ = [
    "Database", "JSONText", "audit", "audit_many", "backup", "bulk", "checkpoint", "default_db_path", "derived", "facts", "fetch_df",
    "insert_frame", "insert_row", "insert_rows", "migrate", "next_id", "registered", "release_file",
    "row_dicts", "snapshot", "store_stamp", "to_json", "write_private",
]
