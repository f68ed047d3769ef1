"""AppTest: Claims → Bill sessions with a later session that adds no unit to its day records
it as billed on the claim that bills the day, says so after the page runs again, and the
session leaves the pickers and Sessions not yet billed (it was refused with "no billable
units" and stayed there for good).

Worked by hand (C001, Medicare, the CMS 8-minute rule, DOMAIN.md): morning 97110 10 min ->
1 unit (8-22), claim X bills 97110 x1; afternoon 97140 10 min: the day's 20 min -> 1 unit,
which goes (10 min left each, 10 min each in all) to the code met first, the morning's
97110: 97110 x1, 97140 x0. X already bills that.
"""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from metdash import entry as e
from metdash import worklists
from tests.entry_seed import USER, seed

TODAY = dt.date.today()
DAY = TODAY - dt.timedelta(days=20)


@pytest.fixture
def day(tmp_path, monkeypatch):
    """The store (draft claim X built from the morning; the afternoon not yet billed), the
    morning's and the afternoon's session ids."""
    db = seed(tmp_path / "page.duckdb")
    rid = e.save_referral(db, e.ReferralIn("C001", 1, TODAY - dt.timedelta(days=40),
                                           ["M54.50"]), USER)
    am = e.save_session(db, e.SessionIn("C001", 1, DAY, "treatment", {"97110": 10}, rid), USER)
    with db.connect() as con:
        e.save_claim(db, e.build_claim_from_sessions(con, [am], claim_id="X"), USER)
    pm = e.save_session(db, e.SessionIn("C001", 1, DAY, "treatment", {"97140": 10}, rid), USER)
    with db.transaction() as con:
        con.execute("UPDATE practice SET is_demo = TRUE")  # opens without signing in
    db.release()
    monkeypatch.setenv("METDASH_DB", str(db.path))
    return db, am, pm


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_bill_sessions_records_a_session_adding_no_unit_on_the_days_claim(day):
    db, am, pm = day
    assert worklists.sessions_not_billed(db, TODAY).session_id.tolist() == [pm]
    at = AppTest.from_file("../../pages/claims.py", default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    assert at.multiselect[0].value == [pm]
    [b for b in at.button if b.label == "Build claim"][0].click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [x.value for x in at.error]
    said = (f"Session {pm} adds no unit to {DAY}: claim X already bills the day's 1 unit(s); "
            "it is recorded as billed on claim X.")
    assert any(said in s.value for s in at.success), [s.value for s in at.success]
    assert any("Every session is billed." in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "save_draft"]  # no draft to review
    assert sorted(db.query("SELECT session_id FROM claim_sessions WHERE claim_id = 'X'"
                           ).session_id) == [am, pm]
    assert worklists.sessions_not_billed(db, TODAY).empty
