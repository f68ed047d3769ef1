"""Clients treated under a payer that requires a plan of care on days no plan covers (a
new-user trial, problem P3: a Medicare client with 4 sessions and two claims and no plan of
care was on no work list).

DOMAIN.md: "Plan of care: ... Medicare requires it to be certified by the physician, for at
most 90 days, then recertified." So a Medicare client's treatment day must fall inside a plan
of care on file (start .. certified through). A plan awaiting its signature counts as on
file: "Plans of care unsigned" asks for the signature. A day is worth listing while a claim
for it can still go to the payer: within the payer's timely-filing days (Medicare 365: a
day d is listed on ``as_of`` when d + 365 >= as_of).

Worked on paper, on the seeded practice (tests/entry_seed.py; as of 2025-06-30; Medicare
Part B is payer 1, 365 filing days; C001 has Medicare from 2020-01-01, C002 Acme, a
commercial payer that asks for no plan):

C001 sessions: 2024-06-29 (2024-06-29 + 365 = 2025-06-29 < 2025-06-30: past the filing
window, not listed), 2024-06-30 (+365 = 2025-06-30: listed), 2025-05-05, 2025-05-12 (two
sessions: one day), 2025-05-19; no plan of care on file ->
    one row: 4 days, 2024-06-30 .. 2025-05-19, "2024-06-30, 2025-05-05, 2025-05-12,
    2025-05-19", 0 plans on file, "No plan of care on file ..."
C002 (Acme): sessions 2025-06-02, 2025-06-03, no plan -> not listed.
Then a claim typed in by hand to Medicare for C001, 97110 on 2025-04-14 (no session: as an
imported claim), and a voided one on 2025-04-21 (not a treatment billed) ->
    5 days: 2024-06-30, 2025-04-14, 2025-05-05, 2025-05-12, 2025-05-19.
Then a plan of care from 2025-05-12 (certified through 2025-08-09, unsigned) ->
    3 days: 2024-06-30, 2025-04-14, 2025-05-05 (2025-05-12 and 05-19 are covered), 1 plan
    on file, "Not covered by the client's plans of care on file ...".
On 2025-06-30 seen from 2025-07-01 the 2024-06-30 day is past its window: 2 days.
"""

import datetime as dt
import shutil

import pytest

from metdash import entry as e
from metdash import worklists as w
from metdash.store import Database
from tests.entry_seed import AS_OF, USER, seed


@pytest.fixture
def db(tmp_path_factory, tmp_path):
    base = tmp_path_factory.getbasetemp() / "poc_seed.duckdb"
    if not base.exists():
        seed(base)
    shutil.copy(base, tmp_path / "p.duckdb")
    return Database(tmp_path / "p.duckdb")


def visit(db, client, day):
    e.save_session(db, e.SessionIn(client, 1, day, "treatment", {"97110": 30}), USER,
                   as_of=AS_OF)


def test_a_medicare_client_treated_with_no_plan_of_care(db):
    for day in ("2024-06-29", "2024-06-30", "2025-05-05", "2025-05-12", "2025-05-12",
                "2025-05-19"):
        visit(db, "C001", day)
    for day in ("2025-06-02", "2025-06-03"):
        visit(db, "C002", day)
    df = w.treated_without_plan_of_care(db, AS_OF)
    assert list(df.columns) == ["client_id", "client_name", "days_without_plan", "first_day",
                                "last_day", "next_step", "dates", "plans_on_file", "payer"]
    assert df.client_id.tolist() == ["C001"]
    row = df.iloc[0]
    assert (row.client_name, row.payer, row.days_without_plan, row.plans_on_file) == (
        "Doe, Jane", "Medicare Part B", 4, 0)
    assert (row.first_day, row.last_day) == (dt.date(2024, 6, 30), dt.date(2025, 5, 19))
    assert row.dates == "2024-06-30, 2025-05-05, 2025-05-12, 2025-05-19"
    assert row.next_step.startswith("No plan of care on file")

    # A claim with no session (typed in, or imported) bills a treatment day too; a voided
    # one does not.
    for cid, day in (("P1", "2025-04-14"), ("P2", "2025-04-21")):
        e.save_claim(db, e.ClaimIn(cid, "C001", 1, ["M54.50"], [
            e.ClaimLineIn(day, "97110", 1, "40.00", ["GP"], [1])], rendering_provider_id=1),
            USER, as_of=AS_OF)
    e.move_claim_status(db, "P2", "voided", USER, note="entered twice", as_of=AS_OF)
    row = w.treated_without_plan_of_care(db, AS_OF).iloc[0]
    assert row.dates == "2024-06-30, 2025-04-14, 2025-05-05, 2025-05-12, 2025-05-19"

    # A plan from 2025-05-12 (unsigned: on file all the same) covers 05-12 and 05-19.
    e.save_plan_of_care(db, e.PlanOfCareIn("C001", 1, "2025-05-12"), USER, as_of=AS_OF)
    row = w.treated_without_plan_of_care(db, AS_OF).iloc[0]
    assert (row.days_without_plan, row.plans_on_file) == (3, 1)
    assert row.dates == "2024-06-30, 2025-04-14, 2025-05-05"
    assert row.next_step.startswith("Not covered by the client's plans of care on file")
    # A day later the first day is past Medicare's 365 filing days.
    later = w.treated_without_plan_of_care(db, dt.date(2025, 7, 1)).iloc[0]
    assert later.dates == "2025-04-14, 2025-05-05"


def test_it_is_a_work_list_leading_to_the_clients_plans(db):
    assert "treated_without_plan" in w.WORKLISTS
    assert w.ROW_ACTIONS["treated_without_plan"].page == "referrals.py"
    assert w.treated_without_plan_of_care(db, AS_OF).empty   # the seed: no session at all
