"""Promise: bad input never reaches the store and never shows a traceback. Text with quotes,
SQL and HTML is stored and shown literally (control characters are refused with a problem:
tests/security/test_hostile_content.py); the validators and parsers take arbitrary input
and answer with problems, never an unexpected exception."""

from __future__ import annotations

import ast
import itertools
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from metdash import entry as e
from metdash.errors import ValidationError, X12FileError
from metdash.spreadsheet import COLUMNS, ImportResult, import_claims
from metdash.store import Database
from metdash.x12.parse835 import parse_835
from metdash.x12.post835 import import_835
from tests.entry_seed import AS_OF, seed
from tests.x12 import conftest as x12_seed

ROOT = Path(__file__).resolve().parents[2]
ERA = (ROOT / "tests" / "x12" / "fixtures" / "era_basic.835").read_text()

NASTY = ["Robert'); DROP TABLE clients;--", "O'Brien \"Bob\"", "<script>alert(1)</script>",
         "<b>bold</b> &amp; **md** `code`", "tab\there", "bell\x07 esc\x1b[31m",
         "'; DELETE FROM audit_log WHERE '1'='1", "Zoë Ünïcødé 名前 🙂", "back\\slash %s {0}"]
# Any text, leaning on the characters that break naive code.
hostile = st.one_of(st.sampled_from(NASTY),
                    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                            max_size=40),
                    st.text(alphabet="'\";-<>/&%*`\\\t\r\n\x01\x1f{}$()", max_size=25))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "seed.duckdb"
    return seed(path)


_ids = itertools.count(1)


@SETTINGS
@given(last=hostile, first=hostile, city=hostile)
def test_client_text_is_stored_literally_or_refused_with_problems(store, last, first, city):
    cid = f"H{next(_ids)}"
    client = e.ClientIn(cid, last, first, "1970-01-01", city=city)
    before = store.scalar("SELECT count(*) FROM clients")
    try:
        e.save_client(store, client, "tester", as_of=AS_OF)
    except ValidationError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert store.scalar("SELECT count(*) FROM clients") == before
        return
    with store.connect() as con:
        got = con.execute("SELECT last_name, first_name, city FROM clients WHERE client_id = ?",
                          [cid]).fetchone()
    assert got == (last.strip(), first.strip(), city.strip() or None)
    assert store.scalar("SELECT count(*) FROM clients") == before + 1


@SETTINGS
@given(name=hostile, npi=hostile)
def test_referrer_validator_answers_every_text(store, name, npi):
    with store.connect() as con:
        problems = e.validate_referrer(con, e.ReferrerIn(npi=npi, name=name, kind="physician"))
    assert all(isinstance(p, str) and "Traceback" not in p for p in problems)


@SETTINGS
@given(cells=st.lists(hostile, min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_spreadsheet_import_answers_every_sheet(store, cells):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    writer.writerow(cells)
    claims = store.scalar("SELECT count(*) FROM claims")
    result = import_claims(store, buf.getvalue().encode("utf-8"), "hostile.csv", "tester",
                           as_of=AS_OF)
    assert isinstance(result, ImportResult)
    if result.problems:
        assert store.scalar("SELECT count(*) FROM claims") == claims
        assert all(isinstance(p, str) for p in result.problems)


@pytest.mark.parametrize("charge", ["100000000000000000000000000", "99999999999.00"])
def test_huge_amount_is_a_problem_not_a_traceback(store, charge):
    from tests.security.test_transactions import claims_csv

    sheet = claims_csv(1).replace("80.00", charge).encode()
    result = import_claims(store, sheet, f"huge-{charge[:5]}.csv", "tester", as_of=AS_OF)
    assert result.problems


@SETTINGS
@given(data=st.binary(max_size=300))
def test_spreadsheet_reader_answers_arbitrary_bytes(store, data):
    result = import_claims(store, data, "junk.xlsx", "tester", as_of=AS_OF)
    assert result.problems or result.already_imported


@SETTINGS
@given(text=hostile, cut=st.integers(min_value=0, max_value=len(ERA)))
def test_835_parser_refuses_mangled_files_with_messages(text, cut):
    mangled = ERA[:cut] + text + ERA[cut:]
    try:
        parse_835(mangled.encode("utf-8"), "mangled.835")
    except X12FileError as exc:
        assert exc.messages() and all(isinstance(m, str) for m in exc.messages())


@pytest.fixture(scope="module")
def x12_template(tmp_path_factory):
    db = x12_seed.seed(Database(tmp_path_factory.mktemp("x12h") / "seed.duckdb"))
    db.release()  # the file alone complete: each test copies it
    return db.path


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile.filter(lambda s: not set(s) & set("~*^>:\r\n") and s.strip()))
def test_payer_name_from_an_835_is_stored_literally(x12_template, tmp_path_factory, name):
    path = tmp_path_factory.mktemp("x12h") / "s.duckdb"
    shutil.copy(x12_template, path)
    db = Database(path)
    summary = import_835(db, [("n.835", ERA.replace("N1*PR*ACME HEALTH",
                                                    f"N1*PR*{name}").encode())], "tester")
    if summary.ok:
        assert db.scalar("SELECT payer_name FROM remittances") == name.strip() or \
            db.scalar("SELECT payer_name FROM remittances") == name
    else:
        assert db.scalar("SELECT count(*) FROM remittances") == 0


def _literal_table_app():
    import pandas as pd

    from metdash import ui
    from tests.security.test_hostile_input import NASTY

    ui.page_start("Literal", permission="view")
    ui.table(pd.DataFrame({"client_id": NASTY, "note": NASTY}), key="t")
    ui.show_problems([f"Last name {NASTY[2]!r} is odd: check it."])


def test_nasty_text_is_shown_literally_without_a_traceback(practice):
    at = AppTest.from_function(_literal_table_app, default_timeout=60)
    at.session_state["_auth_user"] = {"username": "olive", "role": "owner",
                                      "display_name": "Olive"}
    at.session_state["_auth_seen"] = time.time()
    at.run()
    assert not at.exception
    assert at.dataframe[0].value.note.tolist() == NASTY
    assert "<script>alert(1)</script>" in at.error[0].value  # markdown source, no raw HTML


def test_raw_html_is_only_ever_a_fixed_literal():
    """unsafe_allow_html is allowed only with a constant string (no user data can reach it)."""
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "metdash").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and any(
                    k.arg == "unsafe_allow_html" and getattr(k.value, "value", False)
                    for k in node.keywords):
                assert node.args and isinstance(node.args[0], ast.Constant), \
                    f"{path.name}:{node.lineno} passes non-constant HTML"
