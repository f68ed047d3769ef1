"""The outlook kept beside the store (metdash.forecast.outlook): a kept outlook is the one
built fresh; every kind of new data a forecast reads changes the history's state (so a kept
outlook is never read for another history); the windowed history forecasts what the whole
history does."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from metdash.forecast import backtest_from, cash_forecast_from, cash_outlook, history, outlook
from metdash.forecast.history import history_state, load_history
from metdash.store import Database, derived, facts
from tests.forecast import practice

AS_OF = dt.date.fromisoformat(practice.AS_OF)


@pytest.fixture
def db(tmp_path):
    return practice.build(Database(tmp_path / "forecast.duckdb"))


def _same(a: outlook.Outlook, b: outlook.Outlook) -> None:
    pd.testing.assert_frame_equal(a.forecast, b.forecast, check_exact=True)
    pd.testing.assert_frame_equal(a.backtest, b.backtest, check_exact=True)
    assert a.summary == b.summary and (a.as_of, a.weeks) == (b.as_of, b.weeks)


def test_a_kept_outlook_is_the_fresh_one(db, monkeypatch):
    fresh = outlook.build_outlook(db, AS_OF, 4)
    first = cash_outlook(db, AS_OF, 4)  # built and kept
    _same(first, fresh)
    assert any(p.name.startswith(outlook.KIND) for p in derived.folder(db.path).iterdir())
    db.release()  # another process: nothing in memory but the files beside the store
    monkeypatch.setattr(outlook, "_STATES", {})
    monkeypatch.setattr(outlook, "build_outlook", lambda *a, **k: pytest.fail("built again"))
    _same(cash_outlook(Database(db.path), AS_OF, 4), fresh)


def test_the_key_holds_as_of_weeks_and_version(db, monkeypatch):
    key = outlook.outlook_key(db, AS_OF, 4)
    assert outlook.outlook_key(db, AS_OF, 5) != key
    assert outlook.outlook_key(db, AS_OF + dt.timedelta(days=1), 4) != key
    monkeypatch.setattr(outlook, "FORECAST_VERSION", outlook.FORECAST_VERSION + 1)
    assert outlook.outlook_key(db, AS_OF, 4) != key


def _new_claim(con):
    con.execute("""
        INSERT INTO claims (claim_id, client_id, payer_id, rendering_provider_id, status,
                            diagnosis_codes, total_charge, first_service_date, source)
        VALUES ('N1', 'A', 1, 1, 'draft', ['M17.11'], 100, DATE '2025-06-25', 'test');
        INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                                 dx_pointers)
        VALUES ('N1', 1, DATE '2025-06-25', '97110', [], 1, 100, [1]);""")


def _edit_charge(con):
    con.execute("UPDATE claims SET total_charge = 150 WHERE claim_id = 'O1';"
                "UPDATE claim_lines SET charge = 150 WHERE claim_id = 'O1'")
    facts.touch(con, ["O1"])


def _edit_code(con):
    con.execute("UPDATE claim_lines SET cpt = '97112' WHERE claim_id = 'O1'")
    facts.touch(con, ["O1"])


def _void(con):
    con.execute("UPDATE claims SET status = 'voided' WHERE claim_id = 'O2';"
                "INSERT INTO claim_status_history (claim_id, seq, status, status_date, "
                "changed_by) VALUES ('O2', 1, 'voided', DATE '2025-06-25', 'test')")
    facts.touch(con, ["O2"], status_only=True)


def _payment(con):
    con.execute("""
        INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date,
                                 method, trace_number, amount, source)
        VALUES (4, 1, 'Quick Pay', 'QUIK1', DATE '2025-06-28', 'ACH', 'Q2', 120, 'test');
        INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01,
                                    status_code, charge, paid, patient_responsibility)
        VALUES (9, 4, 1, 'O1', 'O1', '1', 200, 120, 0);""")


def _patient_payment_on_a_claim(con):
    con.execute("INSERT INTO patient_payments (patient_payment_id, client_id, claim_id, "
                "payment_date, amount) VALUES (1, 'A', 'H1', DATE '2025-06-01', 20)")
    facts.touch(con, ["H1"], status_only=True)


def _patient_payment(con):
    con.execute("INSERT INTO patient_payments (patient_payment_id, client_id, claim_id, "
                "payment_date, amount) VALUES (1, 'A', NULL, DATE '2025-06-01', 20)")


def _refund(con):
    con.execute("INSERT INTO patient_refunds (refund_id, client_id, claim_id, refund_date, "
                "amount, user_name) VALUES (1, 'A', NULL, DATE '2025-06-02', 5, 'test')")


def _write_off(con):
    con.execute("INSERT INTO write_offs (write_off_id, client_id, claim_id, side, amount, "
                "reason, write_off_date, user_name) VALUES (2, 'A', 'O2', 'insurance', 10, "
                "'courtesy', DATE '2025-06-26', 'test')")
    facts.touch(con, ["O2"], status_only=True)


def _session(con):
    con.execute("INSERT INTO sessions (session_id, client_id, provider_id, session_date, kind) "
                "VALUES (1, 'A', 1, DATE '2025-06-27', 'treatment')")


def _session_minutes(con):
    _session(con)
    con.execute("INSERT INTO session_minutes VALUES (1, '97110', 38)")


def _session_on_a_claim(con):
    con.execute("INSERT INTO claim_sessions VALUES ('H1', 7)")


def _fee(con):
    con.execute("INSERT INTO fee_schedule VALUES ('97110', 50)")


def _cpt_timed(con):
    con.execute("INSERT INTO cpt_codes (cpt, description, timed) "
                "VALUES ('97110', 'therapeutic exercise', TRUE)")


def _coverage(con):
    con.execute("INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, "
                "effective_date) VALUES (1, 'A', 2, 'M1', DATE '2025-01-01')")


def _payer_name(con):
    con.execute("UPDATE payers SET name = 'Quick Pay Inc' WHERE payer_id = 1")


CHANGES = [_new_claim, _edit_charge, _edit_code, _void, _payment, _patient_payment_on_a_claim,
           _patient_payment, _refund, _write_off, _session, _session_minutes,
           _session_on_a_claim, _fee, _cpt_timed, _coverage, _payer_name]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_new_data_changes_the_state(db, change):
    before = history_state(db)
    key = outlook.outlook_key(db, AS_OF, 4)
    with db.transaction() as con:
        change(con)
    assert history_state(db) != before
    assert outlook.outlook_key(db, AS_OF, 4) != key  # through the file's stamp, too


def test_a_change_elsewhere_keeps_the_state(db):
    before = history_state(db)
    with db.transaction() as con:
        con.execute("UPDATE clients SET first_name = 'Anne' WHERE client_id = 'A'")
    assert history_state(db) == before


def test_a_payment_after_the_outlook_was_kept_is_forecast(db):
    kept = cash_outlook(db, AS_OF, 4)
    with db.transaction() as con:
        _payment(con)
    again = cash_outlook(db, AS_OF, 4)
    _same(again, outlook.build_outlook(db, AS_OF, 4))
    # O1 (open, 120 of it expected in week 1) was adjudicated on 06-28: the new curves and
    # its balance make another forecast
    assert kept.forecast.open_claims[0] == pytest.approx(120)
    assert not again.forecast.equals(kept.forecast)


def test_the_state_reads_every_table_the_history_reads():
    sql = " ".join([history._CLAIMS, history._EVENTS, history._PATIENT, history._UNBILLED])
    named = set(re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)", sql))
    ctes = set(re.findall(r"\b([a-z_]+) AS \(", sql))
    assert named - ctes - {"payers"} <= set(history.STATE_COLUMNS)
    assert "payers" in history.STATE_COLUMNS


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from metdash import demo

    db = Database(tmp_path_factory.mktemp("window") / "demo.duckdb")
    demo.generate(db, seed=7, claim_lines=6_000, as_of=dt.date(2026, 6, 30))
    return db


@pytest.mark.parametrize("as_of", [dt.date(2026, 6, 30), dt.date(2025, 11, 12)])
def test_the_window_forecasts_what_the_whole_history_does(demo_store, as_of):
    whole = load_history(demo_store)
    part = load_history(demo_store, outlook.history_window(as_of))
    assert len(part.claims["claim_id"]) < len(whole.claims["claim_id"])  # it leaves some out
    for weeks in (4, 12):
        pd.testing.assert_frame_equal(cash_forecast_from(part, as_of, weeks),
                                      cash_forecast_from(whole, as_of, weeks),
                                      check_exact=True)
        pd.testing.assert_frame_equal(backtest_from(part, as_of, weeks),
                                      backtest_from(whole, as_of, weeks), check_exact=True)
