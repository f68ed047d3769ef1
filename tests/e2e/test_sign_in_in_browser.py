"""A practice database in headless Chromium, through serve.py's gate: the browser holds the
sign-in cookie where no script can read it, signs in, downloads a work list, signs out; and
asks no other site for anything on the way (a health practice's pages tell no third party who
opens them, and work offline)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    OWNER,
    PASSWORD,
    RunningApp,
    elsewhere,
    practice_with_owner,
    wait_for_page,
)

pytestmark = pytest.mark.e2e


def test_sign_in_download_and_sign_out_in_a_browser(small_db_path, browser, tmp_path):
    path = practice_with_owner(small_db_path, tmp_path)
    running = RunningApp(path)
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  accept_downloads=True)
    asked = []
    context.on("request", lambda request: asked.append(request.url))
    try:
        page = context.new_page()
        page.goto(f"{running.url}/worklists")
        wait_for_page(page, "Sign in")
        cookie = [c for c in context.cookies() if c["name"] == "metdash_client"]
        assert cookie and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Strict"
        assert "metdash_client" not in page.evaluate("document.cookie")

        page.get_by_label("Username").fill(OWNER)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        wait_for_page(page, "Signed in as")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").first.click()
        assert download.value.path().read_bytes().startswith(b"Session,")

        page.get_by_role("button", name="Sign out").click()
        wait_for_page(page, "Sign in")
        assert page.get_by_text("Signed in as").count() == 0
        # The favicon was a Material icon, fetched from fonts.gstatic.com by every page view.
        assert elsewhere(asked, running.url) == []
    finally:
        context.close()
        running.stop()


def test_the_first_page_after_sign_in_fetches_no_front_end_code(small_db_path, browser,
                                                                tmp_path):
    """The sign-in form loads the code the pages draw with while a password is typed
    (metdash.ui.warmup), so "Sign in" is followed by the page's figures, not by fetching and
    compiling modules. Every page after sign-in fetched the markdown's HTML plug-in
    (rehype-raw and two modules it imports: the style element each page starts with is
    markdown with HTML) until it was named in warmup.MODULES (benchmarks/NOTES.md,
    "Twenty-seventh pass")."""
    from metdash.ui import warmup

    path = practice_with_owner(small_db_path, tmp_path)
    running = RunningApp(path)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    try:
        page = context.new_page()
        page.goto(f"{running.url}/?from=2025-07-01&to=2026-06-30")
        wait_for_page(page, "Sign in")
        last = warmup.module_files()[-1]  # loaded last: the warm-up is done
        page.wait_for_function(
            "(name) => performance.getEntriesByType('resource').some(e => e.name.endsWith(name))",
            arg=last, timeout=60_000)
        page.wait_for_timeout(500)
        page.get_by_label("Username").fill(OWNER)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        before = len(asked)
        page.get_by_role("button", name="Sign in").click()
        wait_for_page(page, "Gross charges")
        fetched = [u for u in asked[before:] if "/static/" in u]
        assert fetched == [], fetched
    finally:
        context.close()
        running.stop()


# Each kind of element the pages draw first, by its test id (metdash.ui.warmup.elements).
_WARM_KINDS = ["stMetric", "stDataFrame", "stTable", "stSelectbox", "stMultiSelect",
               "stDateInput", "stNumberInput", "stTextArea", "stCheckbox", "stRadio",
               "stSlider", "stButtonGroup", "stDownloadButton", "stTabs", "stExpander",
               "stAlert"]


def test_the_sign_in_form_runs_each_element_kind_once_hidden(small_db_path, browser,
                                                              tmp_path):
    """Once the sign-in form is painted, the browser draws one element of each kind the
    pages show first, in a box nobody sees (no size, no focus, no request to the server),
    so that "Sign in" is not followed by each kind's first draw (benchmarks/NOTES.md,
    "Twenty-eighth pass"). The page signed into has none of them left."""
    from metdash.ui import warmup

    path = practice_with_owner(small_db_path, tmp_path)
    running = RunningApp(path)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    failed: list[str] = []
    context.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    box = f".st-key-{warmup.ELEMENTS_KEY}"
    try:
        page = context.new_page()
        page.goto(f"{running.url}/?from=2025-07-01&to=2026-06-30")
        wait_for_page(page, "Sign in")
        page.wait_for_function(
            """([box, kinds]) => kinds.every(k =>
                 document.querySelector(`${box} [data-testid="${k}"]`))""",
            arg=[box, _WARM_KINDS], timeout=60_000)
        shown = page.evaluate("""(box) => [...document.querySelectorAll(`${box} *`)]
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.width > 0 || r.height > 0; }).length""", box)
        assert shown == 0
        page.keyboard.press("Tab")  # the first field takes the focus, no hidden box does
        assert page.evaluate("(box) => !document.activeElement.closest(box)", box)
        assert failed == []
        page.get_by_label("Username").fill(OWNER)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        wait_for_page(page, "Gross charges")
        assert page.locator(box).count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        running.stop()
