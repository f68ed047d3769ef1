"""The weekly referral review and the workshop pages in headless Chromium: they open
without an exception, draw their charts, and in presentation mode show large figures with
no client name on screen. Screenshots land in the pytest temp folder's workshop_shots/."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import RunningApp, full_screenshot, wait_for_page

pytestmark = pytest.mark.e2e

PAGES = {
    "weekly_review": "Top movers up",
    "scenario": "Over the next 12 months",
}


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("workshop_shots", numbered=False)


@pytest.fixture(scope="module")
def app(demo_db_path):
    running = RunningApp(demo_db_path)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def present_app(demo_db_path, tmp_path_factory):
    # A copy: two servers must not share one DuckDB file.
    import shutil

    path = tmp_path_factory.mktemp("present") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    running = RunningApp(path, env={"METDASH_PRESENT": "1"})
    yield running
    running.stop()


def warm_up(browser, running: RunningApp) -> None:
    """Open the app's root once: until app.py has run, Streamlit routes a deep link straight
    to the file in pages/ (no st.navigation, no wide layout)."""
    context = browser.new_context()
    p = context.new_page()
    p.goto(running.url)
    wait_for_page(p, "Synthetic demo practice")
    context.close()


@pytest.fixture()
def page(browser, app, present_app):
    for running in (app, present_app):
        if not getattr(running, "warm", False):
            warm_up(browser, running)
            running.warm = True
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    p = context.new_page()
    yield p
    context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_workshop_page_opens(app, page, path, shots):
    page.goto(f"{app.url}/{path}")
    wait_for_page(page, PAGES[path])
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".js-plotly-plot").count() >= 2
    full_screenshot(page, shots / f"{path}.png")


def test_weekly_review_week_is_in_the_url(app, page):
    page.goto(f"{app.url}/weekly_review?week=2026-06-10")
    wait_for_page(page, "Top movers up")
    assert "week=2026-06-08" in page.url          # snapped to its Monday
    assert page.get_by_text("Week of Mon Jun 08").count() >= 1


def test_presentation_mode_from_the_environment(present_app, page, shots, demo_db_path):
    from metdash.store import Database

    page.goto(f"{present_app.url}/weekly_review")
    wait_for_page(page, "Top movers up")
    # Large type on the charts (20 px) and the tiles.
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.js-plotly-plot .xtick text')).map(t => parseFloat(getComputedStyle(t).fontSize))""")
    assert sizes and min(sizes) >= 18
    full_screenshot(page, shots / "weekly_review_present.png")
    page.goto(f"{present_app.url}/days_to_payment?from=2025-07-01&to=2026-06-30")
    wait_for_page(page, "Open A/R as of")
    cells = " ".join(page.locator("[role=gridcell]").all_inner_texts())
    db = Database(demo_db_path)
    dobs = {d.isoformat() for d in db.query("SELECT dob FROM clients").dob}
    assert not [d for d in dobs if d in cells]
    full_screenshot(page, shots / "days_to_payment_present.png")


def test_presentation_mode_follows_the_browser_into_a_new_tab(app, page, browser):
    """Issue 17 item 4: a tab opened from the sidebar has no ?present=1 in its link; it must
    still come up masked when this browser turned presentation mode on, and not after it was
    turned off (with the confirmation)."""
    page.goto(f"{app.url}/weekly_review?present=1")
    wait_for_page(page, "Top movers up")
    second = page.context.new_page()            # same browser: same cookie, a new session
    second.goto(f"{app.url}/referrers")
    wait_for_page(second, "Referrers")
    assert "present=1" in second.url            # on, and said in the address
    assert second.get_by_role("switch", name="Presentation mode").is_checked()
    # Off in that tab, confirmed: a third tab opens with real names (as asked).
    second.get_by_text("Presentation mode", exact=True).click()
    second.get_by_role("button", name="Show real names").click()
    wait_for_page(second, "Referrers")
    third = page.context.new_page()
    third.goto(f"{app.url}/referrers")
    wait_for_page(third, "Referrers")
    assert "present=1" not in third.url
    assert not third.get_by_role("switch", name="Presentation mode").is_checked()
    # Another browser never inherited it.
    other = browser.new_context().new_page()
    page.goto(f"{app.url}/weekly_review?present=1")
    wait_for_page(page, "Top movers up")
    other.goto(f"{app.url}/referrers")
    wait_for_page(other, "Referrers")
    assert not other.get_by_role("switch", name="Presentation mode").is_checked()
    other.context.close()
