"""A dashboard's first figures worked out while a password is typed
(:mod:`metdash.ui.ahead`) land in the very cache the page then reads: the page, run with
the filters the URL asked for, works none of them out again."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from metdash import figures
from metdash.store import Database
from metdash.ui import ahead
from metdash.ui import cache as ui_cache
from tests.pages.test_dashboard_pages import run_page

TITLES = {"overview": "Overview", "revenue": "Revenue by payer",
          "days_to_payment": "Days to payment", "denials": "Denials", "referrers": "Referrers"}
QUERY = {"from": "2025-07-01", "to": "2026-06-30"}


@pytest.mark.parametrize("page", TITLES)
def test_a_page_works_out_none_of_its_first_figures_again(page, monkeypatch, demo_db_path):
    ui_cache.after_write()  # nothing cached, nothing marked as prefetched
    calls: dict[str, int] = {}

    def counted(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            calls[fn.__name__] = calls.get(fn.__name__, 0) + 1
            return fn(*args, **kwargs)
        return call

    f = figures.Filters(date_from=dt.date(2025, 7, 1), date_to=dt.date(2026, 6, 30))
    reads = ahead.first_reads(TITLES[page], f)
    assert reads, "no first reads declared"
    for fn, _ in reads:
        monkeypatch.setattr(figures, fn.__name__, counted(fn))
    ahead.work_out(Database(demo_db_path), ahead.first_reads(TITLES[page], f))
    assert calls == {fn.__name__: 1 for fn, _ in reads}
    at = run_page(page, monkeypatch, demo_db_path, **QUERY)
    assert at.metric or at.dataframe
    assert calls == {fn.__name__: 1 for fn, _ in reads}  # read from the cache, not again


def test_one_at_a_time(monkeypatch, demo_db_path):
    """While one page's figures are being worked out, another sign-in form starts none."""
    import threading

    gate = threading.Event()
    monkeypatch.setattr(ahead, "work_out", lambda db, reads: gate.wait(10))
    f = figures.Filters(date_from=dt.date(2025, 7, 1), date_to=dt.date(2026, 6, 30))
    db = Database(demo_db_path)
    first = ahead.start(db, "Overview", f)
    assert first is not None
    assert ahead.start(db, "Denials", f) is None
    assert ahead.start(db, "Claims", f) is None  # a page with none declared
    gate.set()
    first.join(10)
    assert ahead.start(db, "Claims", f) is None
    again = ahead.start(db, "Denials", f)
    assert again is not None
    again.join(10)
