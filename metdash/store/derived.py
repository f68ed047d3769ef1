"""Results worth keeping between processes: a trained model, a backtest, built from the store.

Some results take seconds to build from a large store (the denial-risk model, the cash
forecast's backtest) and change only when certain rows arrive (a remittance, a payment). A
page that built them again in every new process -- after each restart, in each benchmark
child, in each ``metdash`` command -- would make its first visitor wait for it. They are kept
in files beside the store, in the folder ``<store>.derived/`` (mode 0700, files 0600: what
they hold is derived from patient data).

Each entry is named by a hash of

- the store's identity (:func:`identity`: when its first migration was applied, so a new
  demo or another practice's file at the same path never reads this one's entries),
- the kind (``"risk-model"``) and :data:`FORMAT`, and
- the caller's ``key``: what the result depends on, read cheaply from the store (for the
  risk model: the claim payments on file and the highest id, and the day its history
  ends), with a version of the caller's own code, bumped when what it builds changes.

Nothing here decides freshness: a caller whose key does not change when its inputs do reads
a stale result. An entry that cannot be read (a partial file, another Python, a changed
class) is rebuilt; writing is best effort (a read-only folder only costs the rebuild). The
newest :data:`KEEP` entries of each kind are kept. The files are Python pickles, read only
from this folder, which only the store's owner can write -- the same person who can change
the store and the code itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import re
import time
from pathlib import Path
from typing import Any

from metdash.store.snapshot import make_private_dir, write_private

FORMAT = 1
KEEP = 4
SUFFIX = ".pickle"

log = logging.getLogger(__name__)


def folder(path: str | os.PathLike[str]) -> Path:
    """``<store>.derived``, beside the store file ``path``."""
    return Path(f"{os.fspath(path)}.derived")


def identity(db: Any) -> str:
    """Which store this is, whatever its content: when its first migration was applied."""
    value = db.scalar("SELECT min(applied_at)::VARCHAR FROM schema_migrations")
    return str(value)


def _name(ident: str, kind: str, key: tuple[Any, ...]) -> str:
    raw = repr((FORMAT, ident, kind, key)).encode()
    return f"{kind}-{hashlib.sha256(raw).hexdigest()[:32]}{SUFFIX}"


def load(db: Any, kind: str, key: tuple[Any, ...]) -> Any | None:
    """What :func:`save` kept for ``(kind, key)`` in this store, or None."""
    target = folder(db.path) / _name(identity(db), kind, key)
    try:
        data = target.read_bytes()
    except OSError:
        return None
    try:
        return pickle.loads(data)  # noqa: S301 -- our own file, in a folder only we can write
    except Exception:  # a partial or foreign file: rebuild it
        log.info("derived result %s unreadable; building it again", target.name)
        with contextlib.suppress(OSError):
            target.unlink()
        return None


def _pointer(ident: str, kind: str, scope: tuple[Any, ...]) -> str:
    raw = repr((FORMAT, ident, kind, "latest", scope)).encode()
    return f"{kind}-latest-{hashlib.sha256(raw).hexdigest()[:32]}{SUFFIX}"


def save(db: Any, kind: str, key: tuple[Any, ...], value: Any, keep: int = KEEP, *,
         scope: tuple[Any, ...] | None = None) -> bool:
    """Keep ``value`` for ``(kind, key)``; the oldest entries of ``kind`` beyond ``keep`` go.
    With ``scope``, it is also this store's :func:`latest` of ``(kind, scope)``. True when
    written (False: the folder could not be written; the caller rebuilds next time)."""
    place = folder(db.path)
    ident = identity(db)
    name = _name(ident, kind, key)
    try:
        make_private_dir(place)
        target = write_private(place / name,
                               pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.utime(target, ns=(_stamp(), _stamp()))
        if scope is not None:
            write_private(place / _pointer(ident, kind, scope),
                          pickle.dumps((key, name), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        log.warning("could not keep a derived result in %s: %s", place, exc)
        return False
    prune(place, kind, keep)
    return True


def latest(db: Any, kind: str, scope: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any] | None:
    """(key, value) of the entry last saved with this ``scope`` for this store, while it is
    kept (:func:`prune`); else None. What a page shows while the result for new data is
    built (:mod:`metdash.refresh`)."""
    place = folder(db.path)
    try:
        pointer = (place / _pointer(identity(db), kind, scope)).read_bytes()
        key, _name_ = pickle.loads(pointer)  # noqa: S301 -- our own file, as in load()
    except Exception:  # none yet, or unreadable: nothing to show meanwhile
        return None
    value = load(db, kind, key)
    return None if value is None else (key, value)


_LAST = [0]


def _stamp() -> int:
    """Now in ns, later than any earlier stamp of this process (the file system's clock ticks
    in milliseconds; two entries saved in one tick must still sort newest first)."""
    _LAST[0] = max(time.time_ns(), _LAST[0] + 1)
    return _LAST[0]


def prune(place: Path, kind: str, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` newest entries of ``kind`` in ``place``."""
    mine = re.compile(rf"{re.escape(kind)}-[0-9a-f]{{32}}{re.escape(SUFFIX)}")
    try:
        entries = sorted((p for p in place.iterdir() if mine.fullmatch(p.name)),
                         key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for old in entries[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


def clear(path: str | os.PathLike[str]) -> None:
    """Forget every derived result of the store at ``path`` (after a restore or a new demo)."""
    place = folder(path)
    with contextlib.suppress(OSError):
        for entry in place.glob(f"*{SUFFIX}"):
            with contextlib.suppress(OSError):
                entry.unlink()
