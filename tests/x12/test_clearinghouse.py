"""Clearinghouse settings on the 837P (issue 16, item 1) and place of service on its lines
(item 2): the exact ISA / GS / 1000A / 1000B segments, a refusal per missing setting, the
values' own rules, POS 02 / 10 on a telehealth line with modifier 95 for a payer that wants
it and none for one that does not, and pyx12's validator on each variant."""

from __future__ import annotations

import dataclasses

import pytest

from metdash.entry.clearinghouse import (
    REQUIRED,
    ClearinghouseIn,
    save_clearinghouse,
    save_payer_billing,
    validate_clearinghouse,
)
from metdash.errors import ValidationError, X12ExportError
from metdash.store import facts
from metdash.x12.model837 import ControlNumbers
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import load_batch, render_837p, write_837p

from .conftest import NOW

# What a clearinghouse's enrolment letter gives a practice (made up): our submitter id
# S123456 at "Clear Harbor EDI" (receiver id CHEDI01), the interchange sent under the
# practice's tax id (qualifier 30) to the clearinghouse's own id (ZZ), in test mode.
SETTINGS = ClearinghouseIn(
    submitter_id="S123456", submitter_name="Moving Well Billing", contact_name="Pat Biller",
    contact_phone="(217) 555-0199", receiver_id="CHEDI01", receiver_name="Clear Harbor EDI",
    isa_sender_qualifier="30", isa_sender_id="123456789", isa_receiver_qualifier="zz",
    isa_receiver_id="CLEARHARBOR", usage_indicator="t")


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def _text(db, claim_ids=None) -> str:
    with db.connect() as con:
        batch, problems = load_batch(con, claim_ids)
    assert problems == []
    return render_837p(batch, ControlNumbers(7, 8, 9), NOW)


def test_the_envelope_and_header_carry_the_settings(seeded):
    save_clearinghouse(seeded, SETTINGS, "owner")
    segs = _segments(_text(seeded))
    # ISA05/06 30 + the tax id, ISA07/08 ZZ + the clearinghouse's id (each padded to 15),
    # ISA15 T (test); GS02/GS03 the submitter and receiver ids.
    assert segs[0] == ("ISA*00*          *00*          *30*123456789      *ZZ*CLEARHARBOR    "
                       "*250303*0930*^*00501*000000007*0*T*:")
    assert segs[1] == "GS*HC*S123456*CHEDI01*20250303*0930*8*X*005010X222A1"
    assert segs[4:7] == ["NM1*41*2*MOVING WELL BILLING*****46*S123456",
                         "PER*IC*PAT BILLER*TE*2175550199",
                         "NM1*40*2*CLEAR HARBOR EDI*****46*CHEDI01"]
    # 2010BB: each payer's clearinghouse payer id
    assert [s for s in segs if s.startswith("NM1*PR*")] == [
        "NM1*PR*2*ACME HEALTH*****PI*ACME1", "NM1*PR*2*MEDICARE PART B*****PI*MCRB1"]


def test_the_envelope_passes_pyx12_in_test_and_production(seeded):
    save_clearinghouse(seeded, SETTINGS, "owner")
    assert pyx12_validate(_text(seeded)) == []
    save_clearinghouse(seeded, dataclasses.replace(SETTINGS, usage_indicator="P",
                                                   isa_sender_qualifier="ZZ",
                                                   isa_sender_id="S123456",
                                                   contact_name=None), "owner")
    text = _text(seeded)
    assert "*ZZ*S123456        *ZZ*CLEARHARBOR    *" in text and "*0*P*:~" in text
    # no contact name: the submitter's name stands in (PER02)
    assert "PER*IC*MOVING WELL BILLING*TE*2175550199~" in text
    assert pyx12_validate(text) == []


def test_a_changed_payer_id_goes_on_the_next_file(seeded):
    save_payer_billing(seeded, 1, "ACM77", None, "owner")
    assert "NM1*PR*2*ACME HEALTH*****PI*ACM77~" in _text(seeded, ["C000101"])


MISSING = {
    "submitter_id": "Clearinghouse submitter id (1000A NM109, GS02) is missing",
    "submitter_name": "Clearinghouse submitter name (1000A NM103) is missing",
    "contact_phone": "Clearinghouse contact phone (1000A PER04) is missing",
    "receiver_id": "Clearinghouse receiver id (1000B NM109, GS03) is missing",
    "receiver_name": "Clearinghouse receiver name (1000B NM103) is missing",
    "isa_sender_qualifier": "Clearinghouse interchange sender qualifier (ISA05) is missing",
    "isa_sender_id": "Clearinghouse interchange sender id (ISA06) is missing",
    "isa_receiver_qualifier": "Clearinghouse interchange receiver qualifier (ISA07) is missing",
    "isa_receiver_id": "Clearinghouse interchange receiver id (ISA08) is missing",
    "usage_indicator": "Clearinghouse test / production indicator (ISA15) is missing",
}


@pytest.mark.parametrize("field", REQUIRED)
def test_an_export_without_a_setting_is_refused_naming_it(seeded, field):
    with seeded.transaction() as con:
        con.execute(f"UPDATE clearinghouse_settings SET {field} = NULL")  # noqa: S608
    with pytest.raises(X12ExportError) as refused:
        write_837p(seeded, None, user="biller", now=NOW)
    assert refused.value.problems == [
        f"{MISSING[field]}: enter it under Settings → Clearinghouse."]
    # nothing changed: the claims wait, no control number spent
    assert seeded.scalar("SELECT count(*) FROM claims WHERE status = 'ready'") == 2
    assert seeded.scalar("SELECT count(*) FROM x12_control") == 0


def test_a_store_with_no_settings_is_refused_with_every_one_named(seeded):
    with seeded.transaction() as con:
        con.execute("DELETE FROM clearinghouse_settings")
    with pytest.raises(X12ExportError) as refused:
        write_837p(seeded, None, user="biller", now=NOW)
    assert refused.value.problems == [
        f"{MISSING[f]}: enter it under Settings → Clearinghouse." for f in REQUIRED]
    assert all("\n" not in p for p in refused.value.problems)


def test_a_payer_without_a_payer_id_is_refused_saying_where(seeded):
    with seeded.transaction() as con:
        con.execute("UPDATE payers SET clearinghouse_payer_id = NULL WHERE payer_id = 2")
    with pytest.raises(X12ExportError) as refused:
        write_837p(seeded, None, user="biller", now=NOW)
    assert refused.value.problems == [
        "Claim C000102: payer Medicare Part B has no clearinghouse payer id: enter it under "
        "Settings → Clearinghouse (payer ids)."]


@pytest.mark.parametrize(("change", "words"), [
    ({"submitter_id": "S"}, "submitter id (1000A NM109, GS02) 'S' is 1 characters long; it "
                            "takes 2 to 15"),
    ({"receiver_id": "R" * 16}, "receiver id (1000B NM109, GS03) 'RRRRRRRRRRRRRRRR' is 16 "
                                "characters long; it takes 2 to 15"),
    ({"isa_sender_id": "ABC*123"}, "may hold letters, digits, '-' and '.' only"),
    ({"isa_receiver_id": "CLEAR HARBOR"}, "may hold letters, digits, '-' and '.' only"),
    ({"isa_sender_qualifier": "XX"}, "'XX' is not an interchange id qualifier: use one of 01, "
                                     "14, 20, 27, 28, 29, 30, 33, ZZ"),
    ({"isa_sender_id": "12-3456789"}, "'12-3456789' does not fit qualifier 30 (US federal tax "
                                      "id): it takes 9 digits"),
    ({"isa_receiver_qualifier": "01", "isa_receiver_id": "12345"},
     "does not fit qualifier 01 (DUNS number): it takes 9 digits"),
    ({"isa_receiver_qualifier": "14", "isa_receiver_id": "123456789"},
     "it takes 13 digits"),
    ({"usage_indicator": "X"}, "'X' must be T (test files) or P (production)"),
    ({"contact_phone": "555-0199"}, "'555-0199' is not a phone number: 10 digits"),
    ({"submitter_name": "Moving*Well"}, "holds one of * ~ : ^ | >"),
    ({"receiver_name": "C" * 61}, "is 61 characters long; it holds at most 60"),
])
def test_setting_values_are_checked(db, change, words):
    ch = dataclasses.replace(SETTINGS, **change)
    problems = validate_clearinghouse(ch)
    assert len(problems) == 1 and words in problems[0], problems
    assert problems[0].endswith("Settings → Clearinghouse.") or "shorten it" in problems[0]
    assert problems[0].field in change
    with pytest.raises(ValidationError):
        save_clearinghouse(db, ch, "owner")
    assert db.scalar("SELECT count(*) FROM clearinghouse_settings") == 0


def test_settings_are_saved_as_the_file_sends_them(db):
    save_clearinghouse(db, SETTINGS, "owner")
    with db.connect() as con:
        row = con.execute("SELECT * EXCLUDE (settings_id) FROM clearinghouse_settings"
                          ).fetchall()
    assert row == [("S123456", "Moving Well Billing", "Pat Biller", "2175550199", "CHEDI01",
                    "Clear Harbor EDI", "30", "123456789", "ZZ", "CLEARHARBOR", "T")]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = "
                     "'clearinghouse_settings'") == 1


# -- place of service on the lines --------------------------------------------------------

def _telehealth(seeded, acme_wants: str | None, place: str = "10") -> list[str]:
    """C000101 (Acme Health): its second line (97140) was a telehealth session."""
    save_payer_billing(seeded, 1, "ACME1", acme_wants, "owner")
    with seeded.transaction() as con:
        con.execute("UPDATE claim_lines SET place_of_service = ? WHERE claim_id = 'C000101' "
                    "AND line_no = 2", [place])
        facts.touch(con, ["C000101"])
    text = _text(seeded)
    assert pyx12_validate(text) == []
    return _segments(text)


def test_a_telehealth_line_carries_its_place_and_95_for_a_payer_that_wants_it(seeded):
    segs = _telehealth(seeded, "95")
    # CLM05-1: 11, the place of two of the three lines; the telehealth line says 10 (SV105)
    # and carries 95 after its own modifiers.
    assert "CLM*C000101*300***11:B:1*Y*A*Y*Y" in segs
    assert [s for s in segs if s.startswith("SV1*")][:3] == [
        "SV1*HC:97110:GP*150*UN*2***1:2",
        "SV1*HC:97140:GP:59:95*100*UN*1*10**1",
        "SV1*HC:97530*50*UN*1***2"]


def test_a_telehealth_line_has_no_modifier_for_a_payer_that_wants_none(seeded):
    segs = _telehealth(seeded, None, place="02")
    assert [s for s in segs if s.startswith("SV1*")][1] == "SV1*HC:97140:GP:59*100*UN*1*02**1"


def test_a_claim_all_telehealth_says_so_once_in_clm05(seeded):
    save_payer_billing(seeded, 2, "MCRB1", "95", "owner")
    with seeded.transaction() as con:
        con.execute("UPDATE claim_lines SET place_of_service = '02' WHERE claim_id = 'C000102'")
        facts.touch(con, ["C000102"])
    segs = _segments(_text(seeded, ["C000102"]))
    assert "CLM*C000102*120***02:B:1*Y*A*Y*Y" in segs
    assert [s for s in segs if s.startswith("SV1*")] == ["SV1*HC:97110:GP:95*120*UN*2***1"]
    assert pyx12_validate("~\n".join(segs) + "~\n") == []


def test_a_home_visit_is_12_on_the_claim(seeded):
    with seeded.transaction() as con:
        con.execute("UPDATE claim_lines SET place_of_service = '12' WHERE claim_id = 'C000102'")
        facts.touch(con, ["C000102"])
    segs = _segments(_text(seeded, ["C000102"]))
    assert "CLM*C000102*120***12:B:1*Y*A*Y*Y" in segs
    assert [s for s in segs if s.startswith("SV1*")] == ["SV1*HC:97110:GP*120*UN*2***1"]


def test_a_telehealth_line_with_no_room_for_95_is_refused(seeded):
    save_payer_billing(seeded, 1, "ACME1", "95", "owner")
    with seeded.transaction() as con:
        con.execute("UPDATE claim_lines SET place_of_service = '10', modifiers = "
                    "['GP', '59', 'KX', 'XU'] WHERE claim_id = 'C000101' AND line_no = 2")
        facts.touch(con, ["C000101"])
    with pytest.raises(X12ExportError) as refused:
        write_837p(seeded, ["C000101"], user="biller", now=NOW)
    assert refused.value.problems == [
        "Claim C000101: line 2 (97140) is telehealth (POS 10) and its payer wants modifier "
        "95, but it already has four modifiers: remove one."]
