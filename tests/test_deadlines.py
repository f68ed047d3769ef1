"""The timely-filing deadline (DOMAIN.md, "Deadlines"): one definition, in Python and SQL."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from metdash.deadlines import filing_deadline, filing_deadline_sql


def test_filing_deadline_by_hand():
    # Medicare: 12 months, kept as 365 days; a claim served 2025-03-10 is due 2026-03-10.
    assert filing_deadline(dt.date(2025, 3, 10), 365) == dt.date(2026, 3, 10)
    # 90 days from 2024-12-15 (leap year 2024 does not touch it): 2025-03-15
    assert filing_deadline(dt.date(2024, 12, 15), 90) == dt.date(2025, 3, 15)


def test_the_sql_expression_gives_the_same_day():
    con = duckdb.connect()
    con.execute("CREATE TABLE claims AS SELECT DATE '2024-02-10' AS first_service_date")
    con.execute("CREATE TABLE payers AS SELECT 20 AS timely_filing_days")
    got = con.execute(f"SELECT {filing_deadline_sql()} FROM claims c, payers p").fetchone()[0]
    assert got == filing_deadline(dt.date(2024, 2, 10), 20) == dt.date(2024, 3, 1)  # leap day


def test_only_table_aliases_go_into_the_sql():
    with pytest.raises(ValueError, match="not a table alias"):
        filing_deadline_sql("c; DROP TABLE claims")
