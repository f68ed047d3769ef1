"""An 835 uploaded on the Remittances page in headless Chromium: the import's summary, and
what the biller should know about a file that posted (a recoupment naming no claim of ours,
found silent by a new-user trial) shown beside it."""

from __future__ import annotations

import pytest

from metdash.store import Database
from tests.e2e.conftest import (
    OWNER,
    PASSWORD,
    RunningApp,
    practice_with_owner,
    sign_in,
    wait_for_page,
)
from tests.small_practice import NPI_PRACTICE
from tests.x12.helpers import Claim, build_835

pytestmark = pytest.mark.e2e


def _upload(page, era) -> None:
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(
        str(era))
    page.get_by_role("button", name="Import", exact=True).click()


def test_an_uploaded_835_says_its_recoupment_names_no_claim(small_db_path, browser, tmp_path):
    path = practice_with_owner(small_db_path, tmp_path)
    era = tmp_path / "wo.835"
    # A payment of a claim that is not ours (50), less a WO of 10 naming nothing on file:
    # BPR02 = 40.
    era.write_text(build_835([Claim("X9", "1", "50", "50")], trace="WO-E2E",
                             plb=[("WO", "10", "UNKNOWN99")], payee=("XX", NPI_PRACTICE)))
    broken = tmp_path / "broken.835"  # BPR02 150, but the claims paid 50
    broken.write_text(build_835([Claim("X8", "1", "50", "50")], trace="BROKEN-E2E",
                                amount="150", payee=("XX", NPI_PRACTICE)))
    running = RunningApp(path, env={"METDASH_BACKUP_DIR": str(tmp_path / "backups")})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, f"{running.url}/remittances", OWNER, PASSWORD)
        wait_for_page(page, "Import 835 files")
        _upload(page, era)
        page.get_by_text("1 payment(s) imported").wait_for(timeout=60_000)
        note = page.locator('[data-testid="stAlert"]').filter(has_text="UNKNOWN99")
        assert note.count() == 1
        assert "names no claim of ours" in note.inner_text()
        # The CLP for claim X9 (none of ours) is named where the file was imported (a
        # trial saw "1 unmatched" and had to find it further down the page).
        unknown = page.locator('[data-testid="stAlert"]').filter(has_text="none of yours")
        assert unknown.count() == 1 and "(X9)" in unknown.inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0
        # A refused file: the refusal alone, no green "0 payment(s) imported" above it.
        _upload(page, broken)
        page.get_by_text("Nothing was imported.").first.wait_for(timeout=60_000)
        assert page.get_by_text("0 payment(s) imported").count() == 0
        assert page.get_by_text("does not balance").count() >= 1
    finally:
        context.close()
        running.stop()


def _noridian(tmp_path, trace: str, name: str = "noridian.835"):
    """An 835 from "NORIDIAN JF PART B" (an id no payer has) paying C8: 64, CO-45 20, PR-2
    16."""
    era = tmp_path / name
    era.write_text(build_835([Claim("C8", "1", "100", "64", pr="16",
                                    cas=[("CO", "45", "20"), ("PR", "2", "16")],
                                    patient=("ALPHA", "ANN", "1EG4TE5MK72"))],
                             trace=trace, payer="NORIDIAN JF PART B",
                             originator="1999999999", payee=("XX", NPI_PRACTICE)))
    return era


def _remittances(path, browser, tmp_path):
    """The app on ``path``, olive signed in on Remittances: (running app, context, page)."""
    running = RunningApp(path, env={"METDASH_BACKUP_DIR": str(tmp_path / "backups")})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, f"{running.url}/remittances", OWNER, PASSWORD)
        wait_for_page(page, "Import 835 files")
    except BaseException:
        context.close()
        running.stop()
        raise
    return running, context, page


def test_an_835_under_another_name_is_kept_for_its_payer_and_imported(small_db_path, browser,
                                                                      tmp_path):
    """A Medicare contractor's 835 names itself "NORIDIAN JF PART B" (N1*PR) with an id no
    payer has: refused, then the page asks whose it is; "Medicare" and "Remember and import
    again" keep the name and import the same file (C8: paid 64, CO-45 20, PR-2 16)."""
    path = practice_with_owner(small_db_path, tmp_path)
    era = _noridian(tmp_path, "NOR-E2E")
    running, context, page = _remittances(path, browser, tmp_path)
    try:
        _upload(page, era)
        page.get_by_text("Whose is this 835?", exact=True).wait_for(timeout=60_000)
        picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="It is")
        picker.get_by_role("combobox").click()
        page.get_by_role("option", name="Medicare", exact=True).click()
        page.get_by_role("button", name="Remember and import again").click()
        page.get_by_text("1 payment(s) imported").wait_for(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        running.stop()
    db = Database(path)
    assert db.scalar("SELECT remittance_name FROM payer_remittance_names") == \
        "NORIDIAN JF PART B"
    assert db.scalar("SELECT paid FROM claim_facts WHERE claim_id = 'C8'") == 64


def test_the_question_whose_835_goes_when_other_files_are_chosen(small_db_path, browser,
                                                                 tmp_path):
    """"Whose is this 835?" belongs to the files imported: once another file is chosen in the
    uploader, it is gone (it stayed until the next Import, and its "Remember and import
    again" would have imported the new file under the first one's answer)."""
    path = practice_with_owner(small_db_path, tmp_path)
    era = _noridian(tmp_path, "NOR-E2E-2")
    other = _noridian(tmp_path, "NOR-E2E-3", "other.835")
    running, context, page = _remittances(path, browser, tmp_path)
    try:
        _upload(page, era)
        question = page.get_by_text("Whose is this 835?", exact=True)
        question.wait_for(timeout=60_000)
        page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(
            str(other))
        page.get_by_text("other.835").wait_for(timeout=30_000)
        question.wait_for(state="detached", timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        running.stop()
