"""Correcting a claim (issue 16, item 4): edits of a draft with their history, replacements
(frequency 7) and voids (frequency 8) with REF*F8, what is refused, and the money after a
replacement that changes the charge, worked by hand.

The practice is tests/x12/conftest.py's: C000101 (Sam Sample, Acme Health, ready, $300.00 =
97110 x2 $150 + 97140 $100 on 2025-02-03, 97530 $50 on 2025-02-05, referral 1 with prior
authorization PA12345), C000102 (Eve Example, Medicare Part B, ready, $120.00), C000103 (Sam,
Acme, draft, 97110-GP x1 $100.00 on 2025-02-10).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import duckdb
import pytest

from metdash import figures
from metdash.entry import corrections
from metdash.errors import ValidationError, X12ExportError
from metdash.figures import Filters
from metdash.store import Database, facts, migrate
from metdash.x12.post835 import import_835
from metdash.x12.validate import pyx12_validate
from metdash.x12.write837 import write_837p

from .conftest import SEED
from .helpers import Claim, Line, build_835

D = dt.date
AS_OF = D(2025, 3, 12)
SENT = dt.datetime(2025, 3, 3, 9, 30)
RESENT = dt.datetime(2025, 3, 13, 9, 0)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def insurance_ar(db: Database, as_of: dt.date) -> Decimal:
    f = Filters(date_from=D(2025, 1, 1), date_to=D(2025, 3, 31), as_of=as_of)
    return figures.kpis(db, f)["insurance_ar_total"]


def balances(db: Database, claim_id: str) -> tuple:
    return tuple(db.query("SELECT insurance_balance, patient_balance, denied_open FROM "
                          "claim_facts WHERE claim_id = ?", [claim_id]).iloc[0])


def segments(text: str, claim_id: str) -> list[str]:
    """The 2300 segments of one claim, CLM up to the first 2310 NM1."""
    lines = text.split("~\n")
    start = next(i for i, s in enumerate(lines) if s.startswith(f"CLM*{claim_id}*"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("NM1*"))
    return lines[start:end]


def denial_835(claim_id: str, charge: str, carc: str, pcn: str, payer: str = "ACME HEALTH",
               trace: str = "DEN1", date: str = "20250310") -> bytes:
    return build_835([Claim(claim_id, "1", charge, "0", cas=[("CO", carc, charge)],
                            payer_claim_number=pcn)],
                     trace=trace, date=date, payer=payer).encode()


def sent_and_denied(db: Database, carc: str = "16") -> None:
    """C000101 sent 03-03 and denied CO-16 (all $300) on 03-10 with payer claim number
    ACM-ICN-0001."""
    write_837p(db, ["C000101"], user="biller", now=SENT)
    s = import_835(db, [("den.835", denial_835("C000101", "300", carc, "ACM-ICN-0001"))],
                   "biller")
    assert s.errors == [] and s.matched == 1
    assert db.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "denied"


def corrected(db: Database) -> corrections.ClaimIn:
    """C000101 without its 97530 line: $150 + $100 = $250."""
    with db.connect() as con:
        claim = corrections.claim_on_file(con, "C000101")
    claim.lines = claim.lines[:2]
    return claim


# -- replacement ----------------------------------------------------------------------------------

def test_a_replacement_goes_out_as_frequency_7_with_ref_f8(seeded):
    sent_and_denied(seeded)
    corrections.replace_claim(seeded, "C000101", corrected(seeded), "biller",
                              reason="97530 was not given on 02-05", as_of=AS_OF)
    row = seeded.query("SELECT status, frequency_code, original_payer_claim_number, "
                       "total_charge, submitted_date FROM claims WHERE claim_id = 'C000101'"
                       ).iloc[0]
    # Queued for export, keeps its number and first submission date.
    assert (row.status, row.frequency_code, row.original_payer_claim_number) == \
        ("ready", "7", "ACM-ICN-0001")
    assert row.total_charge == Decimal("250.00") and row.submitted_date == SENT.date()
    text = write_837p(seeded, ["C000101"], user="biller", now=RESENT)
    # CLM05 = place of service 11 : B : frequency 7; REF*F8 after the prior authorization.
    assert segments(text, "C000101")[:3] == [
        "CLM*C000101*250***11:B:7*Y*A*Y*Y", "REF*G1*PA12345", "REF*F8*ACM-ICN-0001"]
    assert text.count("LX*") == 2 and "97530" not in text
    assert pyx12_validate(text) == []
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "submitted"


def test_the_ledger_after_a_replacement_that_lowers_the_charge(seeded):
    # By hand (DOMAIN.md: insurance A/R = charge − payments − contractual − cost share ...; a
    # denied amount stays owed; a later adjudication replaces the earlier one):
    #   03-03 sent, charge 300                        insurance A/R 300
    #   03-10 paid 0, CO-16 300 (a denial: stays)      insurance A/R 300, denied 300
    #   03-12 replaced by a $250 claim: the claim's charge is the corrected one
    #                                                  insurance A/R 250, denied min(250, 300)
    #   03-13 the replacement is sent (frequency 7)    insurance A/R 250
    #   03-30 paid 180, CO-45 70 (contractual), replaces the CO-16 adjudication:
    #         250 − 180 − 70 = 0                       insurance A/R 0, patient A/R 0
    sent_and_denied(seeded)
    assert balances(seeded, "C000101") == (Decimal("300.00"), Decimal("0.00"),
                                           Decimal("300.00"))
    corrections.replace_claim(seeded, "C000101", corrected(seeded), "biller",
                              reason="97530 was not given", as_of=AS_OF)
    assert balances(seeded, "C000101") == (Decimal("250.00"), Decimal("0.00"),
                                           Decimal("250.00"))
    assert insurance_ar(seeded, D(2025, 3, 12)) == Decimal("250.00")
    write_837p(seeded, ["C000101"], user="biller", now=RESENT)
    paid = build_835([Claim("C000101", "1", "250", "180", cas=[("CO", "45", "70")],
                            payer_claim_number="ACM-ICN-0002")], trace="PAY2", date="20250330")
    s = import_835(seeded, [("paid.835", paid.encode())], "biller")
    assert s.errors == [] and s.matched == 1
    assert balances(seeded, "C000101") == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert insurance_ar(seeded, D(2025, 3, 31)) == Decimal("0.00")
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "paid"
    ledger = figures.claim_ledger(seeded, "C000101")
    # The whole history stays attached: the charge, the denial and its undoing, the payment.
    assert list(zip(ledger.kind, ledger.amount, ledger.insurance, strict=True)) == [
        ("charge", Decimal("250.00"), Decimal("250.00")),
        ("denial", Decimal("300.00"), Decimal("0.00")),
        ("denial", Decimal("-300.00"), Decimal("0.00")),
        ("payer_payment", Decimal("180.00"), Decimal("-180.00")),
        ("contractual", Decimal("70.00"), Decimal("-70.00")),
    ]
    # ... and the charge that was sent first is in the claim's edit history.
    hist = corrections.edit_history(seeded, "C000101")
    assert list(hist.kind) == ["replacement"]
    assert "total charge: $300.00 → $250.00" in hist.changes[0]
    assert "line 3: 2025-02-05 97530 x1 $50.00 ptr 2 → (removed)" in hist.changes[0]
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_corrected_denial_leaves_the_correct_and_resubmit_list(seeded):
    from metdash import worklists
    sent_and_denied(seeded, carc="29")
    before = worklists.denials_to_correct(seeded, AS_OF)
    assert list(before.claim_id) == ["C000101"]  # CO-29: corrected, not appealed
    corrections.replace_claim(seeded, "C000101", corrected(seeded), "biller",
                              reason="fixed", as_of=AS_OF)
    assert worklists.denials_to_correct(seeded, AS_OF).empty
    # and it is among the claims to send
    assert "C000101" in set(worklists.claims_ready_to_submit(seeded, AS_OF).claim_id)


# -- void -------------------------------------------------------------------------------------------

def test_a_void_goes_out_as_frequency_8_and_leaves_ar_once_sent(seeded):
    # C000102 ($120, Medicare) sent 03-03, denied CO-18 on 03-10 (PCN MCR-ICN-9): insurance A/R
    # 120 (a denial stays owed). Voided 03-12: still owed until the void is sent (03-13),
    # then out of insurance A/R: as of 03-12 A/R holds 120, as of 03-13 it holds 0.
    write_837p(seeded, ["C000102"], user="biller", now=SENT)
    import_835(seeded, [("d.835", denial_835("C000102", "120", "18", "MCR-ICN-9",
                                             payer="MEDICARE PART B"))], "biller")
    corrections.void_claim(seeded, "C000102", "biller", reason="billed twice", as_of=AS_OF)
    assert seeded.query("SELECT status, frequency_code, original_payer_claim_number FROM "
                        "claims WHERE claim_id = 'C000102'").iloc[0].tolist() == \
        ["ready", "8", "MCR-ICN-9"]
    assert insurance_ar(seeded, D(2025, 3, 12)) == Decimal("120.00")
    with pytest.raises(ValidationError, match="already has a void waiting"):
        corrections.void_claim(seeded, "C000102", "biller", reason="again", as_of=AS_OF)
    text = write_837p(seeded, None, user="biller", now=RESENT)  # every ready claim
    assert segments(text, "C000102")[:2] == ["CLM*C000102*120***11:B:8*Y*A*Y*Y",
                                             "REF*F8*MCR-ICN-9"]
    assert "REF*F8" not in "".join(segments(text, "C000101"))  # an original: none
    assert pyx12_validate(text) == []
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000102'") == "voided"
    note = seeded.scalar("SELECT note FROM claim_status_history WHERE claim_id = 'C000102' "
                         "ORDER BY seq DESC LIMIT 1")
    assert "void (frequency 8) sent in 837P interchange" in note
    assert insurance_ar(seeded, D(2025, 3, 12)) == Decimal("120.00")
    # 03-13: C000101 ($300, sent the same day) is the only claim owed.
    assert insurance_ar(seeded, D(2025, 3, 13)) == Decimal("300.00")
    with pytest.raises(ValidationError, match="already voided: a claim is voided once"):
        corrections.void_claim(seeded, "C000102", "biller", reason="again", as_of=AS_OF)
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_claim_the_payer_paid_is_not_voided(seeded):
    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    part = build_835([Claim("C000101", "1", "300", "100", cas=[("CO", "45", "50"),
                                                                 ("CO", "97", "150")],
                            payer_claim_number="ACM-ICN-5")], trace="P5")
    import_835(seeded, [("p.835", part.encode())], "biller")
    status = seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'")
    assert status == "partially_paid"
    with pytest.raises(ValidationError, match="only a submitted or denied claim"):
        corrections.void_claim(seeded, "C000101", "biller", reason="x", as_of=AS_OF)


# -- refusals -------------------------------------------------------------------------------------

def test_no_correction_before_the_payer_gives_its_claim_number(seeded):
    write_837p(seeded, ["C000101"], user="biller", now=SENT)  # sent, no 835 yet
    for call in (lambda: corrections.replace_claim(seeded, "C000101", corrected(seeded),
                                                   "biller", reason="x", as_of=AS_OF),
                 lambda: corrections.void_claim(seeded, "C000101", "biller", reason="x",
                                                as_of=AS_OF)):
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.problems == [
            "Claim C000101 has no payer claim number yet (CLP07 of the payer's 835): a "
            "replacement or void must name it (REF*F8). Wait for the payer's remittance, or "
            "post its EOB with the claim number."]
    assert seeded.scalar("SELECT frequency_code FROM claims WHERE claim_id = 'C000101'") == "1"


def test_a_submitted_claim_is_not_edited_directly(seeded):
    sent_and_denied(seeded)
    with pytest.raises(ValidationError) as err:
        corrections.edit_claim(seeded, "C000101", corrected(seeded), "biller", as_of=AS_OF)
    assert err.value.problems == [
        "Claim C000101 is denied and the payer already has it (sent 2025-03-03): it is not "
        "edited directly; correct it with a replacement claim (frequency 7) or void it "
        "(frequency 8)."]
    assert seeded.scalar("SELECT total_charge FROM claims WHERE claim_id = 'C000101'") == \
        Decimal("300.00")


def test_a_correction_needs_a_reason_and_the_same_payer(seeded):
    sent_and_denied(seeded)
    claim = corrected(seeded)
    claim.payer_id = 2
    with pytest.raises(ValidationError) as err:
        corrections.replace_claim(seeded, "C000101", claim, "biller", reason=" ", as_of=AS_OF)
    assert err.value.problems[:2] == [
        "Reason: say why the claim is corrected (it goes in the claim's history).",
        "Payer: a replacement goes to the payer that has the original; to bill another payer, "
        "void claim C000101 and make a new claim."]
    assert seeded.scalar("SELECT count(*) FROM claim_edits") == 0


def test_a_never_sent_claim_is_edited_not_replaced(seeded):
    with pytest.raises(ValidationError, match="has not been sent to the payer: edit it"):
        corrections.replace_claim(seeded, "C000103", corrected(seeded), "biller", reason="x",
                                  as_of=AS_OF)


def test_an_export_refuses_a_replacement_without_its_reference(seeded):
    with seeded.transaction() as con:
        con.execute("UPDATE claims SET frequency_code = '7' WHERE claim_id = 'C000101'")
    with pytest.raises(X12ExportError, match=r"replacement \(frequency 7\) without the "
                                             r"payer's claim number \(REF\*F8\)"):
        write_837p(seeded, ["C000101"], user="biller", now=SENT)


# -- editing a draft ------------------------------------------------------------------------------

def test_edits_of_a_draft_are_kept_with_who_when_and_before_after(seeded):
    with seeded.connect() as con:
        claim = corrections.claim_on_file(con, "C000103")
    claim.lines[0].units = 2
    claim.lines[0].charge = "180.00"
    claim.diagnosis_codes = ["M54.50", "E11.9"]
    warnings = corrections.edit_claim(seeded, "C000103", claim, "olive", note="two units",
                                      as_of=AS_OF)
    assert all("Line 1" in w or "Timely" in w or "fee" in w for w in warnings)
    claim.lines[0].modifiers = ["GP", "KX"]
    corrections.edit_claim(seeded, "C000103", claim, "biller", as_of=AS_OF)
    row = seeded.query("SELECT status, total_charge, diagnosis_codes, frequency_code FROM "
                       "claims WHERE claim_id = 'C000103'").iloc[0]
    assert (row.status, row.total_charge, list(row.diagnosis_codes), row.frequency_code) == \
        ("draft", Decimal("180.00"), ["M54.50", "E11.9"], "1")
    hist = corrections.edit_history(seeded, "C000103")
    assert list(zip(hist.seq, hist.kind, hist.user_name, hist.edit_date, strict=True)) == [
        (1, "edit", "olive", AS_OF), (2, "edit", "biller", AS_OF)]
    assert hist.changes[0].split("\n") == [
        "diagnoses: M54.50 → M54.50, E11.9",
        "total charge: $100.00 → $180.00",
        "line 1: 2025-02-10 97110-GP x1 $100.00 ptr 1 → 2025-02-10 97110-GP x2 $180.00 ptr 1"]
    assert hist.reason[0] == "two units"
    assert hist.changes[1] == ("line 1: 2025-02-10 97110-GP x2 $180.00 ptr 1 → "
                               "2025-02-10 97110-GP:KX x2 $180.00 ptr 1")
    audits = seeded.query("SELECT user_name, action, CAST(before AS VARCHAR) AS b, "
                          "CAST(after AS VARCHAR) AS a FROM audit_log WHERE table_name = "
                          "'claims' AND record_key = 'C000103' ORDER BY audit_id")
    assert list(audits.action) == ["update", "update"]
    assert json.loads(audits.b[0])["total_charge"] == "100.00"
    assert json.loads(audits.a[0])["total_charge"] == "180.00"


def test_an_edit_is_checked_like_a_new_claim_and_changes_nothing_when_refused(seeded):
    with seeded.connect() as con:
        claim = corrections.claim_on_file(con, "C000103")
    claim.diagnosis_codes = ["M54.5"]
    claim.lines[0].units = 0
    with pytest.raises(ValidationError) as err:
        corrections.edit_claim(seeded, "C000103", claim, "biller", as_of=AS_OF)
    text = " ".join(err.value.problems)
    assert "M54.5" in text and "units 0 must be a whole number of 1 or more" in text
    assert seeded.scalar("SELECT count(*) FROM claim_edits") == 0
    assert seeded.scalar("SELECT units FROM claim_lines WHERE claim_id = 'C000103'") == 1


# -- an existing store ------------------------------------------------------------------------------

def test_an_existing_store_migrates_with_nothing_lost(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR "
                "NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    for version, name, sql in migrate.migrations():
        if version >= 16:
            break
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                    [version, name])
    con.execute(SEED)  # the practice, as a store made before 0016 holds it
    con.close()
    db = Database(path)
    with db.connect() as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall()[0][0] >= 16
        assert con.execute("SELECT count(*), sum(total_charge) FROM claims").fetchall() == \
            [(3, Decimal("520.00"))]
        assert con.execute("SELECT count(*) FROM claim_lines").fetchall()[0][0] == 5
        assert con.execute("SELECT DISTINCT frequency_code, original_payer_claim_number "
                           "FROM claims").fetchall() == [("1", None)]
        assert con.execute("SELECT count(*) FROM claim_edits").fetchall()[0][0] == 0


def test_a_void_leaves_the_clients_copay_on_the_clients_account(seeded):
    # Eve paid a $20 copay at the visit on claim C000102; the claim is voided: the $20 is still
    # hers (on her account, no claim), not lost with the claim.
    with seeded.transaction() as con:
        con.execute("INSERT INTO patient_payments (patient_payment_id, client_id, claim_id, "
                    "payment_date, amount, method) VALUES (1, 'K002', 'C000102', "
                    "DATE '2025-02-04', 20, 'card')")
        facts.touch(con, ["C000102"], status_only=True)
    write_837p(seeded, ["C000102"], user="biller", now=SENT)
    import_835(seeded, [("d.835", denial_835("C000102", "120", "18", "MCR-ICN-9",
                                             payer="MEDICARE PART B"))], "biller")
    corrections.void_claim(seeded, "C000102", "biller", reason="duplicate", as_of=AS_OF)
    with seeded.connect() as con:
        assert con.execute("SELECT client_id, claim_id, amount FROM patient_payments"
                           ).fetchall() == [("K002", None, Decimal("20.00"))]
    assert seeded.scalar("SELECT count(*) FROM audit_log WHERE table_name = "
                         "'patient_payments' AND record_key = 'C000102'") == 1
    with seeded.connect() as con:
        assert facts.check(con) == []


def denied_and_written_off(db: Database) -> None:
    """C000101 denied (:func:`sent_and_denied`), then $50 of it written off (write-off 1,
    courtesy, 03-11)."""
    sent_and_denied(db)
    with db.transaction() as con:
        con.execute("INSERT INTO write_offs (write_off_id, client_id, claim_id, side, amount, "
                    "reason, write_off_date, user_name) VALUES (1, 'K001', 'C000101', "
                    "'insurance', 50, 'courtesy', DATE '2025-03-11', 'biller')")
        facts.touch(con, ["C000101"], status_only=True)


def test_a_claim_written_off_is_replaced_not_voided(seeded):
    denied_and_written_off(seeded)
    with pytest.raises(ValidationError, match="has a write-off, a balance moved to the client"):
        corrections.void_claim(seeded, "C000101", "biller", reason="x", as_of=AS_OF)
    with seeded.connect() as con:
        assert corrections.claim_state(con, "C000101")["correct"] is None


def test_a_write_off_undone_no_longer_stops_a_void(seeded):
    # The $50 write-off of the test above, undone the next day (a mistake): nothing the
    # practice did stands on the claim any more, so the claim may be voided.
    from metdash.entry import returns

    denied_and_written_off(seeded)
    returns.undo_move(seeded, returns.UndoIn("C000101", "write_off", 1, D(2025, 3, 12),
                                             "entered by mistake"), "biller", as_of=AS_OF)
    with seeded.connect() as con:
        assert corrections.claim_state(con, "C000101")["void"] is None
    corrections.void_claim(seeded, "C000101", "biller", reason="duplicate", as_of=AS_OF)
    assert seeded.scalar("SELECT frequency_code FROM claims WHERE claim_id = 'C000101'") == "8"


@pytest.mark.parametrize("undone", [False, True])
def test_a_refund_on_the_claim_stops_a_void_until_it_is_undone(seeded, undone):
    # Sam paid $30 on C000101 and was refunded $30 (refund 1): the practice's money left on
    # the claim's account stops a void. Undone (refund 1 negated, row 2), it does not.
    sent_and_denied(seeded)
    with seeded.transaction() as con:
        con.execute("INSERT INTO patient_payments (patient_payment_id, client_id, claim_id, "
                    "payment_date, amount, method) VALUES (1, 'K001', 'C000101', "
                    "DATE '2025-03-04', 30, 'card')")
        con.execute("INSERT INTO patient_refunds (refund_id, client_id, claim_id, refund_date, "
                    "amount, user_name) VALUES (1, 'K001', 'C000101', DATE '2025-03-11', 30, "
                    "'biller')")
        if undone:
            con.execute("INSERT INTO patient_refunds (refund_id, client_id, claim_id, "
                        "refund_date, amount, user_name, reverses) VALUES (2, 'K001', "
                        "'C000101', DATE '2025-03-12', -30, 'biller', 1)")
        facts.touch(con, ["C000101"], status_only=True)
    with seeded.connect() as con:
        refused = corrections.claim_state(con, "C000101")["void"]
    if undone:
        assert refused is None
    else:
        assert "has a write-off, a balance moved to the client or a refund on it" in refused


def test_the_earlier_remittance_lines_follow_their_service_after_a_replacement(seeded):
    # Denied line by line (CO-16 on each, REF*6R echoed); the replacement drops line 1
    # (97110): the old 97140 line is line 1 now and 97530 line 2, and their denials follow
    # them; the 97110's denial matches no line any more.
    write_837p(seeded, ["C000101"], user="biller", now=SENT)
    svc = [Line("97110", "150", "0", date="20250203", mods=["GP"], units="2",
                cas=[("CO", "16", "150")], control="C000101-1"),
           Line("97140", "100", "0", date="20250203", mods=["GP", "59"],
                cas=[("CO", "16", "100")], control="C000101-2"),
           Line("97530", "50", "0", date="20250205", cas=[("CO", "16", "50")],
                control="C000101-3")]
    text = build_835([Claim("C000101", "1", "300", "0", lines=svc, payer_claim_number="P1")],
                     trace="L1")
    assert import_835(seeded, [("l.835", text.encode())], "biller").errors == []
    with seeded.connect() as con:
        claim = corrections.claim_on_file(con, "C000101")
    claim.lines = claim.lines[1:]
    corrections.replace_claim(seeded, "C000101", claim, "biller", reason="97110 not given",
                              as_of=AS_OF)
    with seeded.connect() as con:
        assert con.execute("SELECT cpt, line_no FROM line_payments ORDER BY cpt").fetchall() \
            == [("97110", None), ("97140", 1), ("97530", 2)]
        assert con.execute("SELECT line_no, cpt, denied FROM line_facts ORDER BY line_no"
                           ).fetchall() == [(1, "97140", True), (2, "97530", True)]
        assert facts.check(con) == []


def test_a_replacement_waiting_to_be_sent_is_edited_and_stays_a_replacement(seeded):
    sent_and_denied(seeded)
    corrections.replace_claim(seeded, "C000101", corrected(seeded), "biller",
                              reason="97530 was not given", as_of=AS_OF)
    with seeded.connect() as con:
        claim = corrections.claim_on_file(con, "C000101")
        assert corrections.claim_state(con, "C000101")["edit"] is None
    claim.lines[1].charge = "90.00"   # $150 + $90 = $240
    corrections.edit_claim(seeded, "C000101", claim, "biller", note="fee", as_of=AS_OF)
    row = seeded.query("SELECT frequency_code, original_payer_claim_number, total_charge "
                       "FROM claims WHERE claim_id = 'C000101'").iloc[0].tolist()
    assert row == ["7", "ACM-ICN-0001", Decimal("240.00")]
    assert list(corrections.edit_history(seeded, "C000101").kind) == ["replacement", "edit"]
    # ... but its payer stays the one that has the original.
    claim.payer_id = 2
    with pytest.raises(ValidationError, match="Payer: a replacement goes to the payer"):
        corrections.edit_claim(seeded, "C000101", claim, "biller", as_of=AS_OF)


def test_an_edit_keeps_each_lines_place_of_service_and_can_change_it(seeded):
    """Issue 16's places of service survive the claim editor: the draft's office line (11)
    is kept as it was, a line moved to telehealth at home (10) is saved as 10 and shows in the
    edit history, and a code that is not a place of service is refused with nothing changed."""
    with seeded.connect() as con:
        claim = corrections.claim_on_file(con, "C000103")
    assert [ln.place_of_service for ln in claim.lines] == ["11"]
    claim.lines[0].place_of_service = "10"
    corrections.edit_claim(seeded, "C000103", claim, "biller", note="seen by video",
                           as_of=AS_OF)
    assert seeded.query("SELECT place_of_service FROM claim_lines WHERE claim_id = 'C000103'"
                        ).place_of_service.tolist() == ["10"]
    assert corrections.edit_history(seeded, "C000103").changes.iloc[-1] == (
        "line 1: 2025-02-10 97110-GP x1 $100.00 ptr 1 → "
        "2025-02-10 97110-GP x1 $100.00 ptr 1 POS 10")
    claim.lines[0].place_of_service = "99x"
    with pytest.raises(ValidationError, match="place of service"):
        corrections.edit_claim(seeded, "C000103", claim, "biller", as_of=AS_OF)
    assert seeded.query("SELECT place_of_service FROM claim_lines WHERE claim_id = 'C000103'"
                        ).place_of_service.tolist() == ["10"]


def test_moving_an_adjudicated_claim_back_to_ready_warns_of_a_duplicate(seeded):
    """A denied claim moved back to ready by hand would go out again as an original
    (frequency 1): the biller is told it is usually denied as a duplicate (CO-18) and where
    the replacement is. Nothing to say for a claim the payer never adjudicated, or for a
    replacement waiting to go."""
    from metdash.entry import move_claim_status

    assert corrections.resend_warning(seeded, "C000102") is None  # ready, never sent
    sent_and_denied(seeded)
    assert corrections.resend_warning(seeded, "C000101") is None  # denied: not being resent
    corrections.replace_claim(seeded, "C000101", corrected(seeded), "biller",
                              reason="97530 was not given", as_of=AS_OF)
    assert corrections.resend_warning(seeded, "C000101") is None  # a replacement: fine
    # Medicare denies C000102 (CO-16, its claim number MCR-1); the biller moves it to ready.
    write_837p(seeded, ["C000102"], user="biller", now=SENT)
    den = build_835([Claim("C000102", "4", "120", "0", cas=[("CO", "16", "120")],
                           payer_claim_number="MCR-1")], trace="DEN2", date="20250310",
                    payer="MEDICARE PART B", originator="1666666666")
    assert import_835(seeded, [("den2.835", den.encode())], "biller").matched == 1
    move_claim_status(seeded, "C000102", "ready", "biller", as_of=AS_OF)
    warn = corrections.resend_warning(seeded, "C000102")
    assert warn is not None and "MCR-1" in warn and "CO-18" in warn
    assert "frequency 7" in warn
