"""AppTest for the entry pages: each renders, a bad submission shows every problem and
writes nothing, a good one writes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metdash import entry as e
from metdash.store import Database
from tests.entry_seed import USER, seed

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "seed.duckdb"
    db = seed(path)
    # A referral and sessions dated near today, so the date rules pass whenever this runs.
    rid = e.save_referral(db, e.ReferralIn("C001", 1, TODAY - dt.timedelta(days=30),
                                           ["M54.50"]), USER)
    e.save_session(db, e.SessionIn("C001", 1, TODAY - dt.timedelta(days=3), "treatment",
                                   {"97110": 33, "97140": 7}, rid), USER)
    # Marked synthetic: the demo opens without signing in, so the pages' gate lets us in.
    with db.transaction() as con:
        con.execute("UPDATE practice SET is_demo = TRUE")
    db.release()  # the file alone complete: each test copies it
    return path


@pytest.fixture
def db(seeded, tmp_path, monkeypatch):
    target = tmp_path / "page.duckdb"
    shutil.copy(seeded, target)
    monkeypatch.setenv("METDASH_DB", str(target))
    return Database(target)


@pytest.fixture(autouse=True)
def _clear_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def page(name: str) -> AppTest:
    at = AppTest.from_file(f"../../pages/{name}", default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    [b for b in at.button if b.label == label][0].click()
    at.run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> str:
    return "\n".join(x.value for x in at.error)


@pytest.mark.parametrize("name", ["clients.py", "referrals.py", "sessions.py", "claims.py",
                                  "payments.py", "worklists.py", "settings.py"])
def test_pages_render(db, name):
    page(name)


def test_clients_page(db):
    at = page("clients.py")
    at.text_input(key="client_id").input("C900")
    at.text_input(key="zip").input("12")
    click(at, "Save client")
    msg = errors(at)
    assert "Last name is missing" in msg and "First name is missing" in msg
    assert "Date of birth is missing" in msg and "ZIP '12'" in msg
    assert db.scalar("SELECT count(*) FROM clients") == 2
    at.text_input(key="last_name").input("Park")
    at.text_input(key="first_name").input("Pat")
    at.date_input(key="dob").set_value(dt.date(1960, 5, 6))
    at.text_input(key="zip").input("43215")
    at.selectbox(key="cov_payer").select("Medicare Part B")
    at.text_input(key="cov_member").input("1AC2-CD3-EF45")
    at.date_input(key="cov_effective").set_value(dt.date(2025, 1, 1))
    click(at, "Save client")
    assert not at.error
    # The MBI as the card prints it; kept as claims carry it (no dashes).
    assert db.scalar("SELECT member_id FROM coverages WHERE client_id = 'C900'") == "1AC2CD3EF45"


def test_a_clients_details_are_changed_from_what_is_on_file(db):
    """Change a client: the form starts from the client on file, so putting an address
    right (the 837P refuses a client without one) changes only what was typed; a bad ZIP is
    refused with nothing written."""
    at = page("clients.py")
    at.text_input(key="ch_client-find").set_value("C001").run()
    [jane] = [o for o in at.selectbox(key="ch_client").options if "C001" in o]
    at.selectbox(key="ch_client").set_value(jane).run()
    assert not at.exception
    assert at.text_input(key="ch_last_C001").value == "Doe"
    before = db.query("SELECT * EXCLUDE (address_line1, city, state, zip, created_at) "
                      "FROM clients WHERE client_id = 'C001'")
    at.text_input(key="ch_address_C001").set_value("12 Oak St")
    at.text_input(key="ch_city_C001").set_value("Eugene")
    at.text_input(key="ch_state_C001").set_value("or")
    at.text_input(key="ch_zip_C001").set_value("9740")
    click(at, "Save the changes")
    assert "ZIP" in errors(at)
    assert db.scalar("SELECT city FROM clients WHERE client_id = 'C001'") != "Eugene"
    at.text_input(key="ch_zip_C001").set_value("97401")
    click(at, "Save the changes")
    assert not at.error, errors(at)
    assert "Client C001 saved. Claims already sent keep what they carried." in [
        x.value for x in at.success]
    assert tuple(db.query("SELECT address_line1, city, state, zip FROM clients "
                          "WHERE client_id = 'C001'").iloc[0]) == ("12 Oak St", "Eugene", "OR",
                                                                    "97401")
    after = db.query("SELECT * EXCLUDE (address_line1, city, state, zip, created_at) "
                     "FROM clients WHERE client_id = 'C001'")
    assert after.equals(before)   # name, birth date, sex and phone as they were


def test_a_clients_coverage_is_ended_and_corrected_on_the_page(db):
    """Add coverage → the client's coverages: Jane's Medicare coverage ends on 2025-06-30
    (a change of insurance), and a mistyped member id is put right."""
    at = page("clients.py")
    at.text_input(key="cv_client-find").set_value("C001").run()
    [jane] = [o for o in at.selectbox(key="cv_client").options if "C001" in o]
    at.selectbox(key="cv_client").set_value(jane).run()
    assert not at.exception
    assert at.button(key="cv_end_go").disabled  # no date yet
    at.date_input(key="cv_last_day").set_value(dt.date(2025, 6, 30)).run()
    at.button(key="cv_end_go").click().run()
    assert not at.exception and not at.error, errors(at)
    assert "Coverage ended on 2025-06-30." in [x.value for x in at.success]
    assert str(db.scalar("SELECT end_date FROM coverages WHERE coverage_id = 1")) == "2025-06-30"
    at.text_input(key="cv_fix_member").set_value("123456789A").run()
    at.button(key="cv_fix_go").click().run()
    assert "old Health Insurance Claim Number" in errors(at)
    at.text_input(key="cv_fix_member").set_value("1EG4-TE5-MK79").run()
    at.button(key="cv_fix_go").click().run()
    assert "Member id is now 1EG4TE5MK79." in [x.value for x in at.success]
    # The list shows the coverage as it is now (a trial saw the old id after the change).
    [listed] = [d.value for d in at.dataframe if "member_id" in d.value.columns]
    assert listed.member_id.tolist() == ["1EG4TE5MK79"]
    # The group and subscriber as on the card: a subscriber's name is asked for, then kept.
    assert at.text_input(key="cv_fix_sub_last_1").disabled  # Jane is the subscriber
    at.selectbox(key="cv_fix_rel_1").select("spouse").run()
    at.button(key="cv_fix_sub_go_1").click().run()
    assert "Subscriber name is missing" in errors(at)
    at.text_input(key="cv_fix_sub_last_1").set_value("Doe")
    at.text_input(key="cv_fix_sub_first_1").set_value("John").run()
    at.button(key="cv_fix_sub_go_1").click().run()
    assert not at.error, errors(at)
    assert ("Changed: relationship, subscriber last name, subscriber first name. Claims "
            "already sent keep what they carried; correct them with a replacement (Claims → "
            "Correct / void).") in [x.value for x in at.success]
    assert db.query("SELECT relationship, subscriber_last_name, subscriber_first_name FROM "
                    "coverages WHERE coverage_id = 1").iloc[0].tolist() == ["spouse", "Doe",
                                                                            "John"]
    # The same coverage sent twice is refused, not added again.
    at.selectbox(key="cv_payer").select("Medicare Part B")
    at.text_input(key="cv_member").input("1EG4TE5MK79")
    at.date_input(key="cv_effective").set_value(dt.date(2025, 1, 1))
    click(at, "Add coverage")
    assert "This coverage is on file already: member id 1EG4TE5MK79, primary" in errors(at)


def test_a_new_primary_beside_an_open_one_is_added_and_said(db):
    """A change of insurance entered new plan first: Acme from 2025-07-01 while Jane's
    Medicare is open. Added (her July claims may need to move to it before Medicare can
    end), and the client's coverages say the two primaries overlap until Medicare ends."""
    at = page("clients.py")
    at.text_input(key="cv_client-find").set_value("C001").run()
    [jane] = [o for o in at.selectbox(key="cv_client").options if "C001" in o]
    at.selectbox(key="cv_client").set_value(jane).run()
    assert not at.warning
    at.selectbox(key="cv_payer").select("Acme Health")
    at.text_input(key="cv_member").input("ACM555")
    at.date_input(key="cv_effective").set_value(dt.date(2025, 7, 1))
    click(at, "Add coverage")
    assert not at.exception and not at.error, errors(at)
    assert [w.value for w in at.warning if "overlap" in w.value] == [
        e.overlapping_primaries(db, "C001")]
    at.selectbox(key="cv_change").set_value(1).run()  # Medicare, coverage 1
    at.date_input(key="cv_last_day").set_value(dt.date(2025, 6, 30)).run()
    at.button(key="cv_end_go").click().run()
    assert "Coverage ended on 2025-06-30." in [x.value for x in at.success]
    assert not [w for w in at.warning if "overlap" in w.value]


def test_the_coverage_picker_masks_member_ids_when_presenting(db, monkeypatch):
    monkeypatch.setenv("METDASH_PRESENT", "1")
    at = page("clients.py")
    at.text_input(key="cv_client-find").set_value("C001").run()
    at.selectbox(key="cv_client").set_value(at.selectbox(key="cv_client").options[1]).run()
    [label] = at.selectbox(key="cv_change").options
    assert "1EG4TE5MK72" not in label and "•••72" in label


def test_new_client_form_keeps_the_client_on_file(db):
    """A chart number on file is refused on "New client" (it overwrote the person before);
    ticking "Update the client on file" replaces the details."""
    at = page("clients.py")
    at.text_input(key="client_id").input("C001")
    at.text_input(key="last_name").input("Other")
    at.text_input(key="first_name").input("Person")
    at.date_input(key="dob").set_value(dt.date(1970, 1, 1))
    click(at, "Save client")
    assert "Client id C001 is already on file (Doe, Jane" in errors(at)
    assert db.scalar("SELECT last_name FROM clients WHERE client_id = 'C001'") == "Doe"
    at.checkbox(key="client_update").check()
    click(at, "Save client")
    assert not at.error
    assert db.scalar("SELECT last_name FROM clients WHERE client_id = 'C001'") == "Other"


def test_referrer_lookup_and_add(db):
    at = page("clients.py")
    at.text_input(key="ref_lookup").input("1679576722").run()
    assert any("Smith, Anna" in s.value for s in at.success)
    at.text_input(key="ref_npi").input("1234567890")
    click(at, "Add referrer")
    assert "fails its check digit" in errors(at) and "name is missing" in errors(at)
    at.text_input(key="ref_npi").input("1234567893")
    at.text_input(key="ref_name").input("North Clinic")
    click(at, "Add referrer")
    assert db.scalar("SELECT count(*) FROM referrers") == 2


def test_referrals_page(db):
    at = page("referrals.py")
    at.text_input(key="dx").input("M54.5")
    click(at, "Save referral")
    msg = errors(at)
    assert "Client '' is not on file" in msg and "Referrer is not on file" in msg
    assert "choose M54.50, M54.51 or M54.59" in msg and "Received date is missing" in msg
    before = db.scalar("SELECT count(*) FROM referrals")
    at.selectbox(key="client").select_index(1)
    at.selectbox(key="referrer").select_index(1)
    at.date_input(key="received").set_value(TODAY)
    at.text_input(key="dx").input("m5450; E11.9")
    click(at, "Save referral")
    assert not at.error
    assert db.scalar("SELECT count(*) FROM referrals") == before + 1


def test_referrals_page_records_a_plan_of_care_and_its_signature(db):
    at = page("referrals.py")
    at.selectbox(key="client").select("Doe, Jane (C001)")
    at.run()
    click(at, "Save plan of care")
    msg = errors(at)
    assert "Certifying physician is not on file" in msg and "Start (first treatment) is " \
        "missing" in msg
    at.selectbox(key="poc_doctor").select_index(1)
    at.date_input(key="poc_start").set_value(TODAY - dt.timedelta(days=3))
    click(at, "Save plan of care")
    assert not at.error
    # No end date given: the full 90 days, the start counted as day 1.
    row = db.query("SELECT start_date, certified_through, signed_date FROM plans_of_care")
    assert (row.certified_through[0] - row.start_date[0]).days == 89
    assert row.signed_date.isna().all()
    at.run()  # the page reads the client's plans again: the unsigned one can be signed
    at.date_input(key="sig_date").set_value(TODAY)
    click(at, "Record the signature")
    assert not at.error
    assert db.scalar("SELECT signed_date FROM plans_of_care") == TODAY


def test_sessions_page_shows_units_and_saves(db):
    at = page("sessions.py")
    at.number_input(key="min_97110").set_value(33)
    at.run()
    click(at, "Save session")
    assert "Client '' is not on file" in errors(at) and "Provider is not on file" in errors(at)
    before = db.scalar("SELECT count(*) FROM sessions")
    at.selectbox(key="client").select("Doe, Jane (C001)")
    at.selectbox(key="provider").select_index(1)
    at.number_input(key="min_97140").set_value(7)
    at.run()
    units = at.dataframe[0].value
    assert dict(zip(units.cpt, units.units, strict=True)) == {"97110": 2, "97140": 1}
    assert any("CMS 8-minute rule" in c.value for c in at.caption)
    click(at, "Save session")
    assert not at.error
    assert db.scalar("SELECT count(*) FROM sessions") == before + 1
    # Saved: the minutes start afresh (a second click saved the same session again: a
    # new-user trial), the client stays for the next session.
    assert any("saved." in t.value for t in at.toast)
    assert at.number_input(key="min_97110").value == 0
    assert not [d for d in at.dataframe if "units" in d.value.columns]  # no preview left
    assert at.selectbox(key="client").value == "Doe, Jane (C001)"
    # A second session the same day: the preview counts the client's day (8-minute rule):
    # 33 + 33 = 66 min of 97110 and 7 + 7 = 14 of 97140, 80 min -> 5 units (+1 per 15 past
    # 67); full units 97110 4 (60 min), 97140 0; the left-over unit goes to the larger
    # remainder, 97140 14 vs 97110 6 min.
    at.number_input(key="min_97110").set_value(33)
    at.number_input(key="min_97140").set_value(7)
    at.run()
    units = at.dataframe[0].value
    assert dict(zip(units.cpt, units.minutes, strict=True)) == {"97110": 66, "97140": 14}
    assert dict(zip(units.cpt, units.units, strict=True)) == {"97110": 4, "97140": 1}
    assert any("1 other session(s) that day" in c.value for c in at.caption)



def test_sessions_page_says_an_untimed_code_bills_one_unit_a_visit(db):
    """An evaluation (97161) is billed per visit: its box asks for the minutes it took and
    says they bill 1 unit; 30 min of it with 97110 20 min is 97161 x1 and 97110 x1 (20 timed
    minutes, 8-22 -> 1 unit: the evaluation's minutes are not timed minutes)."""
    at = page("sessions.py")
    box = at.number_input(key="min_97161")
    assert box.label == "97161 (untimed: 1 unit)"
    assert "any minutes bill 1 unit" in box.help
    assert at.number_input(key="min_97110").label == "97110 (timed)"
    at.selectbox(key="client").select("Doe, Jane (C001)")
    box.set_value(30)
    at.number_input(key="min_97110").set_value(20)
    at.run()
    units = at.dataframe[0].value
    assert units.values.tolist() == [["97110", 20, 1, "yes"],
                                     ["97161", 30, 1, "yes (untimed: 1 unit a visit)"]]


def test_sessions_page_asks_before_saving_an_exact_duplicate(db):
    """A new-user tour: the same session entered twice saved without a word, and claim
    building later refused the doubled day. Two identical sessions in one day can be real:
    the page asks, and saves only on a second, explicit confirmation."""
    first = db.scalar("SELECT min(session_id) FROM sessions")
    before = db.scalar("SELECT count(*) FROM sessions")
    at = page("sessions.py")
    at.selectbox(key="client").select("Doe, Jane (C001)")
    at.selectbox(key="provider").select_index(1)
    at.date_input(key="date").set_value(TODAY - dt.timedelta(days=3))
    at.number_input(key="min_97110").set_value(33)
    at.number_input(key="min_97140").set_value(7)
    at.run()
    click(at, "Save session")
    asked = [w.value for w in at.warning if "already on file" in w.value]
    assert asked == [
        f"A session for this client with this provider on {TODAY - dt.timedelta(days=3)} "
        f"with the same codes and minutes (97110 33 min, 97140 7 min) is already on file "
        f"(session {first}). Two identical sessions in one day are rare: check it was not "
        "entered twice. Save it anyway?"]
    assert db.scalar("SELECT count(*) FROM sessions") == before and not at.toast
    click(at, "Save session")  # the first button again is not the confirmation
    assert db.scalar("SELECT count(*) FROM sessions") == before
    # Changed after the question, the form is asked about afresh: no stale confirmation.
    at.number_input(key="min_97140").set_value(8)
    at.run()
    assert not [b for b in at.button if b.label == "Save it anyway"]
    at.number_input(key="min_97140").set_value(7)
    at.run()
    click(at, "Save session")
    click(at, "Save it anyway")
    assert not at.error
    assert db.scalar("SELECT count(*) FROM sessions") == before + 1
    assert any("saved." in t.value for t in at.toast)
    assert not [w for w in at.warning if "already on file" in w.value]
    assert not [b for b in at.button if b.label == "Save it anyway"]
    # A different session saves at once, as before.
    at.number_input(key="min_97110").set_value(20)
    at.run()
    click(at, "Save session")
    assert db.scalar("SELECT count(*) FROM sessions") == before + 2


def test_claims_page_bill_sessions_and_hand_claim(db):
    at = page("claims.py")
    click(at, "Save claim")          # the hand form, empty
    msg = errors(at)
    assert "Client '' is not on file" in msg and "Payer is not on file" in msg
    assert db.scalar("SELECT count(*) FROM claims") == 0
    click(at, "Build claim")
    assert not errors(at)
    save = [b for b in at.button if b.label == "Save claim" and b.key == "save_draft"][0]
    save.click()
    at.run()
    assert not at.exception
    assert db.scalar("SELECT count(*) FROM claims") == 1
    assert db.scalar("SELECT count(*) FROM claim_lines") == 2
    assert db.scalar("SELECT list(array_to_string(modifiers, ':') ORDER BY line_no) "
                     "FROM claim_lines") == ["GP", "GP"]
    # Issue 17, item 10: once saved, the billed session, the draft grid and "Build claim"
    # are gone, and the page says what was saved.
    assert any("saved as a draft" in s.value for s in at.success)
    assert not [b for b in at.button if b.key in ("save_draft", "build")]
    assert not at.get("arrow_data_editor") or all(
        e.key != "draft_lines" for e in at.get("arrow_data_editor"))
    assert any("Every session is billed" in s.value for s in at.success)



def test_bill_sessions_picks_clients_by_name_masked_when_presenting(db, monkeypatch):
    """A new-user tour: Claims → Bill sessions offered bare chart numbers ('C001') where
    every other client picker shows 'Doe, Jane (C001)'. Presentation mode still masks."""
    monkeypatch.setenv("METDASH_PRESENT", "0")
    at = page("claims.py")
    assert at.selectbox(key="bill_client").options == ["Doe, Jane (C001)"]
    assert at.selectbox(key="bill_client").value == "C001"
    click(at, "Build claim")
    assert any(m.value.startswith("**Review claim") and "for Doe, Jane (C001):" in m.value
               for m in at.markdown)
    monkeypatch.setenv("METDASH_PRESENT", "1")
    at = page("claims.py")
    assert at.selectbox(key="bill_client").options == ["Client C001"]
    click(at, "Build claim")
    review = [m.value for m in at.markdown if m.value.startswith("**Review claim")]
    assert len(review) == 1 and "for Client C001:" in review[0] and "Doe" not in review[0]


def test_claims_page_status_move_refused(db):
    at = page("claims.py")
    click(at, "Move")
    assert "Claim  is not on file" in errors(at)


def test_payments_page(db):
    at = page("payments.py")
    click(at, "Post payment")
    assert "No claim is chosen: find the claim the EOB pays" in errors(at)
    at.text_input(key="p_amount").input("abc")
    click(at, "Record payment")
    msg = errors(at)
    assert "No client is chosen" in msg and "'abc' is not an amount" in msg
    assert db.scalar("SELECT count(*) FROM patient_payments") == 0
    at.selectbox(key="p_client").select_index(1)
    at.text_input(key="p_amount").input("$25.00")
    click(at, "Record payment")
    assert not at.error
    assert db.scalar("SELECT count(*) FROM patient_payments") == 1
    # An exact claim id typed in a claim search chooses that claim (a new-user trial had to
    # pick the one match from the list, or posting said no claim was chosen).
    from tests.entry.helpers import submitted_claim
    claim = submitted_claim(db)
    at.text_input(key="e_claim-find").input(claim.lower()).run()
    assert claim in at.selectbox(key="e_claim").value


def test_a_paper_eob_keeps_the_payers_claim_number(db):
    """A denial posted from a paper EOB: its claim number (the payer's ICN) is kept, so the
    claim can be corrected or voided (REF*F8); the form had no place for it (a new-user
    trial)."""
    from metdash import entry as e
    from tests.entry.helpers import hand_claim, submitted_claim
    claim = submitted_claim(db)   # 122.00, served 2025-06-10
    at = page("payments.py")
    at.text_input(key="e_claim-find").input(claim).run()
    at.date_input(key="e_date").set_value(dt.date(2025, 6, 25))
    at.text_input(key="e_trace").input("PAPER-1")
    at.text_input(key="e_paid").input("0")
    at.text_input(key="e_adj").input("CO-197 122.00")
    at.text_input(key="e_pcn").input("ICN 2025-0601")
    click(at, "Post payment")
    assert not at.error, errors(at)
    assert db.scalar("SELECT payer_claim_number FROM claim_payments WHERE claim_id = ?",
                     [claim]) == "ICN 2025-0601"
    assert at.text_input(key="e_pcn").value == ""  # the form starts afresh
    # ... but for the check: its number and date stay for the check's next claim, which
    # posts onto the same payment, and the message says what the check holds so far.
    assert at.text_input(key="e_trace").value == "PAPER-1"
    other = submitted_claim(db, hand_claim(claim_id="H2", lines=[
        e.ClaimLineIn("2025-06-11", "97110", 2, "80.00", [], [1])]))
    at.text_input(key="e_claim-find").input(other).run()
    at.text_input(key="e_paid").input("50.00")
    at.text_input(key="e_adj").input("CO-45 20.00; PR-2 10.00")
    click(at, "Post payment")
    assert not at.error, errors(at)
    assert ("Payment posted on claim H2; check / EFT PAPER-1 now holds \\$50.00 for 2 claims."
            in [x.value for x in at.success])
    assert db.scalar("SELECT count(DISTINCT remittance_id) FROM claim_payments") == 1


def test_a_paper_eob_for_some_of_the_lines_is_posted_per_line(db):
    """Per line, line 2 unticked ('On this EOB'): line 1 (97110 x2, $80.00) paid 60, CO-45
    20; the claim owes the $42.00 of line 2, and the page says so."""
    from tests.entry.helpers import submitted_claim
    claim = submitted_claim(db)   # 122.00: line 1 $80.00, line 2 $42.00
    at = page("payments.py")
    at.text_input(key="e_claim-find").input(claim).run()
    at.toggle(key="e_per_line").set_value(True).run()
    at.date_input(key="e_date").set_value(dt.date(2025, 6, 25))
    at.session_state["e_lines"] = {"edited_rows": {
        0: {"paid": 60.0, "adjustments": "CO-45 20.00"}, 1: {"on_eob": False}},
        "added_rows": [], "deleted_rows": []}
    click(at, "Post payment")
    assert not at.error, errors(at)
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = ?",
                     [claim]) == 42
    shown = "\n".join(x.value for x in at.warning)
    assert "line 2 (97112, Jun 10, 2025) is not on it" in shown


def test_worklists_page_counts(db):
    at = page("worklists.py")
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert "Sessions not yet billed: **1**" in sidebar


def _settings_tab(at: AppTest, name: str) -> AppTest:
    """Open one of Settings' tabs (only the open tab runs; a switch reruns the page)."""
    at.session_state["settings_tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


def test_settings_page(db):
    at = page("settings.py")
    # Only the open tab runs: the practice form, no payer form and no KX table yet.
    assert not [t for t in at.text_input if t.key == "py_name"]
    assert not [d for d in at.dataframe if "review_threshold" in d.value.columns]
    at.text_input(key="pr_npi").input("1234567890")
    click(at, "Save practice")
    msg = errors(at)
    assert "Billing NPI 1234567890 fails its check digit" in msg
    # How long a submitted claim waits for its 277CA before it is listed (default 3).
    assert at.number_input(key="pr_ack_wait").value == 3
    at.number_input(key="pr_ack_wait").set_value(5)
    click(at, "Save waiting time")
    assert db.scalar("SELECT ack_wait_days FROM practice") == 5
    # Medicare's KX thresholds: a table by year (read-only), no longer a practice setting.
    _settings_tab(at, "KX thresholds")
    kx = [d.value for d in at.dataframe if "review_threshold" in d.value.columns][0]
    assert dict(zip(kx.year, kx.threshold.astype(float), strict=True)) == {
        2021: 2110, 2022: 2150, 2023: 2230, 2024: 2330, 2025: 2410, 2026: 2480}
    _settings_tab(at, "Payers")
    at.text_input(key="py_name").input("Prairie Health")
    at.selectbox(key="py_type").select("commercial")
    at.number_input(key="py_tf").set_value(180)
    click(at, "Add payer")
    assert db.scalar("SELECT timely_filing_days FROM payers WHERE name = 'Prairie Health'") == 180
    _settings_tab(at, "CPT codes")
    at.text_input(key="cp_cpt").input("97113")
    click(at, "Add code")
    assert "Description is missing" in errors(at)


def test_client_picker_is_a_search(db, monkeypatch):
    at = page("payments.py")
    at.text_input(key="p_client-find").input("nobody").run()
    assert at.selectbox(key="p_client").options == [""]
    assert any("No client matches 'nobody'" in c.value for c in at.caption)
    at.text_input(key="p_client-find").input("doe").run()
    assert "Doe, Jane (C001)" in at.selectbox(key="p_client").options
    # A cut list says so.
    monkeypatch.setattr(e, "FIND_LIMIT", 1)
    at.text_input(key="p_client-find").input("").run()
    assert any("Showing the first 1 clients by name" in c.value for c in at.caption)


def test_the_appeal_outcome_picker_follows_the_claim_picked(demo_db_path, tmp_path, monkeypatch):
    """Issue 17, item 12: the outcome form chose the newest pending appeal, whatever claim
    the biller had picked: recording 'overturned' for the claim on screen closed another
    claim's appeal."""
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, target)
    monkeypatch.setenv("METDASH_DB", str(target))
    pending = Database(target).query(
        "SELECT appeal_id, claim_id FROM appeals WHERE outcome = 'pending' "
        "ORDER BY filed_date DESC, appeal_id DESC")
    assert len(pending) >= 2, "the demo has pending appeals on several claims"
    oldest = pending.iloc[-1]  # the newest is the one the form used to choose
    at = page("payments.py")
    assert at.selectbox(key="o_appeal-").value is None  # no claim picked: nothing chosen
    at.text_input(key="a_claim-find").input(oldest.claim_id).run()
    claim_box = at.selectbox(key="a_claim")
    claim_box.select_index(1).run()
    assert at.selectbox(key="a_claim").value.startswith(oldest.claim_id)
    box = at.selectbox(key=f"o_appeal-{oldest.claim_id}")
    assert box.value == oldest.appeal_id
    # In words (a new-user trial read the code "partially_overturned")
    assert at.selectbox(key="o_outcome").options == [
        "Overturned", "Partially overturned", "Upheld", "Withdrawn"]
    at.selectbox(key="o_outcome").select("upheld")
    click(at, "Record outcome")
    assert not at.error, [x.value for x in at.error]
    outcomes = Database(target).query("SELECT appeal_id, outcome FROM appeals")
    changed = outcomes[outcomes.outcome == "upheld"].appeal_id.tolist()
    assert int(oldest.appeal_id) in changed
    assert int(pending.iloc[0].appeal_id) not in changed


def test_a_referrer_looked_up_and_not_found_is_added_with_that_npi(db):
    """Issue 17, item 8: "not on file yet: add it below" left the form's NPI box empty."""
    at = page("clients.py")
    at.text_input(key="ref_lookup").input("1234567893").run()
    assert any("not on file yet" in w.value for w in at.warning)
    assert at.text_input(key="ref_npi").value == "1234567893"
    at.text_input(key="ref_name").input("North Clinic")
    click(at, "Add referrer")
    assert not at.error, errors(at)
    assert db.scalar("SELECT name FROM referrers WHERE npi = '1234567893'") == "North Clinic"
    # Saved: the page says so, and no longer that the NPI is not on file (a new-user trial
    # saw both side by side); the lookup and the form are empty for the next one.
    assert any("Referrer North Clinic added." in s.value for s in at.success)
    assert not any("not on file yet" in w.value for w in at.warning)
    assert at.text_input(key="ref_lookup").value == "" and at.text_input(key="ref_npi").value == ""


def test_a_payer_just_added_is_listed_by_name(db):
    """Issue 17, item 8: the payer table stayed as before "Payer added." and had no names."""
    at = page("settings.py")
    at.session_state["settings_tab"] = "Payers"
    at.run()
    at.text_input(key="py_name").input("Harbor Health")
    at.text_input(key="py_id").input("HRB01")
    at.selectbox(key="py_type").set_value("commercial")
    click(at, "Add payer")
    # Left blank: a commercial payer's shortest typical limits (DOMAIN.md, Deadlines), said.
    assert ("Payer added. Timely filing 90 days and appeal window 60 days: the defaults for "
            "a commercial payer; change them below if its contract or manual says otherwise."
            in [s.value for s in at.success])
    assert db.query("SELECT timely_filing_days, appeal_window_days FROM payers WHERE name = "
                    "'Harbor Health'").values.tolist() == [[90, 60]]
    names = [df.value for df in at.dataframe if "name" in df.value.columns]
    assert names and "Harbor Health" in set(names[-1]["name"])
    # The form is empty for the next payer (a new-user trial found the name still in it).
    assert at.text_input(key="py_name").value == "" and at.text_input(key="py_id").value == ""


def test_the_payer_table_lists_the_other_names_its_835s_use(db):
    """A name kept for a payer's 835s (Remittances, "Whose is this 835?") was listed on
    Remittances only: Settings' payer table, where a biller looks a payer up, now shows it
    beside the payer."""
    medicare = db.scalar("SELECT payer_id FROM payers WHERE payer_type = 'medicare'")
    e.add_remittance_names(db, medicare, ["NORIDIAN JF PART B", "1999999999"], USER)
    at = page("settings.py")
    at.session_state["settings_tab"] = "Payers"
    at.run()
    assert not at.exception
    [table] = [df.value for df in at.dataframe if "name" in df.value.columns]
    kept = dict(zip(table["name"], table["other_names_on_835s"].fillna(""), strict=True))
    assert kept == {"Acme Health": "", "Medicare Part B": "1999999999, NORIDIAN JF PART B"}


def test_a_work_list_row_opens_its_action_with_the_record_chosen(demo_db_path, tmp_path,
                                                                  monkeypatch):
    """Issue 17, item 11: a work list's row leads to its action in one click. The button
    under a picked row stores what ui.open_with stores and switches page; the page it opens
    (here Payments, from "Denials to appeal") has the claim chosen and the tab open."""
    from metdash import worklists

    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, target)
    monkeypatch.setenv("METDASH_DB", str(target))
    lists = worklists.all_lists(Database(target), TODAY)
    claim_id = str(lists["denials_to_appeal"].claim_id.iloc[0])
    action = worklists.ROW_ACTIONS["denials_to_appeal"]
    assert (action.page, action.tab, action.pick) == ("payments.py", "Appeals", "a_claim")
    at = AppTest.from_file("../../pages/payments.py", default_timeout=30)
    # What ui.open_with(action.page, tab=..., tabs_key=..., a_claim=claim_id) leaves behind:
    at.session_state["a_claim-find"] = claim_id
    at.session_state["_pick-a_claim"] = claim_id
    at.session_state["payments_tab"] = "Appeals"
    at.session_state["_from_worklist"] = True
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="a_claim").value.startswith(claim_id)
    # Every list's action names a page that exists and a column the list has.
    for key, act in worklists.ROW_ACTIONS.items():
        assert (Path(__file__).parents[2] / "pages" / act.page).exists(), key
        if act.column:
            assert act.column in lists[key].columns, key


def test_a_future_birth_date_is_named_not_missing(db):
    """Found by a new-user trial: the widget's own range (up to today) dropped a future birth
    date, and the form said "Date of birth is missing"; the form's check now says what is
    wrong with it."""
    at = page("clients.py")
    at.text_input(key="client_id").input("C901")
    at.text_input(key="last_name").input("Park")
    at.text_input(key="first_name").input("Pat")
    at.date_input(key="dob").set_value(dt.date(2031, 5, 6))
    click(at, "Save client")
    assert "Date of birth 2031-05-06 is in the future: check the year." in errors(at)
    assert db.scalar("SELECT count(*) FROM clients WHERE client_id = 'C901'") == 0


def test_pickers_show_words_not_stored_codes(db):
    """A new-user tour saw "partially_paid", "initial_assessment", "medicare_advantage" and
    "per_code" in pickers whose tables showed the same values as words."""
    at = page("claims.py")
    assert "Partially paid" in at.selectbox(key="s_status").options
    assert "Initial assessment" in page("sessions.py").selectbox(key="kind").options
    settings = _settings_tab(page("settings.py"), "Payers")
    assert "Medicare advantage" in settings.selectbox(key="py_type").options
    assert settings.selectbox(key="py_rule").options == ["CMS 8-minute rule", "Per code"]


def test_remittances_page_with_no_835_does_not_say_everything_matched(db):
    """A new-user tour read "Every claim payment matched a claim." before any 835."""
    at = page("remittances.py")
    assert any("No claim payment yet" in i.value for i in at.info)
    assert not any("Every claim payment matched" in s.value for s in at.success)


def test_a_payers_rules_are_changed_on_settings(db):
    """A payer added with the wrong filing limit or appeal window could not be corrected
    anywhere: the Settings page only added payers. Its rules are now changed there, audited,
    and a bad value is refused as when adding one."""
    pid, name = db.query("SELECT payer_id, name FROM payers ORDER BY name LIMIT 1").iloc[0]
    at = _settings_tab(page("settings.py"), "Payers")
    at.selectbox(key="pe_payer").select(int(pid)).run()
    assert at.number_input(key=f"pe_tf_{pid}").value == db.scalar(
        "SELECT timely_filing_days FROM payers WHERE payer_id = ?", [int(pid)])
    at.number_input(key=f"pe_tf_{pid}").set_value(120)
    at.number_input(key=f"pe_aw_{pid}").set_value(45)
    at.checkbox(key=f"pe_auth_{pid}").check()
    click(at, "Save payer")
    assert not at.error, errors(at)
    assert any(f"{name} saved" in s.value for s in at.success)
    # The payers table above the form shows the new rules (it kept the old ones until the
    # page was opened again)
    [shown] = [d.value for d in at.dataframe if "timely_filing_days" in d.value.columns]
    assert shown.set_index("payer_id").loc[int(pid), "timely_filing_days"] == 120
    row = db.query("SELECT name, timely_filing_days, appeal_window_days, requires_prior_auth "
                   "FROM payers WHERE payer_id = ?", [int(pid)]).iloc[0]
    assert (row["name"], row.timely_filing_days, row.appeal_window_days,
            bool(row.requires_prior_auth)) == (name, 120, 45, True)
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'payers' "
                     "AND action = 'update' AND record_key = ?", [str(pid)]) == 1


def test_a_new_payers_filing_limit_defaults_by_its_type(db):
    """DOMAIN.md: Medicare 12 months from the date of service, commercial payers typically
    90-180 days. Left blank, the limit is 365 days for Medicare and 90 (the shortest typical:
    the filing-risk list warns early rather than late) for any other payer, and the page says
    which it used. It was 365 for every payer."""
    at = _settings_tab(page("settings.py"), "Payers")
    assert at.number_input(key="py_tf").value is None
    at.text_input(key="py_name").input("Bayside Commercial")
    at.selectbox(key="py_type").select("commercial")
    click(at, "Add payer")
    assert not at.error, errors(at)
    assert db.scalar("SELECT timely_filing_days FROM payers "
                     "WHERE name = 'Bayside Commercial'") == 90
    assert any("90 days" in s.value for s in at.success)
    at.text_input(key="py_name").input("Medicare Test Region")
    at.selectbox(key="py_type").select("medicare")
    click(at, "Add payer")
    assert db.scalar("SELECT timely_filing_days FROM payers "
                     "WHERE name = 'Medicare Test Region'") == 365


def test_a_provider_is_changed_on_settings(db):
    """A new-user trial: the claims import added NPI 1679576722 as "Imported provider" (its
    first name the NPI), and Settings → Providers only added providers; adding that NPI said
    "edit that provider instead" with no edit anywhere. Its name is changed there now, with
    the checks of adding one (the placeholder refused), audited; its NPI is shown, not
    changed."""
    with db.transaction() as con:
        pid = e.write_provider(con, e.imported_provider("1679576722"), USER)
    at = _settings_tab(page("settings.py"), "Providers")
    at.selectbox(key="pve_provider").select(pid).run()
    assert at.text_input(key=f"pve_last_{pid}").value == "Imported provider"
    assert at.text_input(key=f"pve_npi_{pid}").disabled
    click(at, "Save provider")
    assert "'Imported provider' is the placeholder the claims import gives" in errors(at)
    assert db.scalar("SELECT last_name FROM providers WHERE provider_id = ?",
                     [pid]) == "Imported provider"
    at.text_input(key=f"pve_last_{pid}").input("Lindqvist")
    at.text_input(key=f"pve_first_{pid}").input("Mara")
    at.text_input(key=f"pve_cred_{pid}").input("PT")
    click(at, "Save provider")
    assert not at.error, errors(at)
    assert "Provider Lindqvist, Mara (1679576722) saved." in [s.value for s in at.success]
    assert db.query("SELECT npi, last_name, first_name, credential FROM providers "
                    "WHERE provider_id = ?", [pid]).iloc[0].tolist() == [
        "1679576722", "Lindqvist", "Mara", "PT"]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'providers' "
                     "AND action = 'update' AND record_key = ?", [str(pid)]) == 1
    # The table above the form shows the name saved.
    [table] = [df.value for df in at.dataframe if "npi" in df.value.columns]
    assert "Lindqvist" in set(table["last_name"])
