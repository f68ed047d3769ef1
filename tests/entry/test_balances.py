"""The practice's own moves on a balance: write-offs, moving to the client, refunds, and the
batch write-off of small balances (on tests/ledger_practice.py; numbers worked by hand)."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from metdash import entry, figures
from metdash.errors import ValidationError
from metdash.figures import Filters
from metdash.store import Database
from tests import ledger_practice

AS_OF = dt.date(2025, 5, 31)
NOW = Filters(dt.date(2025, 4, 1), AS_OF, as_of=AS_OF)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("balances") / "t.duckdb"
    ledger_practice.build(Database(path)).release()
    return path


@pytest.fixture
def db(template, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(template, path)
    return Database(path)


def facts_of(db, claim_id):
    return db.query("SELECT insurance_balance, patient_balance, denied_open FROM claim_facts "
                    "WHERE claim_id = ?", [claim_id]).iloc[0].tolist()


def test_an_insurance_write_off_closes_a_denial(db):
    # L13 owes 5 (CO-97, denied): written off as an appeal lost, nothing is owed.
    entry.write_off(db, entry.WriteOffIn("insurance", "5.00", "appeal_lost", AS_OF, "L13"),
                    "bea", as_of=AS_OF)
    assert facts_of(db, "L13") == [Decimal("0.00"), Decimal("0.00"), Decimal("0.00")]
    rows = db.query("SELECT user_name, reason, amount FROM write_offs WHERE claim_id = 'L13'")
    assert rows.values.tolist() == [["bea", "appeal_lost", Decimal("5.00")]]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'write_offs'") == 1


def test_a_write_off_is_refused_with_every_reason(db):
    with pytest.raises(ValidationError) as err:
        entry.write_off(db, entry.WriteOffIn("insurance", "6.00", "courtesy", AS_OF, "L13"),
                        "bea", as_of=AS_OF)
    text = " ".join(err.value.problems)
    # courtesy is not an insurance reason; 6 is more than the 5 Acme owes on L13
    assert "Reason 'courtesy' cannot write off an insurance balance" in text
    assert "more than the payer owes ($5.00)" in text
    with pytest.raises(ValidationError, match="say why"):
        entry.write_off(db, entry.WriteOffIn("patient", "4.00", "courtesy", AS_OF, "L2"),
                        "bea", as_of=AS_OF)
    with pytest.raises(ValidationError, match="claim by claim"):
        entry.write_off(db, entry.WriteOffIn("insurance", "4.00", "small_balance", AS_OF),
                        "bea", as_of=AS_OF)
    assert db.scalar("SELECT count(*) FROM write_offs") == 1  # only the fixture's own


def test_a_clients_whole_balance_written_off(db):
    # Remy owes 125 (L5 75 + L8 100 - his unapplied 50): bad debt, after collection letters.
    entry.write_off(db, entry.WriteOffIn("patient", "125.00", "bad_debt", AS_OF,
                                         client_id="R", note="3 letters, no answer"),
                    "owner", as_of=AS_OF)
    owed = figures.patient_balances(db, NOW).set_index("client_id")
    assert "R" not in owed.index
    assert figures.kpis(db, NOW)["patient_ar_total"] == Decimal("14.00")  # Pat's 14 left


def test_moving_a_denial_to_the_client(db):
    # L10 (CO-16, 100 denied): moved to Pat -> insurance 0, patient 100; her balance 14 -> 114.
    entry.move_to_client(db, entry.TransferIn("L10", "100.00", AS_OF, "client asked to pay"),
                         "bea", as_of=AS_OF)
    assert facts_of(db, "L10") == [Decimal("0.00"), Decimal("100.00"), Decimal("0.00")]
    owed = figures.patient_balances(db, NOW).set_index("client_id")
    assert owed.loc["P", "balance"] == Decimal("114.00")
    with pytest.raises(ValidationError, match="more than the payer owes"):
        entry.move_to_client(db, entry.TransferIn("L10", "1.00", AS_OF, "again"), "bea",
                             as_of=AS_OF)


def test_refunding_a_credit(db):
    # Quinn's credit is 20: 25 is refused, 20 is recorded and he then owes nothing either way.
    with pytest.raises(ValidationError, match=r"more than the client's credit \(\$20.00\)"):
        entry.refund_credit(db, entry.RefundIn("Q", "25.00", AS_OF), "bea", as_of=AS_OF)
    entry.refund_credit(db, entry.RefundIn("Q", "20.00", AS_OF, "check", "1044"), "bea",
                        as_of=AS_OF)
    owed = figures.patient_balances(db, NOW).set_index("client_id")
    assert "Q" not in owed.index


def test_small_balances_preview_then_batch(db):
    # Patient balances under $15: Pat 14 only (Remy owes 125; Quinn has a credit).
    preview = entry.small_balances(db, "patient", "15.00")
    assert preview[["client_id", "amount"]].values.tolist() == [["P", Decimal("14.00")]]
    # Insurance balances under $25: L11 20 (the Gap Plan's share) and L13 5.
    ins = entry.small_balances(db, "insurance", "25.00")
    assert sorted(ins.claim_id) == ["L11", "L13"]
    # The preview is stale when the count changed: nothing written.
    with pytest.raises(ValidationError, match="changed since the preview"):
        entry.write_off_small_balances(db, "patient", "15.00", "bea", AS_OF, expected=2,
                                       as_of=AS_OF)
    with pytest.raises(ValidationError, match=r"\$13.00 then, \$14.00 now"):
        entry.write_off_small_balances(db, "patient", "15.00", "bea", AS_OF, expected=1,
                                       expected_total="13.00", as_of=AS_OF)
    batch, n, total = entry.write_off_small_balances(db, "patient", "15.00", "bea", AS_OF,
                                                     expected=1, expected_total="14.00",
                                                     as_of=AS_OF)
    assert (batch, n, total) == (1, 1, Decimal("14.00"))
    assert figures.kpis(db, NOW)["patient_ar_total"] == Decimal("125.00")  # Remy's
    by_reason = figures.write_offs_by_reason(db, NOW)
    assert by_reason[["reason", "side", "amount"]].values.tolist() == [
        ["timely_filing", "insurance", Decimal("100.00")],
        ["small_balance", "patient", Decimal("14.00")]]


def test_a_claim_with_money_owed_cannot_be_closed(db):
    # L1 still has its 100 denied: closing it is refused until it is paid, moved or written off.
    with db.transaction() as con:
        con.execute("UPDATE claims SET status = 'paid' WHERE claim_id = 'L1'")
        from metdash.store import facts
        facts.touch(con, ["L1"], status_only=True)
    with pytest.raises(ValidationError, match=r"still has \$100.00 owed by the payer"):
        entry.move_claim_status(db, "L1", "closed", "bea", on=AS_OF, as_of=AS_OF)


def test_a_second_appeal_waits_for_the_first(db):
    # L1 has appeal #1 pending (filed 04-25): a second is refused until its outcome is in.
    with pytest.raises(ValidationError, match="already has appeal #1 .level 1. waiting"):
        entry.file_appeal(db, entry.AppealIn("L1", AS_OF, "again", 2), "bea", as_of=AS_OF)


def test_the_appeal_window_counts_from_the_first_denial(db):
    # L13 was denied (CO-97) by the 04-29 remittance; Acme allows 60 days: filing on 07-10
    # (72 days after) warns that it is late.
    from metdash.entry.posting import validate_appeal

    with db.connect() as con:
        errors, warnings = validate_appeal(con, entry.AppealIn("L13", dt.date(2025, 7, 10),
                                                               "bundling wrong"),
                                           as_of=dt.date(2025, 7, 10))
    assert errors == []
    assert any("Filed 72 days after the denial" in w for w in warnings)


def test_a_copay_paid_ahead_is_not_a_credit_to_refund(db):
    # Quinn (credit 20) pays a 15 copay on a new claim the payer has not answered yet: it
    # waits for that claim's cost share -- his credit to refund stays 20, not 35.
    from metdash import worklists

    with db.transaction() as con:
        con.execute("INSERT INTO claims (claim_id, client_id, payer_id, referrer_id, "
                    "rendering_provider_id, status, diagnosis_codes, total_charge, "
                    "first_service_date, submitted_date, source) VALUES ('L20', 'Q', 1, 1, "
                    "1, 'submitted', ['M17.11'], 100, DATE '2025-05-20', DATE '2025-05-21', "
                    "'test')")
        con.execute("INSERT INTO claim_lines (claim_id, line_no, service_date, cpt, units, "
                    "charge, dx_pointers) VALUES ('L20', 1, DATE '2025-05-20', '97110', 1, "
                    "100, [1])")
    entry.record_patient_payment(db, entry.PatientPaymentIn("Q", AS_OF, "15.00", "card",
                                                            "L20"), "front", as_of=AS_OF)
    credits = worklists.credit_balances(db, AS_OF)
    assert credits[["client_id", "credit"]].values.tolist() == [["Q", Decimal("20.00")]]
    owed = figures.patient_balances(db, NOW).set_index("client_id")
    assert owed.loc["Q", "balance"] == Decimal("-20.00")
