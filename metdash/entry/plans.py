"""Plans of care: the physician's certification, its 90 days, its signature, recertification.

DOMAIN.md ("Deadlines"): a plan of care is certified by the physician (signature within 30
days of the initial evaluation), for at most 90 calendar days from the first treatment; then
recertified, again with a signature. A re-evaluation is not a recertification: only a new
plan that names the plan it continues (``recertifies_plan_id``) is one.

Counting: the first treatment (for a first plan, the evaluation day) is day 1, so the
longest plan starting 2025-01-01 is certified through 2025-03-31 (start + 89 days,
:data:`MAX_PLAN_DAYS` days in all).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from metdash.entry.problems import (
    Problem,
    as_date,
    date_field,
    fetch_one,
    text_fields,
    today,
)
from metdash.errors import ValidationError
from metdash.store import Database, audit, insert_row, next_id

__all__ = [
    "MAX_PLAN_DAYS", "SIGNATURE_DAYS", "PlanOfCareIn", "certified_through_at_most",
    "record_plan_signature", "save_plan_of_care", "validate_plan_of_care",
]

MAX_PLAN_DAYS = 90      # calendar days from the first treatment, that day included
SIGNATURE_DAYS = 30     # the physician signs within 30 days of the initial evaluation


@dataclass
class PlanOfCareIn:
    """A plan of care as the front desk records it. ``certified_through`` empty: the longest
    allowed (90 days); ``signed_date`` empty: not signed yet (record it later)."""

    client_id: str
    referrer_id: int | None          # the certifying physician (a referrer on file)
    start_date: Any                  # the first treatment: the evaluation day for a first plan
    certified_through: Any = None
    signed_date: Any = None
    referral_id: int | None = None
    recertifies_plan_id: int | None = None
    notes: str | None = None


def certified_through_at_most(start: dt.date) -> dt.date:
    """The last day a plan starting ``start`` may be certified through (start + 89 days)."""
    return start + dt.timedelta(days=MAX_PLAN_DAYS - 1)


def validate_plan_of_care(con: Any, plan: PlanOfCareIn,
                          as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a plan of care."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, plan, {"notes": "Notes"})
    if not fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?", [plan.client_id]):
        p.append(Problem(f"Client {plan.client_id!r} is not on file: add the client first.",
                         "client_id"))
    doctor = None if plan.referrer_id is None else fetch_one(
        con, "SELECT name, kind FROM referrers WHERE referrer_id = ?", [plan.referrer_id])
    if doctor is None:
        p.append(Problem("Certifying physician is not on file: choose the physician who signs "
                         "the plan (add them as a referrer first).", "referrer_id"))
    elif doctor["kind"] == "physical_therapist":
        p.append(Problem(f"Certifying physician: {doctor['name']} is a physical therapist; "
                         "the plan of care is certified by the client's physician: choose "
                         "them.", "referrer_id"))
    start = date_field(p, plan.start_date, "Start (first treatment)", "start_date")
    through = date_field(p, plan.certified_through, "Certified through", "certified_through",
                         required=False)
    signed = date_field(p, plan.signed_date, "Signed on", "signed_date", required=False)
    previous = None
    if plan.recertifies_plan_id is not None:
        previous = fetch_one(con, "SELECT * FROM plans_of_care WHERE plan_id = ?",
                             [plan.recertifies_plan_id])
        if previous is None or previous["client_id"] != plan.client_id:
            p.append(Problem("Recertifies: that plan is not one of this client's: choose the "
                             "client's plan being continued.", "recertifies_plan_id"))
            previous = None
        else:
            again = fetch_one(con, "SELECT plan_id FROM plans_of_care WHERE "
                              "recertifies_plan_id = ?", [previous["plan_id"]])
            if again:
                p.append(Problem(f"Recertifies: plan {previous['plan_id']} is already "
                                 f"recertified by plan {again['plan_id']}: recertify that one "
                                 "instead.", "recertifies_plan_id"))
            if start and start <= previous["start_date"]:
                p.append(Problem(f"Start {start} is not after the start of plan "
                                 f"{previous['plan_id']} ({previous['start_date']}): a "
                                 "recertification continues it, usually the day after "
                                 f"{previous['certified_through']}.", "start_date"))
    if start and previous is None and start > as_of:
        p.append(Problem(f"Start {start} is in the future: a plan of care starts at the "
                         "evaluation (only a recertification is recorded ahead).",
                         "start_date"))
    if start and through:
        last = certified_through_at_most(start)
        if through < start:
            p.append(Problem(f"Certified through {through} is before the start {start}: check "
                             "both dates.", "certified_through"))
        elif through > last:
            p.append(Problem(f"Certified through {through} is {(through - start).days + 1} "
                             f"days from the first treatment {start}: a plan of care is "
                             f"certified for at most {MAX_PLAN_DAYS} calendar days (through "
                             f"{last}): shorten it, then recertify.", "certified_through"))
    if signed:
        if signed > as_of:
            p.append(Problem(f"Signed on {signed} is in the future: enter the date on the "
                             "physician's signature.", "signed_date"))
        written = previous["start_date"] if previous else start
        if written and signed < written:
            p.append(Problem(f"Signed on {signed} is before the plan was written ({written}): "
                             "check the date.", "signed_date"))
    if plan.referral_id is not None:
        ref = fetch_one(con, "SELECT client_id, received_date FROM referrals WHERE "
                        "referral_id = ?", [plan.referral_id])
        if ref is None or ref["client_id"] != plan.client_id:
            p.append(Problem("Referral is not one of this client's: choose the client's "
                             "referral.", "referral_id"))
        elif start and start < ref["received_date"]:
            p.append(Problem(f"Start {start} is before the referral was received "
                             f"({ref['received_date']}): check the date or the referral.",
                             "start_date"))
    return p


def save_plan_of_care(db: Database, plan: PlanOfCareIn, user: str,
                      as_of: dt.date | None = None) -> int:
    """Record a plan of care (certified through start + 89 days when no date is given);
    its plan_id. Raises ValidationError with every problem."""
    with db.transaction() as con:
        problems = validate_plan_of_care(con, plan, as_of)
        if problems:
            raise ValidationError(problems)
        start = as_date(plan.start_date)
        pid = next_id(con, "plans_of_care", "plan_id")
        values = {"plan_id": pid, "client_id": plan.client_id,
                  "referral_id": plan.referral_id, "referrer_id": plan.referrer_id,
                  "start_date": start,
                  "certified_through": as_date(plan.certified_through)
                  or certified_through_at_most(start),
                  "signed_date": as_date(plan.signed_date),
                  "recertifies_plan_id": plan.recertifies_plan_id,
                  "notes": (plan.notes or "").strip() or None}
        insert_row(con, "plans_of_care", values)
        audit(con, user, "create", "plans_of_care", pid, None, values)
        return pid


def record_plan_signature(db: Database, plan_id: int, signed_date: Any, user: str,
                          as_of: dt.date | None = None) -> None:
    """Record the physician's signature date on an unsigned plan of care (audited).

    Raises ValidationError when the plan is not on file, is already signed, or the date is
    not a date, in the future, or before the plan was written.
    """
    as_of = as_of or today()
    with db.transaction() as con:
        plan = fetch_one(con, "SELECT * FROM plans_of_care WHERE plan_id = ?", [plan_id])
        p: list[Problem] = []
        if plan is None:
            raise ValidationError([Problem(f"Plan of care {plan_id} is not on file.",
                                           "plan_id")])
        if plan["signed_date"] is not None:
            p.append(Problem(f"Plan of care {plan_id} is already signed ({plan['signed_date']}).",
                             "signed_date"))
        signed = date_field(p, signed_date, "Signed on", "signed_date")
        written = plan["start_date"]
        if plan["recertifies_plan_id"] is not None:
            prev = fetch_one(con, "SELECT start_date FROM plans_of_care WHERE plan_id = ?",
                             [plan["recertifies_plan_id"]])
            written = prev["start_date"] if prev else written
        if signed and signed > as_of:
            p.append(Problem(f"Signed on {signed} is in the future: enter the date on the "
                             "physician's signature.", "signed_date"))
        if signed and signed < written:
            p.append(Problem(f"Signed on {signed} is before the plan was written ({written}): "
                             "check the date.", "signed_date"))
        if p:
            raise ValidationError(p)
        con.execute("UPDATE plans_of_care SET signed_date = ? WHERE plan_id = ?",
                    [signed, plan_id])
        audit(con, user, "sign", "plans_of_care", plan_id, {"signed_date": None},
              {"signed_date": signed})
