"""The range a page opens with ends today (issue 17, item 1): a payment posted today counts
on every page, and balances are as of today, even when the last session was weeks ago."""

import datetime as dt

import pandas as pd

from metdash.ui.filters import default_range

TODAY = dt.date(2026, 12, 2)


def span(last: dt.date | None) -> pd.DataFrame:
    return pd.DataFrame({"min_date": [dt.date(2024, 1, 5) if last else None], "max_date": [last]})


def test_a_practice_seen_today_gets_the_last_twelve_months():
    assert default_range(span(TODAY), TODAY) == (dt.date(2025, 12, 3), TODAY)
    # seen yesterday: the twelve months before the last session, and today
    assert default_range(span(dt.date(2026, 12, 1)), TODAY) == (dt.date(2025, 12, 2), TODAY)


def test_a_new_practice_whose_last_session_was_weeks_ago_still_ends_today():
    # The case: last session Nov 9, an 835 posted Dec 2. Before, the range (and the
    # balances' as-of date) stopped at Nov 9 and the Dec 2 payment was left out.
    start, end = default_range(span(dt.date(2026, 11, 9)), TODAY)
    assert end == TODAY
    assert start == dt.date(2025, 11, 10)  # the year before the last session still shows


def test_data_that_stopped_long_ago_is_in_the_range_which_still_ends_today():
    start, end = default_range(span(dt.date(2024, 6, 30)), TODAY)
    assert (start, end) == (dt.date(2023, 7, 2), TODAY)


def test_an_empty_store_and_future_dated_sessions():
    assert default_range(pd.DataFrame(), TODAY) == (dt.date(2025, 12, 3), TODAY)
    assert default_range(span(None), TODAY) == (dt.date(2025, 12, 3), TODAY)
    assert default_range(span(dt.date(2027, 1, 15)), TODAY) == (dt.date(2025, 12, 3), TODAY)
