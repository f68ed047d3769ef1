"""What every figure shares: the sidebar's :class:`Filters`, the SQL files in
``metdash/sql/`` (``{fragment}`` includes, ``$name`` parameters bound by name), the reuse of
the heavy per-filter results, and the money / ratio helpers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from typing import Any

import duckdb
import pandas as pd

from metdash.store import Database, fetch_df, store_stamp

BUCKETS = ["0-30", "31-60", "61-90", "91-120", "120+"]
CENTS = Decimal("0.01")


@dataclasses.dataclass(frozen=True)
class Filters:
    """The sidebar: a service-date range, an as-of date for balances, and id filters.

    ``None`` for an id filter means "all". ``as_of`` defaults to ``date_to``.
    """

    date_from: dt.date
    date_to: dt.date
    as_of: dt.date | None = None
    payer_ids: tuple[int, ...] | None = None
    referrer_ids: tuple[int, ...] | None = None
    provider_ids: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.as_of is None:
            object.__setattr__(self, "as_of", self.date_to)
        for name in ("payer_ids", "referrer_ids", "provider_ids"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(sorted(int(v) for v in value)) or None)

    def replace(self, **changes: Any) -> Filters:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def previous(self) -> Filters:
        """The period of the same length just before this one (as of its last day)."""
        days = (self.date_to - self.date_from).days + 1
        end = self.date_from - dt.timedelta(days=1)
        return self.replace(date_from=end - dt.timedelta(days=days - 1), date_to=end, as_of=end)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def params(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from, "date_to": self.date_to, "as_of": self.as_of,
            "payers": list(self.payer_ids) if self.payer_ids else None,
            "referrers": list(self.referrer_ids) if self.referrer_ids else None,
            "providers": list(self.provider_ids) if self.provider_ids else None,
        }


# -- SQL loading -----------------------------------------------------------------------
FRAGMENT = re.compile(r"\{([a-z_]+)\}")
_PARAM = re.compile(r"\$([a-z_]+)")


@functools.cache
def sql(name: str) -> str:
    """The text of ``metdash/sql/<name>.sql`` with ``{fragment}`` includes expanded."""
    text = resources.files("metdash.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
    return FRAGMENT.sub(lambda m: "(" + sql(m.group(1)) + ")", text)


def bind(text: str, params: dict[str, Any]) -> dict[str, Any]:
    wanted = set(_PARAM.findall(text))
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"parameters {sorted(missing)} not given")
    return {k: v for k, v in params.items() if k in wanted}


def as_of_state(text: str, f: Filters, *, order: str, paid: bool = False) -> str:
    """A list of claims under an as-of date (A/R, open denials) shows each claim as it stood
    on ``f.as_of``: ``text`` (a query with claim_id and status columns, and paid when ``paid``)
    wrapped so that status is the last one moved to on or before that day
    (claim_status_history) and paid is the payer payments posted by then (the ledger). As of
    today or later the claims' current state is that state, and ``text`` is returned as is.
    ``order`` is the list's ORDER BY, applied again to the wrapped rows."""
    if f.as_of >= dt.date.today():
        return text
    paid_sql = ", coalesce(pay.paid, 0)::DECIMAL(14,2) AS paid" if paid else ""
    return f"""
        WITH listed AS ({text}),
        span AS (SELECT min(claim_id) AS lo, max(claim_id) AS hi FROM listed),
        hist AS (
            SELECT h.claim_id, arg_max(h.status, h.seq) AS status
            FROM claim_status_history h
            WHERE h.status_date <= $as_of
              AND h.claim_id BETWEEN (SELECT lo FROM span) AND (SELECT hi FROM span)
              AND h.claim_id IN (SELECT claim_id FROM listed)
            GROUP BY h.claim_id),
        pay AS (
            SELECT l.claim_id, sum(l.amount) AS paid
            FROM ledger l
            WHERE l.kind = 'payer_payment' AND l.entry_date <= $as_of
              AND l.claim_id BETWEEN (SELECT lo FROM span) AND (SELECT hi FROM span)
              AND l.claim_id IN (SELECT claim_id FROM listed)
            GROUP BY l.claim_id)
        SELECT listed.* REPLACE (coalesce(hist.status, listed.status) AS status{paid_sql})
        FROM listed LEFT JOIN hist USING (claim_id) LEFT JOIN pay USING (claim_id)
        ORDER BY {order}"""


def run(con: duckdb.DuckDBPyConnection, text: str, f: Filters | None = None, *,
        keep: str | None = None, **extra: Any) -> pd.DataFrame:
    """Run SQL text with the filter's parameters (and ``extra``) bound by name.

    ``keep``: a name for the result, kept as the heavy parts are (per store state, filters
    and ``extra``): for a figure that two figures of one page both read (the payer
    scorecards and a card's details both list the denial reasons by payer). Each caller gets
    its own DataFrame."""
    params = {**(f.params() if f else {}), **extra}
    if f is not None:
        text = _reuse_heavy(con, text, f)
    if keep is not None and f is not None:
        state = _store_state(con)
        if state is not None:
            bound = bind(text, params)
            key = (state, keep, f, tuple(sorted(extra.items())))
            return _kept(key, lambda: con.sql(text, params=bound or None)
                         .to_arrow_table()).to_pandas()
    return fetch_df(con, text, bind(text, params))


# -- reuse of the heavy per-filter results -------------------------------------------------
# A/R balances and the period's denial adjustments are inputs to several figures on one page
# (days to payment: A/R three times; denials: the adjustments five times; patient A/R: the
# overview, the aging and the balances list). Each is computed
# once per store state and filter set and kept as an Arrow table (exact types) for a few
# minutes; the queries that include it read the kept table instead. The store's state is the
# size and modification time of the DuckDB file and its WAL: any committed write, from this
# process or another, changes one of them, so nothing stale is ever reused. (The per-claim
# and per-line results come from the facts tables, metdash.store.facts: reading those again costs
# less than keeping hundreds of thousands of rows.)
# ledger_as_of (the ledger summed as of the day, for the claims with money on both sides of
# it) is part of both A/R queries: kept, the overview's insurance and patient A/R read the
# ledger once per period instead of twice. Last: a query holding a whole A/R query keeps that
# one, which holds it.
# money_posted_daily: the overview's payments and its monthly trend, from one ledger pass.
HEAVY = ("denial_adjustments", "ar_balances", "patient_balances", "money_posted_daily",
         "ledger_as_of")
_REUSE_SECONDS = 300
_REUSE_MAX = 24
_reuse: dict[tuple[Any, ...], tuple[float, Any]] = {}
_reuse_lock = threading.Lock()


def clear_reuse() -> None:
    """Forget the kept heavy results (the benchmark's cold runs; tests)."""
    with _reuse_lock:
        _reuse.clear()


def _store_state(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    row = con.execute("SELECT path FROM duckdb_databases() "
                      "WHERE database_name = current_database()").fetchall()
    path = row[0][0] if row else None
    if not path:
        return None  # in memory: nothing to key on, so no reuse
    return (path, *store_stamp(path))


_computing: dict[tuple[Any, ...], threading.Event] = {}


def _kept(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """The kept result for ``key`` (an Arrow table), ``compute()``d when missing or stale.
    Two figures of a page computed side by side (:func:`run_all`, ``ui.prefetch``) that
    need the same one: the second waits for the first instead of computing it again."""
    while True:
        now = time.monotonic()
        with _reuse_lock:
            hit = _reuse.get(key)
            if hit is not None and now - hit[0] <= _REUSE_SECONDS:
                return hit[1]
            running = _computing.get(key)
            if running is None:
                running = _computing[key] = threading.Event()
                break
        running.wait(60)  # then look again (a failed computation leaves nothing kept)
    try:
        table = compute()
        with _reuse_lock:
            for old in [k for k, (t, _) in _reuse.items() if now - t > _REUSE_SECONDS]:
                del _reuse[old]
            while len(_reuse) >= _REUSE_MAX:
                del _reuse[next(iter(_reuse))]
            _reuse[key] = (now, table)
        return table
    finally:
        with _reuse_lock:
            _computing.pop(key, None)
        running.set()


def _heavy_table(con: duckdb.DuckDBPyConnection, body: str, f: Filters) -> Any:
    cur = con.cursor()
    try:
        body = _reuse_heavy(cur, body, f)  # the heavy parts it holds (kept on this cursor)
        return cur.sql(body, params=bind(body, f.params()) or None).to_arrow_table()
    finally:
        cur.close()


def _reuse_heavy(con: duckdb.DuckDBPyConnection, text: str, f: Filters) -> str:
    """``text`` with each heavy part it includes replaced by a read of the kept result."""
    names = [n for n in HEAVY if sql(n) in text]
    if not names:
        return text
    state = _store_state(con)
    if state is None:
        return text
    for name in names:
        body = sql(name)
        if text.strip() == body.strip() or body not in text:
            continue  # the heavy query itself, or inside a part already replaced
        table = _kept((state, name, f), functools.partial(_heavy_table, con, body, f))
        view = f"_kept_{name}"
        con.register(view, table)
        text = text.replace(body, f"SELECT * FROM {view}")
    return text


def run_all(db: Database, jobs: dict[str, tuple[str, Filters]],
            workers: int = 2) -> dict[str, pd.DataFrame]:
    """Each job (key -> (SQL text, filters)) run as :func:`run` does, ``workers`` at a time on
    cursors of their own. A page's figures are many short queries, and a short query leaves a
    core idle between its steps; two at a time finish sooner on two cores."""
    def one(item: tuple[str, Filters]) -> pd.DataFrame:
        with db.connect() as con:
            return run(con, item[0], item[1])

    if workers <= 1 or len(jobs) <= 1:
        return {key: one(job) for key, job in jobs.items()}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers, thread_name_prefix="figures") as pool:
        running = {key: pool.submit(one, job) for key, job in jobs.items()}
        return {key: job.result() for key, job in running.items()}


def query(db: Database, name: str, f: Filters, **extra: Any) -> pd.DataFrame:
    """Run ``metdash/sql/<name>.sql`` for these filters."""
    with db.connect() as con:
        return run(con, sql(name), f, **extra)


def money(value: Any) -> Decimal:
    if value is None or (isinstance(value, float) and value != value):
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENTS)


def ratio(num: Any, den: Any) -> float | None:
    num, den = float(num or 0), float(den or 0)
    return None if den == 0 else num / den


def as_float(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def scope() -> str:
    """The claims in the period (sql/scope_facts.sql) as a parenthesised subquery."""
    return "(" + sql("scope_facts") + ")"
