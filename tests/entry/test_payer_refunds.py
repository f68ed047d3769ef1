"""A refund the practice sends a payer that overpaid a claim (metdash.entry.payer_refunds), on
tests/ledger_practice.py with its duplicate payment (DUPLICATE_PAYMENT, claim L14). Numbers
worked by hand, as a biller reads the books:

L14, Remy Reed, Acme Health, 97110 on 2025-04-18, charge 100. Acme paid 56 on 04-25
(CO-45 30, PR-2 14) and the same 56 again on 05-09 (a second CLP, no reversal): Acme's money on
the claim is 112 where 56 was owed, so the practice owes Acme 56 back (insurance side
100 - 112 - 30 - 14 = -56). Remy owes his 14 either way.

The practice mails Acme a check for the 56 on 2025-06-02:
- L14's insurance side: -56 + 56 = 0; what the payers paid on it, net: 112 - 56 = 56;
  Remy's side stays 14.
- Payments posted in June 2025: -56 (money that left the practice; nothing else moved in June).
- Revenue by payer, claims of 2025-04-01 .. 2025-05-31, Acme's paid: L2 56 + L3 70 +
  L12 (100 - 40 taken back) 60 + L13 (45 + 30) 75 + L14 112 = 373 before; 373 - 56 = 317 after.
- Payers overpaid: L14 is gone. Payments taken back: nothing (Acme's current adjudication
  pays 56 and Acme kept 56).
- If Acme then also takes the 56 back from a later payment (a PLB WO naming L14, 06-06), it
  has had it twice: L14's insurance side is +56 again, and Payments taken back lists L14
  (56 taken back, 56 owed again) so the biller asks Acme for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import entry, figures, statements, worklists
from metdash.errors import ValidationError
from metdash.figures import Filters
from metdash.store import Database, facts
from tests import ledger_practice

JUNE = Filters(dt.date(2025, 6, 1), dt.date(2025, 6, 30))
PERIOD = Filters(dt.date(2025, 4, 1), dt.date(2025, 5, 31), as_of=dt.date(2025, 6, 30))
AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def db(tmp_path):
    db = ledger_practice.build(Database(tmp_path / "r.duckdb"))
    with db.transaction() as con:
        con.execute(ledger_practice.DUPLICATE_PAYMENT)
    return db


def refund(**changes) -> entry.PayerRefundIn:
    values = {"claim_id": "L14", "payer_id": 1, "amount": "56.00",
              "refund_date": dt.date(2025, 6, 2), "method": "check", "reference": "1042",
              "note": "Acme's overpayment letter of 05-28"}
    return entry.PayerRefundIn(**{**values, **changes})


def sides(db, claim_id="L14"):
    return db.query("SELECT insurance_balance, patient_balance, paid FROM claim_facts "
                    "WHERE claim_id = ?", [claim_id]).iloc[0].tolist()


def acme_paid(db) -> Decimal:
    rev = figures.revenue_by_payer(db, PERIOD)
    return rev.loc[rev.payer == "Acme Health", "paid"].iloc[0]


def test_the_overpaid_claim_and_what_the_payer_may_get_back(db):
    over = worklists.payers_overpaid(db, AS_OF)
    assert over[["claim_id", "client_id", "overpaid"]].values.tolist() == [
        ["L14", "R", Decimal("56.00")]]
    paid = entry.payers_paid(db, "L14")
    assert paid[["payer_id", "payer", "paid", "last_paid"]].values.tolist() == [
        [1, "Acme Health", Decimal("112.00"), dt.date(2025, 5, 9)]]


def test_a_refund_of_the_whole_overpayment(db):
    assert sides(db) == [Decimal("-56.00"), Decimal("14.00"), Decimal("112.00")]
    assert acme_paid(db) == Decimal("373.00")
    statement_before = statements.statement(db, "R", AS_OF)
    rid = entry.refund_payer(db, refund(), "biller", as_of=AS_OF)
    assert sides(db) == [Decimal("0.00"), Decimal("14.00"), Decimal("56.00")]
    assert figures.kpis(db, JUNE)["payments"] == Decimal("-56.00")
    assert acme_paid(db) == Decimal("317.00")
    assert worklists.payers_overpaid(db, AS_OF).empty
    assert "L14" not in set(worklists.payments_taken_back(db, AS_OF).claim_id)
    # Remy's statement is what it was: the refund is between the practice and Acme.
    after = statements.statement(db, "R", AS_OF)
    assert after.total_due == statement_before.total_due == Decimal("139.00")
    row = db.query("SELECT claim_id, payer_id, amount, refund_date, method, reference, "
                   "remittance_id, user_name FROM payer_refunds WHERE refund_id = ?",
                   [rid]).iloc[0].tolist()
    assert row == ["L14", 1, Decimal("56.00"), dt.date(2025, 6, 2), "check", "1042", 11,
                   "biller"]
    audit = db.query("SELECT user_name, action, table_name, record_key FROM audit_log "
                     "WHERE table_name = 'payer_refunds'").values.tolist()
    assert audit == [["biller", "create", "payer_refunds", str(rid)]]
    # The claim's ledger says what happened, on the refund's day.
    ledger = figures.claim_ledger(db, "L14")
    last = ledger.iloc[-1]
    assert (last.entry_date, last.kind, last.source, last.amount, last.insurance) == (
        dt.date(2025, 6, 2), "payer_payment", "payer_refund", Decimal("-56.00"),
        Decimal("56.00"))
    with db.connect() as con:
        assert facts.check(con) == []


def test_two_partial_refunds_then_nothing_is_left(db):
    entry.refund_payer(db, refund(amount="20.00"), "biller", as_of=AS_OF)
    assert sides(db)[0] == Decimal("-36.00")
    assert worklists.payers_overpaid(db, AS_OF).overpaid.tolist() == [Decimal("36.00")]
    entry.refund_payer(db, refund(amount="36", reference="1043"), "biller", as_of=AS_OF)
    assert sides(db)[0] == Decimal("0.00")
    assert worklists.payers_overpaid(db, AS_OF).empty
    with pytest.raises(ValidationError, match="L14 is not overpaid"):
        entry.refund_payer(db, refund(amount="1.00", reference="1044"), "biller", as_of=AS_OF)


def test_the_payer_taking_it_back_as_well_owes_it_again(db):
    entry.refund_payer(db, refund(), "biller", as_of=AS_OF)
    with db.transaction() as con:
        con.execute(ledger_practice.DUPLICATE_TAKEN_BACK)
        facts.touch(con, ["L14"])  # as the 835 import does for a recoupment naming a claim
    assert sides(db)[0] == Decimal("56.00")
    back = worklists.payments_taken_back(db, AS_OF)
    row = back[back.claim_id == "L14"].iloc[0]
    assert (row.taken_back, row.insurance_owes) == (Decimal("56.00"), Decimal("56.00"))


@pytest.mark.parametrize(("changes", "says"), [
    ({"amount": "60.00"}, "Amount $60.00 is more than Acme Health overpaid on claim L14 "
                          "($56.00)"),
    ({"amount": "0"}, "must be more than $0.00"),
    ({"amount": "abc"}, "Amount 'abc' is not an amount"),
    ({"reference": " "}, "Check or EFT number is missing"),
    ({"method": "cash"}, "Method 'cash' must be one of check, eft"),
    ({"refund_date": dt.date(2025, 5, 1)}, "before Acme Health's last payment on claim L14 "
                                           "(May 09, 2025)"),
    ({"refund_date": dt.date(2025, 7, 1)}, "in the future"),
    ({"payer_id": 2}, "Medicare has paid nothing on claim L14"),
    ({"claim_id": "L2"}, "L2 is not overpaid"),
    ({"claim_id": "L99"}, "Claim 'L99' is not on file"),
])
def test_a_refund_that_cannot_be_is_refused_and_nothing_is_written(db, changes, says):
    audit_rows = db.scalar("SELECT count(*) FROM audit_log")
    with pytest.raises(ValidationError, match=says.replace("(", r"\(").replace(")", r"\)")
                       .replace("$", r"\$")):
        entry.refund_payer(db, refund(**changes), "biller", as_of=AS_OF)
    assert db.scalar("SELECT count(*) FROM payer_refunds") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == audit_rows
    assert sides(db)[0] == Decimal("-56.00")


def test_a_voided_claim_takes_no_refund(db):
    with db.transaction() as con:
        con.execute("UPDATE claims SET status = 'voided' WHERE claim_id = 'L14'")
        facts.touch(con, ["L14"])
    with pytest.raises(ValidationError, match="L14 is voided"):
        entry.refund_payer(db, refund(), "biller", as_of=AS_OF)
