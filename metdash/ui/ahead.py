"""A dashboard's first figures, worked out while its visitor types a password.

A figure read through :func:`metdash.ui.cache.cached` lives ten minutes. So the first
sign-in of a morning, and the first visit after a restart, found every figure of the page
it opened cold, and worked them out after "Sign in" was clicked: on the 100k demo, the
Overview's ~150 ms of queries (benchmarks/NOTES.md, "Twenty-third pass"). The sign-in
form takes seconds to fill in. :func:`start` works out, in one background thread, the
figures the page asked for reads first (:data:`FIRST_READS`, which the page's own
:func:`metdash.ui.cache.prefetch` reads too), for the filters the URL asks for, into the
same cache the page reads after the sign-in.

Nothing is shown before the sign-in: the figures stay in the server's cache. A visitor
who is not signed in can start at most one such thread at a time per server (while one
runs, another form starts none), over the store's own figures, as a page view would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from metdash import figures
from metdash.store import Database
from metdash.ui.cache import cached_shared, prefetch

log = logging.getLogger("metdash")

Reads = list[tuple[Callable[..., Any], tuple[Any, ...]]]

# The figures each dashboard reads first (by its title), after the Database: what its
# prefetch computes side by side before its tiles and tables.
FIRST_READS: dict[str, Callable[[figures.Filters], Reads]] = {
    "Overview": lambda f: [(figures.kpis_compared, (f,)), (figures.monthly_trend, (f,))],
    "Revenue by payer": lambda f: [
        (figures.revenue_by_payer, (f,)), (figures.payer_mix_monthly, (f,)),
        (figures.expected_vs_paid, (f,)), (figures.underpaid_lines, (f,))],
    "Days to payment": lambda f: [
        (figures.ar_agings, (f,)), (figures.days_to_payment, (f,)),
        (figures.days_to_payment_histogram, (f,)), (figures.days_to_payment_monthly, (f,)),
        (figures.ar_aging_by_payer, (f,)), (figures.oldest_open_claims, (f,))],
    "Denials": lambda f: [
        (figures.denial_summary, (f,)), (figures.open_denials, (f,)),
        (figures.denial_outcomes, (f,)), (figures.denial_reasons, (f,)),
        (figures.denial_rate_by, (f, "payer"))],
    "Referrers": lambda f: [(figures.referrer_volume, (f,)), (figures.referrals_weekly, (f,))],
}

# The figures those pages keep as they are (their tables are built from the same object
# on a rerun) and read through cached_shared: registered so at import, before any page has
# run, so that prefetch reads them from the same cache as the pages.
SHARED = (figures.revenue_by_payer, figures.expected_vs_paid, figures.underpaid_lines,
          figures.days_to_payment, figures.oldest_open_claims, figures.open_denials,
          figures.denial_outcomes, figures.denial_reasons, figures.referrer_volume)
for _fn in SHARED:
    cached_shared(_fn)

_LOCK = threading.Lock()
_RUNNING: list[threading.Thread] = []


def first_reads(title: str, f: figures.Filters) -> Reads:
    """What the page titled ``title`` reads first under ``f`` (empty: none declared)."""
    reads = FIRST_READS.get(title)
    return reads(f) if reads else []


def work_out(db: Database, reads: Reads) -> None:
    """Each of ``reads`` into the cache the page reads it from, one after another (the
    other core is the sign-in's): the page's own prefetch then skips them."""
    prefetch(db, reads, workers=1)


def start(db: Database, title: str, f: figures.Filters) -> threading.Thread | None:
    """Work out the first reads of the page ``title`` under ``f`` in a background thread,
    unless one is already running in this server (then None), or the page has none."""
    reads = first_reads(title, f)
    if not reads:
        return None
    with _LOCK:
        if any(t.is_alive() for t in _RUNNING):
            return None

        def run() -> None:
            try:
                work_out(db, reads)
            except Exception:  # the page works them out itself, and says what failed
                log.exception("working out %s's figures ahead of the sign-in failed", title)

        thread = threading.Thread(target=run, daemon=True, name="metdash-ahead")
        _RUNNING[:] = [thread]
    thread.start()
    return thread
