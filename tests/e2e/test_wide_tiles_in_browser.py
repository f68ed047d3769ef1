"""A tile five to a row holds a seven-character amount at 1280 x 720 (a projector): a
100k-line practice's 0-30 days insurance bucket of $148,800 read "$148.…" on Days to
payment, cut by a fraction of a pixel, which no earlier check saw (tests/e2e/
test_pages_in_browser._CUT now measures the text itself)."""

from __future__ import annotations

import pytest

from metdash.store import facts
from tests.e2e.conftest import (
    OWNER,
    PASSWORD,
    RunningApp,
    practice_with_owner,
    sign_in,
    wait_for_page,
)
from tests.e2e.test_pages_in_browser import _CUT

pytestmark = pytest.mark.e2e


def test_a_six_figure_bucket_reads_whole_five_tiles_to_a_row(small_db_path, browser, tmp_path):
    def six_figures(con):  # C8 (served 2025-03-20, unpaid): $148,800, 11 days old
        con.execute("UPDATE claim_lines SET charge = 148800 / units WHERE claim_id = 'C8'")
        con.execute("UPDATE claims SET total_charge = 148800 WHERE claim_id = 'C8'")
        facts.rebuild(con)

    path = practice_with_owner(small_db_path, tmp_path, six_figures)
    running = RunningApp(path)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        sign_in(page, f"{running.url}/days_to_payment?from=2025-01-01&to=2025-03-31",
                OWNER, PASSWORD)
        wait_for_page(page, "Insurance A/R")
        page.get_by_text("$148.8K").first.wait_for(timeout=60_000)
        assert page.evaluate(_CUT) == []
    finally:
        context.close()
        running.stop()
