"""Reads rewritten for speed return what their earlier definitions returned, on the demo
practice: the earlier queries are kept here as the oracle (as tests/store/reference_sql/ keeps
the facts tables' earlier definitions)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metdash import acks, figures
from metdash.store import Database, fetch_df
from metdash.x12 import post835
from tests.store.test_facts import FILTER_SETS

REFERENCE = Path(__file__).parent / "store" / "reference_sql"


def reference_sql(name: str) -> str:
    """A query as it was (tests/store/reference_sql/), its fragments as they are now."""
    text = (REFERENCE / f"{name}.sql").read_text(encoding="utf-8")
    return figures.core.FRAGMENT.sub(lambda m: "(" + figures.sql(m.group(1)) + ")", text)


def reference_rows(con, text: str, f):
    q = f"SELECT * FROM ({text}) ORDER BY ALL"
    return fetch_df(con, q, figures.bind(q, f.params()))

# -- the earlier definitions -------------------------------------------------------------


def recent_acknowledgments_before(db: Database, limit: int = 200):
    return db.query("""
        SELECT k.kind AS acknowledgment, k.ack_date, k.sender, k.source_file,
               count(a.seq) AS claims,
               count(*) FILTER (WHERE a.outcome = 'accepted' AND a.claim_id IS NOT NULL)
                   AS accepted,
               count(*) FILTER (WHERE a.outcome = 'rejected' AND a.claim_id IS NOT NULL)
                   AS rejected,
               count(*) FILTER (WHERE a.seq IS NOT NULL AND a.claim_id IS NULL) AS not_ours,
               k.imported_at
        FROM acknowledgments k LEFT JOIN claim_acks a USING (ack_id)
        GROUP BY k.ack_id, k.kind, k.ack_date, k.sender, k.source_file, k.imported_at
        ORDER BY k.imported_at DESC, k.ack_id DESC LIMIT ?""", [limit])


def recent_remittances_before(db: Database, limit: int = 50):
    return db.query("""
        SELECT r.remittance_id, r.payment_date, r.payer_name, r.trace_number, r.method,
               r.amount,
               (SELECT count(*) FROM claim_payments cp
                 WHERE cp.remittance_id = r.remittance_id) AS claims,
               (SELECT count(*) FROM claim_payments cp WHERE cp.remittance_id = r.remittance_id
                  AND cp.claim_id IS NOT NULL AND cp.status_code <> '23') AS matched,
               (SELECT count(*) FROM claim_payments cp WHERE cp.remittance_id = r.remittance_id
                  AND (cp.claim_id IS NULL OR cp.status_code = '23')) AS unmatched,
               (SELECT coalesce(sum(pa.amount), 0) FROM provider_adjustments pa
                 WHERE pa.remittance_id = r.remittance_id) AS provider_adjustments,
               r.source_file, r.imported_at
        FROM remittances r
        ORDER BY r.payment_date DESC, r.remittance_id DESC
        LIMIT ?""", [int(limit)])


def unmatched_claim_payments_before(db: Database):
    return db.query("""
        SELECT r.payment_date, r.payer_name, r.trace_number, cp.clp01, cp.status_code,
               cp.charge, cp.paid, cp.patient_responsibility, cp.payer_claim_number
        FROM claim_payments cp JOIN remittances r USING (remittance_id)
        WHERE cp.claim_id IS NULL OR cp.status_code = '23'
        ORDER BY r.payment_date DESC, cp.claim_payment_id""")


# -- the comparisons -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("fast_reads") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    db = Database(path)
    yield db
    db.release()


def same(a, b) -> None:
    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    assert a.equals(b)


@pytest.mark.parametrize("limit", [1, 3, 200, 100_000])
def test_recent_acknowledgments_as_before(demo, limit):
    got = acks.recent_acknowledgments(demo, limit)
    assert not got.empty
    same(got, recent_acknowledgments_before(demo, limit))


@pytest.mark.parametrize("limit", [1, 3, 50, 100_000])
def test_recent_remittances_as_before(demo, limit):
    got = post835.recent_remittances(demo, limit)
    assert not got.empty and got.provider_adjustments.ne(0).any() if limit > 50 else True
    same(got, recent_remittances_before(demo, limit))


def test_unmatched_claim_payments_as_before(demo):
    got = post835.unmatched_claim_payments(demo)
    assert not got.empty
    same(got, unmatched_claim_payments_before(demo))


# revenue_by_payer.sql counted visits from claim_lines; it reads visit_facts now (the same
# distinct service dates per claim). Its earlier text: tests/store/reference_sql/.
@pytest.mark.parametrize("f", FILTER_SETS, ids=lambda f: f"{f.date_from}..{f.as_of}")
def test_revenue_by_payer_as_before(demo, f):
    with demo.connect() as con:
        old = reference_rows(con, reference_sql("revenue_by_payer"), f)
        new = reference_rows(con, figures.sql("revenue_by_payer"), f)
    if f == FILTER_SETS[0]:
        assert len(old) > 0 and old.visits.sum() > 0
        # a column since (the per-visit figures' divisor, tests/test_scorecard.py)
        assert 0 < new.visits_answered.sum() < new.visits.sum()
    same(old, new[list(old.columns)])


# ar_balances.sql and patient_claim_sides.sql sum the claims with money on both sides of the
# as-of date through one shared part now (ledger_as_of.sql, kept once for both). The earlier
# ar_balances is tests/store/test_facts.py's reference; patient_claim_sides' is kept here.
@pytest.mark.parametrize("f", FILTER_SETS, ids=lambda f: f"{f.date_from}..{f.as_of}")
def test_patient_claim_sides_as_before(demo, f):
    with demo.connect() as con:
        old = reference_rows(con, reference_sql("patient_claim_sides"), f)
        new = reference_rows(con, figures.sql("patient_claim_sides"), f)
    if f == FILTER_SETS[0]:
        assert len(old) > 0
    same(old, new)


@pytest.mark.parametrize("f", FILTER_SETS, ids=lambda f: f"{f.date_from}..{f.as_of}")
def test_kept_ledger_as_of_gives_the_same_figures(demo, f):
    """With the shared part kept (as a page computes it), the A/R figures are those of the
    queries computed whole."""
    figures.clear_reuse()
    with demo.connect() as con:
        whole = {n: reference_rows(con, figures.sql(n), f)
                 for n in ("ar_balances", "patient_balances", "patient_ar_total")}
    kept = {n: figures.query(demo, n, f) for n in whole}
    figures.clear_reuse()
    for n, frame in whole.items():
        got = kept[n].sort_values(list(kept[n].columns), ignore_index=True,
                                  na_position="first")
        want = frame.sort_values(list(frame.columns), ignore_index=True, na_position="first")
        same(want, got)


# The overview's payments and monthly trend sum the money posted by day first
# (money_posted_daily.sql, kept once for both); before, each summed money_posted's rows.
MONTHLY_TREND_BEFORE = """
    WITH months AS (SELECT unnest(generate_series(date_trunc('month', $date_from),
                                                  date_trunc('month', $date_to),
                                                  INTERVAL 1 MONTH))::DATE AS month),
    ch AS (SELECT date_trunc('month', first_service_date)::DATE AS month,
                  sum(total_charge) AS charges
           FROM ({scope_facts}) s GROUP BY 1),
    pay AS (SELECT date_trunc('month', posted_date)::DATE AS month, sum(amount) AS paid
            FROM ({money_posted}) m
            WHERE what IN ('payer', 'patient') GROUP BY 1)
    SELECT m.month, coalesce(ch.charges, 0)::DOUBLE AS charges,
           coalesce(pay.paid, 0)::DOUBLE AS payments
    FROM months m LEFT JOIN ch USING (month) LEFT JOIN pay USING (month)
    ORDER BY m.month"""


@pytest.mark.parametrize("f", FILTER_SETS, ids=lambda f: f"{f.date_from}..{f.as_of}")
def test_payments_and_monthly_trend_as_before(demo, f):
    figures.clear_reuse()
    with demo.connect() as con:
        old_paid = reference_rows(con, reference_sql("payments_posted"), f)
        new_paid = reference_rows(con, figures.sql("payments_posted"), f)
        trend_text = figures.core.FRAGMENT.sub(lambda m: figures.sql(m.group(1)),
                                               MONTHLY_TREND_BEFORE)
        old_trend = fetch_df(con, trend_text, figures.bind(trend_text, f.params()))
    if f == FILTER_SETS[0]:
        assert old_paid.payer_paid[0] > 0 and old_trend.payments.sum() > 0
    same(old_paid, new_paid)
    # as the overview computes them: side by side, the daily sums kept for both
    same(old_trend, figures.monthly_trend(demo, f)[list(old_trend.columns)])
    kpis = figures.kpis(demo, f)
    figures.clear_reuse()
    assert kpis == figures.kpis(demo, f)
    assert kpis["payments"] == (figures.money(old_paid.payer_paid[0])
                                + figures.money(old_paid.patient_paid[0]))


def test_monthly_trend_says_which_days_of_each_month_are_in_the_period(demo):
    import datetime as dt

    trend = figures.monthly_trend(demo, figures.Filters(dt.date(2026, 4, 15),
                                                        dt.date(2026, 6, 10)))
    days = [(str(r.month), str(r.first_day), str(r.last_day)) for r in trend.itertuples()]
    assert days == [("2026-04-01", "2026-04-15", "2026-04-30"),
                    ("2026-05-01", "2026-05-01", "2026-05-31"),
                    ("2026-06-01", "2026-06-01", "2026-06-10")]


# -- a small result through the DB-API (fetch_df(few=True)) -----------------------------------


@pytest.mark.parametrize("as_of", ["2026-06-30", "2025-09-30"])
def test_work_lists_read_with_few_as_through_the_relation_api(demo, as_of, monkeypatch):
    """Every work list (the lists that read with ``few=True``) holds the same rows, columns and
    dtypes as when read through DuckDB's relation API."""
    import datetime as dt

    from metdash import worklists
    from metdash.store import db as store_db

    day = dt.date.fromisoformat(as_of)
    fast = worklists.all_lists(demo, day, workers=1)
    relation = store_db.fetch_df

    def without_few(con, sql, params=None, *, categories=False, few=False):
        return relation(con, sql, params, categories=categories)

    monkeypatch.setattr(store_db, "fetch_df", without_few)
    slow = worklists.all_lists(demo, day, workers=1)
    assert sum(len(frame) for frame in fast.values()) > 0
    for key in worklists.WORKLISTS:
        same(fast[key], slow[key])


@pytest.mark.parametrize("params", [None, [2], {"n": 2}])
def test_fetch_df_few_keeps_types_nulls_and_parameters(params):
    import duckdb

    con = duckdb.connect()
    n = "2" if params is None else ("?" if isinstance(params, list) else "$n")
    sql = f"""SELECT i, 'c' || i AS text, (i * 1.25)::DECIMAL(12,2) AS money,
                     DATE '2026-01-01' + i::INTEGER AS day,
                     CASE WHEN i = 1 THEN NULL ELSE i END AS maybe
              FROM range({n}) t(i) ORDER BY i"""
    same(fetch_df(con, sql, params, few=True), fetch_df(con, sql, params))
    empty = f"SELECT * FROM ({sql}) WHERE i < 0"
    same(fetch_df(con, empty, params, few=True), fetch_df(con, empty, params))
    assert len(fetch_df(con, empty, params, few=True)) == 0
