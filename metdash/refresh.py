"""Results learned from the whole history, brought up to date without making a page wait.

The denial-risk model and the cash forecast take seconds to build from a large store
(1.6-1.9 s at 1M claim lines, 5-7 s at 5M) and are kept beside it
(:mod:`metdash.store.derived`) until new data arrives. On the first view after new data,
a page asks here which one to show (:func:`risk_model`, :func:`outlook`):

- the one for the store as it is, when it is kept (``current``);
- else the last one kept for this store, while this process builds the new one in a
  background thread, from :data:`DELAY_SECONDS` after the page asked (``current`` False:
  the page says so, checks back every second and shows the new one when it is kept;
  :func:`busy`);
- else none (a store nothing was learned for yet). The denial-risk model is then learned in
  the background too, or by :func:`prepare` when under way (started when the server first
  served this store, the sign-in page included): the page lists the claims waiting and
  scores them once it is kept. So is the cash outlook: the page draws its coming weeks once
  worked out (:func:`outlook_first`), then their backtest, most of the build, once kept.

One build per result at a time in a process, and one heavy build of any kind at a time
(:func:`metdash.store.bulk.in_turn`: a page that builds waits for a background build under
way); one that fails is not started again for the same data (:func:`failure` says why), and
the page goes on showing the earlier one.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from metdash import risk
from metdash.forecast import outlook as fc
from metdash.store import Database

log = logging.getLogger(__name__)

# A build starts this long after the page asked for it: the page that asked draws first
# (a build takes both cores; at 1M lines it slowed the page from ~140 to ~290 ms).
DELAY_SECONDS = 0.5
# ... and a model learned for the first time, this long: the page waiting for it draws only
# the claims waiting (~0.1 s at 1M lines), and has nothing to show until it is learned.
FIRST_DELAY_SECONDS = 0.1


@dataclass(frozen=True)
class Choice:
    """What a page shows: ``key``, the kept result to read (None: build it now); ``current``:
    whether it is for the store as it is; ``job``: the background build, when not."""

    key: tuple[Any, ...] | None
    current: bool = True
    job: tuple[Any, ...] | None = None


_JOBS: dict[tuple[Any, ...], threading.Thread] = {}
_FAILED: dict[tuple[Any, ...], str] = {}
_LOCK = threading.Lock()


def _start(job: tuple[Any, ...], fn: Callable[..., Any], *args: Any,
           delay: float | None = None) -> None:
    """Run ``fn(*args)`` in a daemon thread named for ``job``, ``delay`` seconds from now
    (None: :data:`DELAY_SECONDS`), unless one already runs or ran and failed for it."""
    with _LOCK:
        running = _JOBS.get(job)
        if job in _FAILED or (running is not None and running.is_alive()):
            return
        thread = threading.Thread(target=_run, daemon=True, name=f"metdash-refresh-{job[0]}",
                                  args=(job, fn, args,
                                        DELAY_SECONDS if delay is None else delay))
        _JOBS[job] = thread
        if len(_JOBS) > 32:   # finished jobs are only bookkeeping
            for old in [k for k, t in _JOBS.items() if not t.is_alive()]:
                _JOBS.pop(old, None)
        thread.start()


def _run(job: tuple[Any, ...], fn: Callable[..., Any], args: tuple[Any, ...],
         delay: float) -> None:
    time.sleep(delay)
    try:
        fn(*args)
    except Exception as exc:  # the page keeps showing the earlier result and says why
        log.exception("building %s in the background failed", job[0])
        with _LOCK:
            _FAILED[job] = f"{type(exc).__name__}: {exc}"


def _finished(job: tuple[Any, ...]) -> bool:
    """True when ``job`` ran here and ended without an error (yet what it builds is still
    not kept: its folder could not be written, and the page builds it itself)."""
    with _LOCK:
        thread = _JOBS.get(job)
        return thread is not None and not thread.is_alive() and job not in _FAILED


def busy(choice: Choice) -> bool:
    """True while the background build of ``choice`` runs."""
    with _LOCK:
        thread = _JOBS.get(choice.job) if choice.job is not None else None
    return thread is not None and thread.is_alive()


def failure(choice: Choice) -> str | None:
    """Why the background build of ``choice`` failed, or None."""
    with _LOCK:
        return _FAILED.get(choice.job) if choice.job is not None else None


def wait(choice: Choice, timeout: float | None = None) -> None:
    """Wait for the background build of ``choice`` (a command, a test)."""
    with _LOCK:
        thread = _JOBS.get(choice.job) if choice.job is not None else None
    if thread is not None:
        thread.join(timeout)


def risk_model(db: Database, as_of: dt.date, learn: bool = True) -> Choice:
    """Which denial-risk model a page scores with (:func:`metdash.risk.learned`'s ``kept``).

    With none learned for this store yet (a new or restored store: 1.6 s at 1M claim lines,
    8 s at 5M), none: the model is learned in the background (``key`` None, ``job`` the
    learning, or :func:`prepare`'s when under way) and the page lists the claims waiting
    meanwhile, checks back every second and scores them once it is kept. Without ``learn``
    that learning is not started here (``key`` then the model to learn, ``job`` None); one
    already under way is still the choice. That learning keeps the model first, then works
    out its time split (:func:`metdash.risk.learned`'s ``scores_first``): meanwhile the
    model is the choice (``current``) with that learning as ``job``."""
    key = risk.model_key(db, as_of)
    job = ("risk-model", str(db.path), key)
    preparing = ("prepare-risk", str(db.path))
    if risk.learned_under(db, key):
        if risk.split_pending(db, key):   # it scores; its time split is being worked out
            for running in (job, preparing):
                if busy(Choice(None, job=running)):
                    return Choice(key, job=running)
        return Choice(key)
    found = risk.latest_learned(db)
    # An earlier model of this store: one whose history ends no later than this one's.
    if found is None or found[0][1] > key[1]:
        if busy(Choice(None, job=preparing)):
            return Choice(None, job=preparing)
        if _finished(job) or failure(Choice(None, job=job)) is not None:
            return Choice(key)   # learned but not kept, or failed: on the page (its error)
        if not learn and not busy(Choice(None, job=job)):
            return Choice(key)
        _start(job, _scores_first, db, as_of, delay=FIRST_DELAY_SECONDS)
        return Choice(None, job=job)
    if _finished(job):
        return Choice(key)
    _start(job, risk.learned, db, as_of)
    return Choice(found[0], current=False, job=job)


def _scores_first(db: Database, as_of: dt.date) -> None:
    risk.learned(db, as_of, scores_first=True)


def outlook(db: Database, as_of: dt.date, weeks: int,
            settings: fc.Settings = fc.DEFAULT) -> Choice:
    """Which cash outlook a page shows (:func:`metdash.forecast.outlook.cash_outlook`'s
    ``kept``). Whether the history changed is itself a scan of it (~0.2 s at 1M lines) when
    the store file changed since it was last read: that scan is part of the background
    build too."""
    state = fc.known_state(db)
    if state is not None:
        key = fc.outlook_key(db, as_of, weeks, settings, state)
        if fc.is_kept(db, key):
            return Choice(key)
    found = fc.latest_outlook(db, as_of, weeks, settings)
    if found is None:   # worked out in the background: the coming weeks, then their backtest
        preparing = ("prepare-outlook", str(db.path))
        if busy(Choice(None, job=preparing)):
            return Choice(None, job=preparing)
        job = _first_job(db, as_of, weeks, settings)
        if _finished(job) or failure(Choice(None, job=job)) is not None:
            return Choice(None)   # built but not kept, or failed: all of it on the page
        _start(job, _outlook_in_turn, db, as_of, weeks, settings, job,
               delay=FIRST_DELAY_SECONDS)
        return Choice(None, job=job)
    job = ("cash-outlook", str(db.path), as_of, weeks, settings, state, fc.stamp(db))
    if _finished(job):
        return Choice(None)
    _start(job, fc.cash_outlook, db, as_of, weeks, settings)
    return Choice(found[0], current=False, job=job)


def outlook_first(choice: Choice, as_of: dt.date, weeks: int) -> fc.Outlook | None:
    """While ``choice``'s job works out an outlook nothing was kept for: its coming weeks
    (``checked`` False: their backtest still being worked out) once they are, else None
    (also when the job is :func:`prepare`'s, for another view)."""
    with _LOCK:
        first = _FIRST.get(choice.job) if choice.job is not None else None
    return first if first is not None and (first.as_of, first.weeks) == (as_of, weeks) else None


def _outlook_in_turn(db: Database, as_of: dt.date, weeks: int, settings: fc.Settings,
                     job: tuple[Any, ...]) -> None:
    """The coming weeks (:func:`outlook_first` of ``job`` from then on), then their backtest
    from the same history, the whole outlook kept."""
    first, history, full_key = fc.forecast_first(db, as_of, weeks, settings)
    with _LOCK:
        _FIRST[job] = first
        while len(_FIRST) > 8:   # a few weeks' tables: only until their backtest is kept
            del _FIRST[next(iter(_FIRST))]
    fc.finish_outlook(db, first, history, full_key, settings)


_FIRST: dict[tuple[Any, ...], fc.Outlook] = {}   # job -> the coming weeks it completes


def _first_job(db: Database, as_of: dt.date, weeks: int, settings: fc.Settings
               ) -> tuple[Any, ...]:
    """The background job that works out an outlook nothing was kept for."""
    return ("cash-outlook-first", str(db.path), as_of, weeks, settings, fc.stamp(db))


def settle(timeout: float | None = None) -> None:
    """Wait for every background build of this process (a command, a test, the benchmark)."""
    with _LOCK:
        threads = list(_JOBS.values())
    for thread in threads:
        thread.join(timeout)


# -- a store nothing was learned for yet -------------------------------------------------
# The builds start this long after the first page of the store asked (the sign-in form or
# the page itself is drawn first; a person then types a password for a few seconds).
PREPARE_DELAY_SECONDS = 1.0

_PREPARING: dict[tuple[str, str], threading.Thread] = {}


def prepare(db: Database, as_of: dt.date, weeks: int,
            settings: fc.Settings = fc.DEFAULT) -> None:
    """For a store nothing was learned for yet (new, restored without the files beside it,
    another practice's): learn its risk model as of ``as_of`` and build its cash outlook for
    ``weeks``, in the background, once per store file and process. The first visitor of
    Denial risk, the ready work list or the Cash forecast then finds them kept, or checks
    back on the build under way (:func:`risk_model`, :func:`outlook`), where that visitor
    used to build it alone: 1.4 s at 1M claim lines, 7 s at 5M.

    One build at a time (each takes both cores), what a page waits for first: the model
    that scores the claims (:func:`metdash.risk.learn_scores`), then the outlook (its coming
    weeks, which a page draws at once, then their backtest), then the model's time split,
    which sits in a closed expander. The time split used to come before the outlook, and
    the forecast's first visitor waited for it too.

    Whether anything was kept is read in the background too (the first page does not wait
    for it); a store with a model or an outlook kept builds nothing here."""
    path = str(db.path)
    with _LOCK:
        if ("risk", path) in _PREPARING:
            return
        scored = threading.Event()   # the model scores: the outlook's turn
        then = threading.Thread(target=_prepare_outlook, args=(db, as_of, weeks, settings,
                                                               scored),
                                daemon=True, name="metdash-prepare-outlook")
        first = threading.Thread(target=_prepare_risk, args=(db, as_of, scored, then),
                                 daemon=True, name="metdash-prepare-risk")
        _PREPARING[("risk", path)] = first
        _JOBS[("prepare-risk", path)] = first   # a page checks back on them (risk_model,
        _JOBS[("prepare-outlook", path)] = then   # outlook)
        _PREPARING[("outlook", path)] = then
    then.start()   # waits for the scores; started first, so the risk thread can join it
    first.start()


def _prepare_risk(db: Database, as_of: dt.date, scored: threading.Event,
                  outlook_built: threading.Thread) -> None:
    time.sleep(PREPARE_DELAY_SECONDS)
    try:
        if risk.latest_learned(db) is None:
            risk.learn_scores(db, as_of)   # a page may be waiting for the scores
            scored.set()
            outlook_built.join()
            risk.learned(db, as_of)   # the time split, last
    except Exception:  # the page builds it itself, and says what failed
        log.exception("learning the denial-risk model of a new store failed")
    finally:
        scored.set()


def _prepare_outlook(db: Database, as_of: dt.date, weeks: int, settings: fc.Settings,
                     scored: threading.Event) -> None:
    scored.wait()  # one build at a time: each takes both cores
    try:
        if fc.latest_outlook(db, as_of, weeks, settings) is None:
            # as a page's job: the coming weeks (a page checks back on them), then the rest
            _outlook_in_turn(db, as_of, weeks, settings, ("prepare-outlook", str(db.path)))
    except Exception:
        log.exception("building the cash outlook of a new store failed")


def prepared(db: Database, timeout: float | None = None) -> None:
    """Wait for :func:`prepare`'s builds for ``db``, and the jobs they started (a command, a
    test)."""
    with _LOCK:
        threads = [t for (_, path), t in _PREPARING.items() if path == str(db.path)]
    for thread in threads:
        thread.join(timeout)
    settle(timeout)
