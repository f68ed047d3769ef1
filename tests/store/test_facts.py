"""claim_facts (metdash.store.facts): the per-claim table the figures read instead of the history.

The figures' answers must not change because they read kept tables: the queries that take a
shortcut through them are run side by side with the long way (tests/store/reference_sql/) on
the demo practice, for filter sets that include as-of dates in the middle of claims' payment
histories -- A/R as of a date (summed from every ledger row on or before it, instead of the
current balances plus the straddling claims) and the referrals' first visits (from sessions and
lines, instead of visit_facts) and the money posted in a period (patient money through the
ledger's rows, instead of joining the payments to the filtered claims). The other figures' definitions are the ledger's since issue 15
(classification, re-adjudication, recoupments, refunds): they are checked against numbers worked
by hand (tests/test_ledger.py, tests/test_figures.py), and the kept tables against a full
recomputation after every write (METDASH_VERIFY_FACTS) and here.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas.testing as pdt
import pytest

from metdash import figures
from metdash.errors import FactsMismatch
from metdash.figures import Filters
from metdash.store import Database, facts, fetch_df

REFERENCE = Path(__file__).parent / "reference_sql"
AS_OF = dt.date(2026, 6, 30)
YEAR = Filters(AS_OF - dt.timedelta(days=364), AS_OF)
FILTER_SETS = [
    YEAR,
    YEAR.previous(),
    Filters(dt.date(2024, 1, 1), dt.date(2025, 3, 31), payer_ids=(1, 3)),
    Filters(dt.date(2023, 7, 1), AS_OF, as_of=dt.date(2025, 2, 14), referrer_ids=(2, 5, 7)),
    Filters(dt.date(2026, 5, 1), AS_OF, as_of=dt.date(2026, 5, 20), provider_ids=(1, 2)),
    Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31), as_of=dt.date(2025, 9, 1)),
]


def _reference(name: str) -> str:
    """The query as it was, its {fragments} also as they were when kept here (the scope read
    from claims, not claim_facts), so the comparison does not lean on the new tables."""
    text = (REFERENCE / f"{name}.sql").read_text(encoding="utf-8")

    def include(m):
        kept = REFERENCE / f"{m.group(1)}.sql"
        return "(" + (_reference(m.group(1)) if kept.exists() else figures.sql(m.group(1))) + ")"

    return figures.core.FRAGMENT.sub(include, text)


def _rows(con, text: str, f: Filters):
    q = f"SELECT * FROM ({text}) ORDER BY ALL"
    return fetch_df(con, q, figures.bind(q, f.params()))


@pytest.mark.parametrize("name", ["ar_balances", "referral_first_visits", "money_posted"])
@pytest.mark.parametrize("f", FILTER_SETS, ids=lambda f: f"{f.date_from}..{f.as_of}")
def test_same_answers_as_computing_from_the_history(demo_db_path, name, f):
    with Database(demo_db_path).connect() as con:
        old = _rows(con, _reference(name), f)
        new = _rows(con, figures.sql(name), f)
    if f == YEAR:
        assert len(old) > 0  # a comparison of two empty answers would prove nothing
    pdt.assert_frame_equal(old, new, check_dtype=False)


@pytest.mark.parametrize("f", FILTER_SETS, ids=lambda f: f"{f.date_from}..{f.as_of}")
def test_patient_ar_total_is_the_claim_rows_summed(demo_db_path, f):
    """The overview's patient A/R skips the oldest-first allocation (it moves money between a
    client's claims, never changes the client's total): the same as the balances list's claim
    rows summed, for every filter set."""
    with Database(demo_db_path).connect() as con:
        rows = _rows(con, figures.sql("patient_balances"), f)
        total = _rows(con, figures.sql("patient_ar_total"), f).patient_ar[0]
    claims = rows[rows.kind == "claim"].balance.sum()
    if f == YEAR:
        assert claims > 0 and (rows.kind == "credit").any()
    assert total == claims


def test_as_of_in_the_middle_of_payment_histories_is_exercised(demo_db_path):
    """The filter sets above include claims paid after their as-of date (netted from their
    payments), not only claims wholly before or after it."""
    with Database(demo_db_path).connect() as con:
        n = con.execute("SELECT count(*) FROM claim_facts WHERE first_ledger_date <= ? "
                        "AND last_ledger_date > ?", [dt.date(2025, 9, 1)] * 2).fetchall()[0][0]
    assert n > 0


def test_demo_builds_the_table_whole(demo_db_path):
    with Database(demo_db_path).connect() as con:
        assert facts.check(con) == []
        n_claims, n_facts = con.execute(
            "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM claim_facts)"
        ).fetchall()[0]
    assert n_claims == n_facts > 0


@pytest.fixture
def copy(small_db_path, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(small_db_path, path)
    return Database(path)


def test_a_store_from_before_the_table_gets_it_when_migrated(copy):
    with copy.transaction() as con:
        expected = fetch_df(con, "SELECT * FROM claim_facts ORDER BY claim_id")
        for table, _, _ in facts.TABLES:
            con.execute(f"DROP TABLE {table}")
        con.execute("DROP TABLE claim_facts_state")
        con.execute("DELETE FROM schema_migrations WHERE version IN (3, 4, 5, 6, 7, 8, 12, 20, 27, 28, "
                    "30)")
    from metdash.store import release_file

    release_file(copy.path)
    again = Database(copy.path)
    with again.connect() as con:
        got = fetch_df(con, "SELECT * FROM claim_facts ORDER BY claim_id")
        assert facts.check(con) == []
    pdt.assert_frame_equal(expected, got)


def test_a_write_that_changes_a_claim_without_naming_it_is_refused_in_tests(copy):
    """METDASH_VERIFY_FACTS (set by the suite) catches a write path that forgot touch();
    the transaction rolls back, so the store is as it was."""
    before = copy.scalar("SELECT status FROM claims WHERE claim_id = 'C1'")
    with pytest.raises(FactsMismatch, match="1 claim"):
        with copy.transaction() as con:
            con.execute("UPDATE claims SET status = 'voided' WHERE claim_id = 'C1'")
    assert copy.scalar("SELECT status FROM claims WHERE claim_id = 'C1'") == before
    with copy.transaction() as con:
        con.execute("UPDATE claims SET status = 'voided' WHERE claim_id = 'C1'")
        facts.touch(con, ["C1"])
    assert copy.scalar("SELECT status FROM claim_facts WHERE claim_id = 'C1'") == "voided"


def test_new_payments_and_claims_are_picked_up_without_naming_them(copy):
    with copy.transaction() as con:
        con.execute("INSERT INTO claims (claim_id, client_id, payer_id, status, "
                    "diagnosis_codes, total_charge, first_service_date, submitted_date) "
                    "SELECT 'C99', client_id, payer_id, 'submitted', diagnosis_codes, 80, "
                    "DATE '2026-03-02', DATE '2026-03-03' FROM claims WHERE claim_id = 'C1'")
        con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, "
                    "claim_id, clp01, status_code, charge, paid) SELECT max(claim_payment_id)"
                    " + 1, min(remittance_id), 99, 'C99', 'C99', '1', 80, 55 "
                    "FROM claim_payments")
    with copy.connect() as con:
        row = con.execute("SELECT paid, adjudicated, total_charge FROM claim_facts "
                          "WHERE claim_id = 'C99'").fetchall()
    assert [tuple(map(str, r)) for r in row] == [("55.00", "True", "80.00")]


def _move(con, claim_id: str, status: str) -> None:
    """A status move as the app's write paths make it (entry, 837P, 835): named status-only."""
    con.execute("UPDATE claims SET status = ? WHERE claim_id = ?", [status, claim_id])
    facts.touch(con, [claim_id], status_only=True)


def _pay(con, claim_id: str, on: str, status_code: str, paid: str) -> None:
    """A new remittance dated ``on`` with one claim payment (no service lines) for the claim."""
    con.execute("INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, "
                "payment_date, method, trace_number, amount, source) SELECT "
                "max(remittance_id) + 1, 2, 'Acme Health', 'ACME1', ?::DATE, 'ACH', "
                "'T' || (max(remittance_id) + 1), ?::DECIMAL(12,2), 'test' FROM remittances",
                [on, paid])
    con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, "
                "clp01, status_code, charge, paid) SELECT (SELECT max(claim_payment_id) + 1 "
                "FROM claim_payments), (SELECT max(remittance_id) FROM remittances), 1, ?, ?, "
                "?, total_charge, ?::DECIMAL(12,2) FROM claims WHERE claim_id = ?",
                [claim_id, claim_id, status_code, paid, claim_id])


def test_a_status_move_rewrites_claim_facts_and_voiding_rewrites_every_table(copy):
    """Each write here is checked against a full recomputation (METDASH_VERIFY_FACTS)."""
    with copy.transaction() as con:
        _move(con, "C1", "closed")
    assert copy.scalar("SELECT status FROM claim_facts WHERE claim_id = 'C1'") == "closed"
    with copy.transaction() as con:  # C3 has payments, paid lines and a denial
        _move(con, "C3", "voided")
    for table in ("ledger", "line_facts", "first_line_facts", "denial_facts", "visit_facts"):
        assert copy.scalar(f"SELECT bool_and(voided) FROM {table} WHERE claim_id = 'C3'"), table
    with copy.transaction() as con:
        _move(con, "C3", "paid")
    assert not copy.scalar("SELECT bool_or(voided) FROM line_facts WHERE claim_id = 'C3'")


def test_a_status_only_touch_that_changed_more_is_caught_in_tests(copy):
    with pytest.raises(FactsMismatch, match="1 claim"):
        with copy.transaction() as con:
            con.execute("UPDATE claims SET referrer_id = 2 WHERE claim_id = 'C4'")
            facts.touch(con, ["C4"], status_only=True)  # wrong: the referrer is in every table


def test_new_payments_add_their_rows_and_move_the_first_adjudication(copy):
    """A payment dated before a claim's first adjudication becomes its first adjudication
    (first_line_facts redone); a payment and a status move on a voided claim un-void it."""
    with copy.transaction() as con:
        _pay(con, "C4", "2025-02-20", "4", "0")  # C4 was first adjudicated 2025-03-06
        _move(con, "C4", "denied")
        _pay(con, "C11", "2025-04-01", "1", "0")  # C11 is voided
        _move(con, "C11", "paid")
        _pay(con, "C6", "2025-04-02", "1", "10")  # a second payment, later than the first
    assert str(copy.scalar("SELECT first_adjudication_date FROM claim_facts "
                           "WHERE claim_id = 'C4'")) == "2025-02-20"
    assert copy.scalar("SELECT bool_and(denied) FROM first_line_facts WHERE claim_id = 'C4'")
    assert copy.scalar("SELECT count(*) FROM ledger WHERE claim_id = 'C6' "
                       "AND kind = 'payer_payment'") == 1  # the first paid 0: no row
    assert str(copy.scalar("SELECT paid FROM claim_facts WHERE claim_id = 'C6'")) == "10.00"
    assert not copy.scalar("SELECT bool_or(voided) FROM ledger WHERE claim_id = 'C11'")


def test_a_failed_write_leaves_the_facts_as_they_were(copy):
    with copy.connect() as con:
        before = fetch_df(con, "SELECT * FROM claim_facts ORDER BY claim_id")
    with pytest.raises(RuntimeError):
        with copy.transaction() as con:
            con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, "
                        "claim_id, clp01, status_code, charge, paid) SELECT "
                        "max(claim_payment_id) + 1, min(remittance_id), 99, 'C1', 'C1', '1', "
                        "10, 10 FROM claim_payments")
            raise RuntimeError("the import failed half way")
    with copy.connect() as con:
        after = fetch_df(con, "SELECT * FROM claim_facts ORDER BY claim_id")
        assert facts.check(con) == []
    pdt.assert_frame_equal(before, after)


def test_the_cli_checks_and_rebuilds(copy):
    from click.testing import CliRunner

    from metdash.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["facts", "check", "--db", str(copy.path)])
    assert ok.exit_code == 0, ok.output
    assert "match their definition" in ok.output
    with copy.connect() as con:  # damage one row behind the store's back (not a write path)
        con.execute("UPDATE claim_facts SET insurance_balance = insurance_balance + 1 "
                    "WHERE claim_id = 'C1'")
    bad = runner.invoke(main, ["facts", "check", "--db", str(copy.path)])
    assert bad.exit_code == 1 and "C1" in bad.output and "metdash facts rebuild" in bad.output
    fixed = runner.invoke(main, ["facts", "rebuild", "--db", str(copy.path)])
    assert fixed.exit_code == 0, fixed.output
    assert runner.invoke(main, ["facts", "check", "--db", str(copy.path)]).exit_code == 0
