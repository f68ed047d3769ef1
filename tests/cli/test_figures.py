"""``metdash figures``: the dashboard's figures for the hand-worked practice, as JSON and CSV."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from metdash.cli import main
from metdash.metrics import KPI_NAMES

Q1 = ["--from", "2025-01-01", "--to", "2025-03-31"]


def test_figures_as_json_and_as_csv(small_db_path, tmp_path):
    db = tmp_path / "small.duckdb"
    shutil.copy(small_db_path, db)
    result = CliRunner().invoke(main, ["figures", "--db", str(db), *Q1])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert list(report) == ["from", "to", "as_of", "kpis", "revenue_by_payer", "days_to_payment",
                            "ar_aging", "denial_reasons", "referrers", "write_offs",
                            "clean_claims"]
    assert list(report["kpis"]) == KPI_NAMES
    # The same numbers tests/test_figures.py works out by hand for Q1 2025.
    assert report["kpis"]["gross_charges"] == 1100.0 and report["kpis"]["payments"] == 380.0
    k = report["kpis"]
    assert (k["insurance_ar_total"], k["patient_ar_total"], k["ar_total"]) == (600.0, 140.0,
                                                                               740.0)
    aging = {(r["kind"], r["bucket"]): r["balance"] for r in report["ar_aging"]}
    assert aging[("insurance", "61-90")] == 200.0 and aging[("patient", "61-90")] == 32.0
    assert report["write_offs"] == []  # the small practice wrote nothing off
    assert report["as_of"] == "2025-03-31"
    result = CliRunner().invoke(main, ["figures", "--db", str(db), *Q1, "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "section,key,field,value"
    assert "kpis,gross_charges,value,1100.0" in lines
    assert "ar_aging,patient 31-60,balance,90.0" in lines


def test_figures_refuses_a_period_that_ends_before_it_starts(small_db_path):
    result = CliRunner().invoke(main, ["figures", "--db", str(small_db_path),
                                       "--from", "2025-03-31", "--to", "2025-01-01"])
    assert result.exit_code == 2 and "--from 2025-03-31 is after --to 2025-01-01." in \
        result.output


def test_without_dates_the_period_is_the_pages_own(small_db_path, tmp_path):
    """A new-user trial: the Overview opened on 450 days (12 months before the last service
    date, to today) while `metdash figures` took 365 days before today: two totals for one
    practice. Without --from and --to both now take the pages' period. The small practice's
    last service date is in 2025, long before today: from 364 days before it, to today."""
    import datetime as dt

    import duckdb

    from metdash.ui.filters import default_range

    db = tmp_path / "small.duckdb"
    shutil.copy(small_db_path, db)
    with duckdb.connect(str(db), read_only=True) as con:
        last = con.execute("SELECT max(first_service_date) FROM claims").fetchone()[0]
    result = CliRunner().invoke(main, ["figures", "--db", str(db)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    today = dt.date.today()
    assert (report["from"], report["to"]) == (str(last - dt.timedelta(days=364)), str(today))
    import pandas as pd

    page = default_range(pd.DataFrame({"max_date": [last]}), today)
    assert (report["from"], report["to"]) == (str(page[0]), str(page[1]))


def test_as_of_alone_ends_the_period_there_too(small_db_path, tmp_path):
    """Found by a new-user trial: `figures --as-of 2025-03-31` took the balances of March 31
    but counted payments up to today. The period now ends on the as-of date: the same
    report as --from 2024-04-01 --to 2025-03-31 (365 days)."""
    db = tmp_path / "small.duckdb"
    shutil.copy(small_db_path, db)
    alone = CliRunner().invoke(main, ["figures", "--db", str(db), "--as-of", "2025-03-31"])
    both = CliRunner().invoke(main, ["figures", "--db", str(db), "--from", "2024-04-01",
                                     "--to", "2025-03-31", "--as-of", "2025-03-31"])
    assert alone.exit_code == 0 and both.exit_code == 0, alone.output + both.output
    report = json.loads(alone.output)
    assert (report["from"], report["to"], report["as_of"]) == ("2024-04-01", "2025-03-31",
                                                               "2025-03-31")
    assert report == json.loads(both.output)
    assert report["kpis"]["payments"] == 380.0  # Q1's, as the hand-worked test above


def test_a_to_after_today_takes_the_balances_today(small_db_path, tmp_path):
    # try55 section 10: a day that has not come has no balances. --as-of after today is
    # refused (tests/test_payer_report.py); --to after today, with no --as-of, takes them today.
    import datetime as dt

    db = tmp_path / "small.duckdb"
    shutil.copy(small_db_path, db)
    later = dt.date.today() + dt.timedelta(days=30)
    result = CliRunner().invoke(main, ["figures", "--db", str(db), "--from", "2025-01-01",
                                       "--to", later.isoformat()])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["to"], report["as_of"]) == (later.isoformat(), dt.date.today().isoformat())
