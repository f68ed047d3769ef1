import datetime as dt

import pytest

from metdash import entry as e
from metdash import worklists as w
from metdash.store import Database
from tests.entry_seed import AS_OF, USER, seed

A = e.AdjustmentIn


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The seeded practice plus a month of work, as of 2025-06-30."""
    path = tmp_path_factory.mktemp("wl") / "wl.duckdb"
    seed(path)
    db = Database(path)

    def sess(client, day, kind="treatment", minutes=None, referral=None):
        return e.save_session(db, e.SessionIn(client, 1, day, kind, minutes or {"97110": 30},
                                              referral), USER, as_of=AS_OF)

    # C001: initial 2025-04-01 (day 90 = 2025-06-30), then 9 treatment days -> progress due.
    sess("C001", "2025-04-01", "initial_assessment", {"97161": 45})
    for day in range(2, 11):
        sess("C001", f"2025-06-{day:02d}", referral=1)
    # C002: initial 2025-06-02, 1 treatment day; referral 2 allows 2 visits, expires 07-31.
    s_c2a = sess("C002", "2025-06-02", "initial_assessment", {"97161": 45}, 2)
    sess("C002", "2025-06-03", referral=2)
    # Plans of care. C001's from the evaluation 2025-04-01: 90 days with that day as day 1
    # -> certified through 2025-06-29; signed 04-15. C002's from 2025-06-02, unsigned.
    e.save_plan_of_care(db, e.PlanOfCareIn("C001", 1, "2025-04-01", signed_date="2025-04-15"),
                        USER, as_of=AS_OF)
    e.save_plan_of_care(db, e.PlanOfCareIn("C002", 1, "2025-06-02", referral_id=2), USER,
                        as_of=AS_OF)

    # Claims: C002's initial on a claim (so both its sessions are counted as visits).
    with db.connect() as con:
        claim = e.build_claim_from_sessions(con, [s_c2a], AS_OF, claim_id="K1")
    e.save_claim(db, claim, USER, as_of=AS_OF)
    # K2: C001, ready; K3: submitted long ago, unpaid; K4: denied.
    def hand(cid, day, cpt, status):
        e.save_claim(db, e.ClaimIn(cid, "C001", 1, ["M54.50"], [
            e.ClaimLineIn(day, cpt, 1, "40.00", ["GP"], [1])], referral_id=1,
            rendering_provider_id=1), USER, as_of=AS_OF)
        for st, on in status:
            e.move_claim_status(db, cid, st, USER, on=dt.date.fromisoformat(on), as_of=AS_OF)
    hand("K2", "2025-05-02", "97112", [("ready", "2025-05-03")])
    hand("K3", "2025-05-03", "97112", [("ready", "2025-05-05"), ("submitted", "2025-05-06")])
    hand("K4", "2025-05-04", "97112", [("ready", "2025-05-05"), ("submitted", "2025-05-06")])
    e.post_eob(db, e.EobIn("K4", "2025-06-01", paid="0", adjustments=[A("CO", "50", "40.00")]),
               USER, as_of=AS_OF)
    # An old draft at risk of timely filing (Acme: 90 days) for C002.
    e.save_claim(db, e.ClaimIn("K5", "C002", 2, ["M17.11"], [
        e.ClaimLineIn("2025-04-10", "97110", 1, "40.00", [], [1])], rendering_provider_id=1,
        timely_filing_reason="late"), USER, as_of=AS_OF)
    # A remittance for a claim that is not ours (as the 835 import writes it).
    with db.transaction() as con:
        con.execute("INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, "
                    "payment_date, method, trace_number, amount) VALUES "
                    "(99, NULL, 'Mystery Mutual', '1999999999', '2025-06-15', 'ACH', 'T99', 10)")
        con.execute("INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, "
                    "clp01, status_code, charge, paid) VALUES (99, 99, 1, NULL, 'ZZ9', '1', 20, 10)")
    return db


def test_sessions_not_billed(db):
    df = w.sessions_not_billed(db, AS_OF)
    assert len(df) == 11    # 10 of C001 + C002's 2025-06-03
    assert df.iloc[0].session_date == dt.date(2025, 4, 1)
    assert df.iloc[0].days_since == 90


def test_ready_and_unpaid(db):
    assert list(w.claims_ready_to_submit(db, AS_OF).claim_id) == ["K2"]
    unpaid = w.claims_unpaid_past_lag(db, AS_OF)
    # Medicare usual lag 14 days; K3 out since 2025-05-06 = 55 days. K4 was paid (denied).
    assert list(unpaid.claim_id) == ["K3"] and unpaid.iloc[0].days_out == 55
    assert w.claims_unpaid_past_lag(db, dt.date(2025, 5, 20)).empty   # 14 days: not past


def test_denials_to_appeal(db):
    df = w.denials_to_appeal(db, AS_OF)
    assert list(df.claim_id) == ["K4"]
    row = df.iloc[0]
    # Medicare appeal window 120 days from the denial paid 2025-06-01.
    assert row.appeal_deadline == dt.date(2025, 9, 29) and row.days_left == 91
    assert row.reasons == "CO-50"


def test_referrals_expiring(db):
    df = w.referrals_expiring(db, AS_OF)
    # Referral 1: 12 authorized; 9 sessions (06-02..06-10) + 3 claim dates (05-02..05-04).
    # Referral 2: 2 authorized, 2 used (06-02 on a claim and a session, 06-03 a session).
    assert list(df.referral_id) == [1, 2]
    assert list(df.visits_used) == [12, 2] and list(df.visits_left) == [0, 0]
    assert df.iloc[1].why == "0 visits left"
    later = w.referrals_expiring(db, dt.date(2025, 7, 20))
    assert later.iloc[1].why == "expires in 11 days; 0 visits left"


def test_progress_note_due(db):
    # DOMAIN.md: the evaluation day is treatment day 1. C001: evaluation 2025-04-01 (day 1)
    # and treatment on 06-02 .. 06-10 (days 2-10): the report was due on or before 06-10 and
    # none was written: overdue on 06-30. (Before issue 15 only the 9 days after the
    # evaluation counted, and this was "due at the next visit".)
    df = w.progress_note_due(db, AS_OF)
    assert list(df.client_id) == ["C001"]
    row = df.iloc[0]
    assert (row.last_note, row.treatment_days, row.status) == ("initial assessment", 10,
                                                               "overdue")
    # On 06-09: the evaluation + 06-02 .. 06-09 = 9 treatment days: the next visit is the
    # 10th, the report is due then.
    row = w.progress_note_due(db, dt.date(2025, 6, 9)).iloc[0]
    assert (row.treatment_days, row.status) == (9, "due at the next visit")
    # On 06-08: 8 treatment days: not yet.
    assert w.progress_note_due(db, dt.date(2025, 6, 8)).empty


def test_plan_of_care_recert(db):
    # C001's plan: certified through 2025-06-29 (day 90 counting 04-01 as day 1): on 06-30
    # it ended a day ago; on 06-15 it ends in 14 days (listed); on 06-14, 15 (not yet).
    df = w.plan_of_care_to_recertify(db, AS_OF)
    assert list(df.client_id) == ["C001"]
    assert df.iloc[0].recert_due == dt.date(2025, 6, 29) and df.iloc[0].days_left == -1
    assert df.iloc[0].certified_by == "Smith, Anna"
    assert w.plan_of_care_to_recertify(db, dt.date(2025, 6, 15)).iloc[0].days_left == 14
    assert w.plan_of_care_to_recertify(db, dt.date(2025, 6, 14)).empty


def test_plans_of_care_unsigned(db):
    # C002's plan started 2025-06-02 (the evaluation), unsigned: due signed within 30 days,
    # by 07-02. On 06-30: 2 days left; listed from 06-25 (7 days ahead); overdue on 07-03.
    df = w.plans_of_care_unsigned(db, AS_OF)
    assert list(df.client_id) == ["C002"]
    row = df.iloc[0]
    assert (row.signature_due, row.days_left, row.status) == (dt.date(2025, 7, 2), 2,
                                                              "due in 2 days")
    assert w.plans_of_care_unsigned(db, dt.date(2025, 6, 24)).empty
    assert w.plans_of_care_unsigned(db, dt.date(2025, 7, 3)).iloc[0].status == "overdue"


def test_timely_filing_risk(db):
    df = w.claims_at_risk_of_timely_filing(db, AS_OF)
    # K5: 2025-04-10 + 90 = 2025-07-09, 9 days left. Medicare claims (365 days) are not at risk.
    assert list(df.claim_id) == ["K5"] and df.iloc[0].days_left == 9


def test_unmatched_and_counts(db):
    df = w.unmatched_remittances(db, AS_OF)
    assert list(df.clp01) == ["ZZ9"]
    assert w.counts(db, AS_OF) == {
        "unbilled_sessions": 11, "ready_to_submit": 1, "bill_secondary": 0, "unpaid_past_lag": 1,
        "denials_to_appeal": 1, "denials_to_correct": 0, "credit_balances": 0,
        "referrals_expiring": 2, "progress_note_due": 1,
        "plan_of_care_recert": 1, "plan_of_care_unsigned": 1, "timely_filing_risk": 1,
        # C001's Medicare days (sessions 04-01, 06-02 .. 06-10; K2-K4 05-02 .. 05-04) are in
        # its plan 04-01 .. 06-29; C002 is Acme's (tests/test_treated_without_plan.py).
        "treated_without_plan": 0,
        "unmatched_remittances": 1,
        # No acknowledgment was imported: nothing rejected; K3 (submitted 2025-05-06, more
        # than 3 days before AS_OF) has no 277CA.
        "rejected_to_fix": 0, "awaiting_ack": 1,
        # Nothing reversed or recouped (tests/x12/test_taken_back.py works that list).
        "payments_taken_back": 0, "payers_overpaid": 0}


def test_all_lists_in_parallel_match_one_at_a_time(db):
    import pandas as pd

    together = w.all_lists(db, AS_OF)
    assert list(together) == list(w.WORKLISTS)
    for key, frame in w.all_lists(db, AS_OF, workers=1).items():
        pd.testing.assert_frame_equal(together[key], frame)


# -- one client at a time, on a fresh copy of the seeded practice ------------------------

@pytest.fixture(scope="module")
def fresh_seed(tmp_path_factory):
    path = tmp_path_factory.mktemp("fresh") / "seed.duckdb"
    seed(path)
    return path


@pytest.fixture
def fresh(fresh_seed, tmp_path):
    import shutil

    shutil.copy(fresh_seed, tmp_path / "f.duckdb")
    return Database(tmp_path / "f.duckdb")


def visits(db, days, kind="treatment", minutes=None):
    for day in days:
        e.save_session(db, e.SessionIn("C001", 1, day, kind, minutes or {"97110": 30}),
                       USER, as_of=AS_OF)


def test_progress_report_periods_after_a_report(fresh):
    # Evaluation 2025-05-01 = day 1; treatment 05-02 .. 05-09 (6 weekdays: 05-02, 05-05 ..
    # 05-09) = days 2-7; 05-12, 05-13 = days 8-9; the report on 05-14 = day 10: on time.
    visits(fresh, ["2025-05-01"], "initial_assessment", {"97161": 45})
    visits(fresh, ["2025-05-02", "2025-05-05", "2025-05-06", "2025-05-07", "2025-05-08",
                   "2025-05-09", "2025-05-12", "2025-05-13"])
    assert w.progress_note_due(fresh, dt.date(2025, 5, 13)).iloc[0].treatment_days == 9
    visits(fresh, ["2025-05-14"], "progress", {"97750": 15, "97110": 20})
    assert w.progress_note_due(fresh, dt.date(2025, 5, 14)).empty
    # The next period starts the day after the report: 9 treatment days 05-15 .. 05-27
    # (05-15, 05-16, 05-19 .. 05-23, 05-26, 05-27) -> the 10th is the next visit.
    nine = ["2025-05-15", "2025-05-16", "2025-05-19", "2025-05-20", "2025-05-21",
            "2025-05-22", "2025-05-23", "2025-05-26", "2025-05-27"]
    visits(fresh, nine)
    row = w.progress_note_due(fresh, dt.date(2025, 5, 27)).iloc[0]
    assert (row.last_note, row.last_note_date) == ("progress report", dt.date(2025, 5, 14))
    assert (row.treatment_days, row.status) == (9, "due at the next visit")
    # A 10th treatment day without a report: overdue. Two sessions on one date are one day.
    visits(fresh, ["2025-05-28", "2025-05-28"])
    row = w.progress_note_due(fresh, dt.date(2025, 5, 28)).iloc[0]
    assert (row.treatment_days, row.status) == (10, "overdue")
    # Discharged: off the list.
    visits(fresh, ["2025-05-29"], "discharge", {"97535": 15})
    assert w.progress_note_due(fresh, dt.date(2025, 5, 29)).empty


def test_a_re_evaluation_is_not_a_recertification(fresh):
    # Plan from 2025-03-03 (evaluation, day 1): 90 days -> certified through 2025-05-31
    # (03-03 + 89 days: March 29 days left incl. the 3rd, April 30, May 31 = 90).
    visits(fresh, ["2025-03-03"], "initial_assessment", {"97161": 45})
    plan = e.save_plan_of_care(fresh, e.PlanOfCareIn("C001", 1, "2025-03-03",
                                                     signed_date="2025-03-10"), USER,
                               as_of=AS_OF)
    # A re-evaluation on 05-20 (97164) does not restart the 90 days (the lists before
    # issue 15 took it for a new plan start).
    visits(fresh, ["2025-05-20"], "progress", {"97164": 25})
    df = w.plan_of_care_to_recertify(fresh, dt.date(2025, 5, 25))
    assert list(df.plan_id) == [plan] and df.iloc[0].recert_due == dt.date(2025, 5, 31)
    assert df.iloc[0].days_left == 6
    # The recertification: a new plan from 06-01 naming the first; unsigned, it is due
    # signed by the last day of the plan it continues (05-31): 6 days left on 05-25.
    recert = e.save_plan_of_care(fresh, e.PlanOfCareIn("C001", 1, "2025-06-01",
                                                       recertifies_plan_id=plan), USER,
                                 as_of=dt.date(2025, 5, 25))
    assert w.plan_of_care_to_recertify(fresh, dt.date(2025, 5, 25)).empty
    unsigned = w.plans_of_care_unsigned(fresh, dt.date(2025, 5, 25))
    assert list(unsigned.plan_id) == [recert]
    assert (unsigned.iloc[0].signature_due, unsigned.iloc[0].days_left) == (
        dt.date(2025, 5, 31), 6)
    e.record_plan_signature(fresh, recert, "2025-05-28", USER, as_of=dt.date(2025, 5, 28))
    assert w.plans_of_care_unsigned(fresh, dt.date(2025, 5, 28)).empty


def test_recert_list_leaves_out_discharged_and_gone_clients(fresh):
    visits(fresh, ["2025-03-03"], "initial_assessment", {"97161": 45})
    e.save_plan_of_care(fresh, e.PlanOfCareIn("C001", 1, "2025-03-03",
                                              signed_date="2025-03-10"), USER, as_of=AS_OF)
    # Last seen on the evaluation day 03-03: on 05-25 that is 83 days ago (> 60): gone.
    assert w.plan_of_care_to_recertify(fresh, dt.date(2025, 5, 25)).empty
    visits(fresh, ["2025-05-19"])
    assert len(w.plan_of_care_to_recertify(fresh, dt.date(2025, 5, 25))) == 1
    visits(fresh, ["2025-05-21"], "discharge", {"97535": 15})
    assert w.plan_of_care_to_recertify(fresh, dt.date(2025, 5, 25)).empty


def test_past_the_appeal_window_only_a_pr_denial_may_go_to_the_client():
    """Found by a new-user trial: a Medicaid CO-197 denial past its appeal window was offered
    "write off or move to the client". A CO / PI / OA denial is the practice's loss; a PR
    denial (PR-96, PR-204) may be billed with a signed waiver, never to a Medicaid client."""
    assert w.next_step_after_window(True, True) == "correct and resubmit (or write off)"
    assert w.next_step_after_window(False, True) == (
        "past the appeal window: move to the client (with a signed waiver) or write off")
    assert w.next_step_after_window(False, False) == (
        "past the appeal window: write off (not the client's to pay)")


def test_a_payer_that_paid_twice_is_listed_until_it_takes_it_back(tmp_path):
    """Found by a new-user trial (stop 46): nine demo claims ended with their payer owed
    $772.53 back (a duplicate payment) and no list showed them. On the ledger practice with
    L14 (tests/ledger_practice.DUPLICATE_PAYMENT): Acme paid 56 twice; as of 05-31 it is owed
    56 back, last paid 05-09 (22 days). A PLB WO of 56 naming L14's second claim number on
    06-06 takes it back: the claim owes nothing either way and leaves the list."""
    from decimal import Decimal

    from metdash.store import facts
    from tests import ledger_practice

    db = ledger_practice.build(Database(tmp_path / "l.duckdb"))
    with db.transaction() as con:
        con.execute(ledger_practice.DUPLICATE_PAYMENT)
    rows = w.payers_overpaid(db, dt.date(2025, 5, 31))
    assert rows[["claim_id", "client_id", "client_name", "payer", "last_paid", "days_since",
                 "overpaid"]].values.tolist() == [
        ["L14", "R", "Reed, Remy", "Acme Health", dt.date(2025, 5, 9), 22, Decimal("56.00")]]
    with db.transaction() as con:
        con.execute(ledger_practice.DUPLICATE_TAKEN_BACK)
        facts.touch(con, ["L14"])  # as the 835 import does for a recoupment naming a claim
    assert db.scalar("SELECT insurance_balance FROM claim_facts WHERE claim_id = 'L14'") == 0
    assert w.payers_overpaid(db, dt.date(2025, 6, 30)).empty
    assert "payers_overpaid" in w.all_lists(db, dt.date(2025, 6, 30))
