"""Migration 0015 (clearinghouse settings, place of service) on a store made before it:
nothing lost, every session and claim line keeps place of service 11, no payer wants a
telehealth modifier, and an export is refused until the settings are entered (the demo
gets its made-up settings and still exports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pytest

from metdash.demo_clearinghouse import DEMO_CLEARINGHOUSE
from metdash.entry.clearinghouse import REQUIRED, validate_clearinghouse
from metdash.store import Database, facts
from metdash.x12.model837 import ControlNumbers
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import load_batch, render_837p
from tests import small_practice
from tests.store.old_store import store_at

TABLES = ["practice", "payers", "sessions", "session_minutes", "claims", "claim_lines",
          "claim_payments", "line_payments", "adjustments", "remittances", "audit_log"]


def _store_before_0015(path, *, demo: bool) -> dict[str, str]:
    """The small practice in a store migrated up to 0014; each table's content hash."""
    con = store_at(path, 14)
    con.execute(small_practice.SQL.format(practice=small_practice.NPI_PRACTICE,
                                          provider=small_practice.NPI_PROVIDER,
                                          r1=small_practice.NPI_R1, r2=small_practice.NPI_R2))
    con.execute("UPDATE practice SET is_demo = ?", [demo])
    # No facts are built here: today's facts need the later migrations' tables and columns
    # (0019, 0020), and a later migration rebuilds them (0020: rebuild-facts).
    hashes = _hashes(con)
    con.close()
    return hashes


def _hashes(con) -> dict[str, str]:
    out = {}
    for t in TABLES:
        # Columns 0015 added, and those later migrations add (0016: the REF*F8 number;
        # 0021: the patient a claim payment names; 0029: the CLP a reversal takes back).
        cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()  # noqa: S608
                if r[0] not in ("place_of_service", "telehealth_modifier",
                                "original_payer_claim_number", "patient_last_name",
                                "patient_first_name", "patient_member_id", "reverses_id")]
        out[t] = con.execute(
            f"SELECT count(*) || ':' || coalesce(md5(string_agg(x, chr(10) ORDER BY x)), '') "
            f"FROM (SELECT CAST(({', '.join(cols)}) AS VARCHAR) AS x FROM {t})").fetchone()[0]
    return out


def test_an_existing_store_keeps_everything_and_bills_the_office(tmp_path):
    path = tmp_path / "old.duckdb"
    before = _store_before_0015(path, demo=False)
    assert before["sessions"].split(":")[0] != "0" and before["claim_lines"][0] != "0"
    db = Database(path)
    with db.connect() as con:
        assert 15 in {r[0] for r in con.execute("SELECT version FROM schema_migrations"
                                                ).fetchall()}
        assert _hashes(con) == before  # nothing lost, nothing changed
        assert con.execute("SELECT DISTINCT place_of_service FROM sessions").fetchall() == \
            [("11",)]
        assert con.execute("SELECT DISTINCT place_of_service FROM claim_lines").fetchall() == \
            [("11",)]
        assert con.execute("SELECT count(*) FROM payers WHERE telehealth_modifier IS NOT "
                           "NULL").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM clearinghouse_settings").fetchall() == [(0,)]
        assert facts.check(con) == []
        # An export is refused, naming each setting and where to enter it.
        _, problems = load_batch(con, ["C8"])
    assert [p for p in problems if p.startswith("Clearinghouse")] == [
        p for p in problems if "Settings → Clearinghouse." in p]
    assert len([p for p in problems if p.startswith("Clearinghouse")]) == len(REQUIRED)
    # New sessions still default to the office.
    with db.transaction() as con:
        con.execute("INSERT INTO sessions (session_id, client_id, provider_id, session_date, "
                    "kind) VALUES (99, 'A', 1, DATE '2025-03-30', 'treatment')")
    assert db.scalar("SELECT place_of_service FROM sessions WHERE session_id = 99") == "11"


def test_a_demo_store_from_before_gets_the_demo_settings_and_exports(tmp_path):
    path = tmp_path / "demo.duckdb"
    _store_before_0015(path, demo=True)
    db = Database(path)
    with db.connect() as con:
        row = con.execute("SELECT * EXCLUDE (settings_id) FROM clearinghouse_settings"
                          ).fetchall()
        assert row == [tuple(asdict(DEMO_CLEARINGHOUSE).values())]
        batch, problems = load_batch(con, ["C8"])
    assert problems == []
    text = render_837p(batch, ControlNumbers(1, 1, 1), dt.datetime(2025, 3, 31, 9, 0))
    assert text.startswith("ISA*00*          *00*          *ZZ*DEMOSUB01      *ZZ*DEMOCH"
                           "         *250331*0900*^*00501*000000001*0*T*:~\n"
                           "GS*HC*DEMOSUB01*DEMOCH*")
    assert pyx12_validate(text) == []


def test_the_demo_settings_pass_their_own_rules():
    assert validate_clearinghouse(DEMO_CLEARINGHOUSE) == []


@pytest.mark.parametrize("place", ["10", "02"])
def test_a_new_demo_has_telehealth_lines_with_95_only_for_the_payers_that_want_it(
        demo_db_path, place):
    # Through the process's shared handle: a read-only connection of its own was refused
    # ("different configuration") when an earlier test had left that handle open.
    with Database(demo_db_path).connect() as con:
        rows = con.execute("""
            SELECT p.telehealth_modifier, list_contains(l.modifiers, '95') AS has95, count(*)
            FROM claim_lines l JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
            WHERE l.place_of_service = ? GROUP BY ALL ORDER BY ALL""", [place]).fetchall()
        assert con.execute("SELECT count(*) FROM sessions WHERE place_of_service = '12'"
                           ).fetchone()[0] > 0
    assert {(m, has) for m, has, _ in rows} == {("95", True), (None, False)}, rows
