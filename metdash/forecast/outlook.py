"""The cash forecast as the page and ``metdash forecast`` show it: the coming weeks, the
backtest of the last 12 Mondays and its summary, from one read of the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from metdash.exports import rows_csv
from metdash.forecast.backtest import backtest_from, backtest_summary
from metdash.forecast.cash import DEFAULT, PARTS, Settings, cash_forecast_from
from metdash.forecast.history import load_history
from metdash.store import Database

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


def cash_outlook(db: Database, as_of: dt.date, weeks: int = DEFAULT_WEEKS,
                 settings: Settings = DEFAULT) -> Outlook:
    """The forecast as of ``as_of`` (what was posted on or before it) for the next ``weeks``
    weeks (4 to 12), and its backtest over the last 12 Mondays."""
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be {MIN_WEEKS} to {MAX_WEEKS}, not {weeks}")
    h = load_history(db)
    forecast = cash_forecast_from(h, as_of, weeks, settings)
    rows = backtest_from(h, as_of, weeks, settings)
    return Outlook(as_of, weeks, forecast, rows, backtest_summary(rows))


def _money(value: float) -> str:
    return f"{value:.2f}"


def outlook_report(outlook: Outlook) -> dict[str, Any]:
    """JSON-ready: as_of, weeks, the coming weeks (dollars as strings with 2 decimals) and
    the backtest's summary (MAPE and band share as fractions)."""
    weeks = []
    for row in outlook.forecast.itertuples():
        item = {"week": int(row.week), "week_start": row.week_start.isoformat(),
                "week_end": row.week_end.isoformat(), "expected": _money(row.expected),
                "p10": _money(row.p10), "p90": _money(row.p90)}
        item.update({part: _money(getattr(row, part)) for part in PARTS})
        weeks.append(item)
    summary = {k: (round(v, 4) if isinstance(v, float) else v)
               for k, v in outlook.summary.items()}
    return {"as_of": outlook.as_of.isoformat(), "weeks": weeks, "backtest": summary}


def outlook_csv(report: dict[str, Any]) -> str:
    """The coming weeks as CSV: one row per week, the columns of the JSON report's weeks."""
    columns = ["week", "week_start", "week_end", "expected", "p10", "p90", *PARTS]
    return rows_csv(columns, ([item[c] for c in columns] for item in report["weeks"]),
                    lineterminator="\n")
