"""Every figure the dashboard and ``metdash figures`` show, as plain functions.

Each function takes the :class:`~metdash.db.Database` and a :class:`Filters` and returns a
dict or a DataFrame whose columns are named in its docstring. Definitions are the
catalogue's (:mod:`metdash.metrics`), which follow ../shared/DOMAIN.md. All aggregation
happens in DuckDB (queries in ``metdash/sql/``); Python only assembles the results.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import threading
import time
from decimal import Decimal
from importlib import resources
from typing import Any

import duckdb
import pandas as pd

from metdash.carc import carc_description, rarc_description
from metdash.db import Database, fetch_df, store_stamp

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
_FRAGMENT = re.compile(r"\{([a-z_]+)\}")
_PARAM = re.compile(r"\$([a-z_]+)")


@functools.cache
def sql(name: str) -> str:
    """The text of ``metdash/sql/<name>.sql`` with ``{fragment}`` includes expanded."""
    text = resources.files("metdash.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")
    return _FRAGMENT.sub(lambda m: "(" + sql(m.group(1)) + ")", text)


def _bind(text: str, params: dict[str, Any]) -> dict[str, Any]:
    wanted = set(_PARAM.findall(text))
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"parameters {sorted(missing)} not given")
    return {k: v for k, v in params.items() if k in wanted}


def run(con: duckdb.DuckDBPyConnection, text: str, f: Filters | None = None,
        **extra: Any) -> pd.DataFrame:
    """Run SQL text with the filter's parameters (and ``extra``) bound by name."""
    params = {**(f.params() if f else {}), **extra}
    if f is not None:
        text = _reuse_heavy(con, text, f)
    return fetch_df(con, text, _bind(text, params))


# -- reuse of the heavy per-filter results -------------------------------------------------
# A/R balances and the period's denial adjustments are inputs to several figures on one page
# (days to payment: A/R three times; denials: the adjustments five times). Each is computed
# once per store state and filter set and kept as an Arrow table (exact types) for a few
# minutes; the queries that include it read the kept table instead. The store's state is the
# size and modification time of the DuckDB file and its WAL: any committed write, from this
# process or another, changes one of them, so nothing stale is ever reused. (The per-claim
# and per-line results come from the facts tables, metdash.facts: reading those again costs
# less than keeping hundreds of thousands of rows.)
HEAVY = ("denial_adjustments", "ar_balances")
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
        key = (state, name, f)
        now = time.monotonic()
        with _reuse_lock:
            hit = _reuse.get(key)
        if hit is None or now - hit[0] > _REUSE_SECONDS:
            cur = con.cursor()
            try:
                table = cur.sql(body, params=_bind(body, f.params()) or None).to_arrow_table()
            finally:
                cur.close()
            with _reuse_lock:
                for old in [k for k, (t, _) in _reuse.items() if now - t > _REUSE_SECONDS]:
                    del _reuse[old]
                while len(_reuse) >= _REUSE_MAX:
                    del _reuse[next(iter(_reuse))]
                _reuse[key] = (now, table)
        else:
            table = hit[1]
        view = f"_kept_{name}"
        con.register(view, table)
        text = text.replace(body, f"SELECT * FROM {view}")
    return text


def query(db: Database, name: str, f: Filters, **extra: Any) -> pd.DataFrame:
    """Run ``metdash/sql/<name>.sql`` for these filters."""
    with db.connect() as con:
        return run(con, sql(name), f, **extra)


def _money(value: Any) -> Decimal:
    if value is None or (isinstance(value, float) and value != value):
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENTS)


def _ratio(num: Any, den: Any) -> float | None:
    num, den = float(num or 0), float(den or 0)
    return None if den == 0 else num / den


def _float(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


# -- the KPIs ----------------------------------------------------------------------------
def kpis(db: Database, f: Filters) -> dict[str, Any]:
    """The overview's ten figures (keys as in :data:`metdash.metrics.KPI_NAMES`).

    Money as Decimal (2 places), rates as floats 0..1 (None when there is nothing to divide
    by), days as floats (None when no claim qualifies).
    """
    window = f.replace(date_from=f.as_of - dt.timedelta(days=89), date_to=f.as_of)
    with db.connect() as con:
        charges = run(con, f"SELECT coalesce(sum(total_charge), 0) AS v FROM {_scope()} s", f)
        window_charges = run(
            con, f"SELECT coalesce(sum(total_charge), 0) AS v FROM {_scope()} s", window)
        posted = run(con, sql("payments_posted"), f)
        adj = run(con, f"""
            SELECT count(*) FILTER (WHERE adjudicated) AS adjudicated,
                   count(*) FILTER (WHERE adjudicated AND denied) AS denied,
                   count(*) FILTER (WHERE adjudicated AND resolved) AS resolved,
                   median(days_to_payment) AS median_days
            FROM ({sql('claim_adjudication')}) a""", f)
        ar = run(con, f"SELECT coalesce(sum(balance), 0) AS v FROM ({sql('ar_balances')}) b", f)
    gross = _money(charges.v[0])
    payments = _money(posted.payer_paid[0]) + _money(posted.patient_paid[0])
    contractual = _money(posted.contractual[0])
    ar_total = _money(ar.v[0])
    daily = float(_money(window_charges.v[0])) / 90
    a = adj.iloc[0]
    return {
        "gross_charges": gross,
        "payments": payments,
        "contractual_adjustments": contractual,
        "gross_collection_rate": _ratio(payments, gross),
        "net_collection_rate": _ratio(payments, gross - contractual),
        "denial_rate": _ratio(a.denied, a.adjudicated),
        "first_pass_resolution_rate": _ratio(a.resolved, a.adjudicated),
        "ar_total": ar_total,
        "days_in_ar": None if daily == 0 else float(ar_total) / daily,
        "median_days_to_payment": _float(a.median_days),
    }


def _scope() -> str:
    return "(" + sql("scope_facts") + ")"


def _posted_on_filtered() -> str:
    """payment_facts rows on claims that pass the filters and are not voided."""
    return "NOT voided AND (" + sql("id_filters") + ")"


# -- revenue -----------------------------------------------------------------------------
def revenue_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer: payer_id, payer, payer_type, claims, billed, allowed, paid,
    patient_responsibility (Decimal dollars), visits, paid_per_visit (float dollars)."""
    df = query(db, "revenue_by_payer", f)
    if not df.empty:
        df["paid_per_visit"] = [
            None if not v else float(p) / v for p, v in zip(df.paid, df.visits, strict=True)]
    return df


def monthly_trend(db: Database, f: Filters) -> pd.DataFrame:
    """By month of the period: month (first day), charges (by service month, claims in the
    period) and payments (payer + patient, by posting month), floats in dollars."""
    text = f"""
        WITH f AS ({sql('filtered_claims')}),
        months AS (SELECT unnest(generate_series(date_trunc('month', $date_from),
                                                 date_trunc('month', $date_to),
                                                 INTERVAL 1 MONTH))::DATE AS month),
        ch AS (SELECT date_trunc('month', first_service_date)::DATE AS month,
                      sum(total_charge) AS charges
               FROM {_scope()} s GROUP BY 1),
        pay AS (SELECT date_trunc('month', p.payment_date)::DATE AS month, sum(p.paid) AS paid
                FROM payment_facts p
                WHERE p.payment_date BETWEEN $date_from AND $date_to
                  AND {_posted_on_filtered()} GROUP BY 1),
        pat AS (SELECT date_trunc('month', pp.payment_date)::DATE AS month,
                       sum(pp.amount) AS paid
                FROM patient_payments pp
                WHERE pp.payment_date BETWEEN $date_from AND $date_to
                  AND ((pp.claim_id IS NULL AND $payers::INTEGER[] IS NULL
                        AND $referrers::INTEGER[] IS NULL AND $providers::INTEGER[] IS NULL)
                       OR pp.claim_id IN (SELECT claim_id FROM f))
                GROUP BY 1)
        SELECT m.month, coalesce(ch.charges, 0)::DOUBLE AS charges,
               (coalesce(pay.paid, 0) + coalesce(pat.paid, 0))::DOUBLE AS payments
        FROM months m LEFT JOIN ch USING (month) LEFT JOIN pay USING (month)
        LEFT JOIN pat USING (month)
        ORDER BY m.month"""
    with db.connect() as con:
        return run(con, text, f)


def payer_mix_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """month, payer, billed (float dollars), share (of the month's billed, 0..1)."""
    text = f"""
        SELECT date_trunc('month', s.first_service_date)::DATE AS month, p.name AS payer,
               sum(s.total_charge)::DOUBLE AS billed
        FROM {_scope()} s JOIN payers p USING (payer_id)
        GROUP BY ALL ORDER BY month, payer"""
    with db.connect() as con:
        df = run(con, text, f)
    if not df.empty:
        df["share"] = df.billed / df.groupby("month").billed.transform("sum")
    return df


def underpaid_lines(db: Database, f: Filters, limit: int = 500) -> pd.DataFrame:
    """Lines allowed below the payer's expected amount (fee schedule × units), worst first:
    claim_id, payer, service_date, cpt, units, charge, expected, allowed, paid, shortfall
    (expected − allowed). Denied lines are the Denials page's business and are left out."""
    text = f"""
        SELECT claim_id, payer, service_date, cpt, units, charge,
               expected::DECIMAL(14,2) AS expected, allowed::DECIMAL(14,2) AS allowed, paid,
               (expected - allowed)::DECIMAL(14,2) AS shortfall
        FROM ({sql('adjudicated_lines')}) l
        WHERE NOT denied AND expected IS NOT NULL AND allowed < expected
        ORDER BY shortfall DESC, claim_id, line_no LIMIT $limit"""
    with db.connect() as con:
        return run(con, text, f, limit=limit)


def expected_vs_paid(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer, over the latest adjudication of lines that were not denied: payer,
    lines, expected (fee schedule × units), allowed, paid, underpaid_lines (allowed below
    expected), floats in dollars."""
    text = f"""
        SELECT payer, count(*) AS lines, coalesce(sum(expected), 0)::DOUBLE AS expected,
               sum(allowed)::DOUBLE AS allowed, sum(paid)::DOUBLE AS paid,
               count(*) FILTER (WHERE allowed < expected) AS underpaid_lines
        FROM ({sql('adjudicated_lines')}) l
        WHERE NOT denied
        GROUP BY payer ORDER BY expected DESC"""
    with db.connect() as con:
        return run(con, text, f)


# -- days to payment and A/R -------------------------------------------------------------
def days_to_payment(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer, over the claims in the period that were paid: payer, claims_paid,
    median_days, p90_days (from submission), median_days_from_service,
    p90_days_from_service (days, floats; p90 by linear interpolation)."""
    text = f"""
        SELECT p.name AS payer, count(*) AS claims_paid,
               median(days_to_payment)::DOUBLE AS median_days,
               quantile_cont(days_to_payment, 0.9)::DOUBLE AS p90_days,
               median(days_from_service)::DOUBLE AS median_days_from_service,
               quantile_cont(days_from_service, 0.9)::DOUBLE AS p90_days_from_service
        FROM ({sql('claim_adjudication')}) a JOIN payers p USING (payer_id)
        WHERE a.first_paid_date IS NOT NULL
        GROUP BY p.name ORDER BY median_days, payer"""
    with db.connect() as con:
        return run(con, text, f)


def days_to_payment_histogram(db: Database, f: Filters, width: int = 7) -> pd.DataFrame:
    """The distribution: payer, days (bucket start, ``width`` days wide), claims."""
    text = f"""
        SELECT p.name AS payer,
               (floor(days_to_payment / $width) * $width)::INTEGER AS days,
               count(*) AS claims
        FROM ({sql('claim_adjudication')}) a JOIN payers p USING (payer_id)
        WHERE a.first_paid_date IS NOT NULL
        GROUP BY ALL ORDER BY days, payer"""
    with db.connect() as con:
        return run(con, text, f, width=width)


def days_to_payment_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """By month of first payment: month, payer, median_days, claims_paid."""
    text = f"""
        SELECT date_trunc('month', first_paid_date)::DATE AS month, p.name AS payer,
               median(days_to_payment)::DOUBLE AS median_days, count(*) AS claims_paid
        FROM ({sql('claim_adjudication')}) a JOIN payers p USING (payer_id)
        WHERE a.first_paid_date IS NOT NULL
        GROUP BY ALL ORDER BY month, payer"""
    with db.connect() as con:
        return run(con, text, f)


def ar_aging(db: Database, f: Filters) -> pd.DataFrame:
    """Open A/R as of ``f.as_of`` by age since service: bucket (0-30 … 120+, all five, in
    order), claims, balance (Decimal dollars)."""
    text = f"""
        SELECT bucket, count(*) AS claims, sum(balance)::DECIMAL(14,2) AS balance
        FROM ({sql('ar_balances')}) b GROUP BY bucket"""
    with db.connect() as con:
        df = run(con, text, f).set_index("bucket")
    out = pd.DataFrame({"bucket": BUCKETS})
    out["claims"] = [int(df.claims.get(b, 0)) for b in BUCKETS]
    out["balance"] = [_money(df.balance.get(b, 0)) for b in BUCKETS]
    return out


def ar_aging_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Open A/R per payer and bucket: payer, bucket, claims, balance (float dollars)."""
    text = f"""
        SELECT p.name AS payer, bucket, count(*) AS claims, sum(balance)::DOUBLE AS balance
        FROM ({sql('ar_balances')}) b JOIN payers p USING (payer_id)
        GROUP BY ALL ORDER BY payer"""
    with db.connect() as con:
        return run(con, text, f)


def oldest_open_claims(db: Database, f: Filters, limit: int = 50) -> pd.DataFrame:
    """The oldest open claims as of ``f.as_of``: claim_id, client_id, payer, status,
    first_service_date, submitted_date, age_days, bucket, balance."""
    text = f"""
        SELECT b.claim_id, b.client_id, p.name AS payer, b.status, b.first_service_date,
               b.submitted_date, b.age_days, b.bucket, b.balance::DECIMAL(14,2) AS balance
        FROM ({sql('ar_balances')}) b JOIN payers p USING (payer_id)
        ORDER BY b.age_days DESC, b.claim_id LIMIT $limit"""
    with db.connect() as con:
        return run(con, text, f, limit=limit)


# -- denials -------------------------------------------------------------------------------
def denial_reasons(db: Database, f: Filters) -> pd.DataFrame:
    """Denial adjustments on the claims in the period by reason: group, carc, description
    (our words), claims, lines, amount (Decimal dollars); largest amount first."""
    text = f"""
        SELECT group_code AS "group", carc, count(DISTINCT claim_id) AS claims,
               sum(n_lines) AS lines, sum(amount)::DECIMAL(14,2) AS amount
        FROM ({sql('denial_adjustments')}) d
        GROUP BY ALL ORDER BY amount DESC, claims DESC, carc"""
    with db.connect() as con:
        df = run(con, text, f)
    df.insert(2, "description", [carc_description(c) for c in df.carc])
    df["lines"] = df.lines.astype(int)
    return df


def denial_summary(db: Database, f: Filters) -> dict[str, Any]:
    """Claims, lines and dollars adjudicated and denied at first adjudication, and the three
    denial rates: denial_rate, denial_rate_lines, denial_rate_dollars (None when nothing was
    adjudicated)."""
    with db.connect() as con:
        c = run(con, f"""SELECT count(*) FILTER (WHERE adjudicated) AS adjudicated,
                                count(*) FILTER (WHERE adjudicated AND denied) AS denied
                         FROM ({sql('claim_adjudication')}) a""", f).iloc[0]
        line = run(con, f"""SELECT count(*) AS lines, count(*) FILTER (WHERE denied) AS denied,
                                   coalesce(sum(charge), 0)::DOUBLE AS charges,
                                   coalesce(sum(charge) FILTER (WHERE denied), 0)::DOUBLE
                                       AS denied_charges
                            FROM ({sql('first_adjudication_lines')}) l""", f).iloc[0]
    return {
        "claims_adjudicated": int(c.adjudicated), "claims_denied": int(c.denied),
        "lines_adjudicated": int(line.lines), "lines_denied": int(line.denied),
        "charges_adjudicated": float(line.charges), "charges_denied": float(line.denied_charges),
        "denial_rate": _ratio(c.denied, c.adjudicated),
        "denial_rate_lines": _ratio(line.denied, line.lines),
        "denial_rate_dollars": _ratio(line.denied_charges, line.charges),
    }


def denial_rate_by(db: Database, f: Filters, by: str) -> pd.DataFrame:
    """Denial rates at first adjudication grouped ``by`` 'payer', 'cpt' or 'month': key,
    lines, lines_denied, denial_rate_lines, charges, charges_denied, denial_rate_dollars."""
    keys = {"payer": "p.name", "cpt": "l.cpt",
            "month": "date_trunc('month', l.first_adjudication_date)::DATE"}
    key = keys[by]
    text = f"""
        SELECT {key} AS key, count(*) AS lines, count(*) FILTER (WHERE denied) AS lines_denied,
               sum(charge)::DOUBLE AS charges,
               coalesce(sum(charge) FILTER (WHERE denied), 0)::DOUBLE AS charges_denied
        FROM ({sql('first_adjudication_lines')}) l JOIN payers p USING (payer_id)
        GROUP BY 1 ORDER BY 1"""
    with db.connect() as con:
        df = run(con, text, f)
    df["denial_rate_lines"] = df.lines_denied / df.lines.where(df.lines > 0)
    df["denial_rate_dollars"] = df.charges_denied / df.charges.where(df.charges > 0)
    return df


def denial_reasons_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """month (of the denying remittance), reason ('CO-50'), claims, amount (float)."""
    text = f"""
        SELECT date_trunc('month', payment_date)::DATE AS month,
               group_code || '-' || carc AS reason,
               count(DISTINCT claim_id) AS claims, sum(amount)::DOUBLE AS amount
        FROM ({sql('denial_adjustments')}) d GROUP BY ALL ORDER BY month, reason"""
    with db.connect() as con:
        return run(con, text, f)


def denial_reasons_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """payer, reason ('CO-50'), claims, amount (float) for the denials in the period."""
    text = f"""
        SELECT p.name AS payer, d.group_code || '-' || d.carc AS reason,
               count(DISTINCT d.claim_id) AS claims, sum(d.amount)::DOUBLE AS amount
        FROM ({sql('denial_adjustments')}) d
        JOIN claims c USING (claim_id) JOIN payers p ON p.payer_id = c.payer_id
        GROUP BY ALL ORDER BY amount DESC"""
    with db.connect() as con:
        return run(con, text, f)


def remark_codes(db: Database, f: Filters) -> pd.DataFrame:
    """RARC remarks on the claims in the period: code, description, claims, lines."""
    text = f"""
        SELECT rc.code, count(DISTINCT p.claim_id) AS claims,
               count(rc.line_payment_id) AS lines
        FROM remark_codes rc
        JOIN claim_payments p USING (claim_payment_id)
        JOIN {_scope()} s ON s.claim_id = p.claim_id
        WHERE p.status_code NOT IN ('22', '23')
        GROUP BY rc.code ORDER BY claims DESC, rc.code"""
    with db.connect() as con:
        df = run(con, text, f)
    df.insert(1, "description", [rarc_description(c) for c in df.code])
    return df


def appeals_summary(db: Database, f: Filters) -> pd.DataFrame:
    """Appeals on the claims in the period by outcome: outcome, appeals, claims, and the
    amount paid on those claims after the appeal was filed (float dollars)."""
    text = f"""
        WITH ap AS (SELECT a.* FROM appeals a JOIN {_scope()} s USING (claim_id)),
        after_paid AS (
            SELECT ap.appeal_id, coalesce(sum(p.paid), 0) AS recovered
            FROM ap JOIN payment_facts p ON p.claim_id = ap.claim_id
            WHERE p.payment_date >= ap.filed_date
            GROUP BY ap.appeal_id)
        SELECT ap.outcome, count(*) AS appeals, count(DISTINCT ap.claim_id) AS claims,
               coalesce(sum(after_paid.recovered), 0)::DOUBLE AS recovered
        FROM ap LEFT JOIN after_paid USING (appeal_id)
        GROUP BY ap.outcome ORDER BY appeals DESC"""
    with db.connect() as con:
        return run(con, text, f)


def open_denials(db: Database, f: Filters, limit: int = 200) -> pd.DataFrame:
    """Denied claims still to work: denied or partly paid with the payer's appeal window
    open on ``f.as_of``, or appealed with the appeal pending; oldest first: claim_id, client_id, payer, first_service_date, denied_on,
    reasons ('CO-50, CO-16'), denied_amount, appeal_deadline, days_left."""
    text = f"""
        WITH d AS ({sql('denial_adjustments')}),
        per_claim AS (
            SELECT claim_id, min(payment_date) AS denied_on,
                   string_agg(DISTINCT group_code || '-' || carc, ', ') AS reasons,
                   sum(amount) AS denied_amount
            FROM d GROUP BY claim_id)
        SELECT c.claim_id, c.client_id, p.name AS payer, c.status, c.first_service_date,
               pc.denied_on, pc.reasons, pc.denied_amount::DECIMAL(14,2) AS denied_amount,
               (pc.denied_on + p.appeal_window_days)::DATE AS appeal_deadline,
               datediff('day', $as_of, pc.denied_on + p.appeal_window_days) AS days_left
        FROM per_claim pc JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
        WHERE (c.status IN ('denied', 'partially_paid')
               -- past the appeal window there is nothing left to work
               AND pc.denied_on + p.appeal_window_days >= $as_of)
           OR (c.status = 'appealed' AND EXISTS (
                SELECT 1 FROM appeals a WHERE a.claim_id = c.claim_id AND a.outcome = 'pending'))
        ORDER BY pc.denied_on, c.claim_id LIMIT $limit"""
    with db.connect() as con:
        return run(con, text, f, limit=limit)


# -- referrers -----------------------------------------------------------------------------
def referrer_volume(db: Database, f: Filters) -> pd.DataFrame:
    """Per referrer active in the period: referrer_id, npi, name, kind, specialty,
    organization, referrals, converted, conversion_rate, days_to_first_session (median),
    sessions, billed, paid (Decimal dollars), last_referral (date)."""
    df = query(db, "referrer_volume", f)
    df.insert(df.columns.get_loc("converted") + 1, "conversion_rate",
              [_ratio(c, r) for c, r in zip(df.converted, df.referrals, strict=True)])
    return df


def referrer_kinds(db: Database, f: Filters) -> pd.DataFrame:
    """The referrer figures summed per kind: kind, referrers, referrals, converted,
    conversion_rate, sessions, billed, paid."""
    return referrer_kinds_of(referrer_volume(db, f))


def referrer_kinds_of(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`referrer_kinds` from a :func:`referrer_volume` result already at hand."""
    if df.empty:
        return pd.DataFrame(columns=["kind", "referrers", "referrals", "converted",
                                     "conversion_rate", "sessions", "billed", "paid"])
    g = df.groupby("kind", as_index=False).agg(
        referrers=("npi", "count"), referrals=("referrals", "sum"),
        converted=("converted", "sum"), sessions=("sessions", "sum"),
        billed=("billed", "sum"), paid=("paid", "sum"))
    g.insert(4, "conversion_rate",
             [_ratio(c, r) for c, r in zip(g.converted, g.referrals, strict=True)])
    return g.sort_values("referrals", ascending=False, ignore_index=True)


def referrals_weekly(db: Database, f: Filters) -> pd.DataFrame:
    """Referrals per ISO week (Monday) and referrer kind: week, kind, referrals."""
    text = """
        SELECT date_trunc('week', r.received_date)::DATE AS week, rr.kind,
               count(*) AS referrals
        FROM referrals r JOIN referrers rr USING (referrer_id)
        WHERE r.received_date BETWEEN $date_from AND $date_to
          AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], r.referrer_id))
        GROUP BY ALL ORDER BY week, kind"""
    with db.connect() as con:
        return run(con, text, f)


# -- drill-down ------------------------------------------------------------------------------
def claims_list(db: Database, f: Filters, *, payer: str | None = None,
                reason: str | None = None, bucket: str | None = None,
                limit: int = 500) -> pd.DataFrame:
    """The claims behind a figure: in the period, optionally for one payer (name), one
    denial reason ('CO-50') or, as of ``f.as_of``, one A/R bucket. Columns: claim_id,
    client_id, payer, status, first_service_date, submitted_date, total_charge, paid."""
    conds, extra = [], {"limit": limit}
    base = _scope()
    if bucket is not None:
        base = f"(SELECT c.* FROM claims c JOIN ({sql('ar_balances')}) b USING (claim_id) " \
               "WHERE b.bucket = $bucket)"
        extra["bucket"] = bucket
    if payer is not None:
        conds.append("p.name = $payer")
        extra["payer"] = payer
    if reason is not None:
        conds.append(f"s.claim_id IN (SELECT claim_id FROM ({sql('denial_adjustments')}) d "
                     "WHERE d.group_code || '-' || d.carc = $reason)")
        extra["reason"] = reason
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    text = f"""
        SELECT s.claim_id, s.client_id, p.name AS payer, s.status, s.first_service_date,
               s.submitted_date, s.total_charge,
               coalesce((SELECT f.posted_paid FROM claim_facts f
                         WHERE f.claim_id = s.claim_id), 0)::DECIMAL(14,2) AS paid
        FROM {base} s JOIN payers p USING (payer_id)
        {where}
        ORDER BY s.first_service_date, s.claim_id LIMIT $limit"""
    with db.connect() as con:
        return run(con, text, f, **extra)


def filter_options(db: Database) -> dict[str, pd.DataFrame]:
    """What the sidebar offers: payers (payer_id, name), referrers (referrer_id, name, kind),
    providers (provider_id, name), and the service-date span (min_date, max_date)."""
    with db.connect() as con:
        return {
            "payers": fetch_df(con, "SELECT payer_id, name FROM payers ORDER BY name"),
            "referrers": fetch_df(con, "SELECT referrer_id, name, kind FROM referrers "
                                       "ORDER BY name"),
            "providers": fetch_df(con, "SELECT provider_id, last_name || ', ' || first_name "
                                       "AS name FROM providers ORDER BY name"),
            "span": fetch_df(con, "SELECT min(first_service_date) AS min_date, "
                                  "max(first_service_date) AS max_date FROM claims"),
        }
