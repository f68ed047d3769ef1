"""AppTest for the Claims page's "Edit" and "Correct / void" (issue 16, item 4): the forms
show for the claims they apply to, a refused change shows its reason and writes nothing, a
good one writes."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from metdash import worklists
from metdash.store import Database
from metdash.x12.post835 import import_835
from metdash.x12.write837 import write_837p
from tests.x12.conftest import SEED
from tests.x12.helpers import Claim, build_835


@pytest.fixture
def db(tmp_path, monkeypatch):
    db = Database(tmp_path / "page.duckdb")
    with db.transaction() as con:
        con.execute(SEED)
        con.execute("UPDATE practice SET is_demo = TRUE")  # opens without signing in
    write_837p(db, ["C000101"], user="biller", now=dt.datetime(2025, 3, 3, 9))
    denied = build_835([Claim("C000101", "1", "300", "0", cas=[("CO", "16", "300")],
                              payer_claim_number="ACM-ICN-0001")], trace="D1")
    assert import_835(db, [("d.835", denied.encode())], "biller").errors == []
    db.release()
    monkeypatch.setenv("METDASH_DB", str(db.path))
    return db


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def open_claim(claim_id: str) -> AppTest:
    """The page a "Denials to correct" row opens in one click, with ``claim_id`` picked, the
    way :func:`metdash.ui.open_with` hands it over."""
    go = worklists.ROW_ACTIONS["denials_to_correct"]
    at = AppTest.from_file(f"../../pages/{go.page}", default_timeout=30)
    at.session_state[go.tabs_key] = go.tab
    at.session_state[f"{go.pick}-find"] = claim_id
    at.session_state[f"_pick-{go.pick}"] = claim_id
    at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    [b for b in at.button if b.label == label][0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_draft_is_edited_and_its_history_shown(db):
    at = open_claim("C000103")
    assert any(e.label == "Edit claim C000103" for e in at.expander)
    assert not any("Correct / void" in e.label for e in at.expander)
    at.text_input(key="cx_C000103_dx").input("M54.50; E11.9")
    at.text_input(key="cx_C000103_note").input("second diagnosis from the referral")
    click(at, "Save changes")
    # Served 2025-02-10, never sent: long past Acme's timely filing, which the edit is checked
    # for as a new claim is; the form says so and nothing is saved.
    assert "Timely filing: the deadline for Acme Health" in "\n".join(x.value for x in at.error)
    assert db.scalar("SELECT count(*) FROM claim_edits") == 0
    at.text_input(key="cx_C000103_tf").input("proof of timely submission on file")
    click(at, "Save changes")
    assert not at.error, [x.value for x in at.error]
    assert db.scalar("SELECT diagnosis_codes FROM claims WHERE claim_id = 'C000103'") == \
        ["M54.50", "E11.9"]
    assert db.scalar("SELECT reason FROM claim_edits WHERE claim_id = 'C000103'") == \
        "second diagnosis from the referral"
    assert any(e.label == "Changes made to claim C000103 (1)" for e in at.expander)


def test_a_denied_claim_is_corrected_not_edited(db):
    at = open_claim("C000101")
    assert any(e.label == "Correct / void claim C000101" for e in at.expander)
    assert not any(e.label.startswith("Edit claim") for e in at.expander)
    click(at, "Queue the replacement")  # no reason
    assert "Reason: say why the claim is corrected" in "\n".join(x.value for x in at.error)
    assert db.scalar("SELECT frequency_code FROM claims WHERE claim_id = 'C000101'") == "1"
    at.text_input(key="cx_C000101_why").input("added the missing information (MA130)")
    # Nothing on the claim changed: said under the form, and refused (a duplicate, CARC 18)
    # unless the biller says the payer asked for the same claim again.
    assert any(x.value.startswith("**Nothing changed yet.**") for x in at.warning)
    click(at, "Queue the replacement")
    assert "Nothing changed: this replacement is the claim the payer already has" in \
        "\n".join(x.value for x in at.error)
    assert db.scalar("SELECT frequency_code FROM claims WHERE claim_id = 'C000101'") == "1"
    at.checkbox(key="cx_C000101_same").check()
    click(at, "Queue the replacement")
    assert not at.error, [x.value for x in at.error]
    assert db.query("SELECT status, frequency_code, original_payer_claim_number FROM claims "
                    "WHERE claim_id = 'C000101'").iloc[0].tolist() == ["ready", "7",
                                                                        "ACM-ICN-0001"]


def test_a_denied_claim_is_voided(db):
    at = open_claim("C000101")
    at.radio(key="cx_C000101_kind").set_value("void")
    at.run()
    at.text_input(key="cx_C000101_why").input("the client was seen under another practice")
    click(at, "Queue the void")
    assert not at.error, [x.value for x in at.error]
    assert db.scalar("SELECT frequency_code FROM claims WHERE claim_id = 'C000101'") == "8"
