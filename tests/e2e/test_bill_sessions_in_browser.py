"""Claims -> Bill sessions in a real browser: one of two sessions billed, the picker then
offers the other only, and building again works. A new-user tour found the browser keeping
the billed session chosen (the picker's key unchanged) and the next "Build claim" failing in
Streamlit ("Something went wrong on this page"); AppTest did not show it."""

from __future__ import annotations

import datetime as dt

import pytest

from metdash import entry as e
from tests.e2e.conftest import RunningApp, wait_for_page
from tests.entry_seed import USER, seed

pytestmark = pytest.mark.e2e

TODAY = dt.date.today()
CHIPS = '[data-testid="stMultiSelect"] span[data-tag]'


def test_bill_one_of_two_sessions_then_build_again(browser, tmp_path):
    path = tmp_path / "bill.duckdb"
    db = seed(path)
    rid = e.save_referral(db, e.ReferralIn("C001", 1, TODAY - dt.timedelta(days=30),
                                           ["M54.50"]), USER)
    for days, minutes in ((4, {"97110": 33}), (2, {"97110": 30})):
        e.save_session(db, e.SessionIn("C001", 1, TODAY - dt.timedelta(days=days),
                                       "treatment", minutes, rid), USER)
    with db.transaction() as con:   # synthetic: opens without a sign-in
        con.execute("UPDATE practice SET is_demo = TRUE")
    db.release()
    running = RunningApp(path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{running.url}/claims")
        wait_for_page(page, "Sessions to bill")
        chips = page.locator(CHIPS).all_inner_texts()
        assert len(chips) == 2
        billed, other = chips
        page.locator(f'button[aria-label="Remove {other}"]').first.click()
        wait_for_page(page)
        assert page.locator(CHIPS).all_inner_texts() == [billed]
        page.get_by_role("button", name="Build claim").click()
        wait_for_page(page, "Review claim")
        page.get_by_role("button", name="Save claim").first.click()
        wait_for_page(page, "saved as a draft")
        assert page.locator(CHIPS).all_inner_texts() == [other]   # the billed one is gone
        page.get_by_role("button", name="Build claim").click()
        wait_for_page(page, "Review claim")
        assert page.get_by_text("Something went wrong").count() == 0
    finally:
        page.close()
        running.stop()
