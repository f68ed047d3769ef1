"""Shared fixtures: a fresh cache for every test, and the small hand-worked practice."""

from __future__ import annotations

import pytest


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

    from metdash.db import Database
    from metdash.demo import generate

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate(Database(path), seed=11, claim_lines=6000,
             as_of=dt.date.fromisoformat(DEMO_AS_OF))
    return path


@pytest.fixture(scope="session")
def small_db_path(tmp_path_factory):
    """The dozen-claim practice of tests/small_practice.py, built once a session."""
    from metdash.db import Database
    from tests import small_practice

    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    small_practice.build(Database(path))
    return path
