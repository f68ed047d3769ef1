"""A payer pays what the practice had moved to the client or written off (paid on appeal).

Found by a new-user trial (stop 30): after "Move to the client", the payer's payment on appeal
could not be posted ("would owe −$50 … ask the payer whether it paid this claim twice") and the
move could not be undone. DOMAIN.md: a denial stays owed until paid on appeal, moved to the
client or written off; insurance A/R = charge − payer payments − contractual − moved to the
client or the next payer − write-offs; patient A/R = cost share moved to the client − patient
payments. A biller's system gives back to the client what the payer paid after all, and
recovers a write-off the payer pays.

Worked by hand (the seeded practice: C000101 $300 to Acme for K001, C000102 $120 to Medicare
for K002):

C000101, a move to the client, part paid by the client, then paid on appeal:
- 03-10 Acme denies it: paid 0, CO-50 300. Insurance owes 300 (all of it denied), client 0.
- 03-20 the biller moves the 300 to the client. Insurance 0, client 300.
- 03-25 the client pays 100 on it. Client 200.
- 04-15 Acme pays on appeal (a new CLP, no reversal): paid 250, CO-45 50. Without a return,
  insurance would owe 300 − 250 − 50 − 300 = −300. The whole move (300) comes back:
  insurance 300 − 250 − 50 − 300 + 300 = 0; client 300 − 100 − 300 = −100: a credit of 100
  to refund (the client paid 100 for what the payer then paid).

C000102, a move and a write-off, then reprocessed with a coinsurance:
- 03-12 Medicare denies it: paid 0, CO-50 120. Insurance 120.
- 04-01 the biller moves 20 to the client and writes off 100 (appeal lost). Insurance 0,
  client 20.
- 05-10 Medicare reprocesses it: paid 80, CO-45 20, PR-2 20 (coinsurance, to the client).
  Without returns insurance would be 120 − 80 − 20 − 20 − 20 − 100 = −120. The move comes
  back first (20: insurance −100, client 20 + 20 − 20 = 20), then 100 of the write-off
  (recovered: insurance 0). The client owes 20, the coinsurance. Write-offs: 100 written
  off in April, 100 recovered in May.

A payment beyond every move and write-off is still refused: C000101 paid again (05-01, paid
250, CO-45 50) would owe 300 − (250 + 250) − 50 − 300 + 300 = −250 (a later CLP's payment adds
to the money sent; its adjustments replace the earlier ones), with nothing left to bring back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import entry, figures
from metdash.errors import ValidationError
from metdash.figures import Filters
from metdash.x12.post835 import import_835

from .helpers import Claim, build_835

D = Decimal
MEDICARE = {"payer": "MEDICARE PART B", "originator": "1666666666"}
DENIED = build_835([Claim("C000101", "1", "300", "0", cas=[("CO", "50", "300")],
                          payer_claim_number="ACM-101")], trace="A-0310", date="20250310")
ON_APPEAL = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")],
                             payer_claim_number="ACM-101")], trace="A-0415", date="20250415")
AGAIN = build_835([Claim("C000101", "1", "300", "250", cas=[("CO", "45", "50")],
                         payer_claim_number="ACM-101")], trace="A-0501", date="20250501")
MCR_DENIED = build_835([Claim("C000102", "1", "120", "0", cas=[("CO", "50", "120")],
                              payer_claim_number="MCR-102")],
                       trace="M-0312", date="20250312", **MEDICARE)
MCR_REPROCESSED = build_835([Claim("C000102", "1", "120", "80", pr="20",
                                   cas=[("CO", "45", "20"), ("PR", "2", "20")],
                                   payer_claim_number="MCR-102")],
                            trace="M-0510", date="20250510", **MEDICARE)
LATER = dt.date(2025, 6, 30)


def _post(db, text: str, name: str = "f.835"):
    s = import_835(db, [(name, text.encode())], "biller")
    assert s.ok, s.errors
    return s


def _balances(db, claim_id: str) -> tuple[Decimal, Decimal]:
    row = db.query("SELECT insurance_balance, patient_balance FROM claim_facts "
                   "WHERE claim_id = ?", [claim_id]).iloc[0]
    return row.insurance_balance, row.patient_balance


def _moved_paid_and_appealed(db) -> None:
    _post(db, DENIED, "denied.835")
    entry.move_to_client(db, entry.TransferIn("C000101", "300", "2025-03-20",
                                              "PR waiver signed"), "biller", as_of=LATER)
    entry.record_patient_payment(db, entry.PatientPaymentIn("K001", "2025-03-25", "100",
                                                            claim_id="C000101"),
                                 "frontdesk", as_of=LATER)
    assert _balances(db, "C000101") == (D("0.00"), D("200.00"))


def test_payment_on_appeal_after_a_move_gives_the_client_back_what_the_payer_paid(seeded):
    _moved_paid_and_appealed(seeded)
    s = _post(seeded, ON_APPEAL, "appeal.835")
    assert _balances(seeded, "C000101") == (D("0.00"), D("-100.00"))
    with seeded.connect() as con:
        assert entry.client_patient_balance(con, "K001") == D("-100.00")
    assert any("C000101: $300.00 moved back from the client" in n for n in s.notes)
    # The ledger shows it as the move's reversal, on the payment's date
    led = figures.claim_ledger(seeded, "C000101")
    back = led[led.source == "return"]
    assert back[["kind", "reversal", "insurance", "patient"]].values.tolist() == [
        ["transfer_to_client", True, D("300.00"), D("-300.00")]]
    assert str(back.entry_date.iloc[0])[:10] == "2025-04-15"
    # Nothing is left to undo, and the credit is on the refund list
    assert entry.undoable(seeded, "C000101").empty
    # Importing the same file again changes nothing
    again = import_835(seeded, [("appeal.835", ON_APPEAL.encode())], "biller")
    assert again.ok and _balances(seeded, "C000101") == (D("0.00"), D("-100.00"))
    assert seeded.scalar("SELECT count(*) FROM balance_returns") == 1


def test_a_second_payment_beyond_every_move_is_still_refused(seeded):
    _moved_paid_and_appealed(seeded)
    _post(seeded, ON_APPEAL, "appeal.835")
    s = import_835(seeded, [("again.835", AGAIN.encode())], "biller")
    assert not s.ok
    assert "claim C000101 would owe -$250.00" in " ".join(s.errors)
    assert _balances(seeded, "C000101") == (D("0.00"), D("-100.00"))
    assert seeded.scalar("SELECT count(*) FROM balance_returns") == 1


def test_a_move_then_a_write_off_come_back_move_first(seeded):
    _post(seeded, MCR_DENIED, "mcr_denied.835")
    entry.move_to_client(seeded, entry.TransferIn("C000102", "20", "2025-04-01",
                                                  "client liable"), "biller", as_of=LATER)
    entry.write_off(seeded, entry.WriteOffIn("insurance", "100", "appeal_lost", "2025-04-01",
                                             "C000102", note="lost"), "biller", as_of=LATER)
    assert _balances(seeded, "C000102") == (D("0.00"), D("20.00"))
    s = _post(seeded, MCR_REPROCESSED, "mcr_paid.835")
    assert _balances(seeded, "C000102") == (D("0.00"), D("20.00"))
    notes = " ".join(s.notes)
    assert "C000102: $20.00 moved back from the client" in notes
    assert "C000102: $100.00 of the write-off recovered" in notes
    rows = seeded.query("SELECT kind, amount, return_date FROM balance_returns "
                        "ORDER BY return_id")
    assert rows.values.tolist() == [["transfer", D("20.00"), dt.date(2025, 5, 10)],
                                    ["write_off", D("100.00"), dt.date(2025, 5, 10)]]
    # Write-offs by reason: 100 written off in April, 100 recovered in May
    spring = Filters(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 5, 31), as_of=LATER)
    by_reason = figures.write_offs_by_reason(seeded, spring)
    assert by_reason[["reason", "side", "write_offs", "amount", "recovered"]].values.tolist() \
        == [["appeal_lost", "insurance", 1, D("100.00"), D("100.00")]]
    may = Filters(date_from=dt.date(2025, 5, 1), date_to=dt.date(2025, 5, 31), as_of=LATER)
    assert figures.write_offs_by_reason(seeded, may)[
        ["reason", "write_offs", "amount", "recovered"]].values.tolist() == [
        ["appeal_lost", 0, D("0.00"), D("100.00")]]
    # As of 04-30 (before the payment) the write-off and the move still stand
    april = Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 4, 30),
                    as_of=dt.date(2025, 4, 30))
    owed = figures.patient_balances(seeded, april)
    assert owed.set_index("client_id").balance.to_dict() == {"K002": D("20.00")}


def test_a_hand_posted_eob_on_appeal_brings_the_move_back_too(seeded):
    _moved_paid_and_appealed(seeded)
    rid = entry.post_eob(seeded, entry.EobIn(
        claim_id="C000101", payment_date="2025-04-15", paid="250",
        adjustments=[entry.AdjustmentIn("CO", "45", "50")]), "biller", as_of=LATER)
    assert _balances(seeded, "C000101") == (D("0.00"), D("-100.00"))
    assert [(r.kind, r.amount) for r in entry.returned_by(seeded, rid)] == [
        ("transfer", D("300.00"))]


def test_a_move_is_undone_by_hand(seeded):
    """A move made by mistake: the biller undoes it. The payer owes the 300 again (denied,
    open); the client's 100 payment is now a credit of 100."""
    _moved_paid_and_appealed(seeded)
    [move] = entry.undoable(seeded, "C000101").itertuples()
    assert (move.kind, move.amount, move.remaining) == ("transfer", D("300.00"), D("300.00"))

    def undo(**kw):
        args = {"claim_id": "C000101", "kind": "transfer", "source_id": move.source_id,
                "undo_date": "2025-04-02", "reason": "moved by mistake", **kw}
        return entry.undo_move(seeded, entry.UndoIn(**args), "biller", as_of=LATER)

    for kw, message in [
            ({"undo_date": "2025-03-19"},
             "Date 2025-03-19 is before the move to the client itself (2025-03-20)"),
            ({"undo_date": "2025-07-01"}, "Date 2025-07-01 is in the future"),
            ({"reason": " "}, "Reason is missing"),
            ({"source_id": 99}, "There is no move to the client 99 on claim C000101"),
            ({"claim_id": "C000102"}, "There is no move to the client 1 on claim C000102")]:
        with pytest.raises(ValidationError) as e:
            undo(**kw)
        assert message in str(e.value)
    assert seeded.scalar("SELECT count(*) FROM balance_returns") == 0

    back = undo()
    assert (back.kind, back.amount, back.client_credit) == ("transfer", D("300.00"),
                                                             D("100.00"))
    assert _balances(seeded, "C000101") == (D("300.00"), D("-100.00"))
    assert seeded.scalar("SELECT denied_open FROM claim_facts WHERE claim_id = 'C000101'") \
        == D("300.00")
    assert seeded.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'balance_returns'") \
        == 1
    with pytest.raises(ValidationError) as e:
        undo()
    assert ("The move to the client 1 of $300.00 on claim C000101 is already undone"
            in str(e.value))


def test_a_closed_claim_is_paid_by_eob_and_reopened_by_an_undo(seeded):
    """A biller closes a claim once nothing is owed on it (its denial moved to the client).
    The payer's paper EOB on appeal still posts (it was refused: "only a submitted claim can
    be paid"), and an undone move reopens a closed claim at its status before it was closed
    (the denial lists see it again)."""
    _moved_paid_and_appealed(seeded)
    entry.move_claim_status(seeded, "C000101", "closed", "biller", on=dt.date(2025, 3, 26),
                            as_of=LATER)
    entry.post_eob(seeded, entry.EobIn(
        claim_id="C000101", payment_date="2025-04-15", paid="250",
        adjustments=[entry.AdjustmentIn("CO", "45", "50")]), "biller", as_of=LATER)
    assert _balances(seeded, "C000101") == (D("0.00"), D("-100.00"))
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000101'") == "paid"

    _post(seeded, MCR_DENIED, "mcr_denied.835")
    t = entry.move_to_client(seeded, entry.TransferIn("C000102", "120", "2025-04-01",
                                                      "client liable"), "biller", as_of=LATER)
    entry.move_claim_status(seeded, "C000102", "closed", "biller", on=dt.date(2025, 4, 2),
                            as_of=LATER)
    entry.undo_move(seeded, entry.UndoIn("C000102", "transfer", t, "2025-04-10",
                                         "moved by mistake"), "biller", as_of=LATER)
    assert seeded.scalar("SELECT status FROM claims WHERE claim_id = 'C000102'") == "denied"
    assert _balances(seeded, "C000102") == (D("120.00"), D("0.00"))
