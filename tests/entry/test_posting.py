"""Posting: paper EOBs (per claim, per line, a denial), appeals, patient payments."""

from decimal import Decimal

import pytest

from metdash import entry as e
from metdash.errors import ValidationError
from tests.entry.helpers import count, hand_claim, submitted_claim
from tests.entry_seed import AS_OF, USER

A = e.AdjustmentIn


def test_eob_per_claim_balances_and_pays(db):
    cid = submitted_claim(db)    # charge 122.00
    bad = e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="80.00",
                  adjustments=[A("CO", "45", "30.00"), A("PR", "2", "10.00")],
                  patient_responsibility="15.00")
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, bad, USER, as_of=AS_OF)
    msgs = "\n".join(exc.value.problems)
    assert "minus adjustments $40.00 = $82.00, but paid is $80.00" in msgs
    assert "Patient responsibility $15.00 differs" in msgs
    assert count(db, "remittances") == 0
    good = e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="80.00", trace_number="CHK1",
                   adjustments=[A("CO", "45", "32.00"), A("PR", "2", "10.00")])
    rid = e.post_eob(db, good, USER, as_of=AS_OF)
    r = db.query("SELECT * FROM remittances").iloc[0]
    assert (r.remittance_id, r.source, r.amount, r.payer_key, r.trace_number) == (
        rid, "manual", Decimal("80.00"), "Acme Health", "CHK1")
    cp = db.query("SELECT * FROM claim_payments").iloc[0]
    assert (cp.claim_id, cp.status_code, cp.charge, cp.paid, cp.patient_responsibility) == (
        cid, "1", Decimal("122.00"), Decimal("80.00"), Decimal("10.00"))
    adj = db.query("SELECT group_code, carc, amount, line_payment_id FROM adjustments "
                   "ORDER BY adjustment_id")
    assert list(adj.carc) == ["45", "2"] and adj.line_payment_id.isna().all()
    assert db.scalar("SELECT status FROM claims") == "paid"
    # The same check number again is refused.
    with pytest.raises(ValidationError):
        e.post_eob(db, good, USER, as_of=AS_OF)


def test_eob_per_line_partial_denial(db):
    cid = submitted_claim(db)
    eob = e.EobIn(claim_id=cid, payment_date="2025-06-25", lines=[
        e.LinePostingIn(1, "60.00", [A("CO", "45", "20.00")]),
        e.LinePostingIn(2, "0", [A("CO", "50", "42.00")]),
    ])
    e.post_eob(db, eob, USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims") == "partially_paid"
    lp = db.query("SELECT line_no, cpt, charge, paid FROM line_payments ORDER BY line_no")
    assert list(lp.paid) == [Decimal("60.00"), Decimal("0.00")]
    assert db.scalar("SELECT count(*) FROM adjustments WHERE line_payment_id IS NOT NULL") == 2
    assert db.scalar("SELECT paid FROM claim_payments") == Decimal("60.00")


def test_an_eob_for_some_of_the_claims_lines_leaves_the_rest_owed(db):
    # A paper EOB that answers line 1 only (97110 x2, $80.00: paid 60, CO-45 20) of the
    # $122.00 claim: the payer answered for $80.00; line 2 (97112, $42.00) is still owed by
    # it. Insurance A/R (DOMAIN.md): 122 - 60 - 20 = 42. Partially paid, not a first-pass
    # resolution (not paid in full on its first adjudication), and the biller is told which
    # line is left. It used to be refused: the EOB had to balance against the whole $122.
    cid = submitted_claim(db)
    short = e.EobIn(claim_id=cid, payment_date="2025-06-25", trace_number="CHK7", lines=[
        e.LinePostingIn(1, "70.00", [A("CO", "45", "20.00")])])
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, short, USER, as_of=AS_OF)
    assert ("Balance: charge $80.00 (the lines on the EOB) minus adjustments $20.00 = $60.00, "
            "but paid is $70.00") in "\n".join(exc.value.problems)
    eob = e.EobIn(claim_id=cid, payment_date="2025-06-25", trace_number="CHK7", lines=[
        e.LinePostingIn(1, "60.00", [A("CO", "45", "20.00")])])
    rid = e.post_eob(db, eob, USER, as_of=AS_OF)
    got = db.query("SELECT c.status, f.insurance_balance, f.resolved, cp.charge, cp.paid "
                   "FROM claims c JOIN claim_facts f USING (claim_id) "
                   "JOIN claim_payments cp USING (claim_id) WHERE claim_id = ?", [cid]).iloc[0]
    assert tuple(got) == ("partially_paid", Decimal("42.00"), False, Decimal("80.00"),
                          Decimal("60.00"))
    assert db.scalar("SELECT note FROM claim_status_history WHERE claim_id = ? "
                     "ORDER BY seq DESC LIMIT 1", [cid]) == (
        "EOB CHK7 posted by hand; the payer answered for $80.00 of the $122.00 billed")
    assert e.answered_in_part(db, rid, cid) == (
        "The EOB answers $80.00 of the $122.00 billed: line 2 (97112, Jun 10, 2025) is not on "
        "it. Insurance still owes the $42.00 not answered: if the payer sends no EOB for it, "
        "ask the payer about it (Work lists, Claims unpaid past the usual lag).")


def test_the_rest_of_a_split_claim_posted_on_a_second_eob_settles_it(db):
    # Line 1 on one EOB (paid 60, CO-45 20), line 2 on the next (paid 30, CO-45 12): both
    # answers stand (they answer different lines), so the claim is settled: 122 - 90 - 32 = 0,
    # paid, and the second EOB leaves nothing unanswered. Not a first-pass resolution: the
    # first answer left $42 open.
    cid = submitted_claim(db)
    e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-25", trace_number="CHK7",
                           lines=[e.LinePostingIn(1, "60.00", [A("CO", "45", "20.00")])]),
               USER, as_of=AS_OF)
    rid = e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-28", trace_number="CHK8",
                                 lines=[e.LinePostingIn(2, "30.00", [A("CO", "45", "12.00")])]),
                     USER, as_of=AS_OF)
    got = db.query("SELECT c.status, f.insurance_balance, f.paid, f.contractual, f.resolved "
                   "FROM claims c JOIN claim_facts f USING (claim_id) WHERE claim_id = ?",
                   [cid]).iloc[0]
    assert tuple(got) == ("paid", Decimal("0.00"), Decimal("90.00"), Decimal("32.00"), False)
    assert e.answered_in_part(db, rid, cid) is None   # line 1 is on the first EOB


def test_the_rest_of_a_split_claim_denied_on_a_second_eob_is_partially_paid(db):
    # Line 1 on one EOB (paid 60, CO-45 20), line 2 denied on the next (CO-50 42, not
    # medically necessary): the payer's whole answer paid 60 and denied 42, so the claim is
    # partially paid (it read "denied": the second EOB alone pays nothing), with $42 owed and
    # denied: 122 - 60 - 20 = 42.
    cid = submitted_claim(db)
    e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-25", trace_number="CHK7",
                           lines=[e.LinePostingIn(1, "60.00", [A("CO", "45", "20.00")])]),
               USER, as_of=AS_OF)
    e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-28", trace_number="CHK8",
                           lines=[e.LinePostingIn(2, "0", [A("CO", "50", "42.00")])]),
               USER, as_of=AS_OF)
    got = db.query("SELECT c.status, f.insurance_balance, f.denied_open FROM claims c "
                   "JOIN claim_facts f USING (claim_id) WHERE claim_id = ?", [cid]).iloc[0]
    assert tuple(got) == ("partially_paid", Decimal("42.00"), Decimal("42.00"))


def test_an_eob_for_every_line_says_nothing_of_a_part(db):
    cid = submitted_claim(db)
    rid = e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-25", lines=[
        e.LinePostingIn(1, "60.00", [A("CO", "45", "20.00")]),
        e.LinePostingIn(2, "30.00", [A("CO", "45", "12.00")])]), USER, as_of=AS_OF)
    assert e.answered_in_part(db, rid, cid) is None
    assert db.scalar("SELECT status FROM claims") == "paid"
    # Paid in full on its first adjudication: 90 = 122 - 32 contractual (DOMAIN.md).
    assert db.scalar("SELECT resolved FROM claim_facts WHERE claim_id = ?", [cid]) is True


def test_eob_denial_and_appeal(db):
    cid = submitted_claim(db)
    e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="0",
                           adjustments=[A("CO", "4", "122.00")]), USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims") == "denied"
    # Posted by hand it is a processed claim (CLP02 1); the CO-4 makes it a denial (issue 15:
    # storing CLP02 4 for a paper EOB counted every hand-posted zero as a payer's "4").
    assert db.scalar("SELECT status_code FROM claim_payments") == "1"
    assert db.scalar("SELECT denied FROM claim_facts") is True
    with pytest.raises(ValidationError) as exc:
        e.file_appeal(db, e.AppealIn(claim_id=cid, filed_date="2025-06-20", reason=" "), USER,
                      as_of=AS_OF)
    assert len(exc.value.problems) == 2
    aid = e.file_appeal(db, e.AppealIn(claim_id=cid, filed_date="2025-06-28",
                                       reason="GP modifier added"), USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims") == "appealed"
    e.record_appeal_outcome(db, aid, "overturned", "2025-06-29", USER, as_of=AS_OF)
    assert db.scalar("SELECT outcome FROM appeals") == "overturned"


def test_patient_payment(db):
    with pytest.raises(ValidationError) as exc:
        e.record_patient_payment(db, e.PatientPaymentIn(client_id="C001", payment_date="2025-06-01",
                                                        amount="0", method="bitcoin"), USER,
                                 as_of=AS_OF)
    assert len(exc.value.problems) == 2
    e.record_patient_payment(db, e.PatientPaymentIn(client_id="C001", payment_date="2025-06-01",
                                                    amount="$1,200.00"), USER, as_of=AS_OF)
    assert db.scalar("SELECT amount FROM patient_payments") == Decimal("1200.00")


def test_a_patient_payment_toward_a_claim_is_the_claims_clients(db):
    """Found by a new-user trial: with only "Toward claim" chosen, every try said "Client ''
    is not on file" and "Claim ... is not one of this client's claims" (no client at all);
    an empty amount asked for "0.00 when none", which the next message refused."""
    cid = submitted_claim(db)
    client = db.scalar("SELECT client_id FROM claims WHERE claim_id = ?", [cid])
    with pytest.raises(ValidationError) as exc:
        e.record_patient_payment(db, e.PatientPaymentIn("", "2025-06-01", ""), USER,
                                 as_of=AS_OF)
    assert exc.value.problems == [
        "No client is chosen: choose the client, or the claim the payment is toward.",
        "Amount is missing: enter what the client paid."]
    pid = e.record_patient_payment(db, e.PatientPaymentIn("", "2025-06-01", "15.00",
                                                          claim_id=cid), USER, as_of=AS_OF)
    assert db.query("SELECT client_id, claim_id FROM patient_payments WHERE "
                    "patient_payment_id = ?", [pid]).values.tolist() == [[client, cid]]
    other = db.scalar("SELECT client_id FROM clients WHERE client_id <> ? LIMIT 1", [client])
    with pytest.raises(ValidationError, match=f"Claim {cid} is not one of client {other}'s"):
        e.record_patient_payment(db, e.PatientPaymentIn(other, "2025-06-01", "5", claim_id=cid),
                                 USER, as_of=AS_OF)


def test_the_same_eob_typed_twice_without_a_check_number_is_refused(db):
    # A biller posts a paper EOB with no check number (a zero-pay or a virtual card), then,
    # unsure it saved, types it again: the second is the same claim, payment date, paid
    # amount and adjustments, and is refused with where the first one is. Nothing changes.
    cid = submitted_claim(db)    # charge 122.00
    eob = e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="80.00",
                  adjustments=[A("CO", "45", "32.00"), A("PR", "2", "10.00")])
    rid = e.post_eob(db, eob, USER, as_of=AS_OF)
    before = (count(db, "remittances"), count(db, "claim_payments"), count(db, "adjustments"))
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, eob, USER, as_of=AS_OF)
    msg = "\n".join(exc.value.problems)
    assert f"already posted (payment {rid}" in msg and "2025-06-25" in msg, msg
    assert "check / EFT number" in msg
    assert (count(db, "remittances"), count(db, "claim_payments"),
            count(db, "adjustments")) == before
    # A different EOB for the claim on the same day (other amounts) is not a repeat, but
    # it would take the claim below zero: the payments add up (80.00 + 90.00 received) while
    # the later adjudication's adjustments replace the earlier ones (DOMAIN.md, "One claim,
    # several remittances"): 122.00 − 170.00 − 22.00 CO-45 − 10.00 PR-2 = −80.00. Refused,
    # as an 835 doing the same is, and nothing is written.
    other = e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="90.00",
                    adjustments=[A("CO", "45", "22.00"), A("PR", "2", "10.00")])
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, other, USER, as_of=AS_OF)
    msg = "\n".join(exc.value.problems)
    assert f"Claim {cid} would owe -$80.00 after this EOB (it owes $0.00 now)" in msg, msg
    assert (count(db, "remittances"), count(db, "claim_payments"),
            count(db, "adjustments")) == before
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = ?",
                     [cid]) == Decimal("0.00")


def test_an_older_eob_posted_later_does_not_move_the_status(db):
    """As an 835 (tests/x12/test_import_order.py): the payer's 06-25 payment is posted, then
    its 06-10 denial of the same claim, found in the mail. By hand the books read the latest
    adjudication (06-25: paid 80, CO-45 32, PR-2 10, so insurance A/R 122 − 80 − 32 − 10 =
    0) and the claim stays paid; its first adjudication is the denial."""
    cid = submitted_claim(db)
    e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="80.00",
                           trace_number="CHK2",
                           adjustments=[A("CO", "45", "32.00"), A("PR", "2", "10.00")]),
               USER, as_of=AS_OF)
    e.post_eob(db, e.EobIn(claim_id=cid, payment_date="2025-06-10", paid="0",
                           trace_number="CHK1", adjustments=[A("CO", "50", "122.00")]),
               USER, as_of=AS_OF)
    assert db.scalar("SELECT status FROM claims") == "paid"
    row = db.query("SELECT insurance_balance, first_adjudication_date::VARCHAR AS d, denied "
                   "FROM claim_facts").iloc[0]
    assert (row.insurance_balance, row.d, bool(row.denied)) == (Decimal("0.00"), "2025-06-10",
                                                                 True)


def test_a_negative_eob_payment_is_refused_for_what_it_is(db):
    """Found by a new-user trial: paid -50 was told to "add the missing adjustment"."""
    cid = submitted_claim(db)    # charge 122.00
    neg = e.EobIn(claim_id=cid, payment_date="2025-06-25", paid="-50.00",
                  adjustments=[A("CO", "45", "172.00")])
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, neg, USER, as_of=AS_OF)
    assert exc.value.problems == [
        "Paid -$50.00 is negative: an EOB posted here pays money. A payer takes money back by "
        "a reversal (CLP02 22) or a recoupment (PLB) on its 835: import that 835 "
        "(Remittances), or ask the payer for it."]
    assert count(db, "remittances") == 0


def test_allowed_per_unit_says_why_a_claim_level_eob_has_no_bar(db):
    """A paper EOB posted for the whole claim pays it ($80) but says nothing of what 97110
    and 97112 were each allowed: the payer's "Allowed per unit by code" chart says so, and
    how to get the bars, instead of "Nothing in this range" beside a paid claim. Posted line
    by line, the lines are there: 97110 2 units paid 60 (allowed 60, CO-45 20 off 80)."""
    import datetime as dt

    from metdash import scorecard_charts
    from metdash.figures import Filters
    from metdash.figures.scorecard import payer_scorecard

    period = Filters(date_from=dt.date(2025, 6, 1), date_to=dt.date(2025, 6, 30),
                     as_of=AS_OF)
    whole = submitted_claim(db)
    e.post_eob(db, e.EobIn(claim_id=whole, payment_date="2025-06-25", paid="80.00",
                           adjustments=[A("CO", "45", "42.00")]), USER, as_of=AS_OF)
    card = payer_scorecard(db, period, "Acme Health")
    assert card.figures["paid"] == pytest.approx(80)
    assert card.by_code.empty
    note = scorecard_charts.allowed_per_unit_bar(card.by_code).layout.annotations[0].text
    assert note.startswith("No line paid in this range") and "whole claim" in note
    by_line = submitted_claim(db, hand_claim(claim_id="C2", lines=[
        e.ClaimLineIn("2025-06-11", "97110", 2, "80.00", [], [1])]))
    e.post_eob(db, e.EobIn(claim_id=by_line, payment_date="2025-06-26", lines=[
        e.LinePostingIn(1, "60.00", [A("CO", "45", "20.00")])]), USER, as_of=AS_OF)
    card = payer_scorecard(db, period, "Acme Health")
    assert card.by_code[["cpt", "units", "allowed_per_unit"]].values.tolist() == [
        ["97110", 2, 30.0]]


def test_one_paper_check_pays_several_claims(db):
    """A paper EOB is one check for several claims: each claim is posted on its own, with the
    check's number, onto one payment (before, the second claim was refused: "post its other
    claims with a suffix", 4471-2, a check the bank never saw). By hand: claim H1 (charge
    122.00) paid 80.00, CO-45 32.00, PR-2 10.00; claim H2 (charge 80.00) paid 50.00, CO-45
    20.00, PR-2 10.00: check 4471 of 2025-06-25 is 80.00 + 50.00 = 130.00, the deposit."""
    from metdash.x12.reconcile import deposit_reconciliation

    h1 = submitted_claim(db)
    h2 = submitted_claim(db, hand_claim(claim_id="H2", lines=[
        e.ClaimLineIn("2025-06-11", "97110", 2, "80.00", [], [1])]))
    rid = e.post_eob(db, e.EobIn(claim_id=h1, payment_date="2025-06-25", paid="80.00",
                                 adjustments=[A("CO", "45", "32.00"), A("PR", "2", "10.00")],
                                 trace_number="4471"), USER, as_of=AS_OF)
    second = e.EobIn(claim_id=h2, payment_date="2025-06-25", paid="50.00",
                     adjustments=[A("CO", "45", "20.00"), A("PR", "2", "10.00")],
                     trace_number=" 4471 ")
    assert e.post_eob(db, second, USER, as_of=AS_OF) == rid
    assert count(db, "remittances") == 1
    assert db.query("SELECT claim_id, seq, paid FROM claim_payments WHERE remittance_id = ? "
                    "ORDER BY seq", [rid]).values.tolist() == [
        [h1, 1, Decimal("80.00")], [h2, 2, Decimal("50.00")]]
    row = deposit_reconciliation(db, [rid]).iloc[0]
    assert (row.trace, row.deposit, row.claim_payments, row.difference) == (
        "4471", Decimal("130.00"), Decimal("130.00"), Decimal("0.00"))
    assert db.query("SELECT status FROM claims WHERE claim_id IN ('H1', 'H2') ORDER BY 1"
                    ).status.tolist() == ["paid", "paid"]
    # The same claim on the same check again: typed twice; nothing is posted.
    before = (count(db, "claim_payments"), db.scalar("SELECT amount FROM remittances"))
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, second, USER, as_of=AS_OF)
    assert exc.value.problems == [
        "Claim H2 is already posted on check / EFT 4471 from Acme Health (payment "
        f"{rid}, 2025-06-25): nothing was posted again. Check it was not entered twice."]
    # The check's number with another date: another payment, or a typo.
    with pytest.raises(ValidationError) as exc:
        e.post_eob(db, e.EobIn(claim_id=h2, payment_date="2025-06-26", paid="50.00",
                               adjustments=[A("CO", "45", "20.00"), A("PR", "2", "10.00")],
                               trace_number="4471"), USER, as_of=AS_OF)
    assert exc.value.problems == [
        "Check / EFT 4471 from Acme Health is already posted as paid on 2025-06-25 (payment "
        f"{rid}): one check has one date. Check the number and the date on the EOB."]
    assert (count(db, "claim_payments"), db.scalar("SELECT amount FROM remittances")) == before
