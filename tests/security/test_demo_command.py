"""Promise: `metdash demo` never replaces a practice's own file by mistake (METDASH_DB set as
the README says, and the command run without --db); with --force it backs the file up first,
and nothing of the practice -- its audit log, its users -- stays readable in the demo, which
opens without signing in."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from metdash import auth
from metdash.cli import main
from metdash.demo import ensure_demo, generate
from metdash.errors import NotTheDemo
from metdash.store import Database
from metdash.store import backup as bk

from .conftest import assert_same, snapshot

SMALL = ["--claim-lines", "300", "--as-of", "2025-06-30"]


def _demo(*args: str):
    return CliRunner().invoke(main, ["demo", *args, *SMALL])


def test_a_practice_is_refused_without_force(practice, tmp_path):
    before = snapshot(practice)
    result = _demo()  # $METDASH_DB names the practice (the fixture sets it)
    assert result.exit_code == 1, result.output
    assert "not the synthetic demo" in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert_same(before, snapshot(Database(practice.path)))
    assert bk.list_backups(practice.path, tmp_path / "backups") == []
    # The library refuses too, whoever calls it.
    with pytest.raises(NotTheDemo):
        generate(practice, claim_lines=300, as_of=dt.date(2025, 6, 30))
    assert_same(before, snapshot(Database(practice.path)))


def test_force_backs_the_practice_up_and_leaves_nothing_of_it_in_the_demo(practice, tmp_path):
    before = snapshot(practice)
    assert before["audit_log"][1:] and before["users"][1:]  # there is something to lose
    result = _demo("--force")
    assert result.exit_code == 0, result.output
    [saved] = bk.list_backups(practice.path, tmp_path / "backups")
    assert saved.name.endswith("-before-demo.duckdb") and str(saved) in result.output
    assert_same(before, snapshot(Database(saved)))  # the practice, whole, in the backup
    demo = Database(practice.path)
    assert demo.scalar("SELECT bool_and(is_demo) FROM practice") is True
    # The demo opens without signing in: its audit log is its own one row, no user is left.
    log = demo.query("SELECT user_name, action, before FROM audit_log")
    assert log.action.tolist() == ["demo generated"] and log.before.isna().all()
    assert demo.scalar("SELECT count(*) FROM users") == 0
    assert auth.user_count(demo) == 0


def test_the_demo_itself_is_rebuilt_without_force_and_its_log_starts_empty(tmp_path,
                                                                           monkeypatch):
    path = tmp_path / "demo.duckdb"
    monkeypatch.setenv("METDASH_DB", str(path))
    monkeypatch.setenv("METDASH_BACKUP_DIR", str(tmp_path / "backups"))
    assert _demo().exit_code == 0  # a new file
    db = Database(path)
    auth.add_user(db, "wendy", "a long enough password 1", "owner", by="workshop")
    with db.transaction() as con:
        con.execute("UPDATE clients SET phone = '555-0199' WHERE client_id = "
                    "(SELECT min(client_id) FROM clients)")
    assert db.scalar("SELECT count(*) FROM audit_log") > 1
    result = _demo("--seed", "8")
    assert result.exit_code == 0, result.output
    assert db.scalar("SELECT count(*) FROM audit_log") == 1
    assert db.scalar("SELECT count(*) FROM users") == 1  # the demo's own users stay
    assert bk.list_backups(path, tmp_path / "backups") == []  # nothing to keep: synthetic


def test_if_missing_leaves_a_new_practice_with_users_untouched(tmp_path, monkeypatch):
    # README step 2: the owner is added to a new file before anything else is entered.
    path = tmp_path / "my-practice.duckdb"
    monkeypatch.setenv("METDASH_DB", str(path))
    db = Database(path)
    auth.add_user(db, "olive", "a long enough password 1", "owner", by="setup")
    before = snapshot(db)
    result = _demo("--if-missing")
    assert result.exit_code == 0, result.output
    assert "left untouched" in result.output
    result = _demo()
    assert result.exit_code == 1 and "user" in result.output
    assert ensure_demo(db, claim_lines=300) is False
    assert_same(before, snapshot(Database(path)))


@pytest.mark.parametrize("cut", [2, 8])
def test_force_refuses_a_practice_that_cannot_be_backed_up(practice, cut):
    practice.release()
    size = practice.path.stat().st_size
    with open(practice.path, "r+b") as fh:  # damaged: its end lost
        fh.truncate((size - size // cut) // 4096 * 4096)
    damaged = practice.path.read_bytes()
    result = _demo("--force")
    assert result.exit_code == 1, result.output
    assert ("nothing was changed" in result.output or "No backup was written" in result.output
            or "Cannot open the database" in result.output)  # a file too damaged to open
    assert "Traceback" not in result.output
    assert practice.path.read_bytes() == damaged  # not replaced
