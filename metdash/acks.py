"""What the acknowledgments say: rejected claims to fix, claims still waiting for theirs,
the clean claim rate, and the practice's waiting time (a setting).

The acknowledgments themselves are imported by :mod:`metdash.x12.post_ack` (tables
``acknowledgments``, ``ack_sets``, ``claim_acks``; which claims went out in which 837P:
``x12_submissions``). Every function here is one read query with bound parameters.

Rules (stated once here, used by the work lists and the figure):

* A claim is **rejected — fix and resend** when a 999 (its file or set rejected by the
  clearinghouse) or a 277CA (the payer's front end: category A3, A4, A6, A7, A8 ...) rejected
  it, its status is still ``submitted`` (a rejected claim never reached adjudication), and it
  has not been sent again since (no 837P carrying it after the rejection was imported, and
  no later submission date).
* A claim is **waiting for an acknowledgment** when it is ``submitted``, was last sent more
  than ``ack_wait_days`` days ago (Settings, default 3), and no 277CA about it came since;
  the list shows whether the clearinghouse's 999 at least accepted the file. A claim
  rejected since is on the rejected list instead.
* **Clean claim rate** (DOMAIN.md): :mod:`metdash.figures.clean_claims`; its definition is
  the figure catalogue's (:mod:`metdash.metrics`, ``clean_claim_rate``).

All three are about the claim sent to its own payer: they read the rows of ``claim_acks``
and ``x12_submissions`` with no ``secondary_claim_id``. A secondary claim's rejection sends
it back to "Bill the secondary" instead (:mod:`metdash.x12.post_ack`); its acknowledgments
are in the claim's history (:func:`claim_acknowledgments`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metdash.deadlines import filing_deadline_sql
from metdash.entry.problems import Problem
from metdash.errors import ValidationError
from metdash.store import Database, audit

DEFAULT_WAIT_DAYS = 3
MAX_WAIT_DAYS = 60

_CLIENT_NAME = "cl.last_name || ', ' || cl.first_name"


def ack_wait_days(db: Database) -> int:
    """Days a submitted claim may wait for its 277CA before it is listed (default 3)."""
    value = db.scalar("SELECT max(ack_wait_days) FROM practice")
    return DEFAULT_WAIT_DAYS if value is None else int(value)


def save_ack_wait_days(db: Database, days: int | str, user: str) -> int:
    """Set the waiting time (1 to 60 days); raises ValidationError naming the field."""
    try:
        value = int(str(days).strip())
    except ValueError:
        value = None
    if value is None or not 1 <= value <= MAX_WAIT_DAYS:
        raise ValidationError([Problem(
            f"Days to wait for an acknowledgment {str(days).strip()!r} is not a whole number "
            f"from 1 to {MAX_WAIT_DAYS}: most payers answer within 1–3 business days.",
            "ack_wait_days")])
    with db.transaction() as con:
        rows = con.execute("SELECT practice_id, ack_wait_days FROM practice "
                           "ORDER BY practice_id LIMIT 1").fetchall()
        if not rows:
            raise ValidationError([Problem("The practice is not set up: save the practice's "
                                           "details first.", "ack_wait_days")])
        con.execute("UPDATE practice SET ack_wait_days = ? WHERE practice_id = ?",
                    [value, rows[0][0]])
        audit(con, user, "update", "practice", rows[0][0], {"ack_wait_days": rows[0][1]},
              {"ack_wait_days": value})
    return value


def rejected_claims(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Claims rejected by a 999 or 277CA and not sent again: fix and resend.

    Columns: claim_id, client_id, client_name, payer, submitted_date, rejected_on,
    rejected_by ('clearinghouse (999)' or 'payer (277CA)'), reason (in words), codes (as
    sent), total_charge, filing_deadline, days_left (to the timely-filing deadline).
    Nearest deadline first.
    """
    return db.query(f"""
        WITH rej AS (
            SELECT a.claim_id,
                   arg_max(a.reason, (a.status_date, k.imported_at, a.seq)) AS reason,
                   arg_max(a.codes, (a.status_date, k.imported_at, a.seq)) AS codes,
                   arg_max(a.kind, (a.status_date, k.imported_at, a.seq)) AS kind,
                   max(a.status_date) AS rejected_on, max(k.imported_at) AS imported_at
            FROM claim_acks a JOIN acknowledgments k USING (ack_id)
            WHERE a.outcome = 'rejected' AND a.claim_id IS NOT NULL
              AND a.secondary_claim_id IS NULL  -- the primary's (module docstring)
              AND a.status_date <= ?::DATE
              -- only a claim still submitted is listed (below): the others' rejections and
              -- sendings are not read
              AND a.claim_id IN (SELECT claim_id FROM claims WHERE status = 'submitted')
            GROUP BY a.claim_id
        ), resent AS (
            -- only a sending after a rejection's import can count (below): the sendings
            -- before the earliest of them are skipped by date (~140 -> ~75 ms at 5M lines)
            SELECT s.claim_id, max(s.submitted_at) AS last_sent
            FROM x12_submissions s SEMI JOIN rej USING (claim_id)
            WHERE s.secondary_claim_id IS NULL
              AND s.submitted_at > (SELECT min(imported_at) FROM rej)
            GROUP BY s.claim_id
        )
        SELECT c.claim_id, c.client_id, {_CLIENT_NAME} AS client_name, p.name AS payer,
               c.submitted_date, r.rejected_on,
               CASE r.kind WHEN '277CA' THEN 'payer (277CA)' ELSE 'clearinghouse (' || r.kind || ')'
                   END
                   AS rejected_by,
               r.reason, r.codes, c.total_charge,
               {filing_deadline_sql()} AS filing_deadline,
               date_diff('day', ?::DATE, {filing_deadline_sql()}) AS days_left
        FROM rej r JOIN claims c USING (claim_id) JOIN clients cl USING (client_id)
        JOIN payers p USING (payer_id) LEFT JOIN resent s USING (claim_id)
        WHERE c.status = 'submitted'
          AND NOT coalesce(s.last_sent > r.imported_at, FALSE)
          AND NOT coalesce(c.last_submitted_date > r.rejected_on, FALSE)
        ORDER BY days_left, c.claim_id""", [as_of, as_of], few=True)


def claims_awaiting_ack(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Submitted claims with no 277CA more than ``ack_wait_days`` days after they were sent.

    Columns: claim_id, client_id, client_name, payer, sent_on (the last submission),
    days_waiting, file_999 (the clearinghouse's verdict on the file since: accepted,
    rejected or none), total_charge. Longest wait first.
    """
    return db.query(f"""
        WITH wait AS (SELECT coalesce(max(ack_wait_days), {DEFAULT_WAIT_DAYS}) AS days
                      FROM practice),
        sent AS (
            SELECT c.claim_id, c.client_id, c.payer_id, c.total_charge,
                   coalesce(c.last_submitted_date, c.submitted_date) AS sent_on
            FROM claims c
            WHERE c.status = 'submitted' AND c.submitted_date IS NOT NULL
              AND date_diff('day', coalesce(c.last_submitted_date, c.submitted_date),
                            ?::DATE) > (SELECT days FROM wait)
        ), since AS (
            SELECT a.claim_id, bool_or(a.kind = '277CA') AS payer_answered,
                   bool_or(a.outcome = 'rejected') AS rejected,
                   arg_max(a.outcome, a.status_date) FILTER (WHERE a.kind <> '277CA')
                       AS file_999
            FROM claim_acks a JOIN sent s USING (claim_id)
            WHERE a.status_date >= s.sent_on AND a.status_date <= ?::DATE
              AND a.secondary_claim_id IS NULL
            GROUP BY a.claim_id
        )
        SELECT s.claim_id, s.client_id, {_CLIENT_NAME} AS client_name, p.name AS payer,
               s.sent_on, date_diff('day', s.sent_on, ?::DATE) AS days_waiting,
               coalesce(a.file_999, 'none') AS file_999, s.total_charge
        FROM sent s JOIN clients cl USING (client_id) JOIN payers p USING (payer_id)
        LEFT JOIN since a USING (claim_id)
        WHERE NOT coalesce(a.payer_answered, FALSE) AND NOT coalesce(a.rejected, FALSE)
        ORDER BY days_waiting DESC, s.claim_id""", [as_of, as_of, as_of], few=True)


def recent_acknowledgments(db: Database, limit: int = 200) -> pd.DataFrame:
    """The latest acknowledgments imported. Columns: acknowledgment (999, 997, 277CA),
    ack_date, sender, source_file,
    claims, accepted, rejected, not_ours, imported_at. Newest first."""
    # The latest acknowledgments first, then only their claims counted: counting every
    # claim_acks row of the history and keeping 200 groups took ~120 ms at 1M lines.
    return db.query("""
        WITH latest AS (
            SELECT ack_id, kind, ack_date, sender, source_file, imported_at
            FROM acknowledgments
            ORDER BY imported_at DESC, ack_id DESC LIMIT ?)
        SELECT k.kind AS acknowledgment, k.ack_date, k.sender, k.source_file,
               count(a.seq) AS claims,
               count(*) FILTER (WHERE a.outcome = 'accepted' AND a.claim_id IS NOT NULL)
                   AS accepted,
               count(*) FILTER (WHERE a.outcome = 'rejected' AND a.claim_id IS NOT NULL)
                   AS rejected,
               count(*) FILTER (WHERE a.seq IS NOT NULL AND a.claim_id IS NULL) AS not_ours,
               k.imported_at
        FROM latest k LEFT JOIN claim_acks a USING (ack_id)
        GROUP BY k.ack_id, k.kind, k.ack_date, k.sender, k.source_file, k.imported_at
        ORDER BY k.imported_at DESC, k.ack_id DESC""", [limit])


def claim_acknowledgments(db: Database, claim_id: str) -> pd.DataFrame:
    """Every acknowledgment of one claim, oldest first. Columns: status_date, acknowledgment
    (999, 997, 277CA), sent_to (the payer of the 837P it answers: the claim's own, or the
    secondary's with "(secondary)" / "(tertiary)"), outcome, reason, codes,
    payer_claim_number, source_file."""
    return db.query("""
        SELECT a.status_date, a.kind AS acknowledgment,
               CASE WHEN a.secondary_claim_id IS NULL THEN p.name
                    ELSE sp.name || CASE s.payer_sequence WHEN 'S' THEN ' (secondary)'
                                                          ELSE ' (tertiary)' END
                    END AS sent_to,
               a.outcome, a.reason, a.codes, a.payer_claim_number,
               k.source_file
        FROM claim_acks a JOIN acknowledgments k USING (ack_id)
        JOIN claims c USING (claim_id) JOIN payers p ON p.payer_id = c.payer_id
        LEFT JOIN secondary_claims s ON s.secondary_claim_id = a.secondary_claim_id
        LEFT JOIN payers sp ON sp.payer_id = s.payer_id
        WHERE a.claim_id = ? ORDER BY a.status_date, k.imported_at, a.seq""", [claim_id])
