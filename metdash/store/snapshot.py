"""The store as files on disk: stamps, checkpoints and consistent copies.

Imports no other metdash module, so every other part of the store can use it.

- :func:`store_stamp` tells when the store's content last changed (the file and its
  write-ahead log), without opening it: page caches key on it.
- :func:`checkpoint` folds the write-ahead log into the file, and remembers that the file
  then holds the same content under a new stamp.
- :func:`copy_held` writes a consistent copy of a file the caller holds open (checkpoint,
  copy, fsync, rename), named ``<db name>-YYYYMMDD-HHMMSS-ffffff[-reason].duckdb``, and keeps
  the newest ``keep`` copies of that database in the folder (:func:`prune`).
  :mod:`metdash.store.backup` builds backups and restores on it; migrations use it to back
  a file up before changing its schema.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import threading
from pathlib import Path

import duckdb

from metdash.errors import BackupError

DEFAULT_KEEP = 10
SUFFIX = ".duckdb"

Stamp = tuple[int, ...]
_STAMP_ALIASES: dict[tuple[str, Stamp], Stamp] = {}
_STAMP_GUARD = threading.Lock()


def raw_stamp(path: str | os.PathLike[str]) -> Stamp:
    """(mtime, size, inode) of the file and of its write-ahead log, as they are on disk."""
    stamp: list[int] = []
    for p in (os.fspath(path), f"{os.fspath(path)}.wal"):
        try:
            st = os.stat(p)
            stamp.extend((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            stamp.extend((0, 0, 0))
    return tuple(stamp)


def store_stamp(path: str | os.PathLike[str]) -> Stamp:
    """When the store's content last changed on disk: the (mtime, size, inode) of the file
    and of its write-ahead log, read without opening the store (caches key on it, so a write
    from another process shows on the next rerun). A checkpoint this process made rewrites
    both without changing the content; the stamp from before it is kept then, so caches
    filled after a write stay valid when the handle closes."""
    key = os.path.abspath(path)
    raw = raw_stamp(key)
    return _STAMP_ALIASES.get((key, raw), raw)


def same_content(path: str | os.PathLike[str], before: Stamp) -> None:
    """Record that the store at ``path`` holds what it held at stamp ``before`` (call after
    a checkpoint this process made, with no write of its own in between)."""
    key = os.path.abspath(path)
    after = raw_stamp(key)
    if after == before:
        return
    with _STAMP_GUARD:
        _STAMP_ALIASES[(key, after)] = _STAMP_ALIASES.get((key, before), before)
        while len(_STAMP_ALIASES) > 256:
            del _STAMP_ALIASES[next(iter(_STAMP_ALIASES))]


def checkpoint(con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str]) -> None:
    """Fold the write-ahead log into the file now (call with no write transaction open)."""
    before = raw_stamp(os.path.abspath(path))
    con.execute("CHECKPOINT")
    same_content(path, before)


# -- copies ------------------------------------------------------------------------------------
def keep_default() -> int:
    """``$METDASH_BACKUP_KEEP`` (default 10; at least 1)."""
    raw = os.environ.get("METDASH_BACKUP_KEEP", "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def backup_dir(db_path: str | os.PathLike[str]) -> Path:
    """Where backups of ``db_path`` go: ``$METDASH_BACKUP_DIR`` or ``backups/`` beside the
    database file."""
    env = os.environ.get("METDASH_BACKUP_DIR", "").strip()
    return Path(env) if env else Path(db_path).parent / "backups"


def _time_tag(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(re.escape(stem) + r"-\d{8}-\d{6}-\d{6}(-[a-z0-9-]+)?" + re.escape(SUFFIX)
                      + "$")


def list_backups(db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> list[Path]:
    """The backups of ``db_path`` in ``out_dir``, oldest first (by the time in the name)."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    pat = _pattern(Path(db_path).stem)
    found = [p for p in out.iterdir() if pat.match(p.name)]
    return sorted(found, key=lambda p: p.name[len(Path(db_path).stem) + 1:][:22])


def prune(db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``db_path`` in ``out_dir``; the deleted."""
    found = list_backups(db_path, out_dir)
    doomed = found[:-keep] if keep > 0 else found
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


def copy_held(con: duckdb.DuckDBPyConnection, db_path: Path, out_dir: Path,
              reason: str = "", keep: int | None = None) -> Path:
    """Back up the file behind the open connection ``con`` (the caller holds the file, so no
    other process can write meanwhile); return the copy's path. Older copies beyond ``keep``
    are deleted. Raises :class:`~metdash.errors.BackupError` when the copy cannot be written."""
    checkpoint(con, db_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    tag = re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-")
    name = f"{db_path.stem}-{_time_tag()}{'-' + tag if tag else ''}{SUFFIX}"
    target = out_dir / name
    tmp = out_dir / (name + ".part")
    try:
        shutil.copyfile(db_path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"Could not write the backup {target}: {exc.strerror or exc}. "
                          "Check that the folder exists, is writable and has space.") from exc
    prune(db_path, out_dir, keep if keep is not None else keep_default())
    return target
