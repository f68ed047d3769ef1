"""How far to trust the forecast: forecasts made as of each of the last Mondays, from what was
known then (everything posted up to the Sunday before), set against what actually arrived,
side by side with the naive forecast (the last 8 weeks' average collections, every week).

Collections are the Payments figure's money: payer payments (reversals and PLB recoupments
naming a claim negative) + patient payments (refunds negative), by the day they were posted.

The band of a forecast made on a day adds the model's own error (model.model_error) read from
the forecasts made on the ``CALIBRATION`` Mondays before that day, over their weeks that had
passed by then: what the forecast knew. Each backtest Monday's band is set that way from the
Mondays before it, so the share of weeks inside the band is measured out of sample; the
coming weeks' band from the Mondays before the as-of day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from metdash.forecast.cash import DEFAULT, Settings, forecast_moments
from metdash.forecast.history import History, date_of, day
from metdash.forecast.model import band, inside_share, mape, model_error, naive_forecast

NAIVE_WEEKS = 8
ORIGINS = 12
CALIBRATION = 8   # Mondays before a forecast whose misses set its band's model error


def daily_collections(h: History, first: int, last: int) -> np.ndarray:
    """Collections posted on each day from ``first`` to ``last`` (day numbers)."""
    n = last - first + 1
    out = np.zeros(max(n, 0))
    if n <= 0:
        return out
    e, p = h.events, h.patient
    sel = (e["day"] >= first) & (e["day"] <= last) & ~e["voided"]
    np.add.at(out, e["day"][sel] - first, e["payer_paid"][sel])
    sel = (p["day"] >= first) & (p["day"] <= last)
    np.add.at(out, p["day"][sel] - first, p["amount"][sel])
    return out


def weekly_collections(h: History, as_of: int, weeks: int) -> np.ndarray:
    """Collections in each of the ``weeks`` weeks ending on day ``as_of`` (oldest first)."""
    return daily_collections(h, as_of - 7 * weeks + 1, as_of).reshape(weeks, 7).sum(axis=1)


def origins(as_of: dt.date, count: int = ORIGINS) -> list[dt.date]:
    """The last ``count`` Mondays whose first week has fully passed by ``as_of``, oldest
    first (a forecast 'made on a Monday' knows what was posted up to the Sunday before)."""
    last_monday = as_of - dt.timedelta(days=(as_of.weekday()))
    if (as_of - last_monday).days < 6:  # that week is not over yet
        last_monday -= dt.timedelta(days=7)
    return [last_monday - dt.timedelta(days=7 * k) for k in range(count - 1, -1, -1)]


def past_forecasts(h: History, as_of: dt.date, weeks: int, s: Settings = DEFAULT,
                   count: int = ORIGINS + CALIBRATION) -> pd.DataFrame:
    """The forecasts made on the last ``count`` Mondays (:func:`origins`), one row per coming
    week that has fully passed by ``as_of``: made_on (the Monday), known (the day number of
    the Sunday before: what the forecast knew), week (1 ..), week_start, forecast, variance
    (the claims' own), naive, actual (float dollars)."""
    rows = []
    end = day(as_of)
    for monday in origins(as_of, count):
        d = day(monday) - 1  # known: everything posted up to the Sunday before
        done = min(weeks, (end - d) // 7)
        if done <= 0:
            continue
        _, expected, variance = forecast_moments(h, d, done, s)
        naive = naive_forecast(weekly_collections(h, d, NAIVE_WEEKS), done, NAIVE_WEEKS)
        actual = daily_collections(h, d + 1, d + 7 * done).reshape(done, 7).sum(axis=1)
        for k in range(done):
            rows.append((monday, d, k + 1, date_of(d + 1 + 7 * k), expected[k], variance[k],
                         naive[k], actual[k]))
    return pd.DataFrame(rows, columns=["made_on", "known", "week", "week_start", "forecast",
                                       "variance", "naive", "actual"])


def error_as_of(past: pd.DataFrame, d: int) -> float:
    """The model's own error (model.model_error) for a forecast made as of day ``d``: read
    from the forecasts made on the ``CALIBRATION`` Mondays before (known on days d − 7·C ..
    d − 1), over their weeks that had passed by day d. 0 without any such week."""
    if past.empty:
        return 0.0
    known = past.known.to_numpy()
    passed = known + 7 * past.week.to_numpy() <= d
    sel = (known < d) & (known >= d - 7 * CALIBRATION) & passed
    return model_error(past.forecast.to_numpy()[sel], past.variance.to_numpy()[sel],
                       past.actual.to_numpy()[sel])


def backtest_from(h: History, as_of: dt.date, weeks: int, s: Settings = DEFAULT,
                  count: int = ORIGINS, past: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (forecast Monday, coming week) of the last ``count`` Mondays whose week has
    fully passed by ``as_of``: made_on (the Monday), week (1 ..), week_start, forecast, p10,
    p90 (its band: the claims' variance and the model's error as of that Monday,
    :func:`error_as_of`), naive, actual (float dollars). ``past``: :func:`past_forecasts`
    of at least ``count`` + CALIBRATION Mondays, when already made."""
    columns = ["made_on", "week", "week_start", "forecast", "p10", "p90", "naive", "actual"]
    if count <= 0:
        return pd.DataFrame([], columns=columns)
    if past is None:
        past = past_forecasts(h, as_of, weeks, s, count + CALIBRATION)
    judged = past[past.made_on >= origins(as_of, count)[0]].copy()
    low, high = np.zeros(len(judged)), np.zeros(len(judged))
    for d in judged.known.unique():
        at = (judged.known == d).to_numpy()
        low[at], high[at] = band(judged.forecast.to_numpy()[at],
                                 judged.variance.to_numpy()[at], error_as_of(past, int(d)))
    judged["p10"], judged["p90"] = low, high
    return judged[columns].reset_index(drop=True)


def backtest_summary(rows: pd.DataFrame) -> dict[str, float | int | bool | None]:
    """The backtest in numbers, both trust figures read over the same weeks -- those in which
    money arrived (a week with nothing has no percentage error, and a band whose p10 is $0
    holds it trivially): forecast_mape and naive_mape (weekly MAPE), inside_band (share of
    them whose actual fell in the p10-p90 band), each None when no week had money;
    weeks (forecast weeks in all), weeks_with_money (the weeks judged), mondays (forecasts
    made), and beats_naive (forecast MAPE below the naive one, None without either)."""
    if rows.empty:
        return {"forecast_mape": None, "naive_mape": None, "inside_band": None, "weeks": 0,
                "weeks_with_money": 0, "mondays": 0, "beats_naive": None}
    judged = rows[rows.actual > 0]
    fm = mape(judged.forecast, judged.actual)
    nm = mape(judged.naive, judged.actual)
    return {"forecast_mape": fm, "naive_mape": nm,
            "inside_band": inside_share(judged.p10, judged.p90, judged.actual),
            "weeks": len(rows), "weeks_with_money": len(judged),
            "mondays": int(rows.made_on.nunique()) if "made_on" in rows else None,
            "beats_naive": None if fm is None or nm is None else bool(fm < nm)}
