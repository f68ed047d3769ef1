"""Sessions in a real browser: after "Session N saved." the minute boxes and the notes show
0 and empty again. A new-user tour found the browser still showing the saved minutes (the
server had forgotten them, so the units preview was gone and a second save said "no minutes
entered"); AppTest did not show it, since the server side was right."""

from __future__ import annotations

import datetime as dt

import pytest

from metdash import entry as e
from tests.e2e.conftest import RunningApp, wait_for_page
from tests.entry_seed import USER, seed

pytestmark = pytest.mark.e2e

TODAY = dt.date.today()


def test_a_saved_session_leaves_the_minutes_blank(browser, tmp_path):
    path = tmp_path / "sessions.duckdb"
    db = seed(path)
    e.save_referral(db, e.ReferralIn("C001", 1, TODAY - dt.timedelta(days=30), ["M54.50"]),
                    USER)
    with db.transaction() as con:   # synthetic: opens without a sign-in
        con.execute("UPDATE practice SET is_demo = TRUE")
    db.release()
    running = RunningApp(path)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{running.url}/sessions")
        wait_for_page(page, "Minutes per procedure code")
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Client").first.click()
        page.get_by_role("option", name="Doe, Jane (C001)").click()
        wait_for_page(page)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Provider").first.click()
        page.get_by_role("option").nth(1).click()
        wait_for_page(page)
        notes = page.get_by_role("textbox", name="Notes")
        notes.fill("first visit")
        notes.press("Enter")
        wait_for_page(page)
        box = page.get_by_role("spinbutton", name="97110 (timed)")
        box.fill("33")
        box.press("Enter")
        wait_for_page(page, "Units for")
        page.get_by_role("button", name="Save session").click()
        wait_for_page(page, "Session 1 saved.")
        assert page.get_by_role("spinbutton", name="97110 (timed)").input_value() == "0"
        assert page.get_by_role("textbox", name="Notes").input_value() == ""
        assert page.get_by_text("Units for").count() == 0
    finally:
        page.close()
        running.stop()
