"""Revenue by payer: billed, allowed, paid, patient responsibility, over time; underpayments."""

from __future__ import annotations

import pandas as pd

from metdash.figures.core import (
    Filters,
    query,
    run,
    scope,
    sql,
)
from metdash.store import Database


def revenue_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """Per payer: payer_id, payer, payer_type, claims, billed, allowed, paid,
    paid_as_secondary, patient_responsibility (Decimal dollars), visits, visits_answered,
    paid_per_visit (float dollars). Paid is under the payer that paid (a secondary's under
    the secondary); the rest under the payer each claim is billed to. Paid per visit is the
    payer's payments on its own claims (not as a secondary: those visits are another payer's)
    over the visits it has answered (a claim waiting or never sent has paid nothing yet)."""
    df = query(db, "revenue_by_payer", f)
    if not df.empty:
        df["paid_per_visit"] = per_answered_visit(df.paid - df.paid_as_secondary,
                                                  df.visits_answered)
    return df


def per_answered_visit(amounts: pd.Series, visits: pd.Series) -> list[float | None]:
    """Each amount ÷ its visits answered (floats in dollars); None with no visit answered."""
    return [None if not v else float(a) / v for a, v in zip(amounts, visits, strict=True)]


def monthly_trend(db: Database, f: Filters) -> pd.DataFrame:
    """By month of the period: month (first day), charges (by service month, claims in the
    period) and payments (payer + patient, refunds netted, by posting month; the same money as
    the overview's payments, from the same sums by day), floats in dollars; first_day and
    last_day, the days of that month in the period (a month the period cuts is not whole)."""
    text = f"""
        WITH months AS (SELECT unnest(generate_series(date_trunc('month', $date_from),
                                                      date_trunc('month', $date_to),
                                                      INTERVAL 1 MONTH))::DATE AS month),
        ch AS (SELECT date_trunc('month', first_service_date)::DATE AS month,
                      sum(total_charge) AS charges
               FROM {scope()} s GROUP BY 1),
        pay AS (SELECT date_trunc('month', posted_date)::DATE AS month, sum(amount) AS paid
                FROM ({sql('money_posted_daily')}) m
                WHERE what IN ('payer', 'patient') GROUP BY 1)
        SELECT m.month, coalesce(ch.charges, 0)::DOUBLE AS charges,
               coalesce(pay.paid, 0)::DOUBLE AS payments,
               greatest(m.month, $date_from::DATE) AS first_day,
               least(last_day(m.month), $date_to::DATE) AS last_day
        FROM months m LEFT JOIN ch USING (month) LEFT JOIN pay USING (month)
        ORDER BY m.month"""
    with db.connect() as con:
        return run(con, text, f)


def payer_mix_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """month, payer, billed (float dollars), share (of the month's billed, 0..1)."""
    text = f"""
        SELECT date_trunc('month', s.first_service_date)::DATE AS month, p.name AS payer,
               sum(s.total_charge)::DOUBLE AS billed
        FROM {scope()} s JOIN payers p USING (payer_id)
        GROUP BY ALL ORDER BY month, payer"""
    with db.connect() as con:
        df = run(con, text, f)
    if not df.empty:
        df["share"] = df.billed / df.groupby("month").billed.transform("sum")
    return df


# An underpaid line (on adjudicated_lines' rows): the payer allowed less than its fee schedule
# says it should (allowed = AMT*B6, else paid + cost share + sequestration CO-253; expected =
# fee × units). Denied
# lines are the Denials page's business. The payer scorecards count the same lines.
UNDERPAID_WHERE = "NOT denied AND expected IS NOT NULL AND allowed < expected"


def underpaid_lines(db: Database, f: Filters, limit: int = 500) -> pd.DataFrame:
    """Lines allowed below the payer's expected amount (fee schedule × units), worst first:
    claim_id, payer, service_date, cpt, units, charge, expected, allowed, paid, shortfall
    (expected − allowed). Denied lines are the Denials page's business and are left out."""
    text = f"""
        SELECT claim_id, payer, service_date, cpt, units, charge,
               expected::DECIMAL(14,2) AS expected, allowed::DECIMAL(14,2) AS allowed, paid,
               (expected - allowed)::DECIMAL(14,2) AS shortfall
        FROM ({sql('adjudicated_lines')}) l
        WHERE {UNDERPAID_WHERE}
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
