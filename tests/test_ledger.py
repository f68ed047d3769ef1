"""The ledger against numbers worked out by hand: each case of issue 15's "Why" list.

The practice is tests/ledger_practice.py (its table says what happened to each claim). The
arithmetic is in the comments, read from DOMAIN.md as a biller reads their books: insurance
A/R = charge − payer payments − contractual − cost share moved to the client − COB moved to
another payer − transfers to the client − insurance write-offs, a denied amount staying owed;
patient A/R = cost share and transfers to the client − patient payments − patient write-offs
(+ refunds of a credit). None of the expected numbers comes from running metdash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from metdash import figures
from metdash.figures import Filters
from metdash.store import Database, facts
from tests import ledger_practice

D = dt.date
PERIOD = Filters(date_from=D(2025, 4, 1), date_to=D(2025, 5, 31), as_of=D(2025, 5, 31))


def money(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Database:
    return ledger_practice.build(Database(tmp_path_factory.mktemp("ledger") / "l.duckdb"))


def claim(db: Database, claim_id: str) -> dict:
    row = db.query("SELECT * FROM claim_facts WHERE claim_id = ?", [claim_id])
    return row.iloc[0].to_dict()


def balances(db: Database, claim_id: str) -> tuple[Decimal, Decimal, Decimal]:
    c = claim(db, claim_id)
    return (c["insurance_balance"], c["patient_balance"], c["denied_open"])


def test_the_facts_match_their_definition(db):
    with db.connect() as con:
        assert facts.check(con) == []


# -- the "Why" list, case by case -----------------------------------------------------------
def test_a_whole_charge_denial_stays_in_ar_while_appealed(db):
    # L1: charge 100, CO-50 100 paid 0. A denial is still owed: insurance 100, all of it
    # denied; the client owes nothing. Served 04-01: 60 days old on 05-31 (31-60).
    assert balances(db, "L1") == (money("100.00"), money("0.00"), money("100.00"))
    assert claim(db, "L1")["denied"]
    aged = figures.oldest_open_claims(db, PERIOD).set_index("claim_id")
    assert aged.loc["L1", "bucket"] == "31-60"
    assert aged.loc["L1", "balance"] == money("100.00")


def test_cost_share_moves_to_the_client_and_a_payment_reduces_it(db):
    # L2: 100 - 56 paid - 30 CO-45 - 14 PR-2 = 0 owed by Acme; PR-2 14 moved to Pat, who paid
    # 10 on this claim: she owes 4.
    assert balances(db, "L2") == (money("0.00"), money("4.00"), money("0.00"))
    assert not claim(db, "L2")["denied"]


def test_an_appeal_paid_by_a_new_clp_replaces_the_denial(db):
    # L3: 04-20 CO-50 100 (denied); 05-10 a new CLP pays 70, CO-45 30, with no reversal. The
    # new adjudication replaces the old: 100 - 70 - 30 = 0 -- not -100 (the CO-50 is no longer
    # owed: it was undone, not subtracted).
    assert balances(db, "L3") == (money("0.00"), money("0.00"), money("0.00"))
    c = claim(db, "L3")
    assert c["paid"] == money("70.00")
    assert c["denied"]  # first-pass figures read the first adjudication: it denied


def test_a_reversal_reopens_a_closed_claim(db):
    # L4: paid 80 + CO-45 20 on 04-21 (closed 04-25); 05-15 CLP02 22 reverses both: the claim
    # owes its 100 again from 05-15.
    assert balances(db, "L4") == (money("100.00"), money("0.00"), money("0.00"))
    ages = figures.oldest_open_claims(db, PERIOD).set_index("claim_id")
    assert ages.loc["L4", "balance"] == money("100.00")
    # The day before the reversal it was settled: not in A/R.
    assert "L4" not in figures.oldest_open_claims(
        db, PERIOD.replace(as_of=D(2025, 5, 14))).claim_id.tolist()
    assert claim(db, "L4")["paid"] == money("0.00")  # 80 - 80


def test_paid_zero_to_the_deductible_is_processed_not_denied(db):
    # L5: paid 0, CO-45 25, PR-1 75: Acme owes nothing, Remy owes 75 (before his unapplied
    # payment is applied: that is client-level money, see below).
    assert balances(db, "L5") == (money("0.00"), money("75.00"), money("0.00"))
    assert not claim(db, "L5")["denied"]
    assert claim(db, "L5")["resolved"]


def test_oa23_on_a_secondary_claim_is_not_a_denial(db):
    # L7 was billed to the Gap Plan; its CLP02 2 pays 20 with OA-23 70 (what Medicare paid)
    # and PR-2 10: 100 - 20 - 70 (the other payer's share, COB) - 10 = 0; Pat owes 10.
    assert balances(db, "L7") == (money("0.00"), money("10.00"), money("0.00"))
    assert not claim(db, "L7")["denied"]


def test_pr96_is_a_denial_until_moved_to_the_client(db):
    # L8: PR-96 100 (not covered): the payer refuses, so it is a denial and stays insurance
    # A/R; on 05-05 the practice moved the 100 to Remy: insurance 0, patient 100.
    assert balances(db, "L8") == (money("0.00"), money("100.00"), money("0.00"))
    assert claim(db, "L8")["denied"]
    # Insurance A/R 0-30 days old on 05-04 (served 04-04 or later): L3 100 (its denial still
    # open), L8 100 (still with the payer), L9 100, L10 100, L11 20, L13 5 = 425; 31-60: L1
    # 100 (served 04-01).
    early = figures.ar_aging(db, PERIOD.replace(as_of=D(2025, 5, 4))).set_index("bucket")
    assert (early.loc["0-30", "claims"], early.loc["0-30", "balance"]) == (6, money("425.00"))
    assert early.loc["31-60", "balance"] == money("100.00")
    # On 05-06 L8 is Remy's; 0-30 (served 04-06 or later): L9, L10, L11, L13 = 225; 31-60:
    # L1 and L3 = 200.
    later = figures.ar_aging(db, PERIOD.replace(as_of=D(2025, 5, 6))).set_index("bucket")
    assert (later.loc["0-30", "claims"], later.loc["0-30", "balance"]) == (4, money("225.00"))
    assert later.loc["31-60", "balance"] == money("200.00")


def test_a_timely_filing_denial_written_off(db):
    # L9: CO-29 100, written off (timely filing) 05-20: nothing owed after.
    assert balances(db, "L9") == (money("0.00"), money("0.00"), money("0.00"))


def test_a_crossover_leaves_the_cost_share_with_the_next_payer(db):
    # L11: CLP02 19 (Medicare forwarded it to the Gap Plan): paid 60, CO-45 20, PR-2 20. The
    # coinsurance goes to the next payer, not to Remy: insurance 100 - 60 - 20 = 20 (owed by
    # the Gap Plan), patient 0.
    assert balances(db, "L11") == (money("20.00"), money("0.00"), money("0.00"))


def test_a_plb_recoupment_reduces_the_claims_payment(db):
    # L12: paid 100 on 04-20; 05-12 PLB WO 40 names ICN-L12: payments 100 - 40 = 60, and
    # 100 - 60 = 40 is owed again.
    assert balances(db, "L12") == (money("40.00"), money("0.00"), money("0.00"))
    assert claim(db, "L12")["paid"] == money("60.00")


def test_a_line_reduced_for_a_denial_reason_is_a_denial(db):
    # L13: line 2 (97140, 40) paid 30, CO-45 5, CO-97 5: reduced for a denial reason, so the
    # claim was denied in part; 100 - 75 - 20 = 5 owed, all of it denied.
    assert balances(db, "L13") == (money("5.00"), money("0.00"), money("5.00"))
    assert claim(db, "L13")["denied"]


# -- the figures over the whole practice ---------------------------------------------------
def test_kpis(db):
    k = figures.kpis(db, PERIOD)
    # Twelve claims of 100 served in April and May.
    assert k["gross_charges"] == money("1200.00")
    # Payer money posted in the period: L2 56 + L3 70 + L4 (80 - 80) + L7 20 + L11 60 + L12
    # (100 - 40) + L13 75 = 341; patients: Pat 10 + Remy 50 + Quinn 30 - 10 refunded = 80.
    assert k["payments"] == money("421.00")
    # Contractual: L2 30 + L3 30 + L4 (20 - 20) + L5 25 + L11 20 + L13 (15 + 5) = 125 (OA-23
    # is COB, not contractual; denials never are).
    assert k["contractual_adjustments"] == money("125.00")
    assert k["net_collection_rate"] == pytest.approx(421 / (1200 - 125))
    # Adjudicated: all 12. Denied at the first adjudication: L1 (CO-50), L3 (CO-50), L8
    # (PR-96), L9 (CO-29), L10 (CO-16), L13 (CO-97) = 6.
    assert k["denial_rate"] == pytest.approx(6 / 12)
    # Resolved on first pass (processed, only contractual / cost share / COB): L2, L4 (its
    # first adjudication), L5, L7, L11, L12 = 6.
    assert k["first_pass_resolution_rate"] == pytest.approx(6 / 12)
    # Insurance A/R on 05-31: L1 100 + L4 100 + L10 100 + L11 20 + L12 40 + L13 5 = 365.
    assert k["insurance_ar_total"] == money("365.00")
    # Patient A/R: Pat: L2 4 + L7 10 = 14. Remy: L5 75 + L8 100 - his 50 (applied to his
    # oldest service, L5) = 125. Quinn owes nothing (his 30 less the 10 refund is a credit).
    assert k["patient_ar_total"] == money("139.00")
    assert k["ar_total"] == money("504.00")
    # The 90 days to 05-31 hold all 1,200 of charges.
    assert k["days_in_ar"] == pytest.approx(504 / (1200 / 90))
    # First paying remittance - submission, over the claims whose payments still stand: L12
    # 3, L13 11, L11 13, L2 16, L7 17, L3 34 -> median (13 + 16) / 2 = 14.5. L4's only
    # payment was reversed: it has not been paid.
    assert k["median_days_to_payment"] == pytest.approx(14.5)


def test_the_overview_reads_both_periods_at_once(db):
    """kpis_compared runs both periods' queries side by side: the same figures as one by one."""
    now, before = figures.kpis_compared(db, PERIOD)
    assert now == figures.kpis(db, PERIOD)
    assert before == figures.kpis(db, PERIOD.previous())
    assert now["payments"] == money("421.00")


def test_insurance_ar_as_of_an_earlier_day(db):
    # 05-11: L1 100, L9 100 (not yet written off), L10 100, L11 20, L13 5; L8 was moved to
    # Remy 05-05, L3 paid 05-10, L4 not yet reversed, L12 not yet recouped = 325.
    k = figures.kpis(db, PERIOD.replace(as_of=D(2025, 5, 11)))
    assert k["insurance_ar_total"] == money("325.00")


def test_aging_of_both_kinds(db):
    ins = figures.ar_aging(db, PERIOD).set_index("bucket")
    # Every open claim was served 04-01 .. 04-17: 44 to 60 days old on 05-31.
    assert (ins.loc["31-60", "claims"], ins.loc["31-60", "balance"]) == (6, money("365.00"))
    assert ins.balance.sum() == money("365.00")
    pat = figures.ar_aging(db, PERIOD, "patient").set_index("bucket")
    # L2 4 (04-03), L7 10 (04-10), L5 25 after Remy's 50 (04-08), L8 100 (04-11).
    assert (pat.loc["31-60", "claims"], pat.loc["31-60", "balance"]) == (4, money("139.00"))
    assert pat.balance.sum() == money("139.00")
    both = figures.ar_agings(db, PERIOD)  # side by side: the same frames
    assert both["insurance"].equals(figures.ar_aging(db, PERIOD))
    assert both["patient"].equals(figures.ar_aging(db, PERIOD, "patient"))


def test_patient_balances_and_credits(db):
    rows = figures.patient_balances(db, PERIOD).set_index("client_id")
    assert rows.loc["R", "balance"] == money("125.00")
    assert rows.loc["P", "balance"] == money("14.00")
    # Quinn: 30 paid naming no claim, nothing owed, 10 refunded: a credit of 20 to refund.
    assert rows.loc["Q", "balance"] == money("-20.00")


def test_open_denials_by_next_step(db):
    work = figures.open_denials(db, PERIOD)
    # Still owed on 05-31, nearest deadline first (all Acme, which allows 60 days to appeal
    # and, by the store's default, 365 to file): L1 (04-20, 06-19, appeal pending), L13
    # (04-29, 06-28, 5 of CO-97: appeal), L10 (CO-16 with MA130: corrected and resubmitted,
    # not appealed, so by its filing deadline 04-14 + 365 = 2026-04-14). L8 moved to Remy,
    # L9 written off, L3 paid.
    assert work[["claim_id", "denied_amount", "next_step", "deadline"]].values.tolist() == [
        ["L1", money("100.00"), "appeal pending", D(2025, 6, 19)],
        ["L13", money("5.00"), "appeal", D(2025, 6, 28)],
        ["L10", money("100.00"), "correct and resubmit", D(2026, 4, 14)]]
    # On 05-19 L9's CO-29 was still open: timely filing is corrected or written off, never
    # appealed.
    early = figures.open_denials(db, PERIOD.replace(as_of=D(2025, 5, 19))).set_index("claim_id")
    assert early.loc["L9", "next_step"] == "correct and resubmit"


def test_how_denials_ended(db):
    out = figures.denial_outcomes(db, PERIOD)
    assert out[["claim_id", "outcome", "amount", "resolved_on", "resolved_by"]].values.tolist() == [
        ["L9", "written off (timely filing)", money("100.00"), D(2025, 5, 20), "bea"],
        ["L3", "paid on appeal", money("70.00"), D(2025, 5, 10), "payer"],
        ["L8", "moved to the client", money("100.00"), D(2025, 5, 5), "bea"]]


def test_write_offs_by_reason(db):
    rows = figures.write_offs_by_reason(db, PERIOD)
    assert rows[["reason", "side", "write_offs", "amount"]].values.tolist() == [
        ["timely_filing", "insurance", 1, money("100.00")]]


def test_revenue_by_payer(db):
    rows = figures.revenue_by_payer(db, PERIOD).set_index("payer")
    acme = rows.loc["Acme Health"]
    # Acme: L1, L2, L3, L5, L8, L9, L10, L12, L13.
    assert (acme["claims"], acme["billed"]) == (9, money("900.00"))
    # Paid (net of the recoupment): L2 56 + L3 70 + L12 60 + L13 75 = 261.
    assert acme["paid"] == money("261.00")
    # Cost share of the current adjudications: L2 14 + L5 75 (PR-96 is a denial).
    assert acme["patient_responsibility"] == money("89.00")
    # Allowed = paid + cost share of the current adjudication: L2 70, L3 70, L5 75, L12 100,
    # L13 75 = 390 (the denials allow 0).
    assert acme["allowed"] == money("390.00")
    mcr = rows.loc["Medicare"]
    # L4 reversed (no current adjudication), L11 60 + 20 = 80 allowed, coinsurance 20 (to the
    # next payer).
    assert (mcr["paid"], mcr["allowed"], mcr["patient_responsibility"]) == (
        money("60.00"), money("80.00"), money("20.00"))


def test_a_claims_ledger_reads_as_a_biller_would(db):
    rows = figures.claim_ledger(db, "L4")
    # charge, the 04-21 payment and CO-45, then the reversal of both on 05-15.
    assert rows[["kind", "reversal", "amount", "insurance_balance"]].values.tolist() == [
        ["charge", False, money("100.00"), money("100.00")],
        ["payer_payment", False, money("80.00"), money("20.00")],
        ["contractual", False, money("20.00"), money("0.00")],
        ["payer_payment", True, money("-80.00"), money("80.00")],
        ["contractual", True, money("-20.00"), money("100.00")]]


def test_a_clients_ledger(db):
    rows = figures.client_ledger(db, "R")
    # Remy: L5's deductible 75 (04-22), L11's coinsurance went to the next payer (not his),
    # his 50 on 05-02, L8's 100 moved to him on 05-05 -> 125.
    assert rows[["entry_date", "kind", "patient", "balance"]].values.tolist() == [
        [D(2025, 4, 22), "cost_share", money("75.00"), money("75.00")],
        [D(2025, 5, 2), "patient_payment", money("-50.00"), money("25.00")],
        [D(2025, 5, 5), "transfer_to_client", money("100.00"), money("125.00")]]


def test_work_lists_follow_the_open_denials(db):
    from metdash import worklists

    on = D(2025, 5, 31)
    # Open on 05-31: L1 (appeal pending), L10 (CO-16 + MA130: corrected, not appealed), L13
    # (CO-97 5, Acme's 60 days from 04-29: 06-28, 28 days left).
    appeal = worklists.denials_to_appeal(db, on)
    assert appeal[["claim_id", "denied_amount", "days_left", "reasons"]].values.tolist() == [
        ["L13", money("5.00"), 28, "CO-97"]]
    correct = worklists.denials_to_correct(db, on)
    assert correct.claim_id.tolist() == ["L10"]
    assert correct.next_step.iloc[0].startswith("correct and resubmit")
    # Quinn paid 30 naming no claim, owes nothing, got 10 back: 20 to refund.
    credits = worklists.credit_balances(db, on)
    assert credits[["client_id", "credit"]].values.tolist() == [["Q", money("20.00")]]
