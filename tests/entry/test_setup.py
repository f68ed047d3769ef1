"""The new practice's setup checklist (issue 17, item 7), read from the store."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from metdash import entry as e
from metdash.store import Database
from tests.entry_seed import USER


def test_an_empty_file_has_every_step_to_do(tmp_path):
    steps = e.setup_steps(Database(tmp_path / "new.duckdb"))
    assert [s.done for s in steps] == [False] * 7
    assert steps[3].detail == "settings not entered yet; add payers first"


def test_the_seeded_practice(db):
    # tests/entry_seed.py: a practice without an address, one provider, Medicare (id 00882)
    # and Acme (no clearinghouse id), seven fees, two clients, one referrer, no session.
    steps = {s.title.split(":")[0].split(" (")[0]: s for s in e.setup_steps(db)}
    assert not steps["Your practice"].done  # claims need the address
    assert steps["Providers"].done and steps["Providers"].detail == "1 active provider"
    assert steps["Payers and your fees"].detail == "2 payers, 7 fees in the fee schedule"
    assert not steps["Clearinghouse"].done
    assert steps["Clearinghouse"].detail == "settings not entered yet; 1 payer without its id"
    assert steps["Your first client"].detail == "2 clients, 1 referrer"
    assert not steps["Your first session"].done and not steps["Your first claim"].done
    e.save_practice(db, e.PracticeIn(name="Move Well MedEx", billing_npi="1234567893",
                                     tax_id="12-3456789", address_line1="1 Main St",
                                     city="Springfield", state="IL", zip="62701"), USER)
    rid = e.save_referral(db, e.ReferralIn("C001", 1, dt.date.today() - dt.timedelta(days=9),
                                           ["M54.50"]), USER)
    e.save_session(db, e.SessionIn("C001", 1, dt.date.today() - dt.timedelta(days=2),
                                   "treatment", {"97110": 30}, rid), USER)
    done = [s.done for s in e.setup_steps(db)]
    assert done == [True, True, True, False, True, True, False]


def test_the_overview_of_a_new_file_is_the_checklist(tmp_path, monkeypatch):
    # Before: twelve $0 tiles with "+$0" in green and "Widen the date range or clear a filter".
    path = tmp_path / "new.duckdb"
    Database(path).release()
    monkeypatch.setenv("METDASH_DB", str(path))
    at = AppTest.from_file("../../pages/overview.py", default_timeout=60).run()
    assert not at.exception, at.exception
    assert not at.metric
    assert at.expander[0].label == "Setting up this practice: 0 of 7 steps done"
    text = " ".join(m.value for m in at.markdown)
    assert "Where: *Settings → Practice* in the sidebar." in text
    assert not [i for i in at.info if "Widen the date range" in i.value]


def test_the_clearinghouse_step_is_done_only_with_every_required_setting(db):
    from metdash.entry.clearinghouse import ClearinghouseIn, save_clearinghouse, save_payer_billing

    def step():
        return next(s for s in e.setup_steps(db) if s.title.startswith("Clearinghouse"))

    save_payer_billing(db, 2, "ACME1", None, USER)  # every payer has its id now
    assert not step().done
    assert step().detail == "settings not entered yet; every payer has its id"
    full = ClearinghouseIn("S123456", "Move Well MedEx", None, "2175550100", "CHEDI01",
                           "Clear Harbor EDI", "ZZ", "S123456", "ZZ", "CHEDI01", "T")
    save_clearinghouse(db, full, USER)
    assert step().done and step().detail == "settings on file; every payer has its id"
    assert step().page == "settings.py#Clearinghouse"
    with db.transaction() as con:  # an id lost (or a store from before): not done again
        con.execute("UPDATE clearinghouse_settings SET receiver_id = NULL, "
                    "usage_indicator = NULL")
    assert not step().done and step().detail == ("2 settings missing or wrong; every payer "
                                                 "has its id")
