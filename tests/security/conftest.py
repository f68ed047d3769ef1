"""Fixtures for the security promises: a practice store (not the demo) with one user per
role, and the real sign-in (the suite-wide test sign-in is switched off here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metdash import auth
from metdash.store import Database

PASSWORDS = {"olive": "olive-owner-pass-1", "bill": "bill-biller-pass-2",
             "fran": "fran-front-desk-3", "vic": "vic-viewer-pass-4"}
ROLES = {"olive": "owner", "bill": "biller", "fran": "front_desk", "vic": "viewer"}
PAGES = Path(__file__).resolve().parents[2] / "pages"


@pytest.fixture(autouse=True)
def _signed_in_as_owner():
    """Overrides tests/conftest.py: here nobody is signed in unless a test signs in."""
    yield


@pytest.fixture(scope="session")
def practice_template(tmp_path_factory, small_db_path):
    """The hand-worked small practice (is_demo false) with one user per role."""
    path = tmp_path_factory.mktemp("security") / "practice.duckdb"
    shutil.copy(small_db_path, path)
    db = Database(path)
    for name, role in ROLES.items():
        auth.add_user(db, name, PASSWORDS[name], role, by="setup",
                      display_name=name.capitalize())
    db.release()  # the file alone complete: each test copies it
    return path


@pytest.fixture
def practice(practice_template, tmp_path, monkeypatch) -> Database:
    """A fresh copy of the practice store, configured as the app's store."""
    target = tmp_path / "practice.duckdb"
    shutil.copy(practice_template, target)
    monkeypatch.setenv("METDASH_DB", str(target))
    monkeypatch.setenv("METDASH_BACKUP_DIR", str(tmp_path / "backups"))
    return Database(target)


def snapshot(db: Database) -> dict[str, list[tuple[str, ...]]]:
    """Every table of the store as sorted rows of text, for an exact before/after check."""
    tables = db.query("SELECT table_name FROM information_schema.tables"
                      " WHERE table_schema = 'main' ORDER BY 1").table_name.tolist()
    out = {}
    for t in tables:
        frame = db.query(f'SELECT * FROM "{t}" ORDER BY ALL')
        out[t] = [tuple(frame.columns)] + [tuple(repr(v) for v in row)
                                           for row in frame.itertuples(index=False)]
    return out


def assert_same(a: dict, b: dict) -> None:
    """Two snapshots hold the same tables with the same rows."""
    assert sorted(a) == sorted(b)
    for t in a:
        assert a[t] == b[t], f"table {t} differs"


@pytest.fixture(autouse=True)
def _fresh_sign_in_limits():
    """The sign-in limits are process-wide (metdash.auth.THROTTLE): start every test clear."""
    auth.THROTTLE.reset()
    yield
    auth.THROTTLE.reset()
