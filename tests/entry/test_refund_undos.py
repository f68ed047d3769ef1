"""A refund undone (metdash.entry.refund_undos), to a client and to a payer, on
tests/ledger_practice.py. Numbers worked by hand, as a biller reads the books.

A client's refund. Quinn paid 30 on 2025-05-03 naming no claim, and the practice refunded him
10 on 05-25 (refund 1): he has a credit of 20 (his claims leave him nothing to pay: L3 paid
70 + CO-45 30, L13 no patient share, L9 written off, L4 reversed). The check was never sent;
the biller undoes the refund on 05-28:
- Quinn's credit is 30 again (balance -30), on What clients owe and on Credit balances to refund.
- Money posted: 05-25 .. 05-27 is -10 before and after (the refund stood then); 05-28 .. 05-31
  is +10 after (the undo: money back in the practice's hands), 0 before; May 25-31 nets 0.
  Nothing else was posted from 05-25 on.
- Quinn's ledger: 05-25 refund +10 (credit 30 -> 20), 05-28 refund_undone -10 (20 -> 30).
- He can then be refunded the 30.

A payer's refund. L14 (Remy, Acme, charge 100) was paid 56 twice (04-25, 05-09): the practice
owes Acme 56 back (insurance side -56). It mails a check for 56 on 06-02 (insurance side 0;
June's money posted -56; Acme's paid on April-May claims 373 -> 317). Acme returns the check
uncashed; the biller undoes the refund on 06-05:
- L14's insurance side is -56 again, its paid 112, and it is on Payers overpaid again (56).
- June's money posted: -56 + 56 = 0; 06-02 .. 06-04 is -56; Acme's paid is 373 again.
- The claim's ledger ends with 06-05 payer_payment (source payer_refund) +56, insurance -56.
- The refund is listed once among the refunds sent, undone on 06-05; a new refund of 56
  can be recorded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import entry, figures, worklists
from metdash.errors import ValidationError
from metdash.figures import Filters
from metdash.store import Database, facts
from tests import ledger_practice

MAY_31 = dt.date(2025, 5, 31)


def money_posted(db, start, end) -> Decimal:
    return figures.kpis(db, Filters(start, end))["payments"]


@pytest.fixture
def db(tmp_path):
    return ledger_practice.build(Database(tmp_path / "u.duckdb"))


def undo(kind="client", refund_id=1, on=dt.date(2025, 5, 28), reason="check never sent"):
    return entry.RefundUndoIn(kind, refund_id, on, reason)


def quinn(db, as_of=MAY_31) -> Decimal:
    owed = figures.patient_balances(db, Filters(dt.date(2025, 4, 1), as_of, as_of=as_of))
    return owed.set_index("client_id").loc["Q", "balance"]


def test_a_clients_refund_undone_gives_the_credit_back_on_its_day(db):
    assert quinn(db) == Decimal("-20.00")
    assert money_posted(db, dt.date(2025, 5, 25), dt.date(2025, 5, 31)) == Decimal("-10.00")
    assert entry.client_refunds(db, "Q")[["refund_id", "amount", "undone_on"]].values.tolist(
        ) == [[1, Decimal("10.00"), None]]

    rid = entry.undo_refund(db, undo(), "bea", as_of=MAY_31)

    assert quinn(db) == Decimal("-30.00")
    credits = worklists.credit_balances(db, MAY_31)
    assert credits[["client_id", "credit"]].values.tolist() == [["Q", Decimal("30.00")]]
    assert money_posted(db, dt.date(2025, 5, 25), dt.date(2025, 5, 27)) == Decimal("-10.00")
    assert money_posted(db, dt.date(2025, 5, 28), dt.date(2025, 5, 31)) == Decimal("10.00")
    assert money_posted(db, dt.date(2025, 5, 25), dt.date(2025, 5, 31)) == Decimal("0.00")
    ledger = figures.client_ledger(db, "Q")
    assert ledger[["entry_date", "kind", "patient", "balance"]].tail(2).values.tolist() == [
        [dt.date(2025, 5, 25), "refund", Decimal("10.00"), Decimal("-20.00")],
        [dt.date(2025, 5, 28), "refund_undone", Decimal("-10.00"), Decimal("-30.00")]]
    assert entry.client_refunds(db, "Q")[["refund_id", "undone_on", "undo_reason"]
                                         ].values.tolist() == [
        [1, dt.date(2025, 5, 28), "check never sent"]]
    row = db.query("SELECT amount, refund_date, reverses, note, user_name FROM patient_refunds "
                   "WHERE refund_id = ?", [rid]).iloc[0].tolist()
    assert row == [Decimal("-10.00"), dt.date(2025, 5, 28), 1, "check never sent", "bea"]
    audit = db.query("SELECT user_name, action, record_key FROM audit_log "
                     "WHERE table_name = 'patient_refunds'").values.tolist()
    assert audit == [["bea", "create", str(rid)]]
    # The credit can be refunded again, all of it.
    entry.refund_credit(db, entry.RefundIn("Q", "30.00", MAY_31, "check", "1045"), "bea",
                        as_of=MAY_31)
    assert "Q" not in set(figures.patient_balances(
        db, Filters(dt.date(2025, 4, 1), MAY_31, as_of=MAY_31)).client_id)
    with db.connect() as con:
        assert facts.check(con) == []


def test_a_refund_naming_a_claim_undone_puts_the_credit_back_on_that_claim(db):
    """Pat owes 14 by 05-27: L2's PR-2 14 less her 10 of 05-01, and L7's PR-2 10 (the Gap
    Plan's cost share). She pays 20 more on L2 on 05-28: L2's client side is 14 - 30 = -16
    and she has a credit of 30 - 24 = 6. The practice refunds the 6 on L2 on 05-29 (L2 -10,
    Pat 0), then finds it was never sent and undoes it on 05-30 (L2 -16, credit 6 again);
    money posted from 05-29 to 05-31 is -6 + 6 = 0."""
    entry.record_patient_payment(db, entry.PatientPaymentIn(
        "P", dt.date(2025, 5, 28), "20.00", "card", "L2"), "front", as_of=MAY_31)

    def pat():
        owed = figures.patient_balances(db, Filters(dt.date(2025, 4, 1), MAY_31,
                                                    as_of=MAY_31)).set_index("client_id")
        return owed.loc["P", "balance"] if "P" in owed.index else Decimal("0.00")

    def l2():
        return db.scalar("SELECT patient_balance FROM claim_facts WHERE claim_id = 'L2'")

    assert (pat(), l2()) == (Decimal("-6.00"), Decimal("-16.00"))
    rid = entry.refund_credit(db, entry.RefundIn("P", "6.00", dt.date(2025, 5, 29),
                                                 claim_id="L2"), "bea", as_of=MAY_31)
    assert (pat(), l2()) == (Decimal("0.00"), Decimal("-10.00"))
    entry.undo_refund(db, undo(refund_id=rid, on=dt.date(2025, 5, 30)), "bea", as_of=MAY_31)
    assert (pat(), l2()) == (Decimal("-6.00"), Decimal("-16.00"))
    assert money_posted(db, dt.date(2025, 5, 29), MAY_31) == Decimal("0.00")
    last = figures.claim_ledger(db, "L2").iloc[-1]
    assert (last.entry_date, last.kind, last.amount, last.patient) == (
        dt.date(2025, 5, 30), "refund", Decimal("-6.00"), Decimal("-6.00"))
    with db.connect() as con:
        assert facts.check(con) == []


def test_the_refunds_a_picker_offers_are_those_still_standing(db):
    entry.refund_credit(db, entry.RefundIn("Q", "5.00", MAY_31, "check", "1046"), "bea",
                        as_of=MAY_31)
    entry.undo_refund(db, undo(), "bea", as_of=MAY_31)
    assert entry.undo_choices(entry.client_refunds(db, "Q")) == {
        2: "$5.00 on May 31, 2025, check 1046"}  # refund 1 is undone


@pytest.mark.parametrize(("changes", "says"), [
    ({"on": dt.date(2025, 5, 24)}, "Undone on 2025-05-24 is before the refund itself "
                                   "(2025-05-25)"),
    ({"on": dt.date(2025, 6, 1)}, "Undone on 2025-06-01 is in the future"),
    ({"on": "soon"}, "Undone on 'soon' is not a date"),
    ({"reason": "  "}, "Reason is missing"),
    ({"refund_id": 7}, "Refund 7 is not a refund on file"),
    ({"refund_id": "x"}, "Refund 'x' is not a refund on file"),
    ({"kind": "provider"}, "Kind 'provider' must be client or payer"),
])
def test_an_undo_that_cannot_be_is_refused_and_nothing_is_written(db, changes, says):
    audit_rows = db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationError, match=says.replace("(", r"\(").replace(")", r"\)")):
        entry.undo_refund(db, undo(**changes), "bea", as_of=MAY_31)
    assert db.scalar("SELECT count(*) FROM patient_refunds") == 1
    assert db.scalar("SELECT count(*) FROM audit_log") == audit_rows
    assert quinn(db) == Decimal("-20.00")


def test_a_refund_is_undone_once_and_an_undo_is_not_a_refund(db):
    rid = entry.undo_refund(db, undo(), "bea", as_of=MAY_31)
    with pytest.raises(ValidationError, match=r"Refund 1 \(\$10.00 on 2025-05-25\) was "
                                              "already undone on 2025-05-28"):
        entry.undo_refund(db, undo(on=MAY_31), "bea", as_of=MAY_31)
    with pytest.raises(ValidationError, match=f"Refund {rid} is not a refund on file"):
        entry.undo_refund(db, undo(refund_id=rid), "bea", as_of=MAY_31)
    assert quinn(db) == Decimal("-30.00")


def test_the_store_refuses_an_undo_row_that_is_not_negative(db):
    """The table itself (migration 0024): a refund is positive, an undo negative."""
    import duckdb

    with pytest.raises(duckdb.ConstraintException), db.transaction() as con:
        con.execute("INSERT INTO patient_refunds (refund_id, client_id, refund_date, amount, "
                    "user_name, reverses) VALUES (9, 'Q', DATE '2025-05-28', 10, 'x', 1)")
    with pytest.raises(duckdb.ConstraintException), db.transaction() as con:
        con.execute("INSERT INTO patient_refunds (refund_id, client_id, refund_date, amount, "
                    "user_name) VALUES (9, 'Q', DATE '2025-05-28', -10, 'x')")


# -- a refund to a payer -------------------------------------------------------------------
JUNE_30 = dt.date(2025, 6, 30)
APRIL_MAY = Filters(dt.date(2025, 4, 1), dt.date(2025, 5, 31), as_of=JUNE_30)


@pytest.fixture
def overpaid(db):
    with db.transaction() as con:
        con.execute(ledger_practice.DUPLICATE_PAYMENT)
    return db


def l14(db):
    return db.query("SELECT insurance_balance, patient_balance, paid FROM claim_facts "
                    "WHERE claim_id = 'L14'").iloc[0].tolist()


def acme_paid(db) -> Decimal:
    rev = figures.revenue_by_payer(db, APRIL_MAY)
    return rev.loc[rev.payer == "Acme Health", "paid"].iloc[0]


def test_a_payers_refund_undone_leaves_the_claim_overpaid_again(overpaid):
    db = overpaid
    rid = entry.refund_payer(db, entry.PayerRefundIn(
        "L14", 1, "56.00", dt.date(2025, 6, 2), "check", "1042"), "bea", as_of=JUNE_30)
    assert l14(db) == [Decimal("0.00"), Decimal("14.00"), Decimal("56.00")]
    assert acme_paid(db) == Decimal("317.00")
    assert worklists.payers_overpaid(db, JUNE_30).empty

    entry.undo_refund(db, undo("payer", rid, dt.date(2025, 6, 5), "check returned uncashed"),
                      "bea", as_of=JUNE_30)

    assert l14(db) == [Decimal("-56.00"), Decimal("14.00"), Decimal("112.00")]
    assert acme_paid(db) == Decimal("373.00")
    over = worklists.payers_overpaid(db, JUNE_30)
    assert over[["claim_id", "overpaid"]].values.tolist() == [["L14", Decimal("56.00")]]
    assert money_posted(db, dt.date(2025, 6, 1), JUNE_30) == Decimal("0.00")
    assert money_posted(db, dt.date(2025, 6, 2), dt.date(2025, 6, 4)) == Decimal("-56.00")
    last = figures.claim_ledger(db, "L14").iloc[-1]
    assert (last.entry_date, last.kind, last.source, last.amount, last.insurance) == (
        dt.date(2025, 6, 5), "payer_payment", "payer_refund", Decimal("56.00"),
        Decimal("-56.00"))
    sent = entry.refunds_sent(db)
    assert sent[["refund_id", "amount", "undone_on"]].values.tolist() == [
        [rid, Decimal("56.00"), dt.date(2025, 6, 5)]]
    # Acme is owed its 56 again, and a new refund of it can be recorded.
    entry.refund_payer(db, entry.PayerRefundIn(
        "L14", 1, "56.00", dt.date(2025, 6, 9), "eft", "EFT-77"), "bea", as_of=JUNE_30)
    assert l14(db)[0] == Decimal("0.00")
    with db.connect() as con:
        assert facts.check(con) == []
