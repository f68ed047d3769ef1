"""Shared fixtures: a fresh cache for every test, and the small hand-worked practice."""

from __future__ import annotations

import os

import pytest

# Every write transaction in the suite compares claim_facts with a full recomputation
# (metdash.store.facts): a write path that changes a claim without naming it fails its own test.
os.environ.setdefault("METDASH_VERIFY_FACTS", "1")


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """st.cache_data / st.cache_resource are process-wide: start every test empty."""
    try:
        import streamlit as st
    except ImportError:  # pragma: no cover
        yield
        return
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


DEMO_AS_OF = "2026-06-30"


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    """A small synthetic demo practice (seeded, ~6,000 claim lines), built once a session."""
    import datetime as dt

    from metdash.demo import generate
    from metdash.store import Database

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    db = Database(path)
    generate(db, seed=11, claim_lines=6000, as_of=dt.date.fromisoformat(DEMO_AS_OF))
    db.release()  # the file alone complete: tests copy it
    return path


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """The seeded practice of tests/entry_seed.py, built once a session (tests copy it)."""
    from tests.entry_seed import seed

    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    seed(path)
    return path


@pytest.fixture
def seeded_db(seeded, tmp_path):
    """A copy of :func:`seeded` of this test's own."""
    import shutil

    from metdash.store import Database

    target = tmp_path / "t.duckdb"
    shutil.copy(seeded, target)
    return Database(target)


@pytest.fixture(scope="session")
def small_db_path(tmp_path_factory):
    """The dozen-claim practice of tests/small_practice.py, built once a session."""
    from metdash.store import Database
    from tests import small_practice

    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    small_practice.build(Database(path)).release()  # complete on disk: tests copy it
    return path


@pytest.fixture(autouse=True)
def _signed_in_as_owner(monkeypatch):
    """Page tests run as a signed-in owner, so a practice (non-demo) store opens without the
    sign-in form. tests/security/ overrides this fixture to test the real sign-in."""
    from metdash import auth
    from metdash.ui import session

    owner = auth.User("tester", "Tester", "owner")

    def session_user(db):
        session.sign_in(owner)
        return owner

    monkeypatch.setattr(session, "session_user", session_user)


# -- exit -------------------------------------------------------------------------------------
# Once, after every test had passed and pytest had printed its summary, the interpreter
# aborted while finalizing native threads ("terminate called ... exception not rethrown",
# exit 134), turning a green run red. metdash.store.db now closes its DuckDB handles at exit, which
# fixed it in every later run; as a second guard the run ends with pytest's own exit status
# right after the session, before native libraries are torn down.
_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session, exitstatus):
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    if _EXIT_STATUS and os.environ.get("METDASH_PYTEST_HARD_EXIT", "1") == "1":
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])
