"""The demo practice's acknowledgments: every 837P it sent gets the clearinghouse's 999 and
the payer's 277CA, with a few rejections, so the rejected and waiting work lists and the
clean claim rate have rows on the default demo.

Called by :func:`metdash.demo.generate` once the claims and remittances are in (inside its
transaction). Everything is a few ``INSERT ... SELECT`` over the claims (a second for a
million claim lines), deterministic from the claims themselves (picks by ``hash(claim_id)``,
times derived from the dates, never the clock):

* one 837P per payer and submission day (a claim's first submission, and its resubmission
  when it has one): ``x12_submissions`` rows with group control numbers from 900000001 up, a range a
  practice's own exports (numbered from 1 by ``x12_control``) never reach;
* a 999 the same evening accepting each file, except one file about four months back that
  the clearinghouse rejected (NM109 invalid character): its claims were resent the next day;
* a 277CA the next morning for every file the clearinghouse accepted: A2 accepted, except
  ~1.5 % of older first submissions rejected (A7:164:IL wrong member id, A7:477 invalid
  diagnosis pointer, A7:562:82 rendering NPI), each fixed and resent three days later;
  three recent claims still rejected, waiting to be fixed; three submitted claims whose
  277CA never came (the "no acknowledgment" list); files sent on ``as_of`` have none yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

GROUP_BASE = 900_000_000
REASONS = [  # (STC01 codes, reason in words) for the 277CA rejections
    ("A7:164:IL", "Rejected for invalid information: the subscriber's contract / member "
                  "number."),
    ("A7:477", "Rejected for invalid information: the diagnosis code pointer is missing or "
               "invalid."),
    ("A7:562:82", "Rejected for invalid information: the rendering provider's National "
                  "Provider Identifier (NPI)."),
]
REJECT_999 = ("IK3*NM1*17*2010*8; IK4*9*67*6; IK5-02*5",
              "The clearinghouse rejected 837 transaction set 0001 of group {group}: segment "
              "NM1 at position 17 (loop 2010): segment has data element errors; element "
              "NM109: invalid character in element; one or more segments in error.")
ACCEPT_999 = "The clearinghouse accepted 837 transaction set 0001 of group {group}."
ACCEPT_277 = "Accepted into the payer's adjudication system: accepted for processing."
TABLES = ("claim_acks", "ack_sets", "acknowledgments", "x12_submissions")


def _reason_case(column: str) -> str:
    """SQL choosing a rejection (codes or words) by ``hash(claim_id)``, in REASONS order."""
    idx = "(hash_pick % 3)"
    whens = " ".join(f"WHEN {i} THEN '{r[column == 'reason'].replace(chr(39), chr(39) * 2)}'"
                     for i, r in enumerate(REASONS))
    return f"CASE {idx} {whens} END"


def acknowledge(con: Any, as_of: dt.date) -> None:
    """Write the demo's submissions and acknowledgments (see the module's docstring)."""
    for table in TABLES:
        con.execute(f"DELETE FROM {table}")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_claims AS
        WITH paid AS (
            SELECT cp.claim_id, min(r.payment_date) AS first_paid
            FROM claim_payments cp JOIN remittances r USING (remittance_id)
            WHERE cp.claim_id IS NOT NULL GROUP BY cp.claim_id
        )
        SELECT c.claim_id, c.payer_id, c.status, c.submitted_date, c.last_submitted_date,
               (hash(c.claim_id) % 1000003)::BIGINT AS hash_pick, p.first_paid
        FROM claims c LEFT JOIN paid p USING (claim_id)
        WHERE c.submitted_date IS NOT NULL AND c.submitted_date <= ?""", [as_of])
    # One 837P file about four months back that the 999 rejects whole: a day whose claims
    # were each sent once and paid well after, so resending them the next day fits (a payer
    # pays from the resend: Medicare no earlier than its 14th day).
    day_999 = con.execute("""
        SELECT submitted_date, payer_id FROM _demo_claims GROUP BY submitted_date, payer_id
        HAVING count(*) BETWEEN 1 AND 12
           AND bool_and(coalesce(last_submitted_date, submitted_date) = submitted_date
                        AND status IN ('paid', 'submitted')
                        AND (first_paid IS NULL OR first_paid > submitted_date + 16))
           AND submitted_date BETWEEN ?::DATE - 300 AND ?::DATE - 45
        ORDER BY abs(date_diff('day', submitted_date, ?::DATE - 120)), submitted_date,
                 payer_id
        LIMIT 1""", [as_of, as_of, as_of]).fetchall()
    rejected_day, rejected_payer = day_999[0] if day_999 else (None, None)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_picks AS
        WITH cand AS (
            SELECT * FROM _demo_claims
            WHERE coalesce(last_submitted_date, submitted_date) = submitted_date
              AND (submitted_date, payer_id) IS DISTINCT FROM (?::DATE, ?::INTEGER)
        ), history AS (   -- rejected by the 277CA, fixed and resent three days later
            SELECT claim_id, 'history' AS kind FROM cand
            WHERE submitted_date < ?::DATE - 30 AND hash_pick % 67 = 0
              AND status IN ('paid', 'submitted')  -- a resent claim ends paid, or waits
              AND (first_paid IS NULL OR first_paid > submitted_date + 18)
        ), recent AS (
            SELECT claim_id, status, hash_pick,
                   row_number() OVER (ORDER BY hash_pick, claim_id) AS n
            FROM cand
            WHERE status = 'submitted' AND first_paid IS NULL
              AND submitted_date BETWEEN ?::DATE - 25 AND ?::DATE - 5
        )
        SELECT claim_id, kind FROM history
        UNION ALL SELECT claim_id, 'rejected' FROM recent WHERE n <= 3
        UNION ALL SELECT claim_id, 'silent' FROM recent WHERE n BETWEEN 4 AND 6""",
                [rejected_day, rejected_payer, as_of, as_of, as_of])
    # The resends: the day after the rejected file; three days after a 277CA rejection.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_resent AS
        SELECT claim_id, submitted_date + 1 AS day FROM _demo_claims
        WHERE submitted_date = ?::DATE AND payer_id = ?
        UNION ALL
        SELECT p.claim_id, c.submitted_date + 3 FROM _demo_picks p JOIN _demo_claims c
        USING (claim_id) WHERE p.kind = 'history'""", [rejected_day, rejected_payer])
    con.execute("""
        UPDATE claims SET last_submitted_date = r.day FROM _demo_resent r
        WHERE claims.claim_id = r.claim_id""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _demo_sent AS
        WITH sent AS (
            SELECT claim_id, submitted_date AS day FROM _demo_claims
            UNION
            SELECT claim_id, last_submitted_date FROM _demo_claims
            WHERE last_submitted_date > submitted_date AND last_submitted_date <= ?
            UNION
            SELECT claim_id, day FROM _demo_resent WHERE day <= ?
        )
        SELECT s.claim_id, s.day, c.payer_id,
               {GROUP_BASE} + dense_rank() OVER (ORDER BY s.day, c.payer_id) AS grp,
               row_number() OVER (PARTITION BY s.day, c.payer_id ORDER BY s.claim_id) AS seq
        FROM sent s JOIN _demo_claims c USING (claim_id)""", [as_of, as_of])
    con.execute("""
        INSERT INTO x12_submissions (interchange, group_number, set_number, claim_id,
                                     submitted_at)
        SELECT grp, grp, 1, claim_id, day + INTERVAL 17 HOUR FROM _demo_sent
        ORDER BY grp, seq""")
    # The 999s: the evening of each file; then the 277CAs: the next morning.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_files AS
        SELECT grp, day, coalesce(day = ?::DATE AND payer_id = ?, FALSE) AS rejected,
               row_number() OVER (ORDER BY grp) AS n
        FROM (SELECT DISTINCT grp, day, payer_id FROM _demo_sent)""",
                [rejected_day, rejected_payer])
    n_files = con.execute("SELECT count(*) FROM _demo_files").fetchall()[0][0]
    con.execute("""
        INSERT INTO acknowledgments (ack_id, kind, content_sha256, control_number, sender,
                                     ack_date, source, source_file, imported_at, imported_by)
        SELECT n, '999', sha256('demo 999 ' || grp), lpad(n::VARCHAR, 4, '0'),
               'DEMO CLEARINGHOUSE', day, 'demo', NULL, day + INTERVAL 18 HOUR, 'demo'
        FROM _demo_files
        UNION ALL
        SELECT ? + n, '277CA', sha256('demo 277CA ' || grp), lpad(n::VARCHAR, 4, '0'),
               'DEMO CLEARINGHOUSE', day + 1, 'demo', NULL, day + 1 + INTERVAL 8 HOUR, 'demo'
        FROM _demo_files WHERE NOT rejected AND day + 1 <= ?""", [n_files, as_of])
    con.execute("""
        INSERT INTO ack_sets
        SELECT f.n, 1, f.grp::VARCHAR, '0001', CASE WHEN rejected THEN 'R' ELSE 'A' END,
               CASE WHEN rejected THEN 'rejected' ELSE 'accepted' END,
               CASE WHEN rejected THEN ? ELSE 'IK5*A' END,
               replace(CASE WHEN rejected THEN ? ELSE ? END, '{group}', f.grp::VARCHAR),
               (SELECT count(*) FROM _demo_sent s WHERE s.grp = f.grp)
        FROM _demo_files f""", [REJECT_999[0], REJECT_999[1], ACCEPT_999])
    # Every 999 and 277CA row in one write, in the order they arrived (by the time each
    # acknowledgment was imported), as a practice's store accrues them: a date range of the
    # table is then a range of its blocks, which a read of recent claims skips the rest of.
    con.execute(f"""
        INSERT INTO claim_acks (ack_id, seq, claim_id, patient_control_number, kind, outcome,
                                codes, reason, status_date, payer_claim_number,
                                segment_number)
        WITH rows AS (
            SELECT f.n, s.seq, s.claim_id, f.day, c.hash_pick,
                   (p.kind = 'rejected' OR (p.kind = 'history'
                                             AND s.day = c.submitted_date)) AS rejected
            FROM _demo_sent s JOIN _demo_files f USING (grp)
            JOIN _demo_claims c USING (claim_id)
            LEFT JOIN _demo_picks p USING (claim_id)
            WHERE NOT f.rejected AND f.day + 1 <= ?
              AND p.kind IS DISTINCT FROM 'silent'
        ), every AS (
            SELECT f.n AS ack_id, s.seq, s.claim_id, '999' AS kind, a.outcome, a.codes,
                   a.reason, f.day AS status_date, f.day + INTERVAL 18 HOUR AS arrived
            FROM _demo_sent s JOIN _demo_files f USING (grp) JOIN ack_sets a ON a.ack_id = f.n
            UNION ALL
            SELECT ? + n, seq, claim_id, '277CA',
                   CASE WHEN rejected THEN 'rejected' ELSE 'accepted' END,
                   CASE WHEN rejected THEN {_reason_case('codes')} ELSE 'A2:20:PR' END,
                   CASE WHEN rejected THEN {_reason_case('reason')} ELSE ? END,
                   day + 1, day + 1 + INTERVAL 8 HOUR
            FROM rows
        )
        SELECT ack_id, seq, claim_id, claim_id, kind, outcome, codes, reason, status_date,
               NULL, NULL
        FROM every ORDER BY arrived, ack_id, seq""", [as_of, n_files, ACCEPT_277])
    for table in ("_demo_claims", "_demo_picks", "_demo_resent", "_demo_sent", "_demo_files"):
        con.execute(f"DROP TABLE {table}")
