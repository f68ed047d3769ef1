"""A claim to a payer that requires prior authorization, with none on file (a new-user
trial, problem P2: the 837P went out without REF*G1 and only a timely-filing notice).

DOMAIN.md: CARC 197 is "prior authorization absent", a denial; the authorization number
belongs to the referral (a referral "often [has] an authorized number of visits and an
expiry date", and the number), and the 837P sends it as REF*G1.

Worked on paper, on the seeded practice (tests/entry_seed.py, as of 2025-06-30):

- Acme Health (payer 2) is set to require prior authorization; C002's referral 2 (received
  2025-06-01, 2 visits, expires 2025-07-31) carries no authorization number.
- H1: C002, Acme, referral 2, 97110 x2 on 2025-06-10. Built / saved: one warning naming
  Acme Health, referral 2 and its date, CO-197, and where the number is recorded; no
  error (a draft may wait for the authorization). Saved as a draft.
- Moving H1 to ready with no note: refused with the same words. With a note saying why it
  goes without one: ready, the note in its status history. Moving it on to submitted by
  hand: the ready move's note stands (asked once).
- Once "PA-5521" is recorded on referral 2 (first mistyped "PA-5512", then corrected): no warning; a second claim H2 (2025-06-11)
  moves to ready with no note, and its 837P's loop 2300 carries REF*G1*PA-5521.
- A claim that names no referral to such a payer is warned that it names none.
- Medicare (payer 1) does not require prior authorization: no such warning.
"""

import datetime as dt

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from metdash.x12.write837 import load_batch
from tests.entry.helpers import hand_claim
from tests.entry_seed import AS_OF, USER


def _requires_auth(db, payer_id=2):
    e.save_payer(db, e.PayerIn(name="Acme Health", payer_type="commercial",
                               timely_filing_days=90, appeal_window_days=60,
                               units_rule="per_code", usual_lag_days=30,
                               requires_prior_auth=True), USER, payer_id=payer_id)


def _auth_said(problems):
    return [p for p in problems if "prior authorization" in p]


def test_no_warning_when_the_payer_does_not_require_one(db):
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(), AS_OF)
    assert chk.errors == [] and _auth_said(chk.warnings) == []


def test_a_missing_authorization_is_a_warning_naming_payer_referral_and_fix(db):
    _requires_auth(db)
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(), AS_OF)
    assert chk.errors == []
    (said,) = _auth_said(chk.warnings)
    for words in ("Acme Health requires prior authorization", "referral 2",
                  "received 2025-06-01", "no authorization number", "CO-197",
                  "Referrals → Record a prior authorization", "note"):
        assert words in said, words
    # The draft is saved all the same; the warning comes back with it.
    warnings = e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    assert _auth_said(warnings) == [said]


def test_a_claim_naming_no_referral_is_told_it_names_none(db):
    _requires_auth(db)
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(referral_id=None), AS_OF)
    (said,) = _auth_said(chk.warnings)
    assert "names no referral" in said and "Acme Health" in said


def test_ready_is_refused_without_a_note_and_takes_one_that_says_why(db):
    _requires_auth(db)
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    with pytest.raises(ValidationError) as refused:
        e.move_claim_status(db, "H1", "ready", USER, as_of=AS_OF)
    said = "\n".join(refused.value.problems)
    assert "H1" in said and "referral 2" in said and "say why in the note" in said
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'H1'") == "draft"
    why = "Acme confirmed by phone 2025-06-20 (call ref 7781): no authorization for 2 visits"
    e.move_claim_status(db, "H1", "ready", USER, note=why, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'H1'") == "ready"
    assert db.scalar("SELECT note FROM claim_status_history WHERE claim_id = 'H1' "
                     "AND status = 'ready'") == why
    # Sent by hand from ready: the reason given at ready stands.
    e.move_claim_status(db, "H1", "submitted", USER, on=dt.date(2025, 6, 21), as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'H1'") == "submitted"


def test_export_names_a_claim_without_its_authorization_and_the_reason_recorded(db):
    _requires_auth(db)
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    e.move_claim_status(db, "H1", "ready", USER, note="payer waived it", as_of=AS_OF)
    with db.connect() as con:
        (said,) = e.authorization_export_warnings(con, ["H1"])
    assert said.startswith("Claim H1 goes to Acme Health with no prior authorization")
    assert said.endswith("Note recorded when it was made ready: 'payer waived it'.")


def test_recording_the_number_on_the_referral_ends_it_and_the_837p_carries_it(db):
    _requires_auth(db)
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    with pytest.raises(ValidationError):
        e.record_prior_authorization(db, 2, "  ", USER)
    e.record_prior_authorization(db, 2, "PA-5512", USER)
    e.record_prior_authorization(db, 2, " PA-5521 ", USER)     # a typo corrected
    assert db.scalar("SELECT prior_auth_number FROM referrals WHERE referral_id = 2") == "PA-5521"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'referrals' "
                     "AND action = 'update'") == 2
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(claim_id="H2", lines=[
            e.ClaimLineIn("2025-06-11", "97110", 2, "80.00", [], [1])]), AS_OF)
        assert _auth_said(chk.warnings) == []
    e.move_claim_status(db, "H1", "ready", USER, as_of=AS_OF)    # no note needed now
    with db.connect() as con:
        assert e.authorization_export_warnings(con, ["H1"]) == []
        batch, problems = load_batch(con, ["H1"])
    assert batch.claims[0].prior_auth_number == "PA-5521"


def test_a_number_recorded_after_the_claim_was_sent_is_a_change_a_replacement_carries(db):
    # Denied CO-197, the number obtained, the claim replaced: the replacement is not "the same
    # claim again" (refused as a duplicate), it carries the referral's new REF*G1.
    from metdash.entry.record_changes import records_changed_since_sent

    _requires_auth(db)
    cid = "H1"
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    e.move_claim_status(db, cid, "ready", USER, note="sent while the payer decides",
                        as_of=AS_OF)
    e.move_claim_status(db, cid, "submitted", USER, on=dt.date(2025, 6, 12), as_of=AS_OF)
    e.record_prior_authorization(db, 2, "PA-5521", USER)
    with db.connect() as con:
        row = con.execute("SELECT * FROM claims WHERE claim_id = ?", [cid]).fetchdf()
        said = records_changed_since_sent(con, row.iloc[0].to_dict())
    assert len(said) == 1 and said[0].startswith(
        "Since it was sent: the referral's prior authorization number (changed on")


def test_the_claims_import_warns_and_keeps_a_claim_not_sent_as_a_draft(db):
    # Two claims of a new client to Acme, whose referral (from the file's referral_date)
    # has no number: S1 not sent yet -> a draft, with the check's warning and why it is a
    # draft; S2 sent on 2025-06-05 -> submitted as the file says, with the warning. (Rows
    # are numbered as the file's: the header is row 1.)
    from metdash.spreadsheet import import_claims
    from tests.test_spreadsheet import csv_bytes, row

    _requires_auth(db)
    acme = dict(client_id="C300", client_last_name="Park", client_first_name="Pia",
                client_dob="1970-01-02", payer_name="Acme Health", payer_type="commercial",
                member_id="ACM900", modifiers="", diagnosis_codes="M54.50")
    res = import_claims(db, csv_bytes(
        row(claim_id="S1", service_date="2025-06-02", submitted_date="", **acme),
        row(claim_id="S2", service_date="2025-06-03", submitted_date="2025-06-05", **acme)),
        "claims.csv", USER, as_of=AS_OF)
    assert res.problems == [] and res.claims_added == 2
    status = dict(db.query("SELECT claim_id, status FROM claims").values.tolist())
    assert status == {"S1": "draft", "S2": "submitted"}
    said = [w for w in res.warnings if "prior authorization" in w]
    assert len([w for w in said if "CO-197" in w]) == 2
    assert any(w.startswith("row 2, claim_id: claim S1 is imported as a draft") for w in said)
