"""The Secondary claims page (issue 16, item 3) on the demo practice: it lists the claims
waiting for a secondary claim, the work list's row opens it with the claim chosen, and the
837P it creates records the sending (the claim leaves the list) and passes pyx12."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from metdash import worklists
from metdash.store import Database
from metdash.x12.secondary import secondary_claims_to_bill
from metdash.x12.validate import pyx12_validate


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def db(demo_db_path, tmp_path, monkeypatch):
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, target)
    monkeypatch.setenv("METDASH_DB", str(target))
    return Database(target)


def test_the_page_sends_the_chosen_claim(db):
    waiting = secondary_claims_to_bill(db, dt.date.today())
    assert len(waiting) > 0  # the demo leaves Medicare's latest answers to bill
    claim_id = str(waiting.claim_id.iloc[0])
    action = worklists.ROW_ACTIONS["bill_secondary"]
    at = AppTest.from_file("../../pages/secondary_claims.py", default_timeout=30)
    # What ui.open_with(action.page, sec_claim=claim_id) leaves behind.
    at.session_state[f"_pick-{action.pick}"] = claim_id
    at.session_state["_from_worklist"] = True
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="sec_claim").value == claim_id
    [b for b in at.button if b.label == "Create the secondary 837P"][0].click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    sent = db.query("SELECT claim_id, payer_sequence FROM secondary_claims "
                    "WHERE interchange IS NOT NULL")
    assert sent.claim_id.tolist() == [claim_id] and sent.payer_sequence.tolist() == ["S"]
    text = at.session_state["sec_837p"].decode("ascii")
    assert f"CLM*{claim_id}*" in text and "SBR*S*" in text and "AMT*D*" in text
    assert pyx12_validate(text) == []
    assert claim_id not in secondary_claims_to_bill(db, dt.date.today()).claim_id.tolist()
    # Said at once, with the file to download and the claim gone from the list (before, the
    # click showed nothing, and the file only came on the next run).
    assert [x.value for x in at.success] == [
        f"Secondary 837P created for claim {claim_id}, now marked sent. Download the file now "
        "and upload it to the clearinghouse."]
    assert "Download the secondary 837P" in [b.label for b in at.get("download_button")]
    assert claim_id not in at.selectbox(key="sec_claim").options


def test_the_demo_has_crossovers_and_paid_secondary_claims(db):
    n = db.query("""
        SELECT count(*) FILTER (WHERE status_code = '19') AS crossovers,
               count(*) FILTER (WHERE status_code = '2') AS secondary_paid
        FROM claim_payments""").iloc[0]
    assert n.crossovers > 0 and n.secondary_paid > 0
    assert db.scalar("SELECT count(*) FROM secondary_claims") > 0
