"""An 835 is posted only when it is ours and its money adds up (issue 19, item 9).

The tiny practice of conftest.py: billing NPI 1234567893, tax id 12-3456789; C000101 billed
to Acme Health (300.00, client K001), C000102 to Medicare Part B (120.00, client K002).
Every refusal names the file, the segment and the claim, ends "Nothing was imported." and
leaves every table as it was.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from metdash.store import Database, facts
from metdash.x12.post835 import import_835

from .helpers import Claim, build_835

TABLES = ["remittances", "claim_payments", "line_payments", "adjustments",
          "provider_adjustments", "claim_status_history", "imports", "audit_log", "ledger",
          "claim_facts"]
NOTHING = "Nothing was imported."


def _counts(db: Database) -> dict[str, int]:
    return {t: int(db.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def _paid_in_full(trace: str = "P1", **kw) -> bytes:
    """Acme pays C000101 in full: 290 paid, CO-45 10 (balance 0)."""
    return build_835([Claim("C000101", "1", "300", "290", cas=[("CO", "45", "10")])],
                     trace=trace, **kw).encode()


def _refused(db: Database, name: str, data: bytes) -> list[str]:
    before = _counts(db)
    s = import_835(db, [(name, data)], "biller")
    assert not s.ok and [r.outcome for r in s.results] == ["refused"]
    assert all("\n" not in e and e.startswith(f"{name}") for e in s.errors)
    assert s.errors[-1].endswith(NOTHING)
    assert _counts(db) == before
    return s.errors


def _balance(db: Database, claim_id: str) -> Decimal:
    return db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = ?", [claim_id])


# -- the payee is the practice --------------------------------------------------------------
def test_remittance_for_another_npi_is_refused(seeded):
    errors = _refused(seeded, "other.835", _paid_in_full(payee=("XX", "1987654328")))
    assert errors == [
        "other.835, segment 11 (N1): the payee's NPI 1987654328 (N1*PE) is not the "
        "practice's billing NPI 1234567893: this remittance pays another provider; send it "
        "back to the clearinghouse. Nothing was imported."]
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "ready"


def test_remittance_for_another_tax_id_is_refused(seeded):
    errors = _refused(seeded, "fi.835", _paid_in_full(payee=("FI", "987654321")))
    assert "payee's tax id 987654321 (N1*PE) is not the practice's tax id 12-3456789" \
        in errors[0]
    # An NPI of ours with another tax id (REF*TJ) is not ours either.
    errors = _refused(seeded, "tj.835",
                      _paid_in_full(payee=("XX", "1234567893", "TJ", "987654321")))
    assert "payee's tax id 987654321 (REF*TJ)" in errors[0]


def test_remittance_to_our_tax_id_is_posted(seeded):
    s = import_835(seeded, [("fi.835", _paid_in_full(payee=("FI", "12-3456789")))], "biller")
    assert s.ok and s.matched == 1
    ours = build_835([Claim("C000102", "1", "120", "100", cas=[("CO", "45", "20")])],
                     trace="M1", payer="MEDICARE PART B",
                     payee=("XX", "1234567893", "TJ", "123456789"))
    s = import_835(seeded, [("tj.835", ours.encode())], "biller")
    assert s.ok and s.matched == 1


def test_remittance_naming_no_payee_id_is_refused(seeded):
    errors = _refused(seeded, "xv.835", _paid_in_full(payee=("XV", "PLAN123")))
    assert "names no NPI (XX) or tax id (FI, REF*TJ) of the payee" in errors[0]


def test_a_store_without_the_practice_refuses_remittances(db):
    errors = _refused(db, "nopractice.835", _paid_in_full())
    assert errors == [
        "nopractice.835: the practice's billing NPI and tax id are not set up (Settings → "
        "Practice), so whether this remittance is the practice's cannot be checked. "
        "Nothing was imported."]


# -- the payer is the claim's ---------------------------------------------------------------
def test_another_payer_cannot_pay_our_claim(seeded):
    data = _paid_in_full(payer="MEDICARE PART B")
    errors = _refused(seeded, "mcr.835", data)
    assert errors == [
        "mcr.835, segment 13 (CLP): claim C000101 is billed to Acme Health, but this "
        "remittance comes from MEDICARE PART B (N1*PR): a payer pays only its own claims; "
        "check the claim's payer, or send the file back. Nothing was imported."]


def test_a_payer_not_on_file_cannot_pay_our_claim(seeded):
    errors = _refused(seeded, "who.835", _paid_in_full(payer="SOMEONE ELSE",
                                                        originator="1888888888"))
    assert "comes from SOMEONE ELSE (N1*PR), a payer not on file" in errors[0]


def test_a_secondary_of_the_client_pays_as_secondary(seeded):
    with seeded.transaction() as con:  # K001's Medicare coverage, secondary to Acme
        con.execute("INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, "
                    "effective_date, priority) VALUES (3, 'K001', 2, 'M1', DATE '2024-01-01', "
                    "'secondary')")
    first = build_835([Claim("C000101", "19", "300", "240",
                             cas=[("CO", "45", "20"), ("PR", "2", "40")])], trace="A1")
    assert import_835(seeded, [("acme.835", first.encode())], "biller").ok
    # Processed as primary (1) by the secondary: not its claim to adjudicate.
    as_primary = build_835([Claim("C000101", "1", "300", "40", cas=[("OA", "23", "260")])],
                           trace="M1", payer="MEDICARE PART B")
    errors = _refused(seeded, "mcr1.835", as_primary.encode())
    assert "claim C000101 is billed to Acme Health" in errors[0]
    as_secondary = as_primary.replace("CLP*C000101*1*", "CLP*C000101*2*")
    s = import_835(seeded, [("mcr2.835", as_secondary.encode())], "biller")
    assert s.ok and s.matched == 1
    assert _balance(seeded, "C000101") == Decimal("0.00")


# -- money that adds up -----------------------------------------------------------------------
def test_negative_payment_outside_a_reversal_is_refused(seeded):
    data = build_835([Claim("C000101", "1", "300", "-500", cas=[("CO", "45", "800")])],
                     trace="NEG")
    errors = _refused(seeded, "neg.835", data.encode())
    assert errors == [
        "neg.835, segment 13 (CLP): claim C000101 is paid -500.00 (CLP04) as claim status 1: "
        "a payer takes money back only by a reversal (CLP02 22) or a recoupment (PLB); ask "
        "the payer for a corrected remittance. Nothing was imported."]


def test_claim_repeated_in_one_file_is_refused(seeded):
    twice = build_835([Claim("C000101", "1", "300", "290", cas=[("CO", "45", "10")]),
                       Claim("C000101", "1", "300", "290", cas=[("CO", "45", "10")])],
                      trace="TWICE")
    errors = _refused(seeded, "twice.835", twice.encode())
    assert errors == [
        "twice.835, segment 17 (CLP): claim C000101 is in this file again (first at segment "
        "13): a remittance pays a claim once, or reverses it (CLP02 22) and then corrects "
        "it; ask the payer for a corrected file. Nothing was imported."]


def test_reversal_then_correction_in_one_file_is_posted(seeded):
    assert import_835(seeded, [("p1.835", _paid_in_full())], "biller").ok
    both = build_835([Claim("C000101", "22", "-300", "-290", cas=[("CO", "45", "-10")]),
                      Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")])],
                     trace="P2")
    s = import_835(seeded, [("p2.835", both.encode())], "biller")
    assert s.ok and s.matched == 2
    assert _balance(seeded, "C000101") == Decimal("0.00")


def test_payment_taking_a_claim_below_zero_is_refused(seeded):
    assert import_835(seeded, [("p1.835", _paid_in_full())], "biller").ok
    assert _balance(seeded, "C000101") == Decimal("0.00")
    # The same payment again under a new trace number: it replaces the first adjudication,
    # and the money stays sent: 300 − 290 − 290 − 10 = −290.
    errors = _refused(seeded, "again.835", _paid_in_full("P2"))
    assert errors == [
        "again.835, segment 13 (CLP): claim C000101 would owe -$290.00 after this remittance "
        "(it owes $0.00 now): payments and adjustments would exceed its charge; ask the "
        "payer whether it paid this claim twice. Nothing was imported."]
    assert _balance(seeded, "C000101") == Decimal("0.00")
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_an_overpayment_hidden_behind_a_negative_adjustment_is_refused(seeded):
    # Found by the re-probe: paid 500 on a 300 charge, balanced by CO-45 -200.
    data = build_835([Claim("C000101", "1", "300", "500", cas=[("CO", "45", "-200")])],
                     trace="OVER")
    errors = _refused(seeded, "over.835", data.encode())
    assert any("is paid 500.00 (CLP04), more than its charge 300.00 (CLP03)" in e
               for e in errors)
    assert any("negative adjustment CO-45 -200.00 (CAS) as claim status 1" in e
               for e in errors)


def test_a_negative_patient_responsibility_is_refused(seeded):
    # Paid 290 + PR-1 -100 + CO-45 110 = 300: the client would be owed 100 by the payer's say.
    data = build_835([Claim("C000101", "1", "300", "290",
                            cas=[("PR", "1", "-100"), ("CO", "45", "110")])], trace="PRNEG")
    errors = _refused(seeded, "prneg.835", data.encode())
    assert any("negative adjustment PR-1 -100.00" in e for e in errors)


def test_a_reversal_of_money_never_posted_is_refused(seeded):
    # C000101 has no payment; reversing 290 + CO-45 10 would make it owe 600 on a 300 charge.
    # Refused for what it is (DOMAIN.md: a 22 reverses an earlier payment exactly): there is
    # no payment of Acme's on file to reverse.
    data = build_835([Claim("C000101", "22", "-300", "-290", cas=[("CO", "45", "-10")])],
                     trace="REVNONE")
    errors = _refused(seeded, "rev.835", data.encode())
    assert errors == [
        "rev.835, segment 13 (CLP): claim C000101 is reversed (CLP02 22), but there is no "
        "payment from ACME HEALTH on file that it reverses: import the remittance it reverses "
        "first, then this file again (or ask the payer which payment it reverses). Nothing "
        "was imported."]


def test_the_issues_six_postings_stop_at_the_first_wrong_one(seeded):
    """Issue 19: a $30 claim posted six times under new trace numbers, one of them −$500 paid
    on a status-1 CLP, ended at balance −$150 and "paid"."""
    with seeded.transaction() as con:
        con.execute("UPDATE claims SET total_charge = 30 WHERE claim_id = 'C000101'")
        facts.touch(con, ["C000101"])
    outcomes = []
    for i, (paid, cas) in enumerate([("30", "0"), ("30", "0"), ("-500", "530"), ("30", "0"),
                                     ("30", "0"), ("30", "0")]):
        text = build_835([Claim("C000101", "1", "30", paid, cas=[("CO", "45", cas)])],
                         trace=f"SIX{i}")
        outcomes.append(import_835(seeded, [(f"six{i}.835", text.encode())], "biller").ok)
    assert outcomes == [True, False, False, False, False, False]
    assert _balance(seeded, "C000101") == Decimal("0.00")


@pytest.mark.parametrize("amount", ["99999999999999999999.99", "10000000000.00"])
def test_amount_too_large_for_the_store_is_one_line(seeded, amount):
    text = build_835([Claim("C000101", "1", "300", amount)], trace="HUGE")
    errors = _refused(seeded, "huge.835", text.encode())
    assert any(f"'{amount}' is too large" in e for e in errors)


def test_a_file_for_another_provider_says_so_first(seeded):
    """A new-user trial imported a public sample paying another provider: fifty "does not
    balance" lines came before anything saying whose file it is. The payee now comes first."""
    data = build_835([Claim("X1", "1", "100", "70", cas=[("CO", "45", "20")])],
                     trace="OTHER1", payee=("XX", "1497758544"))
    errors = _refused(seeded, "other.835", data.encode())
    assert "the payee's NPI 1497758544 (N1*PE) is not the practice's billing NPI" in errors[0]
    assert "does not balance" in errors[1]
    assert errors[-1].endswith("Nothing was imported.")


def test_a_payer_known_by_its_ref_2u_id_pays_and_an_unknown_one_is_told_how(seeded):
    """A Medicare contractor's 835 names itself "NORIDIAN JF PART B" (N1*PR) and gives its
    payer id in REF*2U, not the practice's name for the payer: refused while the id is on no
    payer, with how to tell metdash they are one; paid once the claim's payer has that id."""
    data = _paid_in_full(payer="NORIDIAN JF PART B", originator="1888888888")
    data = data.replace(b"N1*PR*NORIDIAN JF PART B~", b"N1*PR*NORIDIAN JF PART B~REF*2U*01112~")
    assert b"REF*2U*01112" in data
    data = re.sub(rb"SE\*(\d+)\*", lambda m: b"SE*%d*" % (int(m[1]) + 1), data)
    errors = _refused(seeded, "nor.835", data)
    assert errors[0].split(": ", 1)[1].startswith(
        "claim C000101 is billed to Acme Health, but this "
        "remittance comes from NORIDIAN JF PART B (N1*PR), a payer not on file under that "
        "name or id (REF*2U 01112, TRN03 1888888888). If it is Acme Health, say so: answer "
        "\"Whose is this 835?\" below (Remittances; on a terminal, metdash payer-name --payer "
        "\"Acme Health\" \"NORIDIAN JF PART B\"), then import the file again")
    assert import_835(seeded, [("nor.835", data)], "tester").unknown_payers == [
        ("NORIDIAN JF PART B", ("01112", "1888888888"), 1)]
    with seeded.transaction() as con:
        con.execute("UPDATE payers SET clearinghouse_payer_id = '01112' "
                    "WHERE name = 'Acme Health'")
    result = import_835(seeded, [("nor.835", data)], "tester")
    assert result.ok, result.errors


def test_a_payer_kept_under_its_835_name_pays(seeded):
    """The same file, and Acme keeps its own clearinghouse id: the practice says the 835's
    "NORIDIAN JF PART B" is Acme Health (metdash.entry.payer_names), and the file imports.
    A name that is another payer's own, or kept for another payer, is refused."""
    from metdash.entry.payer_names import (
        add_remittance_name,
        remittance_names,
        remove_remittance_name,
    )
    from metdash.errors import ValidationError

    data = _paid_in_full(payer="NORIDIAN JF PART B", originator="1888888888")
    assert not import_835(seeded, [("nor.835", data)], "tester").ok
    acme, medicare = (seeded.scalar("SELECT payer_id FROM payers WHERE name = ?", [n])
                      for n in ("Acme Health", "Medicare Part B"))
    assert add_remittance_name(seeded, acme, " Noridian  JF part B ", "tester") == \
        "NORIDIAN JF PART B"
    with pytest.raises(ValidationError, match="is kept already, for Acme Health: remove it"):
        add_remittance_name(seeded, medicare, "noridian jf part b", "tester")
    with pytest.raises(ValidationError, match="is the name or clearinghouse payer id of "
                                              "Medicare Part B itself"):
        add_remittance_name(seeded, acme, "medicare part b", "tester")
    result = import_835(seeded, [("nor.835", data)], "tester")
    assert result.ok and result.matched == 1, result.errors
    assert seeded.scalar("SELECT payer_id FROM remittances") == acme
    names = remittance_names(seeded)
    assert names[["payer", "remittance_name"]].values.tolist() == [
        ["Acme Health", "NORIDIAN JF PART B"]]
    remove_remittance_name(seeded, int(names.name_id[0]), "tester")
    assert remittance_names(seeded).empty
    assert seeded.scalar("SELECT count(*) FROM audit_log "
                         "WHERE table_name = 'payer_remittance_names'") == 2
