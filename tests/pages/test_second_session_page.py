"""AppTest: the second session of a day whose first is on a sent (denied) claim A, billed the
way Bill sessions' refusal says, through the Claims page's "Correct / void": a replacement
whose 97110 line bills the day's units takes the afternoon in, and it leaves Sessions not
yet billed; a replacement short of them says so, after the page runs again.

The day, worked by hand (C001, Medicare, the CMS 8-minute rule): morning 97110 10 min +
97112 15 min = 25 min -> 2 units, A bills 97110 x1 ($40.00) + 97112 x1 ($42.00); with the
afternoon's 97110 20 min the day is 97110 30 + 97112 15 = 45 min -> 3 units: 97110 x2
($80.00), 97112 x1.
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
    """The store (denied claim A, built from the morning; the afternoon not yet billed), the
    morning's and the afternoon's session ids."""
    db = seed(tmp_path / "page.duckdb")
    rid = e.save_referral(db, e.ReferralIn("C001", 1, TODAY - dt.timedelta(days=40),
                                           ["M54.50"]), USER)
    am = e.save_session(db, e.SessionIn("C001", 1, DAY, "treatment",
                                        {"97110": 10, "97112": 15}, rid), USER)
    with db.connect() as con:
        a = e.build_claim_from_sessions(con, [am], claim_id="A")
    e.save_claim(db, a, USER)
    e.move_claim_status(db, "A", "ready", USER)
    e.move_claim_status(db, "A", "submitted", USER, on=DAY + dt.timedelta(days=2))
    e.post_eob(db, e.EobIn(claim_id="A", payment_date=DAY + dt.timedelta(days=10),
                           paid="0.00", adjustments=[e.AdjustmentIn("CO", "50", "82.00")],
                           payer_claim_number="PCN-A"), USER)
    pm = e.save_session(db, e.SessionIn("C001", 1, DAY, "treatment", {"97110": 20}, rid),
                        USER)
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


def open_claim(claim_id: str) -> AppTest:
    """The Claims page's Status tab with ``claim_id`` picked, as a "Denials to correct" row
    opens it."""
    go = worklists.ROW_ACTIONS["denials_to_correct"]
    at = AppTest.from_file(f"../../pages/{go.page}", default_timeout=30)
    at.session_state[go.tabs_key] = go.tab
    at.session_state[f"{go.pick}-find"] = claim_id
    at.session_state[f"_pick-{go.pick}"] = claim_id
    at.run()
    assert not at.exception, at.exception
    return at


def replace_a(at: AppTest, units: int, why: str, *, unchanged: bool = False) -> AppTest:
    """Claim A's 97110 line (its first) edited to ``units`` at $40.00 each, queued as a
    replacement (``unchanged``: the line as it was, sent again as the payer asked)."""
    at.session_state["cx_A_lines"] = {"edited_rows": {0: {"units": units,
                                                          "charge": 40.0 * units}},
                                      "added_rows": [], "deleted_rows": []}
    at.text_input(key="cx_A_why").input(why)
    if unchanged:
        at.run()
        at.checkbox(key="cx_A_same").check()
    [b for b in at.button if b.label == "Queue the replacement"][0].click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [x.value for x in at.error]
    return at


def test_a_replacement_billing_the_day_bills_the_second_session(day):
    db, am, pm = day
    assert e.unbilled_sessions(db).session_id.tolist() == [pm]
    at = replace_a(open_claim("A"), 2, "the afternoon's minutes of the same day")
    assert db.query("SELECT status, frequency_code, total_charge FROM claims WHERE claim_id "
                    "= 'A'").iloc[0].tolist() == ["ready", "7", 122]
    assert db.query("SELECT cpt, units FROM claim_lines WHERE claim_id = 'A' ORDER BY line_no"
                    ).values.tolist() == [["97110", 2], ["97112", 1]]
    assert sorted(db.query("SELECT session_id FROM claim_sessions WHERE claim_id = 'A'"
                           ).session_id) == [am, pm]
    assert worklists.sessions_not_billed(db, TODAY).empty
    assert not at.warning, [x.value for x in at.warning]
    assert any("Every session is billed." in s.value for s in at.success)


def test_a_replacement_short_of_the_day_says_so_after_the_page_runs_again(day):
    db, _am, pm = day
    at = replace_a(open_claim("A"), 1, "resent: the payer asked for it again", unchanged=True)
    assert [x.value for x in at.warning if "stays on Sessions" in x.value] == [
        f"Session {pm} of {DAY} stays on Sessions not yet billed: the client's 30 min of 97110 "
        "that day bill 2 unit(s) under the CMS 8-minute rule, and the claims bill 1, 1 unit(s) "
        f"short: make claim A's 97110 line of {DAY} bill 2 unit(s), and the session is billed "
        "with it."]
    assert worklists.sessions_not_billed(db, TODAY).session_id.tolist() == [pm]
