"""Promise: what goes wrong reaches the user as one line saying what to do, never a
traceback (issue 19, item 15): a link to a week out of range, a damaged or truncated store
(in the app and in the command line), a disk that fills during a save, a crafted sign-in in
the session state."""

from __future__ import annotations

import os

import duckdb
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from metdash.cli import main
from metdash.errors import StoreError

from .conftest import PAGES, PASSWORDS

OLIVE = {"username": "olive", "role": "owner", "display_name": "Olive"}
DISK_FULL = 'IO Error: Could not write file "practice.duckdb.wal": No space left on device'


def page(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def one_line(text: str) -> bool:
    return "\n" not in text.strip() and "Traceback" not in text


# -- a link to a week out of range ----------------------------------------------------------
@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "not-a-date"])
def test_weekly_review_link_with_a_week_out_of_range(practice, week):
    at = page("weekly_review", week=week)
    at.session_state["_auth_user"] = OLIVE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.warning) == 1 and week in at.warning[0].value
    assert "showing the last full week instead." in at.warning[0].value.lower()
    assert at.title[0].value == "Weekly referral review"


def test_weekly_report_for_a_week_out_of_range_is_one_line(practice, tmp_path):
    r = CliRunner().invoke(main, ["report", "weekly", "--db", str(practice.path), "--week",
                                  "0001-01-01", "--out", str(tmp_path / "w.csv")])
    assert r.exit_code == 1 and not isinstance(r.exception, OverflowError), r.exception
    assert one_line(r.output) and "out of range" in r.output


# -- a damaged store --------------------------------------------------------------------------
@pytest.fixture(params=["garbage", "truncated"])
def damaged(request, practice, tmp_path, monkeypatch):
    """The practice's file made unreadable: random bytes, or its first third only."""
    practice.release()
    data = practice.path.read_bytes()
    bad = tmp_path / f"{request.param}.duckdb"
    bad.write_bytes(os.urandom(len(data)) if request.param == "garbage"
                    else data[: len(data) // 3])
    monkeypatch.setenv("METDASH_DB", str(bad))
    return bad


def test_damaged_store_is_one_line_in_the_app(damaged):
    at = page("overview").run()
    assert not at.exception, [e.value for e in at.exception]
    if at.title and at.title[0].value == "Sign in":  # the users' table could still be read
        at.text_input(key="w_sign_in_user").input("olive")
        at.text_input(key="w_sign_in_password").input(PASSWORDS["olive"])
        at = at.button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    # (shown literally: the page escapes Markdown, so '_' arrives as '\_')
    assert one_line(at.error[0].value) and str(damaged) in at.error[0].value.replace("\\", "")
    assert "metdash restore" in at.error[0].value


def test_damaged_store_is_one_line_at_sign_in(damaged, monkeypatch):
    at = page("overview")
    at.session_state["_auth_user"] = OLIVE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "metdash restore" in at.error[0].value


@pytest.mark.parametrize("command", [["user", "list"], ["facts", "check"]])
def test_damaged_store_is_one_line_in_the_command_line(damaged, command):
    r = CliRunner().invoke(main, [*command, "--db", str(damaged)])
    assert r.exit_code == 1 and not isinstance(r.exception, duckdb.Error), r.exception
    assert one_line(r.output) and r.output.startswith("Error: ")
    assert "metdash restore" in r.output


# -- a full disk ------------------------------------------------------------------------------
@pytest.fixture
def disk_full(monkeypatch):
    """Every write fails just before its COMMIT as DuckDB fails when the disk is full."""
    import metdash.store.db as store_db

    def full() -> None:
        raise duckdb.IOException(DISK_FULL)

    monkeypatch.setattr(store_db, "_test_pause_in_transaction", full)


def test_disk_full_during_a_save_is_a_store_error(practice, disk_full):
    before = practice.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(StoreError) as caught, practice.transaction() as con:
        con.execute("UPDATE practice SET name = 'Renamed'")
    message = str(caught.value)
    assert one_line(message) and "No space left on device" in message
    assert "nothing was saved" in message and "free some disk space" in message
    assert practice.scalar("SELECT name FROM practice") != "Renamed"
    assert practice.scalar("SELECT count(*) FROM audit_log") == before


def test_disk_full_is_one_line_in_the_command_line(practice, disk_full):
    r = CliRunner().invoke(main, ["user", "disable", "--db", str(practice.path), "fran"])
    assert r.exit_code == 1 and not isinstance(r.exception, duckdb.Error), r.exception
    assert one_line(r.output) and "free some disk space" in r.output


def test_disk_full_is_one_line_on_a_page(practice, disk_full):
    at = page("settings")
    at.session_state["_auth_user"] = OLIVE
    at.run()
    next(b for b in at.button if b.label == "Save practice").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("free some disk space" in e.value for e in at.error)


# -- a crafted sign-in in the session state ---------------------------------------------------
@pytest.mark.parametrize("crafted", [
    "olive",                                                      # not a dict
    42,
    ["olive", "owner"],
    {"role": "owner"},                                            # no username
    {"username": ["olive"], "role": "owner", "display_name": 1},  # not text
    {"username": "nobody", "role": "owner", "display_name": "X"},  # no such user
])
def test_crafted_auth_user_ends_the_session(practice, crafted):
    at = page("overview")
    at.session_state["_auth_user"] = crafted
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.metric


def test_crafted_role_is_not_believed(practice):
    """The viewer's own name with the owner's role: the page reads the role from the store."""
    at = page("settings")
    at.session_state["_auth_user"] = {"username": "vic", "role": "owner",
                                      "display_name": "Vic"}
    at.run()
    assert not at.exception
    assert any("Your role (Viewer)" in e.value for e in at.error)


# -- the last resort ----------------------------------------------------------------------------
def _failing_app():
    from metdash import ui

    with ui.last_resort():
        raise RuntimeError("a bug nobody handled")


def test_an_unhandled_error_is_one_line_and_logged(caplog):
    at = AppTest.from_function(_failing_app, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1 and one_line(at.error[0].value)
    assert "a bug nobody handled" not in at.error[0].value
    assert any(r.name == "metdash" and r.exc_info for r in caplog.records)


def _store_failing_app():
    from metdash import ui
    from metdash.errors import StoreError

    with ui.last_resort():
        raise StoreError("This needed more memory than metdash lets the database use (1GB). "
                         "Set METDASH_MEMORY_LIMIT higher.")


def test_a_store_error_nobody_handled_says_what_to_do(caplog):
    at = AppTest.from_function(_store_failing_app, default_timeout=60).run()
    assert not at.exception
    assert [e.value.replace("\\", "") for e in at.error] == [   # Markdown escapes aside
        "This needed more memory than metdash lets the database use (1GB). "
        "Set METDASH_MEMORY_LIMIT higher."]
    assert any(r.name == "metdash" and r.exc_info for r in caplog.records)
