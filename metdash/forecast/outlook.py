"""The cash forecast as the page and ``metdash forecast`` show it: the coming weeks, the
backtest of the last 12 Mondays and its summary, from one read of the store.

Two things keep it cheap at a million claim lines and more:

- It reads only the history its twenty-one forecasts use (:func:`history_window`).
- The outlook depends only on the history, the as-of date, the weeks and the settings, so it
  is kept beside the store (metdash.store.derived) under those and the history's state
  (:func:`metdash.forecast.history.history_state`: a count and a hash of every column the
  history is read from). A page or a command in another process, or after a restart, reads
  it back instead of building it again; any change to what the history reads (a remittance,
  a payment, a claim edited or voided, a session, a fee) changes the state, and the outlook
  is built again. Computing the state itself scans those columns (~0.2 s at 1M lines), so
  the state is also kept under the store file's stamp on disk (:func:`current_state`): while
  the file has not changed, the state has not either.

Bump :data:`FORECAST_VERSION` whenever what the forecast computes changes (the model, the
backtest, the history read): kept outlooks of an older version are then never read.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metdash.exports import rows_csv
from metdash.forecast.backtest import (
    CALIBRATION,
    NAIVE_WEEKS,
    ORIGINS,
    backtest_from,
    backtest_summary,
    error_as_of,
    origins,
    past_forecasts,
)
from metdash.forecast.cash import DEFAULT, PARTS, Settings, cash_forecast_from
from metdash.forecast.history import (
    History,
    Window,
    date_of,
    day,
    history_state,
    load_history,
)
from metdash.forecast.model import MAX_LAG
from metdash.forecast.words import patient_note
from metdash.store import Database, bulk, derived
from metdash.store.snapshot import store_stamp

FORECAST_VERSION = 5
KIND = "cash-outlook"
STATE_KIND = "forecast-history-state"

MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS = 4, 12, 8


@dataclass(frozen=True)
class Outlook:
    """forecast: one row per coming week (cash.cash_forecast_from's columns); backtest: one
    row per forecast Monday and week (backtest.backtest_from's); summary: the backtest in
    numbers (backtest.backtest_summary's keys)."""

    as_of: dt.date
    weeks: int
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    summary: dict[str, Any]
    checked: bool = True   # False: the coming weeks alone, the backtest still being worked out
    patient_note: str = ""  # what the patient payments rest on, when not the usual curves


def history_window(as_of: dt.date, s: Settings = DEFAULT) -> Window:
    """The history the outlook as of ``as_of`` reads: its forecasts are made as of days from
    ``first`` (the Sunday before the first Monday whose forecast sets a band: CALIBRATION
    Mondays before the backtest's first) to ``as_of``, and each looks
    back no further than this from its own day d (cash.py):

    - claims: a curve is taught by claims submitted in the ``history_days`` before d, part
      2's by claims first adjudicated in them; the season by services in ``season_days``, part
      5 by services in ``patient_window`` + 365 days. A claim submitted and first adjudicated
      (if ever) over ``history_days`` (and over MAX_LAG) days before ``first`` is in no curve,
      and if still open has waited past MAX_LAG: its chance of paying in the coming weeks is 0
      and it adds exactly 0. A claim not submitted yet can be of any age (part 3) and is always
      read; a claim voided by ``first`` is in no forecast at all.
    - the ledger's rows of other claims only count in collections: the backtest's actual
      weeks and the naive forecast's last ``NAIVE_WEEKS`` weeks before each Monday.
    - patient money: the last 365 days of it (its variance), or for services in the cohort
      window (part 5's curves).

    At 1M lines over six years this is about 40 % of the claims."""
    end = day(as_of)
    first = min(end, day(origins(as_of, ORIGINS + CALIBRATION)[0]) - 1)
    served = max(s.season_days, s.patient_window + 365, s.patient_window + s.run_rate_days)
    sent = max(s.history_days, MAX_LAG + 1)
    patient = max(365, s.run_rate_days, 7 * NAIVE_WEEKS)
    return Window(first=date_of(first), served=date_of(first - served),
                  sent=date_of(first - sent), events_after=date_of(first - 7 * NAIVE_WEEKS),
                  patient_after=date_of(first - patient),
                  patient_served=date_of(first - s.patient_window - 365))


def build_outlook(db: Database, as_of: dt.date, weeks: int = DEFAULT_WEEKS,
                  settings: Settings = DEFAULT) -> Outlook:
    """:func:`cash_outlook` computed from the store, nothing kept or read back."""
    with bulk.in_turn():   # one heavy build at a time in this process (metdash.store.bulk)
        h = _read(db, as_of, weeks, settings)
        forecast, rows, summary = _checked(h, as_of, weeks, settings)
    return Outlook(as_of, weeks, forecast, rows, summary,
                   patient_note=_patient_note(h, as_of, forecast, settings))


def _read(db: Database, as_of: dt.date, weeks: int, settings: Settings) -> History:
    """The history an outlook reads (under half the memory limit)."""
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be {MIN_WEEKS} to {MAX_WEEKS}, not {weeks}")
    with bulk.bounded(db):
        return load_history(db, history_window(as_of, settings))


def _checked(h: History, as_of: dt.date, weeks: int, settings: Settings
             ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The coming weeks with their band, the backtest's rows and its summary: the forecasts
    of the last ORIGINS + CALIBRATION Mondays first, as the band of the coming weeks adds
    the model's error they show (backtest.error_as_of). The summary's ``band_error``: that
    error as a share of the expected amount (σ ÷ expected, 0.05: ± 5 %)."""
    past = past_forecasts(h, as_of, weeks, settings)
    rows = backtest_from(h, as_of, weeks, settings, past=past)
    error = error_as_of(past, day(as_of))
    summary = backtest_summary(rows)
    summary["band_error"] = math.sqrt(error)
    return cash_forecast_from(h, as_of, weeks, settings, error), rows, summary


def _patient_note(h: History, as_of: dt.date, forecast: pd.DataFrame, settings: Settings
                  ) -> str:
    return patient_note(h, day(as_of), float(forecast.patient.sum()), settings)


def _keep(db: Database, key: tuple[Any, ...], outlook: Outlook, settings: Settings) -> None:
    """Keep ``outlook`` under ``key``, unless the history changed while it was built."""
    if outlook_key(db, outlook.as_of, outlook.weeks, settings) == key:
        derived.save(db, KIND, key, outlook,
                     scope=outlook_scope(outlook.as_of, outlook.weeks, settings))


def forecast_first(db: Database, as_of: dt.date, weeks: int = DEFAULT_WEEKS,
                   settings: Settings = DEFAULT) -> tuple[Outlook, History, tuple[Any, ...]]:
    """The coming weeks alone, from the store: what a page draws at once when no outlook is
    kept (the read and one forecast; the backtest's 20 forecasts are most of an outlook's
    build). Its band is not known yet (p10 and p90 NaN): it adds the error the backtest's
    forecasts show. Returns that outlook (no backtest rows, ``checked`` False), the history
    it was read from and the key the whole outlook is to be kept under, for
    :func:`finish_outlook`."""
    key = outlook_key(db, as_of, weeks, settings)   # before the read, as cash_outlook's
    with bulk.in_turn():
        h = _read(db, as_of, weeks, settings)
        forecast = cash_forecast_from(h, as_of, weeks, settings, error=None)
    none = backtest_from(h, as_of, weeks, settings, count=0)   # its columns, no rows
    return (Outlook(as_of, weeks, forecast, none, backtest_summary(none), checked=False,
                    patient_note=_patient_note(h, as_of, forecast, settings)), h, key)


def finish_outlook(db: Database, first: Outlook, h: History, key: tuple[Any, ...],
                   settings: Settings = DEFAULT) -> Outlook:
    """:func:`forecast_first`'s outlook with its band and backtest, from the same history,
    kept under ``key`` as :func:`cash_outlook` keeps one (unless the store changed
    meanwhile)."""
    with bulk.in_turn():
        forecast, rows, summary = _checked(h, first.as_of, first.weeks, settings)
    outlook = Outlook(first.as_of, first.weeks, forecast, rows, summary,
                      patient_note=first.patient_note)
    _keep(db, key, outlook, settings)
    return outlook


_STATES: dict[tuple[str, tuple[int, ...]], tuple[Any, ...]] = {}
_STATES_LOCK = threading.Lock()


def known_state(db: Database) -> tuple[Any, ...] | None:
    """:func:`current_state` when it is at hand (kept in this process or beside the store for
    the file as it is on disk), else None: the store changed since it was last computed."""
    mark = (str(db.path), store_stamp(db.path))
    with _STATES_LOCK:
        if mark in _STATES:
            return _STATES[mark]
    kept = derived.load(db, STATE_KIND, (FORECAST_VERSION, mark[1]))
    if kept is not None:
        _keep_state(mark, kept)
    return kept


def _keep_state(mark: tuple[str, tuple[int, ...]], state: tuple[Any, ...]) -> None:
    with _STATES_LOCK:
        if len(_STATES) > 64:
            _STATES.clear()
        _STATES[mark] = state


def current_state(db: Database) -> tuple[Any, ...]:
    """:func:`~metdash.forecast.history.history_state`, computed only when the store file
    has changed on disk since it was last computed. Any commit changes the file or its
    write-ahead log (size and mtime), so an unchanged (mtime, size, inode) of both means
    unchanged content (:func:`stamp`: this process's writes that change no result, a
    sign-in's, are not a change); the stamp is read before and after computing, and the
    state kept only when they agree (a write in between could have been missed)."""
    before = store_stamp(db.path)
    known = known_state(db)
    if known is not None:
        return known
    state = history_state(db)
    if store_stamp(db.path) != before:
        return state
    derived.save(db, STATE_KIND, (FORECAST_VERSION, before), state)
    _keep_state((str(db.path), before), state)
    return state


def outlook_key(db: Database, as_of: dt.date, weeks: int, settings: Settings = DEFAULT,
                state: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
    """What an outlook is kept under: the forecast's version, the as-of date, weeks and
    settings, and the history's state (``state``, else :func:`current_state`)."""
    return (*outlook_scope(as_of, weeks, settings),
            state if state is not None else current_state(db))


def outlook_scope(as_of: dt.date, weeks: int, settings: Settings = DEFAULT
                  ) -> tuple[Any, ...]:
    """The outlooks of one view (version, as-of date, weeks, settings), whatever the history:
    :func:`metdash.store.derived.latest`'s scope, the one shown while the outlook of new data
    is built (:mod:`metdash.refresh`)."""
    return (FORECAST_VERSION, as_of.isoformat(), weeks, settings)


def is_kept(db: Database, key: tuple[Any, ...]) -> bool:
    """True when an outlook is kept beside the store under ``key`` (:func:`outlook_key`)."""
    return isinstance(derived.load(db, KIND, key), Outlook)


def stamp(db: Database) -> tuple[int, ...]:
    """The store file as it is on disk (what :func:`known_state` is kept under), or as it
    was before this process's writes that change no result (a sign-in's user and audit
    rows, a checkpoint: :func:`metdash.store.snapshot.store_stamp`)."""
    return store_stamp(db.path)


def latest_outlook(db: Database, as_of: dt.date, weeks: int, settings: Settings = DEFAULT
                   ) -> tuple[tuple[Any, ...], Outlook] | None:
    """(key, outlook) of the outlook of this view last built for this store, while kept."""
    found = derived.latest(db, KIND, outlook_scope(as_of, weeks, settings))
    return found if found is not None and isinstance(found[1], Outlook) else None


def cash_outlook(db: Database, as_of: dt.date, weeks: int = DEFAULT_WEEKS,
                 settings: Settings = DEFAULT, kept: tuple[Any, ...] | None = None) -> Outlook:
    """The forecast as of ``as_of`` (what was posted on or before it) for the next ``weeks``
    weeks (4 to 12), and its backtest over the last 12 Mondays: the one kept for this
    history (module docstring), else built and kept. ``kept``: the key of an outlook kept
    beside the store to show instead (an earlier one of :func:`latest_outlook`), while kept."""
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be {MIN_WEEKS} to {MAX_WEEKS}, not {weeks}")
    if kept is not None:
        found = derived.load(db, KIND, kept)
        if isinstance(found, Outlook):
            return found
    key = outlook_key(db, as_of, weeks, settings)
    found = derived.load(db, KIND, key)
    if isinstance(found, Outlook):
        return found
    with bulk.in_turn():
        found = derived.load(db, KIND, key)   # kept by the build this one waited for
        if isinstance(found, Outlook):
            return found
        outlook = build_outlook(db, as_of, weeks, settings)
        _keep(db, key, outlook, settings)
    return outlook


def first_service_day(db: Database) -> dt.date | None:
    """The first day of service on file (a session's, or a claim's first service date), None
    when there is neither. A forecast as of an earlier day reads nothing: every week is $0."""
    with db.connect() as con:
        day = con.execute(
            "SELECT least((SELECT min(session_date) FROM sessions), "
            "(SELECT min(first_service_date) FROM claims WHERE status <> 'voided'))"
        ).fetchone()[0]
    return day


def _money(value: float) -> float:
    """Dollars to the cent, as a JSON number (as ``metdash figures`` gives money)."""
    return round(float(value), 2) + 0.0   # + 0.0: never -0.0


def outlook_report(outlook: Outlook) -> dict[str, Any]:
    """JSON-ready: as_of, weeks, the coming weeks (dollars as numbers, to the cent), the
    backtest's summary (MAPE and band share as fractions) and, when the patient payments
    are not the usual curves, patient_note (what they rest on, in words)."""
    weeks = []
    for row in outlook.forecast.itertuples():
        item = {"week": int(row.week), "week_start": row.week_start.isoformat(),
                "week_end": row.week_end.isoformat(), "expected": _money(row.expected),
                "p10": _money(row.p10), "p90": _money(row.p90)}
        item.update({part: _money(getattr(row, part)) for part in PARTS})
        weeks.append(item)
    summary = {k: (round(v, 4) if isinstance(v, float) else v)
               for k, v in outlook.summary.items()}
    report = {"as_of": outlook.as_of.isoformat(), "weeks": weeks, "backtest": summary}
    if outlook.patient_note:
        report["patient_note"] = outlook.patient_note
    return report


def outlook_csv(report: dict[str, Any]) -> str:
    """The coming weeks as CSV: one row per week, the columns of the JSON report's weeks."""
    columns = ["week", "week_start", "week_end", "expected", "p10", "p90", *PARTS]
    money = set(columns[3:])   # written with their 2 decimals ("120.00")
    return rows_csv(columns, ([f"{item[c]:.2f}" if c in money else item[c] for c in columns]
                              for item in report["weeks"]), lineterminator="\n")
