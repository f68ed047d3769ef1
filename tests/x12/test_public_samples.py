"""Every public 835 beside the checkout (../shared/x12-samples), imported one after the other
into one store, then all of them again; skipped without the folder.

What each file does, worked out by reading it:

==================================================== ========= =================================
file                                                 outcome   why
==================================================== ========= =================================
emedny-sample.835                                    imported  NYSDOH, trace 10100000000, 45.75
inteligenz-multi-interchange.835                     refused   amounts masked to 999.99: its
                                                               claims cannot balance
inteligenz-reversals-plb.835                         refused   its last CLP (segment 98,
                                                               ``CLP*090909*22``) has no charge
                                                               or paid amount; and Σ CLP04 5.75
                                                               − PLB (−1.27) = 7.02 ≠ BPR02 5.75
pyx12-835_mult_loops.835                             imported  a denial paid 0, BPR02 0
uhc-legacy-sample.835                                imported  UHC, 349.99
X221-dollars-and-data-sent-separate.edi              imported  Rushmore Life, 945
X221-dollars-and-data-sent-together.edi              imported  payer 1512345678, trace 12345,
                                                               150,000 (PLB CV −1.27)
X221-era-sample.edi                                  refused   trace 12345 of payer 1512345678
                                                               again, with other content (132)
X221-multiple-claims-single-check.edi                refused   the same trace again (810.80)
X221-secondary-payment-with-higher-fee-schedule.edi  imported  34.00
X221-secondary-payments.edi                          imported  1,222.00
X221-tertiary-payments.edi                           imported  187.50
==================================================== ========= =================================

Each sample pays another provider than ours, and an 835 posts only to its payee (the
practice's NPI or tax id): each file is imported with the store's practice set to the payee
the file names (:func:`_import_each`).

Before, the two guide examples reusing trace 12345 were counted "already imported" and never
posted; now the biller is told which earlier file holds that trace and when it came in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from metdash.errors import X12FileError
from metdash.store import facts
from metdash.x12.parse835 import header_payees, parse_835
from metdash.x12.post835 import ImportSummary, import_835
from metdash.x12.reconcile import deposit_reconciliation

from .helpers import Claim, Line, build_835

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / ".." / "shared" / "x12-samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(),
                                reason="../shared/x12-samples not present: the public 835 "
                                       "samples are not checked")
D = Decimal
TABLES = ["remittances", "claim_payments", "line_payments", "adjustments", "remark_codes",
          "provider_adjustments", "claim_status_history", "imports", "audit_log", "ledger",
          "claim_facts", "line_facts", "denial_facts"]
REVERSALS = "inteligenz-reversals-plb.835"
IMPORTED = {"emedny-sample.835", "pyx12-835_mult_loops.835", "uhc-legacy-sample.835",
            "X221-dollars-and-data-sent-separate.edi", "X221-dollars-and-data-sent-together.edi",
            "X221-secondary-payment-with-higher-fee-schedule.edi",
            "X221-secondary-payments.edi", "X221-tertiary-payments.edi"}
REFUSED = {
    # Its problems in file order: the payment's BPR (segment 4) before its claims.
    "inteligenz-multi-interchange.835":
        "inteligenz-multi-interchange.835, segment 4 (BPR): the payment does not balance: "
        "claims paid 776.06 − provider adjustments 0 = 776.06, but the payment amount (BPR02) "
        "is 999.99.",
    REVERSALS: f"{REVERSALS}, segment 98 (CLP): charge amount (CLP03) is missing.",
    "X221-era-sample.edi":
        "X221-era-sample.edi, segment 5 (TRN): trace number 12345 from DELTA DENTAL OF ABC "
        "was already imported from X221-dollars-and-data-sent-together.edi on {when}, with "
        "other content (then $150,000.00 for 2 claim(s), now $132.00 for 1): compare the two "
        "files and ask the payer which one is right; a different payment needs its own trace "
        "number. Nothing was imported.",
    "X221-multiple-claims-single-check.edi":
        "X221-multiple-claims-single-check.edi, segment 5 (TRN): trace number 12345 from "
        "DENTAL OF ABC was already imported from X221-dollars-and-data-sent-together.edi on "
        "{when}, with other content (then $150,000.00 for 2 claim(s), now $810.80 for 9): "
        "compare the two files and ask the payer which one is right; a different payment "
        "needs its own trace number. Nothing was imported.",
}

# Three claims of ours carry CLP01 ids of the reversals file, billed to its payer (TRN03
# 1346000128), so its reversals reach them.
OURS = """
INSERT INTO payers (payer_id, name, payer_type, clearinghouse_payer_id)
VALUES (1, 'Ashtabula County ADAMH Board', 'medicaid', '1346000128');
-- The sample's patients (NM1*QC), each claim its own: an 835 posts only to the claim's client.
INSERT INTO clients (client_id, last_name, first_name, dob, sex)
VALUES ('K1', 'Duck', 'Daffy', DATE '1970-01-01', 'M'),
       ('K2', 'Fudd', 'Elmer', DATE '1970-01-01', 'M'),
       ('K3', 'Simpson', 'Homer', DATE '1970-01-01', 'M');
INSERT INTO claims (claim_id, client_id, payer_id, status, diagnosis_codes, total_charge,
                    first_service_date, submitted_date)
VALUES ('444444', 'K2', 1, 'submitted', ['F10.20'], 56.70, DATE '2004-02-05', DATE '2004-02-12'),
       ('123456', 'K3', 1, 'submitted', ['F10.20'], 42.58, DATE '2004-01-02', DATE '2004-01-09'),
       ('090909', 'K1', 1, 'submitted', ['F10.20'], 86.76, DATE '2004-02-10', DATE '2004-02-12');
INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, modifiers, units, charge,
                         dx_pointers)
VALUES ('444444', 1, DATE '2004-02-05', 'H0005', ['HF', 'H9'], 6, 56.70, [1]),
       ('123456', 1, DATE '2004-01-02', 'H0036', ['GT', 'UK'], 2, 42.58, [1]),
       ('090909', 1, DATE '2004-02-10', 'H0004', ['HF', 'H9'], 4, 86.76, [1]);
"""


def _counts(db) -> dict[str, int]:
    return {t: int(db.scalar(f"SELECT count(*) FROM {t}")) for t in TABLES}


def _claims(db) -> dict[str, tuple]:
    with db.connect() as con:
        rows = con.execute("SELECT f.claim_id, f.insurance_balance, c.status FROM claim_facts f "
                           "JOIN claims c USING (claim_id) ORDER BY 1").fetchall()
    return {r[0]: r[1:] for r in rows}


def _earlier_payment() -> tuple[str, bytes]:
    """The payer's earlier 835 (ours, 02-27) paying 123456 and 090909 in full, which the
    sample's two CLP02 22 reverse."""
    text = build_835([
        Claim("123456", "1", "42.58", "42.58", payer_claim_number="0000000657575757",
              patient=("SIMPSON", "HOMER", "8787888"),
              lines=[Line("H0036", "42.58", "42.58", date="20040102", mods=["GT", "UK"],
                          units="2")]),
        Claim("090909", "1", "86.76", "86.76", payer_claim_number="0000000648484848",
              patient=("DUCK", "DAFFY", "1245849"),
              lines=[Line("H0004", "86.76", "86.76", date="20040210", mods=["HF", "H9"],
                          units="4")]),
    ], trace="A04B001017.07400", payer="ASHTABULA COUNTY ADAMH BD", originator="1346000128",
        date="20040227")
    return "ashtabula-0227.835", text.encode()


def _reversals_corrected() -> tuple[str, bytes]:
    """The reversals sample made to balance, in memory (the folder's file is not changed):
    its amount-less last CLP (segment 98) dropped (SE01 98 → 97) and BPR02 set to what its
    claims and PLB add up to, Σ CLP04 5.75 − PLB (−1.27) = 7.02."""
    text = (SAMPLES / REVERSALS).read_text(encoding="utf-8-sig")
    cut = "        CLP*090909*22~\r\n" if "\r\n" in text else "        CLP*090909*22~\n"
    assert text.count(cut) == 1
    text = text.replace(cut, "").replace("SE*98*", "SE*97*").replace("BPR*H*5.75*", "BPR*H*7.02*")
    return "inteligenz-reversals-plb-balanced.835", text.encode()


def _as_payee_of(db, name: str, data: bytes) -> None:
    """Make the store's practice the payee the file names (its first payment's N1*PE: an
    NPI, a tax id, REF*TJ), as a practice importing its own remittances is."""
    npi, tax = "1234567893", "00-0000000"
    try:
        first = parse_835(data, name).payments[0]
    except X12FileError:  # a file refused for its own problems: its payee, from its header
        payees = header_payees(data, name)
        first = payees[0] if payees else None
    if first is not None:
        if first.payee_id_qualifier == "XX":
            npi = first.payee_id
        elif first.payee_id_qualifier == "FI":
            tax = first.payee_id
        tax = first.payee_tax_id or tax
    with db.transaction() as con:
        con.execute("DELETE FROM practice")
        con.execute("INSERT INTO practice (practice_id, name, billing_npi, tax_id) "
                    "VALUES (1, 'The payee', ?, ?)", [npi, tax])


def _import_each(db, sources: list) -> ImportSummary:
    """Each file imported on its own, by the practice it pays; the summaries added up."""
    total = ImportSummary()
    for src in sources:
        name, data = src if isinstance(src, tuple) else (src.name, src.read_bytes())
        _as_payee_of(db, name, data)
        s = import_835(db, [(name, data)], "ci")
        for key in ("files", "payments", "claims", "matched", "unmatched", "paid",
                    "already_imported"):
            setattr(total, key, getattr(total, key) + getattr(s, key))
        total.errors += s.errors
        total.results += s.results
    return total


def _samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.835")) + sorted(SAMPLES.glob("X221-*.edi"))


def test_every_835_sample_into_one_store(db):
    with db.transaction() as con:
        con.execute(OURS)
    assert _import_each(db, [_earlier_payment()]).ok
    # By hand: 123456 42.58 − 42.58 = 0 and 090909 86.76 − 86.76 = 0, both paid; 444444 was
    # never paid: 56.70 owed.
    assert _claims(db) == {"090909": (D("0.00"), "paid"), "123456": (D("0.00"), "paid"),
                           "444444": (D("56.70"), "submitted")}

    paths = _samples()
    assert {p.name for p in paths} == IMPORTED | set(REFUSED)
    s = _import_each(db, paths)
    outcome = {r.file: r.outcome for r in s.results}
    assert {f for f, o in outcome.items() if o == "imported"} == IMPORTED
    assert {f for f, o in outcome.items() if o == "refused"} == set(REFUSED)
    assert (s.files, s.payments, s.already_imported) == (12, 8, 0)
    when = db.scalar("SELECT imported_at FROM remittances WHERE trace_number = '12345'")
    for r in s.results:
        # Every message one line, naming its file; never a traceback.
        assert all("\n" not in e and e.startswith(r.file) and "Traceback" not in e
                   for e in r.errors)
        if r.outcome == "refused":
            assert r.errors[0].startswith(REFUSED[r.file].format(when=f"{when:%Y-%m-%d at %H:%M}"))
            assert r.errors[-1].endswith("Nothing was imported.")
    # The reversals file was refused whole: our three claims are as they were.
    assert _claims(db)["123456"] == (D("0.00"), "paid")

    # The reversals sample, balanced: its CLP02 22s reverse our earlier payments of 123456
    # and 090909 exactly, reopening them; 444444 is paid 56.52 with CO-42 0.18.
    name, data = _reversals_corrected()
    fixed = _import_each(db, [(name, data)])
    assert fixed.ok and (fixed.claims, fixed.matched, fixed.unmatched) == (9, 3, 6)
    # By hand:
    #   123456: charge 42.58 − paid 42.58 (02-27) + the reversal's undoing of it (03-15) =
    #           42.58 owed again, back to submitted (awaiting the payer's reprocessing);
    #   090909: 86.76 − 86.76 + 86.76 = 86.76, submitted;
    #   444444: 56.70 − 56.52 = 0.18: CO-42 is not in DOMAIN.md's default classification
    #           (CO-45 / CO-253 are the contractual ones), so it is a denial-class amount that
    #           stays owed until the practice writes it off or reclassifies CO-42: partially
    #           paid.
    assert _claims(db) == {"090909": (D("86.76"), "submitted"),
                           "123456": (D("42.58"), "submitted"),
                           "444444": (D("0.18"), "partially_paid")}
    with db.connect() as con:
        # The reversal SVCs (units −2 and −4) are our one line of each claim (CPT + date +
        # units); their REF*6R values (123456, 090909) name none of our lines.
        assert con.execute(
            "SELECT cp.claim_id, lp.units, lp.line_no, lp.line_control_number FROM line_payments "
            "lp JOIN claim_payments cp USING (claim_payment_id) JOIN remittances r "
            "USING (remittance_id) WHERE r.source_file = ? AND cp.claim_id IS NOT NULL "
            "ORDER BY lp.line_payment_id", [name]).fetchall() == [
            ("444444", 6, 1, "444444"), ("123456", -2, 1, "123456"),
            ("090909", -4, 1, "090909")]
        # PLB CV (capital passthrough) names no claim: it stays on the deposit only.
        assert con.execute("SELECT reason_code, reference, pa.amount, claim_id FROM "
                           "provider_adjustments pa JOIN remittances r USING (remittance_id) "
                           "WHERE r.source_file = ?", [name]).fetchall() == [
            ("CV", "9876514", D("-1.27"), None)]

    # Deposit reconciliation: every imported remittance balances; by hand for two of them.
    rec = deposit_reconciliation(db)
    assert len(rec) == 10 and (rec.difference == 0).all()
    cols = ["deposit", "claim_payments", "interest", "recoupments", "other_plb"]
    by_trace = rec.set_index("trace")
    # 7.02 = 5.75 + 0 − 0 − (−1.27)
    assert by_trace.loc["A04B001017.07504", cols].tolist() == [
        D("7.02"), D("5.75"), D("0.00"), D("0.00"), D("-1.27")]
    # 150,000 = 138,018.40 + 11,980.33 − (−1.27)
    assert by_trace.loc["12345", cols].tolist() == [
        D("150000.00"), D("149998.73"), D("0.00"), D("0.00"), D("-1.27")]

    # All of it again: nothing changes.
    before, claims_before = _counts(db), _claims(db)
    again = _import_each(db, [_earlier_payment(), *paths, (name, data)])
    assert {r.file: r.outcome for r in again.results} == {
        "ashtabula-0227.835": "already_imported", name: "already_imported",
        **{f: "already_imported" for f in IMPORTED}, **{f: "refused" for f in REFUSED}}
    assert (again.payments, again.already_imported) == (0, 10)
    assert _counts(db) == before and _claims(db) == claims_before
    with db.connect() as con:
        assert facts.check(con) == []
    assert db.scalar("SELECT count(*) FROM remittances WHERE content_sha256 IS NULL") == 0
    assert isinstance(rec.payment_date.iloc[0], dt.date)
