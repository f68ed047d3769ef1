"""A client's coverages on file, ended or corrected (found in a new practice's first weeks: a
client who changes insurance could not end the old coverage, so the new primary was refused
as a second one on the same dates, and a member id typed wrong could not be put right).

Both write one audit row with the coverage before and after. Ending a coverage changes which
payer is next in line on the claims served after the end date (the ledger's cost share goes
to the next payer in force on a claim's date of service), so those claims' facts are
recomputed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from metdash.coding import mbi_problem
from metdash.entry.clients import member_id_as_kept
from metdash.entry.problems import Problem, as_date, blank, fetch_one, text_field
from metdash.errors import ValidationError
from metdash.store import Database, audit, facts
from metdash.text import text_problem

__all__ = ["SUBSCRIBER_FIELDS", "client_coverages", "correct_member_id", "correct_subscriber",
           "coverage_subscriber", "end_coverage", "overlapping_primaries"]


def client_coverages(db: Database, client_id: str) -> pd.DataFrame:
    """The client's coverages, newest first: coverage_id, payer, member_id, priority,
    relationship, effective_date, end_date, claims (billed to it, not voided)."""
    return db.query("""
        SELECT v.coverage_id, p.name AS payer, v.member_id, v.priority, v.relationship,
               v.effective_date, v.end_date,
               (SELECT count(*) FROM claims c WHERE c.coverage_id = v.coverage_id
                  AND c.status <> 'voided') AS claims
        FROM coverages v JOIN payers p USING (payer_id)
        WHERE v.client_id = ?
        ORDER BY v.effective_date DESC, v.coverage_id DESC""", [client_id])


def overlapping_primaries(db: Database, client_id: str) -> str | None:
    """What to do about two primary coverages of the client on the same dates (the first
    such pair), in words; None when there are none. Allowed: a change of insurance adds the
    new plan before the old one can end (its claims after the change must move first)."""
    row = db.query("""
        SELECT pa.name AS a, a.effective_date AS a_from, pb.name AS b,
               b.effective_date AS b_from, greatest(a.effective_date, b.effective_date) AS since
        FROM coverages a JOIN coverages b ON b.client_id = a.client_id
             AND a.coverage_id < b.coverage_id
             AND a.effective_date <= coalesce(b.end_date, DATE '9999-12-31')
             AND b.effective_date <= coalesce(a.end_date, DATE '9999-12-31')
        JOIN payers pa ON pa.payer_id = a.payer_id JOIN payers pb ON pb.payer_id = b.payer_id
        WHERE a.client_id = ? AND a.priority = 'primary' AND b.priority = 'primary'
        ORDER BY since, a.coverage_id, b.coverage_id LIMIT 1""", [client_id])
    if row.empty:
        return None
    r = row.iloc[0]
    return (f"Two primary coverages overlap from {r.since:%Y-%m-%d}: {r.a} (from "
            f"{r.a_from:%Y-%m-%d}) and {r.b} (from {r.b_from:%Y-%m-%d}). If {r.b} replaced "
            f"{r.a}, end {r.a} on its last day (\"End a coverage\") once the claims served "
            f"after that day are billed to {r.b}. A plan that pays after another is a "
            "secondary coverage.")


def _coverage(con: Any, coverage_id: int) -> dict[str, Any]:
    row = fetch_one(con, "SELECT v.*, p.name AS payer_name, p.payer_type FROM coverages v "
                    "JOIN payers p USING (payer_id) WHERE coverage_id = ?", [coverage_id])
    if row is None:
        raise ValidationError([Problem("That coverage is not on file: choose one of the "
                                       "client's coverages.", "coverage_id")])
    return row


def end_coverage(db: Database, coverage_id: int, end_date: Any, user: str) -> None:
    """End a coverage on ``end_date`` (its last day). Refused when the date is not a date, is
    before the coverage started, or leaves claims billed to it outside its dates."""
    with db.transaction() as con:
        cov = _coverage(con, coverage_id)
        end = as_date(end_date) if end_date not in (None, "") else None
        if end is None:
            raise ValidationError([Problem("The end date is missing: enter the coverage's "
                                           "last day.", "end_date")])
        if end < cov["effective_date"]:
            raise ValidationError([Problem(
                f"{end} is before the coverage started ({cov['effective_date']}): a coverage "
                "ends on or after its first day.", "end_date")])
        after = [r[0] for r in con.execute(
            "SELECT claim_id FROM claims WHERE coverage_id = ? AND status <> 'voided' "
            "AND first_service_date > ? ORDER BY first_service_date, claim_id LIMIT 6",
            [coverage_id, end]).fetchall()]
        if after:
            shown = ", ".join(after[:5]) + (" and more" if len(after) > 5 else "")
            raise ValidationError([Problem(
                f"Claims served after {end} are billed to this coverage ({shown}): end it "
                "after their dates of service, or correct those claims first.", "end_date")])
        con.execute("UPDATE coverages SET end_date = ? WHERE coverage_id = ?",
                    [end, coverage_id])
        audit(con, user, "update", "coverages", coverage_id, {"end_date": cov["end_date"]},
              {"end_date": end})
        since = min(end, cov["end_date"] or end)
        touched = [r[0] for r in con.execute(
            "SELECT claim_id FROM claims WHERE client_id = ? AND first_service_date > ?",
            [cov["client_id"], since]).fetchall()]
        facts.touch(con, touched, status_only=True)


def correct_member_id(db: Database, coverage_id: int, member_id: str, user: str) -> str:
    """Put a coverage's member id right (a typo, an old Medicare HICN replaced by the MBI);
    the id as kept. Claims sent already keep what their 837P carried; the next 837P carries
    the new id."""
    with db.transaction() as con:
        cov = _coverage(con, coverage_id)
        if blank(member_id):
            raise ValidationError([Problem("Member id is missing: copy it from the insurance "
                                           "card.", "member_id")])
        said = text_problem(member_id, "Member id", "member_id")
        medicare = cov["payer_type"] == "medicare"
        if said or (medicare and mbi_problem(member_id)):
            raise ValidationError([Problem(said or mbi_problem(member_id), "member_id")])
        kept = member_id_as_kept(member_id, cov["payer_type"])
        con.execute("UPDATE coverages SET member_id = ? WHERE coverage_id = ?",
                    [kept, coverage_id])
        audit(con, user, "update", "coverages", coverage_id, {"member_id": cov["member_id"]},
              {"member_id": kept})
        return kept



SUBSCRIBER_FIELDS = ("group_number", "relationship", "subscriber_last_name",
                     "subscriber_first_name")


def coverage_subscriber(db: Database, coverage_id: int) -> dict[str, Any]:
    """A coverage's group number, the client's relationship to the subscriber and the
    subscriber's name (what :func:`correct_subscriber` changes)."""
    with db.connect() as con:
        cov = _coverage(con, coverage_id)
    return {f: cov[f] for f in SUBSCRIBER_FIELDS}


def correct_subscriber(db: Database, coverage_id: int, user: str, *, group_number: str | None,
                       relationship: str, subscriber_last_name: str | None,
                       subscriber_first_name: str | None) -> list[str]:
    """Put a coverage's group number and subscriber right, as on the card (a claim denied
    because the payer could not match the subscriber: CO-31, CO-16 with N382). A blank group
    number clears it; the client as the subscriber ("self") has no subscriber name. Returns
    what changed, in words. Claims sent already keep what their 837P carried; the next 837P
    (a replacement, Claims → Correct / void) carries the new details.

    Raises ValidationError: an unknown relationship, a name or number a claim file cannot
    carry, no subscriber name when the client is not the subscriber, or nothing changed."""
    with db.transaction() as con:
        cov = _coverage(con, coverage_id)
        p: list[Problem] = []
        if relationship not in ("self", "spouse", "child", "other"):
            p.append(Problem(f"Relationship {relationship!r} must be self, spouse, child or "
                             "other.", "relationship"))
        new = {"group_number": None if blank(group_number) else group_number.strip(),
               "relationship": relationship}
        text_field(p, new["group_number"], "Group number", "group_number")
        for field, value, label, kind in (
                ("subscriber_last_name", subscriber_last_name, "Subscriber last name",
                 "last_name"),
                ("subscriber_first_name", subscriber_first_name, "Subscriber first name",
                 "first_name")):
            new[field] = None if relationship == "self" or blank(value) else value.strip()
            text_field(p, new[field], label, field, kind=kind)
        if relationship != "self" and not (new["subscriber_last_name"]
                                           and new["subscriber_first_name"]):
            p.append(Problem("Subscriber name is missing: when the client is not the "
                             "subscriber, enter the subscriber's last and first name as on "
                             "the card.", "subscriber_last_name"))
        changed = {f: v for f, v in new.items() if v != cov[f]}
        if not p and not changed:
            p.append(Problem("These are the coverage's details already: nothing was changed.",
                             "group_number"))
        if p:
            raise ValidationError(p)
        con.execute(f"UPDATE coverages SET {', '.join(f'{f} = ?' for f in changed)} "
                    "WHERE coverage_id = ?", [*changed.values(), coverage_id])
        audit(con, user, "update", "coverages", coverage_id,
              {f: cov[f] for f in changed}, changed)
    return [f.replace("_", " ") for f in changed]
