"""Sessions (minutes per code), the units a client's day bills as, and the coverage active on
a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from metdash.coding import (
    billable_units,
    cpt_problems,
    day_minutes,
    known_codes,
    normalize_cpt,
    untimed_codes,
)
from metdash.coding.pos import normalize_pos, pos_problem
from metdash.entry.days import day_sessions
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
    "MAX_SESSION_MINUTES", "SESSION_KINDS", "DayUnits", "SessionIn", "active_coverage", "duplicate_session_warning",
    "duplicate_sessions", "minutes_problems", "save_session", "session_units",
    "validate_session",
]

SESSION_KINDS = ("initial_assessment", "treatment", "progress", "discharge")
# The most minutes one session holds, of one code or of all together: a working day of
# 8 hours (a typo of 600 for 60 is caught, a long evaluation is not).
MAX_SESSION_MINUTES = 480


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
    place_of_service: str = "11"  # CMS POS code (metdash.coding.pos): 11 office, 12 home, 02/10


def validate_session(con: Any, s: SessionIn, as_of: dt.date | None = None) -> list[Problem]:
    """Every problem with a session."""
    as_of = as_of or today()
    p: list[Problem] = []
    text_fields(p, s, {"notes": "Notes"})
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
    pos_msg = pos_problem(s.place_of_service)
    if pos_msg:
        p.append(Problem(pos_msg, "place_of_service"))
    if s.kind not in SESSION_KINDS:
        p.append(Problem(f"Session kind {s.kind!r} must be one of {', '.join(SESSION_KINDS)}.",
                         "kind"))
    known = known_codes(con)
    for code in s.minutes:
        for m in cpt_problems(code, known):
            p.append(Problem(m, "minutes"))
    p += [Problem(m, "minutes") for m in minutes_problems(s.minutes)]
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


def minutes_problems(minutes: dict[str, Any]) -> list[str]:
    """What is wrong with a session's minutes per code: one that is not a whole number of
    0 or more, one over :data:`MAX_SESSION_MINUTES`, a total over it, or none at all (a
    number over the limit is entered, not "no minutes": a new-user trial typed 600 and was
    told that, the form's box having dropped it without a word)."""
    out: list[str] = []
    total = 0
    entered = False
    for code, mins in minutes.items():
        if not isinstance(mins, int) or isinstance(mins, bool) or mins < 0:
            out.append(f"Minutes for {code} ({mins!r}) must be a whole number, 0 or more.")
            entered = True
        elif mins > MAX_SESSION_MINUTES:
            out.append(f"{mins} minutes of {code} is more than the {MAX_SESSION_MINUTES} a "
                       f"session can hold ({MAX_SESSION_MINUTES // 60} hours): check the "
                       "number.")
            entered = True
        else:
            total += mins
            entered = entered or mins > 0
    if not entered:
        out.append("Minutes: no minutes entered: enter the minutes spent on each procedure "
                   "code.")
    elif total > MAX_SESSION_MINUTES and not out:
        out.append(f"The session's minutes add up to {total}, more than the "
                   f"{MAX_SESSION_MINUTES} a session can hold ({MAX_SESSION_MINUTES // 60} "
                   "hours): check the numbers, or enter a long day as two sessions.")
    return out


def duplicate_sessions(con: Any, s: SessionIn) -> list[int]:
    """The saved sessions ``s`` repeats exactly: the same client, provider and date with the
    same minutes per code (codes compared as stored, codes with 0 minutes left out), their
    ids in order. [] when there is none, or when ``s`` lacks what to compare by (no
    provider, a date that is not one, no minutes): :func:`validate_session` says what is
    wrong with it then."""
    try:
        day = as_date(s.session_date)
    except ValueError:
        return []
    wanted = {normalize_cpt(c): m for c, m in s.minutes.items()
              if isinstance(m, int) and not isinstance(m, bool) and m > 0}
    if day is None or s.provider_id is None or not wanted:
        return []
    return [d.session_id for d in day_sessions(con, s.client_id, [day]).get(day, [])
            if d.provider_id == s.provider_id and d.minutes == wanted]


def duplicate_session_warning(con: Any, s: SessionIn) -> str | None:
    """What to ask before saving ``s`` when it repeats a saved session exactly
    (:func:`duplicate_sessions`); None when it repeats none. Two identical sessions in one
    day can be real, so this is a question the user answers, not a refusal: the save itself
    (:func:`save_session`) takes a confirmed duplicate as any other session."""
    same = duplicate_sessions(con, s)
    if not same:
        return None
    codes = ", ".join(f"{c} {m} min" for c, m in
                      sorted((normalize_cpt(c), m) for c, m in s.minutes.items() if m > 0))
    which = (f"session {same[0]}" if len(same) == 1
             else "sessions " + ", ".join(str(i) for i in same))
    return (f"A session for this client with this provider on {as_date(s.session_date)} with "
            f"the same codes and minutes ({codes}) is already on file ({which}). Two "
            "identical sessions in one day are rare: check it was not entered twice. Save it "
            "anyway?")


def save_session(db: Database, s: SessionIn, user: str, as_of: dt.date | None = None) -> int:
    """Record a session and its minutes; its id."""
    with db.transaction() as con:
        problems = validate_session(con, s, as_of)
        if problems:
            raise ValidationError(problems)
        sid = next_id(con, "sessions", "session_id")
        values = {"session_id": sid, "client_id": s.client_id, "provider_id": s.provider_id,
                  "referral_id": s.referral_id, "session_date": as_date(s.session_date),
                  "kind": s.kind, "notes": s.notes or None,
                  "place_of_service": normalize_pos(s.place_of_service)}
        insert_row(con, "sessions", values)
        for code, mins in s.minutes.items():
            if mins > 0:
                con.execute("INSERT INTO session_minutes (session_id, cpt, minutes) "
                            "VALUES (?, ?, ?)", [sid, normalize_cpt(code), mins])
        audit(con, user, "create", "sessions", sid, None,
              {**values, "minutes": {k: v for k, v in s.minutes.items() if v > 0}})
        return sid


@dataclass
class DayUnits:
    """The units a client's day bills as: ``units`` and ``minutes`` per code over the whole
    day (the session being entered and the ``other_sessions`` already saved for that date),
    under the payer's ``rule``; ``payer`` is None when the client has no coverage on file."""

    units: dict[str, int]
    rule: str
    payer: str | None
    minutes: dict[str, int] = field(default_factory=dict)
    other_sessions: int = 0


def session_units(con: Any, client_id: str, minutes: dict[str, int],
                  on: dt.date | None = None) -> DayUnits:
    """Units as the client's day on ``on`` will be billed to their primary payer, with
    ``minutes`` (the session being entered) added to the client's sessions already saved
    for that date: the 8-minute rule counts the day, not the session (a 10-minute morning
    and a 10-minute afternoon 97110 are 20 minutes = 1 unit), and the per-code rule rounds
    each code's minutes of the day. The CMS rule when the client has no coverage on file.
    """
    on = on or today()
    cov = active_coverage(con, client_id, on)
    rule = cov["units_rule"] if cov else "cms"
    known = known_codes(con)
    untimed = untimed_codes(known)
    saved = day_sessions(con, client_id, [on]).get(on, [])
    clean = {normalize_cpt(c): int(m) for c, m in minutes.items() if m is not None}
    day = day_minutes([*(s.minutes for s in saved), clean])
    return DayUnits(billable_units(day, rule, untimed=untimed), rule,
                    cov["payer_name"] if cov else None, day, len(saved))


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
