"""Backups of the practice's DuckDB file, and restoring one (pure: no streamlit).

A backup is a byte copy of the database file taken while this process holds it open
(:meth:`Database.connect`), right after a ``CHECKPOINT`` has folded the write-ahead log into
the file: no other process can write to it meanwhile (DuckDB lets one process hold a file),
so the copy is consistent. It is readable by its owner only (mode 0600), is read back whole
before it counts (:func:`~metdash.store.snapshot.read_whole`: a damaged or truncated store
gives an error, never a useless "backup"), opens with the same DuckDB as a normal database
file, and is named ``<db name>-YYYYMMDD-HHMMSS-ffffff[-reason].duckdb``.

The newest ``keep`` backups *of each reason* are kept: ``manual`` (``metdash backup``),
``before-import``, ``before-migration``, ``before-restore``, ``before-demo``. So a run of
imports never rotates away a manual backup, nor the copy taken before a restore.

Automatic backups (:func:`auto_backup`) are taken before schema migrations of a file that
already holds data, before an import that is about to write (:func:`before_import`: an
import refused before it writes takes none), and before ``metdash demo --force`` replaces
a practice. They go to ``$METDASH_BACKUP_DIR`` or else ``backups/`` beside the database
file, keeping the last ``$METDASH_BACKUP_KEEP`` (default 10) of each reason.

:func:`restore` reads the backup back whole first, then writes it to a new 0600 file beside
the target and renames it over the target (atomic on one file system), after a backup of
the file it replaces. Errors: :class:`BackupError` (a ``StoreError``), in words the user can
act on.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from metdash.errors import BackupError
from metdash.store.db import Database, release_file
from metdash.store.snapshot import (
    backup_dir,
    copy_held,
    keep_default,
    list_backups,
    private_temp,
    prune,
    read_whole,
)

__all__ = ["auto_backup", "backup", "backup_dir", "before_import", "keep_default",
           "list_backups", "prune", "read_whole", "restore", "settle_import"]

# A keep no practice reaches: the copy taken before an import is pruned after it, once the
# import has written (settle_import).
NO_PRUNE = 1_000_000

def backup(db: Database, out_dir: str | os.PathLike[str] | None = None, *, reason: str = "",
           keep: int | None = None, verify: bool = True) -> Path:
    """A consistent copy of the database file in ``out_dir`` (default :func:`backup_dir`),
    read back whole unless ``verify`` is False; returns its path. Only the newest ``keep``
    backups taken for the same ``reason`` are kept. Raises :class:`BackupError` (or
    ``StoreBusy``)."""
    if not db.path.exists():
        raise BackupError(f"There is no database file {db.path} to back up.")
    out = Path(out_dir) if out_dir is not None else backup_dir(db.path)
    with db.connect() as con:
        return copy_held(con, db.path, out, reason, keep, verify=verify)


def auto_backup(db: Database, reason: str) -> Path | None:
    """An automatic backup: taken only when the file exists; returns the backup's path (None
    when there was nothing to back up)."""
    if not db.path.exists():
        return None
    return backup(db, reason=reason)


def before_import(db: Database) -> Path | None:
    """The one policy for imports (835 files, claim spreadsheets, acknowledgments; command
    line and pages): a copy of the store to go back to, taken just before the import writes.
    The imports call it themselves (their ``before_write``), once, and only when they are
    about to write: a file refused while it is read or checked takes no backup. Older
    copies are pruned only once the import has written (:func:`settle_import`)."""
    if not db.path.exists():
        return None
    return backup(db, reason="before-import", keep=NO_PRUNE)


def settle_import(db: Database, taken: object, wrote: bool) -> None:
    """After an import: ``taken`` is what its ``before_write`` returned (the
    :func:`before_import` copy's path; anything else is left alone). An import that wrote
    nothing after all (a file refused while posting, after the copy was taken) leaves the
    store as the copy is: the copy is deleted, so retries of a refused file never rotate good
    restore points away (found by a new-user trial). Otherwise the ``before-import`` copies
    beyond the keep are pruned, as any backup's are."""
    if not isinstance(taken, Path):
        return
    if not wrote:
        taken.unlink(missing_ok=True)
        return
    prune(db.path, taken.parent, keep_default(), reason="before-import")


def restore(db_path: str | os.PathLike[str], source: str | os.PathLike[str], *,
            force: bool = False) -> Path | None:
    """Replace the database file with the backup ``source`` (atomically).

    The backup is read back whole first (:func:`read_whole`): a truncated or damaged file,
    or one that is no metdash store, is refused and nothing changes. Refuses to overwrite an
    existing file unless ``force``; then first backs the current file up (returned, else
    None). The restored file is readable by its owner only (0600). Stop the dashboard and
    any import first: the file must not be open in another process (:class:`StoreBusy`
    after waiting otherwise).
    """
    target = Path(db_path)
    src = Path(source)
    if not src.is_file():
        raise BackupError(f"There is no backup file {src}.")
    if src.resolve() == target.resolve():
        raise BackupError("The backup and the database are the same file.")
    try:
        read_whole(src)
    except BackupError as exc:
        raise BackupError(f"Nothing was restored: {exc} Choose another backup.") from exc
    saved = None
    if target.exists():
        if not force:
            raise BackupError(f"{target} exists: add --force to replace it (a backup of it is "
                              "taken first).")
        # Waits while another process holds the file; the copy is the undo of this restore.
        # Not read back: the file being replaced may be the damaged one, and its copy is
        # kept whatever state it is in.
        saved = backup(Database(target), reason="before-restore", verify=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    try:
        with open(src, "rb") as fh_src, private_temp(target) as (fh, tmp):
            shutil.copyfileobj(fh_src, fh, 1024 * 1024)
        release_file(target)  # this process's handle on the old file must not live on
        wal = target.with_name(target.name + ".wal")
        wal.unlink(missing_ok=True)  # a stale log of the old file must not replay onto this one
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise BackupError(f"Could not restore {target}: {exc.strerror or exc}.") from exc
    return saved
