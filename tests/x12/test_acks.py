"""999 and 277CA acknowledgments: parsing hand-written files, linking them to the 837P sent,
the rejected and waiting work lists, the clean claim rate, re-imports and malformed files.

The files in fixtures/acks/ were written by hand following 005010X231A1 (999) and
005010X214 (277CA); pyx12 validates them against the guides' maps. They answer the tiny
practice's first 837P: claims C000101, C000102 and C000103 sent on 2025-03-03 as
ISA13 000000001, GS06 1, ST02 0001.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from metdash import acks
from metdash.cli import main
from metdash.errors import ValidationError
from metdash.figures import Filters
from metdash.figures.clean_claims import clean_claim_rate, clean_claims_by_payer
from metdash.store import facts
from metdash.x12.parse_ack import parse_ack
from metdash.x12.post_ack import import_acks
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import write_837p
from tests.x12.conftest import NOW

ACKS = Path(__file__).parent / "fixtures" / "acks"
REJECTED_999 = ACKS / "999_rejected.999"
ACCEPTED_999 = ACKS / "999_accepted.999"
CA_277 = ACKS / "277ca_one_of_three_rejected.277"
THREE = ["C000101", "C000102", "C000103"]
TABLES = ("acknowledgments", "ack_sets", "claim_acks", "imports", "audit_log")


@pytest.fixture
def sent(seeded):
    """The tiny practice with its three claims sent in one 837P (group 1, set 0001)."""
    with seeded.transaction() as con:
        con.execute("UPDATE claims SET status = 'ready' WHERE claim_id = 'C000103'")
        facts.touch(con, ["C000103"])
    write_837p(seeded, None, user="tess", now=NOW)
    return seeded


def _counts(db) -> dict[str, int]:
    return {t: db.scalar(f"SELECT count(*) FROM {t}") for t in TABLES}


def _imp(db, *paths, now=dt.datetime(2025, 3, 5, 12, 0)):
    return import_acks(db, list(paths), "tess", now=now)


# pyx12 4.0 finds no map for a 5010 997 (it is no HIPAA guide): the 999s and 277CA only.
@pytest.mark.parametrize("path", sorted(p for p in ACKS.iterdir() if p.suffix != ".997"),
                         ids=lambda p: p.name)
def test_hand_written_files_are_valid_by_pyx12(path):
    assert pyx12_validate(path.read_text()) == []


def test_a_997_is_read_like_a_999(sent):
    s = _imp(sent, ACKS / "997_rejected.997")
    assert s.ok and s.rejected == 3
    listed = acks.rejected_claims(sent, dt.date(2025, 3, 5))
    assert set(listed.rejected_by) == {"clearinghouse (997)"}
    assert listed.reason.iloc[0] == (
        "The clearinghouse rejected 837 transaction set 0001 of group 1: segment HI at "
        "position 25 (loop 2300): segment has data element errors; element HI01-2: invalid "
        "code value (sent 'ABF:Z9999'); one or more segments in error.")


def test_the_export_records_which_claims_went_out_under_which_numbers(sent):
    rows = sent.query("SELECT interchange, group_number, set_number, claim_id, submitted_at "
                      "FROM x12_submissions ORDER BY claim_id")
    assert rows.claim_id.tolist() == THREE
    assert set(rows.group_number) == {1} and set(rows.set_number) == {1}
    assert set(rows.interchange) == {1} and set(rows.submitted_at) == {NOW}


def test_exports_before_the_migration_are_read_back_from_the_audit_log(sent):
    # The migration's backfill, run again on this store's audit log, finds the same rows.
    text = (Path(__file__).parents[2] / "metdash" / "store" / "migrations"
            / "0014_acknowledgments.sql").read_text()
    insert = text[text.index("INSERT INTO x12_submissions"):]
    insert = insert[:insert.index(";")]
    # Its five columns, named: migration 0018 added a sixth (secondary_claim_id, NULL here).
    insert = insert.replace("INSERT INTO x12_submissions", "INSERT INTO x12_submissions "
                            "(interchange, group_number, set_number, claim_id, submitted_at)", 1)
    with sent.transaction() as con:
        con.execute("DELETE FROM x12_submissions")
        con.execute(insert)
    rows = sent.query("SELECT group_number, set_number, claim_id FROM x12_submissions "
                      "ORDER BY claim_id")
    assert rows.values.tolist() == [[1, 1, c] for c in THREE]


def test_a_999_rejecting_the_file_rejects_every_claim_in_it(sent):
    s = _imp(sent, REJECTED_999)
    assert s.ok, s.errors
    assert (s.acknowledgments, s.rejected, s.accepted, s.unmatched) == (1, 3, 0, 0)
    listed = acks.rejected_claims(sent, dt.date(2025, 3, 5))
    assert sorted(listed.claim_id) == THREE
    assert set(listed.rejected_by) == {"clearinghouse (999)"}
    assert set(listed.rejected_on) == {dt.date(2025, 3, 4)}  # the 999's GS04
    reason = listed.set_index("claim_id").reason
    for cid in THREE:
        assert reason[cid].startswith("The clearinghouse rejected 837 transaction set 0001 of "
                                      "group 1: segment NM1 at position 17 (loop 2010): "
                                      "segment has data element errors; element NM109: "
                                      "invalid character in element (sent 'ACM00011!')")
    assert reason["C000101"].endswith("(the 999 names this claim).")
    sets = sent.query("SELECT group_number, set_number, status, outcome, claims FROM ack_sets")
    assert sets.values.tolist() == [["1", "0001", "R", "rejected", 3]]
    # Statuses stay submitted: the payer never received the claims.
    assert set(sent.query("SELECT status FROM claims WHERE claim_id IN ('C000101', "
                          "'C000102', 'C000103')").status) == {"submitted"}


def test_a_277ca_rejecting_one_claim_of_three(sent):
    s = _imp(sent, ACCEPTED_999, CA_277)
    assert s.ok, s.errors
    # 999: 3 accepted; 277CA: 2 accepted + 1 rejected.
    assert (s.acknowledgments, s.accepted, s.rejected) == (2, 5, 1)
    listed = acks.rejected_claims(sent, dt.date(2025, 3, 6))
    assert listed.claim_id.tolist() == ["C000103"]
    row = listed.iloc[0]
    assert row.rejected_by == "payer (277CA)" and row.codes == "A7:164:IL"
    assert row.reason == ("Rejected for invalid information: the subscriber's contract / "
                          "member number.")
    assert row.rejected_on == dt.date(2025, 3, 5)
    got = sent.query("SELECT claim_id, outcome, coalesce(payer_claim_number, '') AS pcn "
                     "FROM claim_acks "
                     "WHERE kind = '277CA' ORDER BY claim_id").values.tolist()
    assert got == [["C000101", "accepted", "ACME25064000101"],
                   ["C000102", "accepted", "MCR25064000102"],
                   ["C000103", "rejected", ""]]
    history = acks.claim_acknowledgments(sent, "C000101")
    assert history.acknowledgment.tolist() == ["999", "277CA"]
    assert history.outcome.tolist() == ["accepted", "accepted"]


def test_resending_a_rejected_claim_takes_it_off_the_list(sent):
    _imp(sent, CA_277)
    assert acks.rejected_claims(sent, dt.date(2025, 3, 6)).claim_id.tolist() == ["C000103"]
    write_837p(sent, ["C000103"], user="tess", now=dt.datetime(2025, 3, 6, 9, 0))
    assert acks.rejected_claims(sent, dt.date(2025, 3, 6)).empty
    resent = sent.query("SELECT group_number FROM x12_submissions WHERE claim_id = 'C000103' "
                        "ORDER BY submitted_at")
    assert resent.group_number.tolist() == [1, 2]


def test_clean_claim_rate_worked_by_hand(sent):
    f = Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 31))
    # Sent 03-03, nothing back by 03-31 (28 days, past the 3-day wait): 3 submitted, none
    # clean; but with no acknowledgment of any claim on file at all the practice is not
    # getting them (no clearinghouse feed): no rate, rather than 0 %.
    assert clean_claim_rate(sent, f) == {
        "clean_claim_rate": None, "claims_submitted": 3, "claims_clean": 0,
        "claims_rejected": 0, "claims_unacknowledged": 3, "claims_awaiting_ack": 0}
    # The 999 accepts the file, and no 277CA comes in 28 days: DOMAIN.md's "accepted ÷
    # submitted" is 0 ÷ 3 (the work list "Claims with no acknowledgment" lists all three).
    _imp(sent, ACCEPTED_999)
    got = clean_claim_rate(sent, f)
    assert (got["claims_unacknowledged"], got["clean_claim_rate"]) == (3, 0.0)
    # The 277CA: C000101 and C000102 accepted (clean), C000103 rejected.
    # Clean claim rate = 2 clean ÷ 3 submitted = 0.6667.
    _imp(sent, CA_277)
    got = clean_claim_rate(sent, f)
    assert got["claims_clean"] == 2 and got["claims_rejected"] == 1
    assert got["claims_awaiting_ack"] == 0 and got["claims_unacknowledged"] == 0
    assert got["clean_claim_rate"] == pytest.approx(2 / 3)
    # By payer: Acme Health sent C000101 (clean) and C000103 (rejected): 1 ÷ 2 = 50 %;
    # Medicare Part B sent C000102 (clean): 1 ÷ 1 = 100 %.
    by = clean_claims_by_payer(sent, f).set_index("payer")
    assert by.loc["Acme Health", ["submitted", "clean", "rejected"]].tolist() == [2, 1, 1]
    assert by.loc["Acme Health", "clean_claim_rate"] == 0.5
    assert by.loc["Medicare Part B", "clean_claim_rate"] == 1.0
    # As of 03-04 (the 999's day, one day after sending, inside the 3-day wait): nothing
    # is due yet: 3 awaiting, no rate.
    before = clean_claim_rate(sent, f.replace(as_of=dt.date(2025, 3, 4)))
    assert (before["claims_clean"], before["claims_awaiting_ack"],
            before["claims_unacknowledged"], before["clean_claim_rate"]) == (0, 3, 0, None)
    # Submitted outside the period (service dates do not matter): nothing counted.
    assert clean_claim_rate(sent, Filters(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
                                 )["claims_submitted"] == 0


def test_a_claim_rejected_then_resent_and_accepted_is_not_clean(sent):
    f = Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    # 03-04 the 999 rejects the file (all three); resent, the 277CA of 03-05 accepts two
    # and rejects C000103: none was accepted on its first submission: 0 ÷ 3 = 0 %.
    _imp(sent, REJECTED_999)
    write_837p(sent, THREE, user="tess", now=dt.datetime(2025, 3, 4, 15, 0))
    _imp(sent, CA_277)
    got = clean_claim_rate(sent, f)
    assert (got["claims_clean"], got["claims_rejected"], got["clean_claim_rate"]) == (0, 3, 0.0)


def test_a_clearinghouse_a1_then_the_payers_rejection_is_not_clean(sent, tmp_path):
    # 03-05: the clearinghouse's 277CA receives all three (A1:19); 03-06: the payer's 277CA
    # accepts C000101 and C000102 and rejects C000103 (A7:164). 2 clean ÷ 3 = 0.6667.
    received = (CA_277.read_text().replace("A2:20:PR", "A1:19:PR")
                .replace("A7:164:IL*20250305*U", "A1:19:PR*20250305*WQ")
                .replace("QTY*90*2", "QTY*90*3").replace("QTY*AA*1", "QTY*AA*0"))
    payer = CA_277.read_text().replace("20250305", "20250306")
    _imp(sent, _broken(tmp_path, "received.277", received), _broken(tmp_path, "payer.277", payer))
    got = clean_claim_rate(sent, Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31)))
    assert (got["claims_clean"], got["claims_rejected"]) == (2, 1)
    assert acks.rejected_claims(sent, dt.date(2025, 3, 7)).claim_id.tolist() == ["C000103"]


def test_reimport_changes_nothing(sent, tmp_path):
    _imp(sent, ACCEPTED_999, CA_277)
    before = _counts(sent)
    again = _imp(sent, CA_277, ACCEPTED_999)
    assert again.ok and again.acknowledgments == 0 and again.already_imported == 2
    assert [r.outcome for r in again.results] == ["already_imported"] * 2
    # The same acknowledgment in a new envelope (other ISA13 / GS06 / ST02) is the same.
    text = CA_277.read_text().replace("000000601", "000000777").replace("*601*", "*777*")
    text = text.replace("GE*1*601", "GE*1*777").replace("ST*277*0001", "ST*277*0009")
    text = text.replace("SE*42*0001", "SE*42*0009")
    moved = tmp_path / "again.277"
    moved.write_text(text)
    assert _imp(sent, moved).already_imported == 1
    assert _counts(sent) == before


def _broken(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _cut(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[:lines]) + "\n"


@pytest.mark.parametrize("case, expected", [
    ("999 truncated", "no SE trailer: the file is truncated"),
    ("277 truncated", "no SE trailer: the file is truncated"),
    ("999 wrong ST01", "an 835 remittance, not an acknowledgment"),
    ("277 wrong ST01", "X12 837 transaction, not a 999 or 277CA"),
    ("999 bad SE count", "SE01 says the transaction has '12' segments but it has 9"),
    ("999 bad AK9 count", "AK904 says 1 transaction set(s) accepted but the IK5 verdicts "
                          "accept 0"),
    ("277 bad totals", "the receiver's totals say 2 claim(s) rejected but the claims' "
                       "statuses reject 1"),
    ("999 IK5 missing", "this AK2 has no IK5 verdict"),
    ("277 bad date", "the status date '20250231' is not a date"),
])
def test_malformed_files_are_refused_with_nothing_written(sent, tmp_path, case, expected):
    r999, c277 = REJECTED_999.read_text(), CA_277.read_text()
    text = {
        "999 truncated": _cut(r999, 6),
        "277 truncated": _cut(c277, 30),
        "999 wrong ST01": r999.replace("ST*999*0001*005010X231A1", "ST*835*0001*005010X221A1"),
        "277 wrong ST01": c277.replace("ST*277*0001*005010X214", "ST*837*0001*005010X214"),
        "999 bad SE count": r999.replace("SE*9*0001", "SE*12*0001"),
        "999 bad AK9 count": r999.replace("AK9*R*1*1*0", "AK9*R*1*1*1"),
        "277 bad totals": c277.replace("QTY*AA*1~", "QTY*AA*2~").replace("QTY*90*2", "QTY*90*1"),
        "999 IK5 missing": r999.replace("IK5*R*5~\n", "").replace("SE*9*", "SE*8*"),
        "277 bad date": c277.replace("STC*A7:164:IL*20250305", "STC*A7:164:IL*20250231"),
    }[case]
    before = _counts(sent)
    s = _imp(sent, _broken(tmp_path, "bad.ack", text))
    assert not s.ok and s.results[0].outcome == "refused"
    assert any(expected in e for e in s.errors), s.errors
    assert s.errors[-1].endswith("Nothing was imported.")
    assert all(e.startswith("bad.ack") for e in s.errors)
    assert _counts(sent) == before


def test_unknown_claims_and_groups_are_kept_as_not_ours(sent, tmp_path):
    text = CA_277.read_text().replace("TRN*2*C000103", "TRN*2*ZZ999")
    s = _imp(sent, _broken(tmp_path, "other.277", text))
    assert s.unmatched == 1 and s.rejected == 0
    assert sent.scalar("SELECT count(*) FROM claim_acks WHERE claim_id IS NULL "
                       "AND patient_control_number = 'ZZ999'") == 1
    other = ACCEPTED_999.read_text().replace("AK1*HC*1*", "AK1*HC*4242*")
    s = _imp(sent, _broken(tmp_path, "other.999", other))
    assert s.ok and s.unmatched == 1 and s.accepted == 0


def test_claims_waiting_for_their_acknowledgment(sent):
    # Sent 2025-03-03; the default wait is 3 days: listed from 03-07 (4 days), not on 03-06.
    assert acks.ack_wait_days(sent) == 3
    assert acks.claims_awaiting_ack(sent, dt.date(2025, 3, 6)).empty
    _imp(sent, ACCEPTED_999)
    late = acks.claims_awaiting_ack(sent, dt.date(2025, 3, 7))
    assert late.claim_id.tolist() == THREE and set(late.file_999) == {"accepted"}
    assert set(late.days_waiting) == {4}
    acks.save_ack_wait_days(sent, "5", "tess")
    assert acks.claims_awaiting_ack(sent, dt.date(2025, 3, 7)).empty
    with pytest.raises(ValidationError, match="not a whole number from 1 to 60"):
        acks.save_ack_wait_days(sent, "0", "tess")
    acks.save_ack_wait_days(sent, 3, "tess")
    # The 277CA answers all three (two accepted, C000103 on the rejected list instead).
    _imp(sent, CA_277)
    assert acks.claims_awaiting_ack(sent, dt.date(2025, 3, 9)).empty


def test_import_ack_command(sent, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["import-ack", "--db", str(sent.path), str(ACCEPTED_999),
                             str(CA_277)])
    assert r.exit_code == 0, r.output
    assert "277ca_one_of_three_rejected.277: 1 acknowledgment(s) imported (277CA), 0 already " \
           "imported; claims 2 accepted, 1 rejected, 0 other; 0 not ours" in r.output
    assert "2 file(s): 2 acknowledgment(s) imported, 0 already imported, 0 refused; " \
           "1 claim(s) rejected." in r.output
    bad = _broken(tmp_path, "cut.999", _cut(REJECTED_999.read_text(), 5))
    r = runner.invoke(main, ["import-ack", "--db", str(sent.path), str(CA_277), str(bad),
                             "--json"])
    assert r.exit_code == 1
    out = json.loads(r.output[:r.output.rindex("}") + 1])
    assert out["already_imported"] == 1 and out["acknowledgments"] == 0
    assert out["errors"][-1].endswith("Nothing was imported.")


def test_parse_reads_several_transactions_and_the_claims_details():
    got = parse_ack(CA_277.read_bytes(), "x.277")
    ca = got.acks[0]
    assert ca.kind == "277CA" and ca.sender == "CLEARINGHOUSE"
    assert ca.ack_date == dt.date(2025, 3, 5)
    assert (ca.accepted_total, ca.rejected_total) == (2, 1)
    first = ca.claims[0]
    assert (first.patient, first.member_id) == ("SAM SAMPLE", "ACM000111")
    assert (first.service_from, first.service_to) == (dt.date(2025, 2, 3), dt.date(2025, 2, 5))
    assert str(first.charge) == "300"


def test_the_rejected_row_opens_the_claim_with_its_acknowledgments(sent, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from metdash import worklists

    _imp(sent, ACCEPTED_999, CA_277)
    action = worklists.ROW_ACTIONS["rejected_to_fix"]
    assert (action.page, action.tab, action.pick) == ("claims.py", "Status", "s_claim")
    monkeypatch.setenv("METDASH_DB", str(sent.path))
    st.cache_data.clear()
    at = AppTest.from_file(str(Path(__file__).parents[2] / "pages" / "claims.py"),
                           default_timeout=60)
    # What ui.open_with leaves behind for the row C000103.
    at.session_state["s_claim-find"] = "C000103"
    at.session_state["_pick-s_claim"] = "C000103"
    at.session_state["claims_tab"] = "Status"
    at.run()
    assert not at.exception, at.exception
    box = next(e for e in at.expander if e.label.startswith("Acknowledgments of claim"))
    table = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert table[["acknowledgment", "outcome"]].values.tolist() == [["999", "Accepted"],
                                                                    ["277CA", "Rejected"]]
    assert "member number" in table.reason.iloc[1] and box.proto.expanded


def _out_of_order_277() -> str:
    """The 277CA with C000101's STC gone (found after the claims are read: segment 29, its
    TRN) and C000103's status date impossible (found as it is read: segment 41)."""
    return (CA_277.read_text().replace("STC*A2:20:PR*20250305*WQ*300~\n", "")
            .replace("STC*A7:164:IL*20250305", "STC*A7:164:IL*20250231")
            .replace("SE*42*0001", "SE*41*0001"))


OUT_OF_ORDER = [
    "bad.277, segment 29 (TRN): claim C000101 has no status (STC): the file is truncated or "
    "damaged.",
    "bad.277, segment 41 (STC): the status date '20250231' is not a date (CCYYMMDD)."]


def test_a_refused_files_problems_come_in_file_order_saying_nothing_imported_once(sent):
    """As an 835's (tests/x12/test_post835.py): the problems were listed as they were found
    (a claim without STC after the claims that follow it), each file's last one ending
    "Nothing was imported.". ``problems`` lists them in file order without it, for a page
    that says it once; ``errors`` (the command line, --json) ends each refused file with it."""
    before = _counts(sent)
    s = import_acks(sent, [("bad.277", _out_of_order_277().encode()),
                           ("cut.999", _cut(REJECTED_999.read_text(), 5).encode())], "tess")
    assert s.results[0].problems == OUT_OF_ORDER
    assert s.results[0].errors == [OUT_OF_ORDER[0], OUT_OF_ORDER[1] + " Nothing was imported."]
    cut = s.results[1].problems
    assert cut and not any("Nothing was imported" in p for p in cut)
    assert s.problems == OUT_OF_ORDER + cut
    assert s.errors == s.results[0].errors + s.results[1].errors
    assert sum(e.endswith("Nothing was imported.") for e in s.errors) == 2
    assert _counts(sent) == before


def test_import_ack_command_ends_each_refused_file_with_nothing_imported(sent, tmp_path):
    bad = _broken(tmp_path, "bad.277", _out_of_order_277())
    closing = [OUT_OF_ORDER[0], OUT_OF_ORDER[1] + " Nothing was imported."]
    r = CliRunner().invoke(main, ["import-ack", "--db", str(sent.path), str(bad), "--json"])
    assert r.exit_code == 1
    assert json.loads(r.output[:r.output.rindex("}") + 1])["errors"] == closing
    r = CliRunner().invoke(main, ["import-ack", "--db", str(sent.path), str(bad)])
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[lines.index(closing[0]):][:2] == closing
