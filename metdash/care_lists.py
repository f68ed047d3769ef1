"""The care team's work lists: referrals running out, progress reports due, plans of care
to recertify or get signed, clients treated on days no plan of care covers (DOMAIN.md,
"Deadlines"). Each is a function ``(db, as_of) ->
DataFrame``; :mod:`metdash.worklists` shows them with the billing lists.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metdash.entry import SIGNATURE_DAYS
from metdash.store import Database

__all__ = [
    "ACTIVE_DAYS", "CLIENT_NAME", "DAYS_NAMED", "EXPIRY_WINDOW_DAYS", "PLAN_OF_CARE_PAYER_TYPES",
    "PROGRESS_EVERY", "RECERT_WINDOW_DAYS", "SIGN_WINDOW_DAYS", "VISITS_LEFT_WARN",
    "plan_of_care_to_recertify", "plans_of_care_unsigned", "progress_note_due",
    "referrals_expiring", "treated_without_plan_of_care",
]

EXPIRY_WINDOW_DAYS = 14
VISITS_LEFT_WARN = 2
PROGRESS_EVERY = 10      # a progress report at least every 10 treatment days (Medicare)
RECERT_WINDOW_DAYS = 14  # a plan of care ending within 14 days is listed for recertifying
ACTIVE_DAYS = 60         # a client seen within 60 days is still in treatment
SIGN_WINDOW_DAYS = 7     # an unsigned plan is listed 7 days before its signature is due
# The payer types whose clients are treated under a plan of care the physician certifies
# (DOMAIN.md: "Medicare requires it"). Medicare Advantage, Medicaid and commercial plans
# set their own rules: none is assumed for them.
PLAN_OF_CARE_PAYER_TYPES = ("medicare",)
DAYS_NAMED = 10          # the days a row of "treated without a plan of care" writes out

#: A client's name as the lists show it (``cl``: the clients table).
CLIENT_NAME = "cl.last_name || ', ' || cl.first_name"


def referrals_expiring(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Referrals in force that expire within 14 days or have 2 visits or fewer left.

    Visits used: distinct dates of the referral's sessions and of lines on its non-voided
    claims. Columns: referral_id, client_id, client_name, referrer, received_date,
    expiry_date, days_to_expiry, authorized_visits, visits_used, visits_left, why.
    """
    return db.query(f"""
        WITH in_force AS (
            -- the referrals in force first: only their visits are counted
            SELECT * FROM referrals r
            WHERE r.received_date <= ?::DATE
              AND (r.expiry_date IS NULL OR r.expiry_date >= ?::DATE)
        ), used AS (
            SELECT referral_id, count(DISTINCT d) AS visits_used FROM (
                SELECT referral_id, session_date AS d FROM sessions
                WHERE referral_id IN (SELECT referral_id FROM in_force)
                UNION
                SELECT c.referral_id, l.service_date FROM claim_lines l JOIN claims c
                    USING (claim_id)
                WHERE c.referral_id IN (SELECT referral_id FROM in_force)
                  AND c.status <> 'voided'
            ) GROUP BY referral_id
        ), r AS (
            SELECT r.*, coalesce(u.visits_used, 0) AS visits_used,
                   r.authorized_visits - coalesce(u.visits_used, 0) AS visits_left,
                   date_diff('day', ?::DATE, r.expiry_date) AS days_to_expiry
            FROM in_force r LEFT JOIN used u USING (referral_id)
        )
        SELECT r.referral_id, r.client_id, {CLIENT_NAME} AS client_name, f.name AS referrer,
               r.received_date, r.expiry_date, r.days_to_expiry, r.authorized_visits,
               r.visits_used::INTEGER AS visits_used, r.visits_left::INTEGER AS visits_left,
               concat_ws('; ',
                   CASE WHEN r.days_to_expiry <= ? THEN 'expires in ' || r.days_to_expiry || ' days' END,
                   CASE WHEN r.visits_left <= ? THEN r.visits_left || ' visits left' END) AS why
        FROM r JOIN clients cl USING (client_id) LEFT JOIN referrers f USING (referrer_id)
        WHERE r.days_to_expiry <= ? OR r.visits_left <= ?
        ORDER BY least(coalesce(r.days_to_expiry, 9999), coalesce(r.visits_left * 7, 9999)),
                 r.referral_id""",
        [as_of, as_of, as_of, EXPIRY_WINDOW_DAYS, VISITS_LEFT_WARN, EXPIRY_WINDOW_DAYS,
         VISITS_LEFT_WARN], few=True)


def progress_note_due(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Clients whose progress report is due at their next visit, or overdue.

    DOMAIN.md: a progress report at least once every 10 treatment days; the first day of
    the episode (the evaluation day) is treatment day 1, so the first report is due on or
    before the 10th treatment day counting the evaluation. A reporting period starts on
    the client's latest initial assessment (that day counted) or the day after their latest
    progress report (the report's day closes the period before). Treatment days: distinct
    session dates of the period up to ``as_of``. Listed from 9: 'due at the next visit' (the
    next visit is the 10th treatment day: the report is written then at the latest);
    10 or more: 'overdue' (the 10th day went by without a report). Clients discharged
    since are left out. Columns: client_id, client_name, last_note (initial assessment or
    progress report), last_note_date, treatment_days, status.
    """
    return db.query(f"""
        WITH s AS NOT MATERIALIZED (SELECT client_id, session_date, kind FROM sessions
                   WHERE session_date <= ?::DATE),
        per_client AS (
            SELECT client_id,
                   max(session_date) FILTER (WHERE kind IN ('initial_assessment', 'progress'))
                       AS last_note_date,
                   max(session_date, {PROGRESS_EVERY - 1}) AS newest
            FROM s GROUP BY client_id
        ), last_note AS (
            -- only a client with at least 9 session dates from the note on can be due: their
            -- 9th newest session is on or after the note (the few such clients are counted
            -- below)
            SELECT client_id, last_note_date FROM per_client
            WHERE last_note_date IS NOT NULL AND len(newest) >= {PROGRESS_EVERY - 1}
              AND newest[{PROGRESS_EVERY - 1}] >= last_note_date
        ), days AS (
            -- only the sessions from the note on count (grouping every session's date per
            -- client cost ~60 ms at 1M lines)
            SELECT n.client_id, n.last_note_date,
                   bool_or(s.kind = 'progress' AND s.session_date = n.last_note_date)
                       AS after_report,
                   count(DISTINCT s.session_date) AS dates_from_note,
                   bool_or(s.kind = 'discharge') AS discharged
            FROM last_note n JOIN s ON s.client_id = n.client_id
                                   AND s.session_date >= n.last_note_date
            GROUP BY n.client_id, n.last_note_date
        ), periods AS (
            -- the evaluation day is treatment day 1; a progress report's day belongs to
            -- the period it closes
            SELECT *, dates_from_note - CASE WHEN after_report THEN 1 ELSE 0 END
                          AS treatment_days
            FROM days
        )
        SELECT d.client_id, {CLIENT_NAME} AS client_name,
               CASE WHEN d.after_report THEN 'progress report' ELSE 'initial assessment' END
                   AS last_note,
               d.last_note_date, d.treatment_days::INTEGER AS treatment_days,
               CASE WHEN d.treatment_days >= ? THEN 'overdue' ELSE 'due at the next visit' END
                   AS status
        FROM periods d JOIN clients cl USING (client_id)
        WHERE d.treatment_days >= ? - 1 AND NOT coalesce(d.discharged, FALSE)
        ORDER BY d.treatment_days DESC, d.client_id""",
        [as_of, PROGRESS_EVERY, PROGRESS_EVERY], few=True)


def plan_of_care_to_recertify(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Plans of care that end within 14 days (or have ended) and are not recertified yet.

    Read from the plans' own dates (``plans_of_care``): a plan is certified through its
    ``certified_through`` (at most 90 calendar days from the first treatment), and only a
    new plan naming it as the plan it recertifies continues it (a re-evaluation does not).
    A plan whose client has a newer plan (a new episode), was discharged since the plan
    started, or was not seen since the plan started within the 60 days before ``as_of`` is
    left out. Columns: plan_id, client_id, client_name, certified_by, plan_start,
    recert_due (the last certified day), days_left (negative: ended), signed_date.
    """
    # Only the due plans' clients' sessions are read: those of the last 60 days, and the
    # discharges of the clients seen then (~2x faster at 1M lines than grouping each plan's
    # sessions since its start; most clients' newest plan ended long ago).
    return db.query(f"""
        WITH newest AS (
            -- a plan with no newer plan of its client is one starting on the client's latest
            -- start (one grouping, not a join of each plan with its client's later plans)
            SELECT client_id, max(start_date) AS start_date FROM plans_of_care
            GROUP BY client_id
        ), due AS (
            SELECT p.* FROM plans_of_care p SEMI JOIN newest n USING (client_id, start_date)
            WHERE p.start_date <= ?::DATE
              AND p.certified_through <= ?::DATE + {RECERT_WINDOW_DAYS}
              AND NOT EXISTS (SELECT 1 FROM plans_of_care r
                              WHERE r.recertifies_plan_id = p.plan_id)
        ), recent AS (
            SELECT client_id, max(session_date) AS last_seen FROM sessions
            WHERE session_date >= ?::DATE - {ACTIVE_DAYS} AND session_date <= ?::DATE
              AND client_id IN (SELECT client_id FROM due)
            GROUP BY client_id
        ), discharges AS (
            -- of the clients seen lately only (a plan is listed only then)
            SELECT client_id, max(session_date) AS discharged FROM sessions
            WHERE kind = 'discharge' AND session_date <= ?::DATE
              AND client_id IN (SELECT client_id FROM recent)
            GROUP BY client_id
        )
        SELECT d.plan_id, d.client_id, {CLIENT_NAME} AS client_name, f.name AS certified_by,
               d.start_date AS plan_start, d.certified_through AS recert_due,
               date_diff('day', ?::DATE, d.certified_through) AS days_left, d.signed_date
        FROM due d JOIN recent r USING (client_id) LEFT JOIN discharges x USING (client_id)
        JOIN clients cl USING (client_id) LEFT JOIN referrers f USING (referrer_id)
        WHERE r.last_seen >= d.start_date
          AND (x.discharged IS NULL OR x.discharged < d.start_date)
        ORDER BY days_left, d.plan_id""", [as_of] * 6, few=True)


def plans_of_care_unsigned(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Plans of care the physician has not signed, listed from 7 days before the signature
    is due: 'overdue' once it is past due.

    DOMAIN.md: the physician signs within 30 days of the initial evaluation, so a first
    plan's signature is due by its start (the evaluation day) + 30 days. A recertification
    is due signed by the last certified day of the plan it continues (Medicare: dated
    during the current certification; DOMAIN.md only says "again with a signature").
    Columns: plan_id, client_id, client_name, certified_by, plan_start, recertifies_plan_id,
    signature_due, days_left (negative: past due), status.
    """
    return db.query(f"""
        WITH unsigned AS (
            SELECT p.*, coalesce(prev.certified_through,
                                 (p.start_date + {SIGNATURE_DAYS})::DATE) AS signature_due
            FROM plans_of_care p LEFT JOIN plans_of_care prev
                 ON prev.plan_id = p.recertifies_plan_id
            WHERE p.signed_date IS NULL
        )
        SELECT u.plan_id, u.client_id, {CLIENT_NAME} AS client_name, f.name AS certified_by,
               u.start_date AS plan_start, u.recertifies_plan_id, u.signature_due,
               date_diff('day', ?::DATE, u.signature_due) AS days_left,
               CASE WHEN u.signature_due < ?::DATE THEN 'overdue'
                    ELSE 'due in ' || date_diff('day', ?::DATE, u.signature_due) || ' days'
               END AS status
        FROM unsigned u JOIN clients cl USING (client_id) LEFT JOIN referrers f USING (referrer_id)
        WHERE date_diff('day', ?::DATE, u.signature_due) <= {SIGN_WINDOW_DAYS}
        ORDER BY days_left, u.plan_id""", [as_of, as_of, as_of, as_of], few=True)


def treated_without_plan_of_care(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Clients treated under a payer that requires a plan of care (payer types
    :data:`PLAN_OF_CARE_PAYER_TYPES`: Medicare) on days no plan of care on file covers.

    DOMAIN.md: Medicare requires the plan of care certified by the physician, for at most
    90 days, then recertified. A treatment day: the date of a session while the client has
    a coverage with such a payer (any priority: Medicare as a secondary asks for it too),
    or a service date on a line of a non-voided claim to one (a claim imported or typed in
    has no session). Covered: inside a plan of the client on file (start .. certified
    through); a plan awaiting its signature counts ("Plans of care unsigned" asks for
    it). Listed while a claim for the day can still reach the payer: within its
    timely-filing days (day + timely_filing_days >= ``as_of``), up to ``as_of``.

    Columns: client_id, client_name, days_without_plan, first_day, last_day, next_step,
    dates (the first :data:`DAYS_NAMED`, 'YYYY-MM-DD, ...', then 'and N more'),
    plans_on_file (the client's plans of care), payer (what to do first: the grid shows ~7
    columns at 1280 px). Oldest first day first (its filing deadline is the nearest).
    """
    # Only the sessions of the filing window are joined to the coverages (a range join of a
    # few thousand rows at 1M lines), and only the claim lines without a session (none in
    # a practice that bills from its sessions) to their claims.
    # The payer types written into the text, from our own constant (a bound list left the
    # planner blind to the one payer: ~50% slower at 1M lines).
    if not all(t.isidentifier() for t in PLAN_OF_CARE_PAYER_TYPES):
        raise ValueError(f"not a payer type: {PLAN_OF_CARE_PAYER_TYPES!r}")
    types = ", ".join(f"'{t}'" for t in PLAN_OF_CARE_PAYER_TYPES)
    return db.query(f"""
        WITH need AS (
            SELECT payer_id, name, timely_filing_days FROM payers
            WHERE payer_type IN ({types})
        ), loose AS MATERIALIZED (
            SELECT claim_id, service_date FROM claim_lines
            WHERE session_id IS NULL AND service_date <= $as_of::DATE
              AND service_date >= $as_of::DATE - (SELECT max(timely_filing_days) FROM need)
        ), days AS (
            SELECT s.client_id, s.session_date AS day, v.payer_id
            FROM sessions s JOIN coverages v ON v.client_id = s.client_id
                 AND s.session_date >= v.effective_date
                 AND (v.end_date IS NULL OR s.session_date <= v.end_date)
            JOIN need n ON n.payer_id = v.payer_id
            WHERE s.session_date <= $as_of::DATE
              AND s.session_date >= $as_of::DATE - n.timely_filing_days
            UNION
            SELECT c.client_id, l.service_date, c.payer_id
            FROM loose l JOIN claims c USING (claim_id) JOIN need n USING (payer_id)
            WHERE c.status <> 'voided'
              AND l.service_date >= $as_of::DATE - n.timely_filing_days
        ), bare AS (
            SELECT d.* FROM days d
            WHERE NOT EXISTS (SELECT 1 FROM plans_of_care p WHERE p.client_id = d.client_id
                              AND d.day BETWEEN p.start_date AND p.certified_through)
        ), per_client AS (
            -- a day under two such payers is one day
            SELECT client_id, min(payer_id) AS payer_id, count(DISTINCT day) AS n,
                   min(day) AS first_day, max(day) AS last_day,
                   list(DISTINCT day ORDER BY day) AS all_days
            FROM bare GROUP BY client_id
        ), plans AS (
            SELECT client_id, count(*) AS plans_on_file FROM plans_of_care
            WHERE client_id IN (SELECT client_id FROM per_client) GROUP BY client_id
        )
        SELECT b.client_id, {CLIENT_NAME} AS client_name,
               b.n::INTEGER AS days_without_plan, b.first_day, b.last_day,
               CASE WHEN pl.plans_on_file IS NULL THEN
                   'No plan of care on file: ' || n.name || ' pays only under a plan the '
                   || 'physician certified. Have one certified (a delayed certification says '
                   || 'why it is late), record it under Referrals, Plans of care, and hold '
                   || 'these days'' claims until it is signed.'
               ELSE
                   'Not covered by the client''s plans of care on file: record the plan or '
                   || 'recertification that covered these days (Referrals, Plans of care), '
                   || 'or have one certified now, saying why it is late.'
               END AS next_step,
               array_to_string(b.all_days[1:{DAYS_NAMED}]::VARCHAR[], ', ')
               || CASE WHEN b.n > {DAYS_NAMED} THEN ' and ' || (b.n - {DAYS_NAMED}) || ' more'
                       ELSE '' END AS dates,
               coalesce(pl.plans_on_file, 0)::INTEGER AS plans_on_file, n.name AS payer
        FROM per_client b JOIN need n USING (payer_id) JOIN clients cl USING (client_id)
        LEFT JOIN plans pl USING (client_id)
        ORDER BY b.first_day, b.client_id""", {"as_of": as_of}, few=True)
