"""The store as files on disk: stamps, checkpoints, consistent copies and private files.

Imports no other metdash module but the errors, so every other part of the store can use it.

- :func:`store_stamp` tells when the store's content last changed (the file and its
  write-ahead log), without opening it: page caches key on it.
- :func:`checkpoint` folds the write-ahead log into the file, and remembers that the file
  then holds the same content under a new stamp.
- :func:`copy_held` writes a consistent copy of a file the caller holds open (checkpoint,
  copy into a new 0600 file by a child process, which keeps this process's lock on the
  file, fsync, read it back whole, rename), named
  ``<db name>-YYYYMMDD-HHMMSS-ffffff[-reason].duckdb``, and keeps the newest ``keep`` copies
  of that database *taken for the same reason* in the folder (:func:`prune`): the copies
  taken before imports never push out a manual one, nor the one taken before a restore.
  :mod:`metdash.store.backup` builds backups and restores on it; migrations use it to back
  a file up before changing its schema.
- :func:`read_whole` opens a store file on its own and reads every table through, so a
  truncated or damaged file is found when it is backed up or restored, not when it is needed.

Files that hold patient information are readable by their owner only (mode 0600): the store
(:func:`make_private` right after DuckDB creates it), its write-ahead log
(:func:`match_mode`: the store's own mode), its backups, a restored store and the exports
that hold PHI (an 837P, patient statements: :func:`write_private`). A file metdash did not
create keeps its mode: its owner may have shared it on purpose.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import secrets
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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


# -- private files -----------------------------------------------------------------------------
PRIVATE = 0o600
PRIVATE_DIR = 0o700


def create_private(path: str | os.PathLike[str]) -> BinaryIO:
    """A new file at ``path``, opened for binary writing, mode 0600 from its first byte;
    ``FileExistsError`` when something is already there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, PRIVATE)
    try:
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def _temp_beside(path: Path) -> Path:
    # Unique to this call: two threads (or processes) writing one target never share it.
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.part")


@contextlib.contextmanager
def private_temp(path: str | os.PathLike[str]) -> Iterator[tuple[BinaryIO, Path]]:
    """A new 0600 temporary file beside ``path`` (same folder, so a rename is atomic):
    ``(file, its path)``. Written, flushed and fsynced when the block ends; deleted when
    the block raises. The caller renames it (:func:`os.replace`) or deletes it."""
    tmp = _temp_beside(Path(path))
    fh = create_private(tmp)
    try:
        with fh:
            yield fh, tmp
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_private(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` (mode 0600) through a temporary file beside it: the file at
    ``path`` is replaced whole or not at all. Raises ``OSError``."""
    target = Path(path)
    with private_temp(target) as (fh, tmp):
        fh.write(data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def make_private(path: str | os.PathLike[str]) -> None:
    """Set mode 0600 on ``path`` (a file metdash just had another library create); a file
    system without modes (a FAT stick) leaves it as it is."""
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE)


def make_private_dir(path: str | os.PathLike[str]) -> Path:
    """The folder ``path``, made (with its parents) when missing; a folder made here is
    mode 0700. An existing folder keeps its mode."""
    folder = Path(path)
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=PRIVATE_DIR)
    return folder


def match_mode(path: str | os.PathLike[str], like: str | os.PathLike[str]) -> None:
    """Give ``path`` the permission bits of ``like`` (no more open than it), when both exist
    and they differ."""
    try:
        want = stat.S_IMODE(os.stat(like).st_mode) & 0o666
        have = stat.S_IMODE(os.stat(path).st_mode)
        if have != want:
            os.chmod(path, want)
    except OSError:
        pass  # gone meanwhile (a checkpoint deletes the log), or not ours to change


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


def backup_stem(db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> str:
    """How the backups of ``db_path`` in ``out_dir`` begin: the file's own name in the
    ``backups/`` beside it; elsewhere (a ``$METDASH_BACKUP_DIR`` several stores share) also a
    short mark of the file's full path, so two ``practice.duckdb`` in different folders never
    rotate each other's backups away."""
    path = Path(db_path)
    if Path(out_dir).resolve() == (path.parent / "backups").resolve():
        return path.stem
    mark = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{path.stem}-{mark}"


def _time_tag(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(re.escape(stem) + r"-\d{8}-\d{6}-\d{6}(-[a-z0-9-]+)?" + re.escape(SUFFIX)
                      + "$")


def reason_tag(reason: str) -> str:
    """The part of a backup's name that says why it was taken (``before-import``); '' for
    none."""
    return re.sub(r"[^a-z0-9-]+", "-", reason.lower()).strip("-")


def _tag_of(path: Path, stem: str) -> str:
    # <stem>-YYYYMMDD-HHMMSS-ffffff[-tag].duckdb: the tag starts 23 characters after the stem.
    return path.name[len(stem) + 1 + 22:-len(SUFFIX)].lstrip("-")


def list_backups(db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str],
                 reason: str | None = None) -> list[Path]:
    """The backups of ``db_path`` in ``out_dir``, oldest first (by the time in the name);
    with ``reason``, only those taken for it (``reason=""``: those without one)."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    stem = backup_stem(db_path, out)
    pat = _pattern(stem)
    found = [p for p in out.iterdir() if pat.match(p.name)]
    if reason is not None:
        tag = reason_tag(reason)
        found = [p for p in found if _tag_of(p, stem) == tag]
    return sorted(found, key=lambda p: p.name[len(stem) + 1:][:22])


def prune(db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], keep: int,
          reason: str | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``db_path`` in ``out_dir`` taken for
    ``reason`` (None: of every reason together); returns the deleted."""
    found = list_backups(db_path, out_dir, reason)
    doomed = found[:-keep] if keep > 0 else found
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


# -- reading a copy back -----------------------------------------------------------------------
def read_whole(path: str | os.PathLike[str], label: str | None = None) -> int:
    """Open the store file ``path`` read-only, on its own, and read it through: the schema
    version, every value of every table (DuckDB checks each block's checksum as it loads it)
    and one key of each table's primary key. Returns the schema version. Raises
    :class:`BackupError` saying what failed (naming the file ``label``, default its path):
    a truncated or damaged file, or one that is no metdash store."""
    where = label or str(path)
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise BackupError(f"{where} cannot be opened as a metdash store: {_first_line(exc)}"
                          ) from exc
    try:
        try:
            version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        except duckdb.Error as exc:
            raise BackupError(f"{where} opens but holds no metdash store (no schema_migrations "
                              "table): choose a file made by 'metdash backup'.") from exc
        if version is None:
            raise BackupError(f"{where} holds no metdash store (no schema applied).")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            " AND schema_name = 'main' AND NOT temporary ORDER BY 1").fetchall()]
        keys = con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints()"
            " WHERE database_name = current_database() AND schema_name = 'main'"
            " AND constraint_type = 'PRIMARY KEY'").fetchall()
        for table in tables:
            try:
                # A hash of every value of every column: each block of the table is loaded.
                con.execute(f'SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM "{table}"'
                            ).fetchall()
            except duckdb.Error as exc:
                raise BackupError(f"{where} is damaged: table {table} cannot be read "
                                  f"through ({_first_line(exc)}).") from exc
        for table, columns in keys:
            try:
                cols = ", ".join(f'"{c}"' for c in columns)
                row = con.execute(f'SELECT {cols} FROM "{table}" LIMIT 1').fetchone()
                if row is not None:  # a look-up through the key's index
                    match = " AND ".join(f'"{c}" = ?' for c in columns)
                    con.execute(f'SELECT count(*) FROM "{table}" WHERE {match}',
                                list(row)).fetchall()
            except duckdb.Error as exc:
                raise BackupError(f"{where} is damaged: the key of table {table} cannot be "
                                  f"read ({_first_line(exc)}).") from exc
        return int(version)
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]


# The copy of a held store is read by a child process. DuckDB locks its file with POSIX
# record locks, and a process loses every such lock on a file the moment it closes *any*
# descriptor of it: a copy read through this process's own open() left the store open here
# but unlocked, and another process (a scheduled `metdash import-835`) then opened it too,
# two writers on one file (found by a new-user trial: its first checkpoint died on the
# log's lock). A child's descriptors are its own; the child holds no lock to lose.
_COPY = """
import os, shutil, sys
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "r+b") as dst:
    shutil.copyfileobj(src, dst, 1024 * 1024)
    dst.truncate()
    dst.flush()
    os.fsync(dst.fileno())
"""


def _copy_in_a_child(src: Path, dst: Path) -> None:
    """Copy ``src`` over the (existing, private) file ``dst`` and fsync it, in a child
    process; OSError saying why when it fails."""
    done = subprocess.run([sys.executable, "-I", "-S", "-c", _COPY, os.fspath(src),
                           os.fspath(dst)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise OSError(last.split(": ", 1)[-1] if "Error" in last else last)


def copy_held(con: duckdb.DuckDBPyConnection, db_path: Path, out_dir: Path,
              reason: str = "", keep: int | None = None, *, verify: bool = True) -> Path:
    """Back up the file behind the open connection ``con`` (the caller holds the file, so no
    other process can write meanwhile); return the copy's path (mode 0600, in a folder made
    0700 when missing).

    With ``verify`` (the default) the copy is read back whole (:func:`read_whole`) before it
    counts: a copy that does not read back is deleted and :class:`BackupError` raised (the
    store itself is then damaged: backing it up cannot help). Only then are older copies
    taken for the same ``reason`` beyond ``keep`` deleted. Raises
    :class:`~metdash.errors.BackupError` when the copy cannot be written."""
    checkpoint(con, db_path)
    tag = reason_tag(reason)
    name = f"{backup_stem(db_path, out_dir)}-{_time_tag()}{'-' + tag if tag else ''}{SUFFIX}"
    target = out_dir / name
    tmp = out_dir / (name + ".part")
    try:
        make_private_dir(out_dir)
        create_private(tmp).close()  # 0600 from its first byte; the child writes into it
        _copy_in_a_child(db_path, tmp)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"Could not write the backup {target}: {exc.strerror or exc}. "
                          "Check that the folder exists, is writable and has space.") from exc
    if verify:
        try:
            read_whole(tmp, label="the copy")
        except BackupError as exc:
            tmp.unlink(missing_ok=True)
            raise BackupError(
                f"No backup was written: {exc} A copy of a sound file reads back, so the "
                f"database file {db_path} itself is probably damaged: keep it as it is, and "
                "restore the newest good backup (metdash restore --force) or ask for "
                "help.") from exc
    try:
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"Could not write the backup {target}: {exc.strerror or exc}."
                          ) from exc
    prune(db_path, out_dir, keep if keep is not None else keep_default(), reason=tag)
    return target
