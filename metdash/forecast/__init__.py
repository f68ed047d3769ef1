"""The cash forecast (issue 18, section 1): expected collections in each of the coming weeks
with a p10-p90 band, claim by claim from the practice's own history, and its backtest
against what actually arrived, beside the naive forecast.

- :mod:`~metdash.forecast.model` -- the arithmetic on arrays: lag curves, the Bernoulli /
  amount model, the band, MAPE, the naive forecast;
- :mod:`~metdash.forecast.history` -- what the forecast reads from the store, once;
- :mod:`~metdash.forecast.cash` -- the forecast as of a day, in five parts;
- :mod:`~metdash.forecast.backtest` -- forecasts as of the last 12 Mondays against actuals;
- :mod:`~metdash.forecast.outlook` -- all of it for the page and ``metdash forecast``;
- :mod:`~metdash.forecast.words` -- what they say about it in words.
"""

from metdash.forecast.backtest import backtest_from, backtest_summary, origins
from metdash.forecast.cash import PARTS, Settings, cash_forecast_from
from metdash.forecast.history import History, load_history
from metdash.forecast.model import mape, naive_forecast
from metdash.forecast.outlook import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    MIN_WEEKS,
    Outlook,
    cash_outlook,
    first_service_day,
    outlook_csv,
    outlook_report,
)
from metdash.forecast.words import band_too_narrow, judged_weeks

__all__ = [
    "DEFAULT_WEEKS", "MAX_WEEKS", "MIN_WEEKS", "PARTS", "History", "Outlook", "Settings",
    "backtest_from", "backtest_summary", "band_too_narrow", "judged_weeks", "cash_forecast_from", "cash_outlook",
    "first_service_day",
    "load_history", "mape", "naive_forecast", "origins", "outlook_csv", "outlook_report",
]
