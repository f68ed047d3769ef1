"""Sessions (minutes per code), the units they bill as, and the coverage active on a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from metdash.coding import billable_units, cpt_problems, known_codes, normalize_cpt
from metdash.entry.problems import Problem, as_date, date_field, fetch_one, today
from metdash.errors import ValidationError
from metdash.store import Database, audit, insert_row, next_id

__all__ = [
    "SESSION_KINDS", "SessionIn", "active_coverage", "save_session", "session_units",
    "validate_session",
]

SESSION_KINDS = ("initial_assessment", "treatment", "progress", "discharge")


@dataclass
class SessionIn:
    """One session: client, provider, date, kind, minutes per CPT code."""

    client_id: str
    provider_id: int | None
    session_date: Any
    kind: str
    minutes: dict[str, int]
    referral_id: int | None = None
    notes: str | None = None


def validate_session(con: Any, s: SessionIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a session."""
    as_of = as_of or today()
    p: list[Problem] = []
    if not fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?", [s.client_id]):
        p.append(Problem(f"Client {s.client_id!r} is not on file: add the client first.",
                         "client_id"))
    prov = None if s.provider_id is None else fetch_one(
        con, "SELECT active FROM providers WHERE provider_id = ?", [s.provider_id])
    if prov is None:
        p.append(Problem("Provider is not on file: choose who saw the client.", "provider_id"))
    elif not prov["active"]:
        p.append(Problem("Provider is inactive: choose an active provider, or reactivate "
                         "them under Settings.", "provider_id"))
    day = date_field(p, s.session_date, "Session date", "session_date")
    if day and day > as_of:
        p.append(Problem(f"Session date {day} is in the future: record a session after it "
                         "happens.", "session_date"))
    if s.kind not in SESSION_KINDS:
        p.append(Problem(f"Session kind {s.kind!r} must be one of {', '.join(SESSION_KINDS)}.",
                         "kind"))
    known = known_codes(con)
    total = 0
    for code, mins in s.minutes.items():
        for m in cpt_problems(code, known):
            p.append(Problem(m, "minutes"))
        if not isinstance(mins, int) or isinstance(mins, bool) or not 0 <= mins <= 480:
            p.append(Problem(f"Minutes for {code} ({mins!r}) must be a whole number from 0 "
                             "to 480.", "minutes"))
        else:
            total += mins
    if total == 0:
        p.append(Problem("Minutes: no minutes entered: enter the minutes spent on each "
                         "procedure code.", "minutes"))
    if s.referral_id is not None:
        ref = fetch_one(con, "SELECT client_id, received_date FROM referrals WHERE referral_id = ?",
                        [s.referral_id])
        if ref is None or ref["client_id"] != s.client_id:
            p.append(Problem("Referral is not one of this client's: choose the client's "
                             "referral.", "referral_id"))
        elif day and day < ref["received_date"]:
            p.append(Problem(f"Session date {day} is before the referral was received "
                             f"({ref['received_date']}): check the date or the referral.",
                             "session_date"))
    return p


def save_session(db: Database, s: SessionIn, user: str, as_of: dt.date | None = None) -> int:
    """Record a session and its minutes; its id."""
    with db.transaction() as con:
        problems = validate_session(con, s, as_of)
        if problems:
            raise ValidationError(problems)
        sid = next_id(con, "sessions", "session_id")
        values = {"session_id": sid, "client_id": s.client_id, "provider_id": s.provider_id,
                  "referral_id": s.referral_id, "session_date": as_date(s.session_date),
                  "kind": s.kind, "notes": s.notes or None}
        insert_row(con, "sessions", values)
        for code, mins in s.minutes.items():
            if mins > 0:
                con.execute("INSERT INTO session_minutes (session_id, cpt, minutes) "
                            "VALUES (?, ?, ?)", [sid, normalize_cpt(code), mins])
        audit(con, user, "create", "sessions", sid, None,
              {**values, "minutes": {k: v for k, v in s.minutes.items() if v > 0}})
        return sid


def session_units(con: Any, client_id: str, minutes: dict[str, int],
                  on: dt.date | None = None) -> tuple[dict[str, int], str, str | None]:
    """Units as they will be billed for the client's primary payer on ``on``.

    Returns ``(units per code, rule, payer name or None)``; the CMS rule when the client
    has no coverage on file.
    """
    cov = active_coverage(con, client_id, on or today())
    rule = cov["units_rule"] if cov else "cms"
    known = known_codes(con)
    untimed = {c for c, info in known.items() if not info.timed}
    clean = {normalize_cpt(c): int(m) for c, m in minutes.items() if m is not None}
    return billable_units(clean, rule, untimed=untimed), rule, (cov["payer_name"] if cov else None)


def active_coverage(con: Any, client_id: str, on: dt.date,
                    payer_id: int | None = None) -> dict[str, Any] | None:
    """The client's coverage active on ``on`` (with ``payer_id``: with that payer), primary
    first, as a dict with the payer's payer_name, units_rule and payer_type; None when
    there is none."""
    sql = ("SELECT c.*, p.name AS payer_name, p.units_rule, p.payer_type FROM coverages c "
           "JOIN payers p USING (payer_id) WHERE c.client_id = ? AND c.effective_date <= ? "
           "AND (c.end_date IS NULL OR c.end_date >= ?)")
    params: list[Any] = [client_id, on, on]
    if payer_id is not None:
        sql += " AND c.payer_id = ?"
        params.append(payer_id)
    sql += (" ORDER BY CASE c.priority WHEN 'primary' THEN 1 WHEN 'secondary' THEN 2 ELSE 3 END,"
            " c.coverage_id DESC LIMIT 1")
    return fetch_one(con, sql, params)
