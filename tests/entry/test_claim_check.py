"""Checking a claim: every error at once, coverage, referral, timely filing, modifiers."""

import datetime as dt

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry.helpers import count, hand_claim, session
from tests.entry_seed import AS_OF, USER


def test_hand_claim_every_error_at_once(db):
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    bad = hand_claim(
        claim_id="H2", diagnosis_codes=["M54.5", "Q99.99"],
        lines=[
            e.ClaimLineIn("2025-06-10", "97110", 1, "40.00", ["GP"], [1]),   # duplicate of H1
            e.ClaimLineIn("2025-07-10", "97112", 0, "-5", ["GPX"], [5]),     # future, units...
            e.ClaimLineIn("2025-05-01", "97530", 1, "45", [], [1]),          # before referral
        ])
    with db.connect() as con:
        chk = e.check_claim(con, bad, AS_OF)
    msgs = "\n".join(chk.errors)
    for text in ("M54.5 is a category", "Q99.99", "already billed on claim H1", "future",
                 "units 0", "negative", "GPX", "pointer 5", "before the referral",
                 "visits authorized"):
        assert text in msgs, text
    assert {p.line for p in chk.errors if p.line is not None} == {0, 1, 2}
    with pytest.raises(ValidationError):
        e.save_claim(db, bad, USER, as_of=AS_OF)
    assert count(db, "claims") == 1


def test_coverage_must_be_active(db):
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(referral_id=None, lines=[
            e.ClaimLineIn("2024-12-15", "97110", 2, "80.00", [], [1])]), AS_OF)
    assert any("no Acme Health coverage active on 2024-12-15" in x for x in chk.errors)


def test_referral_expired_and_visits(db):
    # Referral 2 (C002) allows 2 visits, expires 2025-07-31.
    e.save_claim(db, hand_claim(), USER, as_of=AS_OF)
    e.save_claim(db, hand_claim(claim_id="H2", lines=[
        e.ClaimLineIn("2025-06-11", "97110", 2, "80.00", [], [1])]), USER, as_of=AS_OF)
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(claim_id="H3", lines=[
            e.ClaimLineIn("2025-08-02", "97110", 2, "80.00", [], [1])]), dt.date(2025, 8, 5))
    msgs = "\n".join(chk.errors)
    assert "after the referral expired" in msgs and "0 left" in msgs


def test_timely_filing_warn_refuse_reason(db):
    # Acme: 90 days. Service 2025-06-10 -> deadline 2025-09-08.
    with db.connect() as con:
        ok = e.check_claim(con, hand_claim(), dt.date(2025, 6, 30))
        assert ok.errors == [] and ok.warnings == []
        near = e.check_claim(con, hand_claim(), dt.date(2025, 8, 20))
        assert any("2025-09-08 (19 days left)" in w for w in near.warnings)
        late = e.check_claim(con, hand_claim(), dt.date(2025, 9, 9))
        assert any("record the reason" in x for x in late.errors)
        # 90 days may be only the default a new payer got (helper-68): where to change it
        assert any("change its timely-filing limit under Settings → Payers first" in x
                   for x in late.errors)
        with_reason = e.check_claim(con, hand_claim(timely_filing_reason="Proof of timely "
                                                    "filing: clearinghouse report 2025-07-01"),
                                    dt.date(2025, 9, 9))
        assert not any("Timely" in x for x in with_reason.errors)
    # The referral expired 2025-07-31 but the service date is before it: fine.
    e.save_claim(db, hand_claim(timely_filing_reason="Proof of earlier submission"), USER,
                 as_of=dt.date(2025, 9, 9))
    assert db.scalar("SELECT timely_filing_reason FROM claims") == "Proof of earlier submission"


def test_missing_gp_is_a_warning_for_medicare(db):
    claim = e.ClaimIn(claim_id="M1", client_id="C001", payer_id=1, diagnosis_codes=["M54.50"],
                      referral_id=1, lines=[e.ClaimLineIn("2025-06-10", "97110", 1, "40", [], [1])])
    with db.connect() as con:
        chk = e.check_claim(con, claim, AS_OF)
    assert chk.errors == []
    assert chk.warnings == ["Line 1: Medicare Part B expects modifier GP on 97110: add it, or "
                            "the line may be denied (CARC 4)."]


def medicare(claim_id, *lines):
    """A hand claim of C001 to Medicare (no payer fee on file: a line's charge is its
    expected allowed amount): lines as (date, cpt, units, charge, modifiers)."""
    return e.ClaimIn(claim_id, "C001", 1, ["M54.50"], [
        e.ClaimLineIn(d, c, u, ch, m, [1]) for d, c, u, ch, m in lines],
        rendering_provider_id=1)


def test_kx_threshold_by_the_year_of_the_date_of_service(db):
    # Before: $2,300.00 in 2024 and $2,300.00 in 2025. The claim bills $40.00 on
    # 2024-12-30 and $40.00 on 2025-01-02. 2024: $2,340.00 > $2,330.00 (2024's threshold):
    # KX on the December line. 2025: $2,340.00 is not past $2,410.00: no KX in January.
    for cid, day in (("Y24", "2024-12-02"), ("Y25", "2025-01-01")):
        e.save_claim(db, medicare(cid, (day, "97112", 1, "2300.00", ["GP"])), USER,
                     as_of=AS_OF)
    claim = medicare("X1", ("2024-12-30", "97110", 1, "40.00", ["GP"]),
                     ("2025-01-02", "97110", 1, "40.00", ["GP"]))
    with db.connect() as con:
        chk = e.check_claim(con, claim, AS_OF)
        assert [k.year for k in e.kx_years(con, "C001", 1, [
            (dt.date(2024, 12, 30), "97110", 1, "40.00"),
            (dt.date(2025, 1, 2), "97110", 1, "40.00")]) if k.kx] == [2024]
    assert chk.errors == []
    assert chk.warnings == [
        "Line 1: Medicare Part B expects modifier KX on 97110: add it, or the line may be "
        "denied (CARC 4). KX: the client's Medicare allowed amount for 2024 comes to "
        "$2,340.00 with this claim, past the 2024 threshold of $2,330.00."]


def test_past_3000_is_a_warning_for_targeted_medical_review(db):
    # $2,950.00 before in 2025, this claim $118.00: $3,068.00 > $3,000.00 (and past the
    # $2,410.00 KX threshold, so KX is on the lines): a warning, not an error.
    e.save_claim(db, medicare("Y1", ("2025-05-05", "97112", 1, "2950.00", ["GP"])), USER,
                 as_of=AS_OF)
    claim = medicare("X1", ("2025-06-10", "97110", 2, "80.00", ["GP", "KX"]),
                     ("2025-06-10", "97140", 1, "38.00", ["GP", "KX"]))
    with db.connect() as con:
        chk = e.check_claim(con, claim, AS_OF)
    assert chk.errors == []
    assert chk.warnings == [
        "Medical review: the client's Medicare therapy for 2025 comes to $3,068.00 with this "
        "claim, past $3,000.00: claims above it may be picked for targeted medical review, "
        "so the notes must show medical necessity."]


def test_a_year_without_a_threshold_uses_the_latest(db):
    # 2027 is not in the table: 2026's $2,480.00 is used, and the biller is told.
    claim = medicare("X1", ("2027-01-05", "97110", 1, "40.00", ["GP"]))
    with db.connect() as con:
        chk = e.check_claim(con, claim, dt.date(2027, 1, 10))
        assert e.kx_threshold_for(con, 2027)["year"] == 2026
        assert e.kx_threshold_for(con, 2020) is None
    assert chk.warnings == ["KX: Medicare's threshold for 2027 is not on file: 2026's "
                            "$2,480.00 was used."]


def test_units_above_the_days_minutes_are_a_warning(db):
    # C001's sessions on 2025-06-02: 97110 10 + 10 min = 20 min -> 1 unit under the CMS
    # rule. A hand claim billing 97110 x2 that day is past it.
    session(db, minutes={"97110": 10})
    session(db, minutes={"97110": 10})
    claim = medicare("X1", ("2025-06-02", "97110", 2, "80.00", ["GP"]))
    with db.connect() as con:
        chk = e.check_claim(con, claim, AS_OF)
    assert chk.warnings == [
        "Line 1: 97110 on 2025-06-02 bills 2 unit(s), but the client's sessions that day (20 "
        "min of 97110, 20 timed min in all) give 1 under the CMS 8-minute rule: check the "
        "units."]


def test_a_session_of_the_day_left_off_a_claim_built_from_sessions(db):
    # Morning and afternoon on 2025-06-02; the claim is built from the morning only.
    am = session(db, minutes={"97110": 10})
    pm = session(db, minutes={"97110": 10})
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [am], AS_OF)
        chk = e.check_claim(con, claim, AS_OF)
    assert chk.warnings == [
        f"Sessions: session {pm} of this client on 2025-06-02 is on no claim yet: the "
        "8-minute rule counts the day's minutes together, so bill it on this claim, or next "
        "(only the units it adds to the day are billed then)."]


# -- a date and code another claim holds: what frees it, by that claim's status -----------------

DUP_LEAD = ("Line 1: 97110 on 2025-06-10 for this client is already billed on claim H1, and one "
            "date and code on two claims is denied as a duplicate: remove the line, or change "
            "claim H1 first. ")


def _h1(db, *lines):
    """H1 (C002, Acme) billing 97110 x2 on 2025-06-10, and ``lines`` besides: a draft."""
    e.save_claim(db, hand_claim(lines=[e.ClaimLineIn("2025-06-10", "97110", 2, "80.00", [], [1]),
                                       *lines]), USER, as_of=AS_OF)


def _send_h1(db):
    e.move_claim_status(db, "H1", "ready", USER, as_of=AS_OF)
    e.move_claim_status(db, "H1", "submitted", USER, on=dt.date(2025, 6, 12), as_of=AS_OF)


def _deny_h1(db):
    e.post_eob(db, e.EobIn(claim_id="H1", payment_date="2025-06-25", paid="0.00",
                           adjustments=[e.AdjustmentIn("CO", "50", "122.00")],
                           payer_claim_number="PCN-H1"), USER, as_of=AS_OF)


def _why_h1_holds_it(db):
    """Claim H2's 97110 line of 2025-06-10, which H1 holds: the refusal after DUP_LEAD, the
    same whether the store is asked one question at a time (a form) or read for a batch (the
    spreadsheet import)."""
    dup = hand_claim(claim_id="H2", lines=[e.ClaimLineIn("2025-06-10", "97110", 1, "40.00",
                                                         [], [1])])
    found = []
    with db.connect() as con:
        for reads in (None, e.BatchReads(con, ["C002"], ["H2"])):
            chk = e.check_claim(con, dup, AS_OF, reads=reads)
            [msg] = [p for p in chk.errors if "already billed" in p]
            assert msg.startswith(DUP_LEAD) and (msg.field, msg.line) == ("cpt", 0)
            found.append(msg.removeprefix(DUP_LEAD))
    assert found[0] == found[1]
    return found[0]


def test_a_day_held_by_a_draft_or_ready_claim_says_edit_it(db):
    # A claim the payer does not have is edited (metdash.entry.corrections), not voided.
    _h1(db, e.ClaimLineIn("2025-06-10", "97112", 1, "42.00", [], [1]))
    assert _why_h1_holds_it(db) == (
        "Claim H1 is a draft, not sent yet: edit it (Claims → Status → Edit claim H1) to take "
        "its 97110 line of 2025-06-10 off, then save this claim again.")
    e.move_claim_status(db, "H1", "ready", USER, as_of=AS_OF)
    assert _why_h1_holds_it(db) == (
        "Claim H1 is ready, not sent yet: edit it (Claims → Status → Edit claim H1) to take "
        "its 97110 line of 2025-06-10 off, then save this claim again.")


def test_a_day_held_by_a_draft_billing_nothing_else_says_move_it_to_voided(db):
    _h1(db)
    assert _why_h1_holds_it(db) == (
        "Claim H1 is a draft, not sent yet, and bills nothing else: move it to voided (Claims "
        "→ Status, with a note; nothing goes to the payer), then save this claim again.")


def test_a_day_held_by_a_sent_claim_says_replace_or_void_it(db):
    # DOMAIN.md: a claim the payer has is corrected by a replacement (frequency 7) or a void
    # (frequency 8); submitted or denied alike.
    _h1(db, e.ClaimLineIn("2025-06-10", "97112", 1, "42.00", [], [1]))
    _send_h1(db)
    sent = ("Claim H1 went to the payer on 2025-06-12, so it is not edited: send a replacement "
            "claim (frequency 7) whose 97110 line of 2025-06-10 bills all of the day's units, "
            "or void it (frequency 8) and save this claim again once the void is sent (Claims "
            "→ Status → Correct / void claim H1).")
    assert _why_h1_holds_it(db) == sent
    _deny_h1(db)
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'H1'") == "denied"
    assert _why_h1_holds_it(db) == sent


def test_a_day_held_by_a_waiting_replacement_says_edit_it(db):
    # A replacement not sent yet is edited in place, as a draft is (corrections.EDITABLE).
    from metdash.entry import corrections

    _h1(db, e.ClaimLineIn("2025-06-10", "97112", 1, "42.00", [], [1]))
    _send_h1(db)
    _deny_h1(db)
    with db.connect() as con:
        fixed = corrections.claim_on_file(con, "H1")
    fixed.lines[0].modifiers = ["GP"]
    corrections.replace_claim(db, "H1", fixed, USER, reason="modifier", as_of=AS_OF)
    assert _why_h1_holds_it(db) == (
        "Claim H1 is a replacement waiting to be sent: edit it (Claims → Status → Edit claim "
        "H1) to take its 97110 line of 2025-06-10 off, then save this claim again.")


def test_a_day_held_by_a_waiting_void_says_send_it_first(db):
    from metdash.entry import corrections

    _h1(db, e.ClaimLineIn("2025-06-10", "97112", 1, "42.00", [], [1]))
    _send_h1(db)
    _deny_h1(db)
    corrections.void_claim(db, "H1", USER, reason="billed the wrong day", as_of=AS_OF)
    assert _why_h1_holds_it(db) == (
        "Claim H1 is a void waiting to be sent: send it with the next 837P (Remittances, or "
        "`metdash export-837`), then save this claim again.")


def test_a_day_held_by_a_settled_claim_says_ask_the_payer_to_reopen_it(db):
    _h1(db, e.ClaimLineIn("2025-06-10", "97112", 1, "42.00", [], [1]))
    _send_h1(db)
    e.post_eob(db, e.EobIn(claim_id="H1", payment_date="2025-06-25", paid="122.00",
                           payer_claim_number="PCN-H1"), USER, as_of=AS_OF)
    settled = ("the payer has settled it, and metdash corrects only a submitted or denied "
               "claim, so ask the payer to reopen claim H1 for its 97110 line of 2025-06-10.")
    assert _why_h1_holds_it(db) == f"Claim H1 is paid: {settled}"
    e.move_claim_status(db, "H1", "closed", USER, as_of=AS_OF)
    assert _why_h1_holds_it(db) == f"Claim H1 is closed: {settled}"


def test_a_code_refused_gets_no_fee_schedule_warning_too(db):
    # A trial's "9711" (a digit short) was refused, and also told it had no fee on the fee
    # schedule; a known code off the schedule still gets that warning.
    with db.connect() as con:
        chk = e.check_claim(con, hand_claim(lines=[
            e.ClaimLineIn("2025-06-10", "9711", 1, "40.00", ["GP"], [1]),
            e.ClaimLineIn("2025-06-10", "97113", 1, "55.00", ["GP"], [1])]), AS_OF)
    assert any("Line 1: procedure code" in m for m in chk.errors)
    fee_warnings = [m for m in chk.warnings if "no fee on the fee schedule" in m]
    assert not any(m.startswith("Line 1") for m in fee_warnings)
