"""Provider-level adjustments (DOMAIN.md, "PLB"): a WO / FB recoupment naming one of our
claims reduces that claim's payment; L6 interest is income, not a claim payment; and each
remittance's deposit reconciles: BPR02 = Σ CLP04 + interest − recoupments − other PLB."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from metdash.store import facts
from metdash.x12.post835 import import_835
from metdash.x12.reconcile import deposit_reconciliation

from .helpers import Claim, build_835

FIXTURE = Path(__file__).parent / "fixtures" / "era_basic.835"
D = Decimal


def _balance(db, claim_id: str) -> Decimal:
    return db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = ?", [claim_id])


def _plb(db) -> list[tuple]:
    with db.connect() as con:
        return con.execute("SELECT reason_code, reference, amount, claim_id "
                           "FROM provider_adjustments ORDER BY remittance_id, seq").fetchall()


def _paid_first(db) -> None:
    """Acme pays C000101 (charge 300) in full on 03-10: 250 paid + CO-45 50, payer claim
    number ACM-PCN-101. By hand its insurance A/R is 300 − 250 − 50 = 0."""
    first = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")],
                             payer_claim_number="ACM-PCN-101")], trace="P1")
    assert import_835(db, [("p1.835", first.encode())], "biller").ok
    assert _balance(db, "C000101") == D("0.00")


def test_a_recoupment_naming_a_claim_reduces_its_payment(seeded):
    """04-10: Acme pays X1 (not ours) 100, takes back 30 it overpaid on ACM-PCN-101 (WO) and
    adds 1.25 interest (L6, sent negative: it raises the payment). BPR02 = 100 − 30 + 1.25
    = 71.25. By hand C000101's payment is now 250 − 30 = 220 and its insurance A/R
    300 − 220 − 50 = 30; the interest touches no claim."""
    _paid_first(seeded)
    second = build_835([Claim("X1", "1", "100", "100", payer_claim_number="X-1")],
                       trace="P2", date="20250410",
                       plb=[("WO", "30", "ACM-PCN-101"), ("L6", "-1.25", "INT")])
    s = import_835(seeded, [("p2.835", second.encode())], "biller")
    assert s.ok and s.paid == D("71.25")
    assert _plb(seeded) == [("WO", "ACM-PCN-101", D("30.00"), "C000101"),
                            ("L6", "INT", D("-1.25"), None)]
    assert _balance(seeded, "C000101") == D("30.00")
    ledger = seeded.query("SELECT entry_date::VARCHAR AS d, kind, source, amount, insurance "
                          "FROM ledger WHERE claim_id = 'C000101' ORDER BY seq")
    assert ledger.values.tolist() == [
        ["2025-03-10", "charge", "claim", D("300.00"), D("300.00")],
        ["2025-03-10", "payer_payment", "claim_payment", D("250.00"), D("-250.00")],
        ["2025-03-10", "contractual", "claim_payment", D("50.00"), D("-50.00")],
        ["2025-04-10", "payer_payment", "plb", D("-30.00"), D("30.00")]]
    rec = deposit_reconciliation(seeded).set_index("trace")
    assert rec.loc["P2", ["deposit", "claim_payments", "interest", "recoupments", "other_plb",
                          "difference"]].tolist() == [
        D("71.25"), D("100.00"), D("1.25"), D("30.00"), D("0.00"), D("0.00")]
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_a_recoupment_may_name_our_claim_id_or_a_claim_in_the_same_payment(seeded):
    """FB naming C000101 itself (5), WO naming the payer claim number of a claim this same
    payment adjudicates (C000102, ACM-PCN-102: paid 100, CO-45 20, then 10 taken back), and
    a WO naming a number that is none of ours (left unlinked, counted as a recoupment).
    BPR02 = 100 − 5 − 10 − 7 = 78. By hand: C000101 300 − 250 − 50 + 5 = 5; C000102
    120 − 100 − 20 + 10 = 10."""
    _paid_first(seeded)
    with seeded.transaction() as con:  # C000102 billed to Acme too: this payment pays it
        con.execute("UPDATE claims SET payer_id = 1 WHERE claim_id = 'C000102'")
        facts.touch(con, ["C000102"])
    text = build_835([Claim("C000102", "1", "120", "100", cas=[("CO", "45", "20")],
                            payer_claim_number="ACM-PCN-102")], trace="P3", date="20250412",
                     plb=[("FB", "5", "C000101"), ("WO", "10", "ACM-PCN-102"),
                          ("WO", "7", "NOT-OURS")])
    s = import_835(seeded, [("p3.835", text.encode())], "biller")
    assert s.ok
    assert _plb(seeded) == [("FB", "C000101", D("5.00"), "C000101"),
                            ("WO", "ACM-PCN-102", D("10.00"), "C000102"),
                            ("WO", "NOT-OURS", D("7.00"), None)]
    assert (_balance(seeded, "C000101"), _balance(seeded, "C000102")) == (D("5.00"), D("10.00"))
    rec = deposit_reconciliation(seeded).set_index("trace")
    assert rec.loc["P3", ["deposit", "claim_payments", "interest", "recoupments", "other_plb",
                          "difference"]].tolist() == [
        D("78.00"), D("100.00"), D("0.00"), D("22.00"), D("0.00"), D("0.00")]
    with seeded.connect() as con:
        assert facts.check(con) == []


def test_another_payers_claim_number_is_not_ours_to_recoup(seeded):
    """A payer claim number is the payer's own: Medicare's WO naming Acme's ACM-PCN-101 does
    not touch C000101."""
    _paid_first(seeded)
    text = build_835([Claim("X2", "1", "40", "40")], trace="M1", payer="MEDICARE PART B",
                     originator="1888888888", plb=[("WO", "30", "ACM-PCN-101")])
    assert import_835(seeded, [("m1.835", text.encode())], "biller").ok
    assert _plb(seeded)[0][3] is None
    assert _balance(seeded, "C000101") == D("0.00")


def test_deposit_reconciliation_of_the_fixture(seeded):
    """era_basic.835: claims paid 160 + 64 = 224, interest L6 −2.50 (income 2.50), so the
    deposit is 224 + 2.50 = 226.50 = BPR02; a hand-posted EOB reconciles to its own amount."""
    import_835(seeded, [FIXTURE], "biller")
    rec = deposit_reconciliation(seeded)
    assert list(rec.columns) == ["remittance_id", "payer", "payment_date", "trace", "deposit",
                                 "claim_payments", "interest", "recoupments", "other_plb",
                                 "difference"]
    row = rec.iloc[0]
    assert (row.payer, row.trace, str(row.payment_date)) == ("ACME HEALTH", "EFT0007",
                                                             "2025-03-10")
    assert [row.deposit, row.claim_payments, row.interest, row.recoupments, row.other_plb,
            row.difference] == [D("226.50"), D("224.00"), D("2.50"), D("0.00"), D("0.00"),
                                D("0.00")]
    assert deposit_reconciliation(seeded, []).empty
    assert list(deposit_reconciliation(seeded, [int(row.remittance_id)]).trace) == ["EFT0007"]


def test_a_debit_payment_is_a_negative_deposit(seeded):
    """BPR03 D: the payer takes money from the practice (claims −40 after a reversal)."""
    _paid_first(seeded)
    text = build_835([Claim("C000101", "22", "-300", "-250", cas=[("CO", "45", "-50")],
                            payer_claim_number="ACM-PCN-101"),
                      Claim("C000101", "1", "300", "210", cas=[("CO", "45", "90")],
                            payer_claim_number="ACM-PCN-101")],
                     trace="D1", date="20250420", amount="40")
    text = text.replace("BPR*I*40*C*", "BPR*I*40*D*")
    s = import_835(seeded, [("d1.835", text.encode())], "biller")
    assert s.ok and s.paid == D("-40")
    rec = deposit_reconciliation(seeded).set_index("trace")
    assert rec.loc["D1", ["deposit", "claim_payments", "difference"]].tolist() == [
        D("-40.00"), D("-40.00"), D("0.00")]
    # By hand: 300 − 250 − 50, reversed (+250 +50), re-adjudicated −210 − 90: 0.
    assert _balance(seeded, "C000101") == D("0.00")


def test_a_recoupment_of_more_than_was_paid_is_refused(seeded):
    """C000101 paid 250 (CO-45 50). A WO of 260 would leave Acme having paid −10 on it,
    though the balance (300 − (−10) − 50 = 260) stays under the charge: refused, saying so;
    nothing is written. Found by a new-user trial (a WO of 80 on a claim paid 70)."""
    _paid_first(seeded)
    text = build_835([Claim("X1", "1", "300", "300", payer_claim_number="X-1")],
                     trace="P9", date="20250410", plb=[("WO", "260", "ACM-PCN-101")])
    s = import_835(seeded, [("p9.835", text.encode())], "biller")
    assert s.errors == [
        "p9.835: its recoupment (PLB WO / FB) of $260.00 on claim C000101 takes back more "
        "than the payer has paid on it on file (it would have paid -$10.00): import the "
        "remittance that paid it first, or ask the payer. Nothing was imported."]
    assert _balance(seeded, "C000101") == D("0.00")
    assert seeded.scalar("SELECT count(*) FROM provider_adjustments") == 0


def _status(db, claim_id: str) -> list[tuple[str, str]]:
    return [(r.status, str(r.status_date)) for r in db.query(
        "SELECT status, status_date FROM claim_status_history WHERE claim_id = ? ORDER BY seq",
        [claim_id]).itertuples()]


def test_a_claim_paid_in_full_that_a_recoupment_leaves_owing_is_partially_paid_again(seeded):
    """C000101 paid in full on 03-10 ("paid", owes 0); on 04-10 Acme takes 30 back: it owes
    30 again, so its status is no longer "paid" but "partially paid", from 04-10 (a status
    under an as-of date before then still says paid)."""
    _paid_first(seeded)
    assert _status(seeded, "C000101")[-1] == ("paid", "2025-03-10")
    second = build_835([Claim("X1", "1", "100", "100", payer_claim_number="X-1")],
                       trace="P2", date="20250410", plb=[("WO", "30", "ACM-PCN-101")])
    s = import_835(seeded, [("p2.835", second.encode())], "biller")
    assert s.ok
    assert _status(seeded, "C000101")[-2:] == [("paid", "2025-03-10"),
                                               ("partially_paid", "2025-04-10")]
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == \
        "partially_paid"
    assert ("p2.835: claim C000101 was paid; the payer took part of it back (PLB "
            "recoupment), and it is partially paid again.") in s.notes
    with seeded.connect() as con:
        assert facts.check(con) == []



def test_a_payment_taken_back_whole_keeps_its_status(seeded):
    """A post-payment review takes back all 250 Acme paid on C000101: it owes 250 again but
    nothing of the payment stands, so it is not "partially paid" (it is on "Payments taken
    back")."""
    _paid_first(seeded)
    second = build_835([Claim("X1", "1", "300", "300", payer_claim_number="X-1")],
                       trace="P2", date="20250410", plb=[("WO", "250", "ACM-PCN-101")])
    assert import_835(seeded, [("p2.835", second.encode())], "biller").ok
    assert _balance(seeded, "C000101") == D("250.00")
    assert _status(seeded, "C000101")[-1] == ("paid", "2025-03-10")
