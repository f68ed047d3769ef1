"""AppTest for pages/remittances.py: renders, imports an upload-equivalent, exports an 837P."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metdash.x12.post835 import import_835

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "remittances.py")
FIXTURE = Path(__file__).parent / "fixtures" / "era_basic.835"


@pytest.fixture(autouse=True)
def _env(seeded, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("METDASH_DB", str(seeded.path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def _run() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_empty_page_renders(seeded):
    at = _run()
    assert [s.value for s in at.subheader] == [
        "Import 835 files", "Import acknowledgments (999, 277CA)", "Recent remittances",
        "Unmatched claim payments", "837P claim file"]
    infos = [i.value for i in at.info]
    assert any("No remittance yet" in v for v in infos)
    assert any("No claim payment yet" in v for v in infos)   # not "every one matched"
    assert not any("Every claim payment matched" in s.value for s in at.success)
    assert at.multiselect[0].value == ["C000101", "C000102"]


def test_opened_from_the_ready_list_the_837p_comes_first(seeded):
    """Found by a new-user trial (stop 32): "Create the 837P" on the work list "Claims
    ready to submit" opened this page far from its 837P section (last, below the
    remittances). Opened from that row, the section comes first, its ready claims chosen."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["_pick-x12_claims"] = "C000101"
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == [
        "837P claim file", "Import 835 files", "Import acknowledgments (999, 277CA)",
        "Recent remittances", "Unmatched claim payments"]
    assert at.multiselect[0].value == ["C000101", "C000102"]


def test_remittances_and_unmatched_are_listed(seeded):
    import_835(seeded, [FIXTURE], "biller")
    at = _run()
    frames = [d.value for d in at.dataframe]
    assert list(frames[0].trace_number) == ["EFT0007"]
    assert list(frames[2].clp01) == ["X999"]


def test_deposit_reconciliation_is_shown_with_its_rule(seeded):
    import_835(seeded, [FIXTURE], "biller")
    at = _run()
    head = next(s for s in at.subheader if s.value == "Deposit reconciliation")
    assert "BPR02" in head.help and "interest" in head.help
    rec = at.dataframe[1].value
    # era_basic.835 by hand: 160 + 64 paid, L6 interest 2.50: 226.50 deposited, difference 0.
    assert rec[["trace", "deposit", "claim_payments", "interest", "difference"]].values.tolist() \
        == [["EFT0007", 226.5, 224.0, 2.5, 0.0]]


def test_export_button_writes_and_offers_download(seeded):
    at = _run()
    create = next(b for b in at.button if b.label == "Create 837P")
    create.click().run()
    assert not at.exception
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'submitted'") == 2
    # The download's bytes were built before the claims were committed as submitted.
    assert at.session_state["x12_837p"].startswith(b"ISA*")



def test_acknowledgments_imported_are_listed(seeded):
    from metdash.x12.post_ack import import_acks
    from metdash.x12.write837 import write_837p

    write_837p(seeded, None, user="biller")
    acks = Path(__file__).parent / "fixtures" / "acks"
    import_acks(seeded, [acks / "999_rejected.999"], "biller")
    at = _run()
    assert any(e.label.startswith("Recent acknowledgments (1)") for e in at.expander)
    table = next(d.value for d in at.dataframe if "acknowledgment" in d.value.columns)
    # The 999 rejects the file the two ready claims went out in (group 1, set 0001).
    assert table[["acknowledgment", "claims", "accepted", "rejected"]].values.tolist() == [
        ["999", 2, 0, 2]]


def test_an_unmatched_payment_is_posted_to_its_claim_from_the_page(seeded):
    """The payer mistyped the claim id (C00010I for C000101): the biller picks the claim and
    posts the payment there (tests/x12/test_assign835.py works the numbers)."""
    from .test_assign835 import TYPO

    assert import_835(seeded, [("typo.835", TYPO.encode())], "biller").unmatched == 1
    at = _run()
    assert at.selectbox(key="assign_payment").options == [
        "Mar 10, 2025 ACME HEALTH, trace A-0310: claim id sent C00010I for SAMPLE, SAM, "
        "served Feb 03, 2025, charge $300.00, paid $250.00"]
    assert at.button(key="assign_go").disabled  # no claim chosen yet
    at.text_input(key="assign_claim-find").set_value("C000101").run()
    [label] = [o for o in at.selectbox(key="assign_claim").options if o.startswith("C000101")]
    at.selectbox(key="assign_claim").set_value(label).run()
    at.button(key="assign_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[-1].value == "Posted to claim C000101, now paid."
    assert seeded.scalar("SELECT paid FROM claim_facts WHERE claim_id = 'C000101'") == 250


def test_the_claim_an_unmatched_payments_lines_name_is_one_click_away(seeded):
    """Its SVCs echo REF*6R C000101-1..3 (our 837P's line ids): the page says the lines name
    C000101 and posts it there in one click, under the same checks."""
    from metdash.x12.assign835 import unassigned_claim_payments

    from .test_assign835 import TYPO

    assert import_835(seeded, [("typo.835", TYPO.encode())], "biller").unmatched == 1
    assert unassigned_claim_payments(seeded).lines_name.tolist() == ["C000101"]
    at = _run()
    assert any("Its service lines name claim C000101" in c.value for c in at.caption)
    at.button(key="assign_named").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[-1].value == "Posted to claim C000101, now paid."
    assert seeded.scalar("SELECT paid FROM claim_facts WHERE claim_id = 'C000101'") == 250


def test_refused_835s_list_their_problems_in_file_order_saying_nothing_imported_once(seeded):
    """A new-user tour: a refused upload said "Nothing was imported." in its heading and
    again after each file's problems, and listed a file's problems out of order (the
    payment's BPR, segment 4, after its claims)."""
    text = FIXTURE.read_text()
    bad = text.replace("CAS*CO*45*20~", "CAS*CO*45*25~").replace("BPR*I*226.50",
                                                                 "BPR*I*999.50")
    other = text.replace("CLP*X999*1*80*64", "CLP*X999*1*80*6q")
    at = _run()
    at.file_uploader(key="era_files").set_value(
        [("bad.835", bad.encode(), "text/plain"), ("other.835", other.encode(), "text/plain")])
    at.run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception, at.exception
    [shown] = [e.value for e in at.error]
    assert shown.count("Nothing was imported.") == 1 and shown.startswith(
        "**Nothing was imported.** Please fix:")
    segments = [line.split(":")[0] for line in shown.splitlines()[1:]]
    assert segments == ["- bad.835, segment 4 (BPR)", "- bad.835, segment 13 (CLP)",
                        "- bad.835, segment 20 (SVC)", "- other.835, segment 33 (CLP)"]
    assert seeded.scalar("SELECT count(*) FROM remittances") == 0
    # Beside a file that was imported, the heading says which were not, once.
    at.file_uploader(key="era_files").set_value(
        [("good.835", text.encode(), "text/plain"), ("other.835", other.encode(), "text/plain")])
    at.run()
    next(b for b in at.button if b.label == "Import").click().run()
    assert any("1 payment(s) imported" in x.value for x in at.success)
    assert [e.value for e in at.error] == [
        "**Some files were refused: nothing of them was imported.** Please fix:\n"
        "- other.835, segment 33 (CLP): paid amount '6q' is not a number."]
    # Beside a file already imported (nothing new), nothing was imported at all.
    next(b for b in at.button if b.label == "Import").click().run()
    assert [e.value for e in at.error] == [
        "**Nothing was imported.** Please fix:\n"
        "- other.835, segment 33 (CLP): paid amount '6q' is not a number."]


def test_refused_acknowledgments_list_their_problems_in_file_order_saying_it_once(seeded):
    """As for an 835 (above): a refused 999 / 277CA upload said "Some files were refused."
    and ended each file's problems with "Nothing was imported.", listed as they were found
    (a claim without STC after the claims that follow it)."""
    from .test_acks import CA_277, OUT_OF_ORDER, _out_of_order_277

    at = _run()
    bad = ("bad.277", _out_of_order_277().encode(), "text/plain")
    at.file_uploader(key="ack_files").set_value([bad])
    at.run()
    next(b for b in at.button if b.label == "Import acknowledgments").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "**Nothing was imported.** Please fix:\n" + "\n".join(f"- {p}" for p in OUT_OF_ORDER)]
    assert seeded.scalar("SELECT count(*) FROM acknowledgments") == 0
    # Beside a file that was imported, the heading says which were not, once.
    at.file_uploader(key="ack_files").set_value(
        [("good.277", CA_277.read_bytes(), "text/plain"), bad])
    at.run()
    next(b for b in at.button if b.label == "Import acknowledgments").click().run()
    assert [e.value for e in at.error] == [
        "**Some files were refused: nothing of them was imported.** Please fix:\n"
        + "\n".join(f"- {p}" for p in OUT_OF_ORDER)]
    assert seeded.scalar("SELECT count(*) FROM acknowledgments") == 1


def test_an_acknowledgment_upload_that_imports_nothing_shows_no_green_box(seeded):
    """As for an 835 (ImportSummary.headline): a refused 999 / 277CA file came with a green
    "1 file(s): 0 acknowledgment(s) imported" above "Nothing was imported."."""
    from .test_acks import CA_277, _out_of_order_277

    at = _run()

    def upload(*files):
        at.file_uploader(key="ack_files").set_value(
            [(name, data, "text/plain") for name, data in files])
        at.run()
        next(b for b in at.button if b.label == "Import acknowledgments").click().run()
        assert not at.exception, at.exception

    upload(("bad.277", _out_of_order_277().encode()))
    assert [s.value for s in at.success] == [] and len(at.error) == 1
    upload(("good.277", CA_277.read_bytes()))
    assert [s.value for s in at.success] == [
        "1 file(s): 1 acknowledgment(s) imported (2 claim(s) accepted, 1 rejected, 0 not "
        "ours); 0 already imported."]
    upload(("again.277", CA_277.read_bytes()))
    assert [s.value for s in at.success] == []
    assert "Already imported: 1 acknowledgment(s) of these files are on file, and nothing " \
        "changed." in [i.value for i in at.info]
