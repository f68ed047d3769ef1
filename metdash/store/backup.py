"""Backups of the practice's DuckDB file, and restoring one (pure: no streamlit).

A backup is a byte copy of the database file taken while this process holds it open
(:meth:`Database.connect`), right after a ``CHECKPOINT`` has folded the write-ahead log into
the file: no other process can write to it meanwhile (DuckDB lets one process hold a file),
so the copy is consistent. It opens with the same DuckDB as a normal database file, is
named ``<db name>-YYYYMMDD-HHMMSS-ffffff[-reason].duckdb`` and only the newest
``keep`` backups of a database are kept.

Automatic backups (:func:`auto_backup`) are taken before schema migrations of a file that
already holds data, and before imports (``metdash import-835``, ``metdash import-claims``).
They go to ``$METDASH_BACKUP_DIR`` or else ``backups/`` beside the database file, keeping
the last ``$METDASH_BACKUP_KEEP`` (default 10).

:func:`restore` writes the backup to a temporary file beside the target and renames it
over the target (atomic on one file system), after a backup of the file it replaces.
Errors: :class:`BackupError` (a ``StoreError``), in words the user can act on.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from metdash.errors import BackupError
from metdash.store.db import Database, release_file
from metdash.store.snapshot import backup_dir, copy_held, keep_default, list_backups, prune

__all__ = ["auto_backup", "backup", "backup_dir", "before_import", "keep_default",
           "list_backups", "prune", "restore"]

def backup(db: Database, out_dir: str | os.PathLike[str] | None = None, *, reason: str = "",
           keep: int | None = None) -> Path:
    """A consistent copy of the database file in ``out_dir`` (default :func:`backup_dir`);
    returns its path. Raises :class:`BackupError` (or ``StoreBusy``)."""
    if not db.path.exists():
        raise BackupError(f"There is no database file {db.path} to back up.")
    out = Path(out_dir) if out_dir is not None else backup_dir(db.path)
    with db.connect() as con:
        return copy_held(con, db.path, out, reason, keep)


def auto_backup(db: Database, reason: str) -> Path | None:
    """An automatic backup: taken only when the file exists; returns the backup's path (None
    when there was nothing to back up)."""
    if not db.path.exists():
        return None
    return backup(db, reason=reason)


def before_import(db: Database) -> Path | None:
    """The one policy for imports (835 files, claim spreadsheets; command line and pages):
    a copy of the store to go back to, taken just before the import writes."""
    return auto_backup(db, "before-import")


def _check_readable(path: Path) -> None:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise BackupError(f"{path} is not a metdash backup DuckDB can open: {exc}") from exc
    try:
        con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    except duckdb.Error as exc:
        raise BackupError(f"{path} opens but holds no metdash store (no schema_migrations "
                          "table): choose a file made by 'metdash backup'.") from exc
    finally:
        con.close()


def restore(db_path: str | os.PathLike[str], source: str | os.PathLike[str], *,
            force: bool = False) -> Path | None:
    """Replace the database file with the backup ``source`` (atomically).

    Refuses to overwrite an existing file unless ``force``; then first backs the current
    file up (returned, else None). Stop the dashboard and any import first: the file must
    not be open in another process (:class:`StoreBusy` after waiting otherwise).
    """
    target = Path(db_path)
    src = Path(source)
    if not src.is_file():
        raise BackupError(f"There is no backup file {src}.")
    if src.resolve() == target.resolve():
        raise BackupError("The backup and the database are the same file.")
    _check_readable(src)
    saved = None
    if target.exists():
        if not force:
            raise BackupError(f"{target} exists: add --force to replace it (a backup of it is "
                              "taken first).")
        # Waits while another process holds the file; the copy is the undo of this restore.
        saved = backup(Database(target), reason="before-restore")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restore-{os.getpid()}")
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        release_file(target)  # this process's handle on the old file must not live on
        wal = target.with_name(target.name + ".wal")
        wal.unlink(missing_ok=True)  # a stale log of the old file must not replay onto this one
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"Could not restore {target}: {exc.strerror or exc}.") from exc
    return saved
