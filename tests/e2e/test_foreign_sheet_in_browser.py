"""A claims spreadsheet exported by another system ("Date of Service", "CPT Code", "Mod 1",
"Dx 1", ...), uploaded on the Claims page in headless Chromium: it imports without renaming
a column, and the page says what it read as what (a new practice's first file)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import OWNER, PASSWORD, RunningApp, practice_with_owner, sign_in
from tests.small_practice import NPI_PROVIDER
from tests.test_spreadsheet_headers import LINE_1, LINE_2, THEIR_HEADER, xlsx

pytestmark = pytest.mark.e2e


def test_another_systems_sheet_imports_and_says_how_it_was_read(small_db_path, browser,
                                                                  tmp_path):
    path = practice_with_owner(small_db_path, tmp_path)
    rendering = THEIR_HEADER.index("Rendering Provider NPI")
    rows = [[*r[:rendering], NPI_PROVIDER, *r[rendering + 1:]] for r in (LINE_1, LINE_2)]
    sheet = tmp_path / "export.xlsx"
    sheet.write_bytes(xlsx(THEIR_HEADER, *rows))
    running = RunningApp(path, env={"METDASH_BACKUP_DIR": str(tmp_path / "backups")})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, f"{running.url}/claims", OWNER, PASSWORD)
        page.get_by_role("tab", name="Import spreadsheet").click()
        page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(
            str(sheet))
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("Imported 1 claim(s) with 2 line(s)").wait_for(timeout=60_000)
        note = page.locator('[data-testid="stAlert"]').filter(has_text="\u2192 service_date")
        assert note.count() == 1
        assert "'Mod 1' and 'Mod 2' \u2192 modifiers" in note.inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        running.stop()
