"""Claims a payer answered in two parts, in the synthetic demo practice (stop 52's note: the
demo had none, so a workshop could not show one).

A payer may answer some lines of a claim on one remittance and the rest on a later one
(DOMAIN.md, "One claim, several remittances": a later CLP that answers other lines replaces
nothing; both stand). Called by :func:`metdash.demo.generate` inside its transaction, after
the practice's tables are written and before the facts are built: about one paid claim in
:data:`ONE_IN` of two lines or more has its last line moved to its own CLP on the payer's
next remittance at least :data:`DAYS_LATER` days after the first. Each split claim:

- its first CLP answers the other lines (its CLP03, CLP04 and CLP05 less the last line's
  charge, payment and cost share); the new CLP answers the last line, with that line's SVC,
  CAS and remarks moved to it;
- each remittance's deposit (BPR02) moves with the payment, so every deposit still
  reconciles;
- its history reads "partially paid" on the first remittance's day and "paid" on the second's,
  as the 835 import writes them.

Only claims whose money is simple move: one CLP (paid, status 1), every adjustment on a line,
a client with no secondary coverage, nothing appealed, written off, moved to the client,
refunded or recouped, no client payment before the second remittance, and the paid status
their last. Their totals are unchanged: paid, allowed, contractual, cost share and balances
are what they were; only the first adjudication answers less than the charge (not a
first-pass resolution), and the money arrives in two parts. Deterministic: the claims are
chosen by their numbers.
"""

from __future__ import annotations

from typing import Any

ONE_IN = 40  # about one multi-line paid claim in this many is answered in two parts
DAYS_LATER = 10  # the second remittance comes at least this many days after the first


def split_claims(con: Any) -> int:
    """Answer some paid claims in two parts (see the module's docstring); how many."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _demo_split AS
        WITH one_clp AS (
            SELECT claim_id, min(claim_payment_id) AS claim_payment_id
            FROM claim_payments WHERE claim_id IS NOT NULL
            GROUP BY claim_id HAVING count(*) = 1 AND min(status_code) = '1'
        ), last_line AS (
            SELECT o.claim_id, o.claim_payment_id, max(lp.line_no) AS line_no,
                   count(*) AS lines, arg_max(lp.line_payment_id, lp.line_no) AS line_payment_id
            FROM one_clp o JOIN line_payments lp USING (claim_payment_id)
            GROUP BY ALL
            -- every line of the claim answered by an SVC of its own
            HAVING count(*) >= 2 AND count(DISTINCT lp.line_no) = count(*)
        ), candidates AS (
            SELECT l.*, cp.remittance_id, r.payer_id, r.payment_date,
                   lp.charge AS line_charge, lp.paid AS line_paid,
                   lp.service_date AS line_date, cp.payer_claim_number
            FROM last_line l
            JOIN claims c USING (claim_id)
            JOIN claim_payments cp ON cp.claim_payment_id = l.claim_payment_id
            JOIN remittances r ON r.remittance_id = cp.remittance_id
            JOIN line_payments lp ON lp.line_payment_id = l.line_payment_id
            WHERE c.status = 'paid'
              AND l.lines = (SELECT count(*) FROM claim_lines x WHERE x.claim_id = l.claim_id)
              AND CAST(substr(c.claim_id, 2) AS BIGINT) % {ONE_IN} = 0
              AND c.client_id NOT IN (SELECT client_id FROM coverages
                                      WHERE priority <> 'primary')
              AND NOT EXISTS (SELECT 1 FROM adjustments a
                              WHERE a.claim_payment_id = l.claim_payment_id
                                AND a.line_payment_id IS NULL)
              AND l.claim_id NOT IN (SELECT claim_id FROM appeals)
              AND l.claim_id NOT IN (SELECT claim_id FROM write_offs WHERE claim_id IS NOT NULL)
              AND l.claim_id NOT IN (SELECT claim_id FROM balance_transfers)
              AND l.claim_id NOT IN (SELECT claim_id FROM patient_refunds
                                     WHERE claim_id IS NOT NULL)
              AND l.claim_id NOT IN (SELECT claim_id FROM payer_refunds)
              AND l.claim_id NOT IN (SELECT claim_id FROM secondary_claims)
              AND coalesce(cp.payer_claim_number, '') NOT IN (
                  SELECT reference FROM provider_adjustments WHERE reference IS NOT NULL)
              AND (SELECT max(seq) FROM claim_status_history h WHERE h.claim_id = l.claim_id)
                  = (SELECT max(seq) FILTER (WHERE status = 'paid') FROM claim_status_history h
                     WHERE h.claim_id = l.claim_id)
        ), later AS (
            -- the payer's first remittance DAYS_LATER days or more after the first
            SELECT c.*, arg_min(r.remittance_id, (r.payment_date, r.remittance_id))
                            AS later_remittance_id,
                   min(r.payment_date) AS later_date
            FROM candidates c JOIN remittances r
              ON r.payer_id = c.payer_id AND r.payment_date >= c.payment_date + {DAYS_LATER}
            GROUP BY ALL
        )
        SELECT l.*,
               -- the line's cost share (the practice's classes: the payer's own row first)
               coalesce((SELECT sum(a.amount) FROM adjustments a
                         LEFT JOIN adjustment_classes own ON own.payer_id = l.payer_id
                          AND own.group_code = a.group_code AND own.carc = a.carc
                         LEFT JOIN adjustment_classes every ON every.payer_id = 0
                          AND every.group_code = a.group_code AND every.carc = a.carc
                         WHERE a.line_payment_id = l.line_payment_id
                           AND coalesce(own.class, every.class) = 'cost_share'), 0)
                   AS line_cost_share,
               (SELECT max(claim_payment_id) FROM claim_payments)
                   + row_number() OVER (ORDER BY l.claim_id) AS new_id,
               (SELECT max(seq) FROM claim_payments p
                WHERE p.remittance_id = l.later_remittance_id)
                   + row_number() OVER (PARTITION BY l.later_remittance_id ORDER BY l.claim_id)
                   AS new_seq
        FROM later l
        WHERE NOT EXISTS (SELECT 1 FROM patient_payments pp
                          WHERE pp.claim_id = l.claim_id AND pp.payment_date < l.later_date)""")
    count = con.execute("SELECT count(*) FROM _demo_split").fetchall()[0][0]
    if count:
        _move(con)
    con.execute("DROP TABLE _demo_split")
    return count


def _move(con: Any) -> None:
    """Move each chosen claim's last line to a CLP of its own on the later remittance."""
    con.execute("""
        INSERT INTO claim_payments
        SELECT cp.* REPLACE (s.new_id AS claim_payment_id,
                             s.later_remittance_id AS remittance_id, s.new_seq AS seq,
                             s.line_charge AS charge, s.line_paid AS paid,
                             s.line_cost_share AS patient_responsibility,
                             s.line_date AS service_from, s.line_date AS service_to)
        FROM claim_payments cp JOIN _demo_split s USING (claim_payment_id)""")
    con.execute("""
        UPDATE claim_payments SET charge = charge - s.line_charge, paid = paid - s.line_paid,
               patient_responsibility = patient_responsibility - s.line_cost_share
        FROM _demo_split s WHERE claim_payments.claim_payment_id = s.claim_payment_id""")
    for table in ("line_payments", "adjustments", "remark_codes"):
        con.execute(f"""
            UPDATE {table} SET claim_payment_id = s.new_id
            FROM _demo_split s WHERE {table}.line_payment_id = s.line_payment_id""")
    # Each deposit moves with its payment (BPR02 = Σ CLP04 − Σ PLB).
    con.execute("""
        UPDATE remittances SET amount = amount + m.moved
        FROM (SELECT remittance_id, sum(moved) AS moved FROM (
                  SELECT remittance_id, -line_paid AS moved FROM _demo_split
                  UNION ALL
                  SELECT later_remittance_id, line_paid FROM _demo_split)
              GROUP BY remittance_id) m
        WHERE remittances.remittance_id = m.remittance_id""")
    # The history, as the 835 import writes it: partially paid, then paid with the rest.
    con.execute("""
        UPDATE claim_status_history SET status = 'partially_paid',
               note = 'ERA: paid for ' || CASE WHEN s.line_no = 2 THEN 'line 1'
                                               ELSE 'lines 1-' || (s.line_no - 1)::VARCHAR END
                      || '; line ' || s.line_no::VARCHAR || ' not on it yet'
        FROM _demo_split s
        WHERE claim_status_history.claim_id = s.claim_id
          AND claim_status_history.seq = (SELECT max(seq) FROM claim_status_history h
                                          WHERE h.claim_id = s.claim_id)""")
    con.execute("""
        INSERT INTO claim_status_history (claim_id, seq, status, status_date, changed_at,
                                          changed_by, note)
        SELECT s.claim_id, h.seq + 1, 'paid', s.later_date,
               s.later_date + INTERVAL 9 HOUR, 'demo',
               'ERA: paid for line ' || s.line_no::VARCHAR || ', with the earlier answer of '
               || CASE WHEN s.line_no = 2 THEN 'line 1'
                       ELSE 'lines 1-' || (s.line_no - 1)::VARCHAR END
        FROM _demo_split s
        JOIN (SELECT claim_id, max(seq) AS seq FROM claim_status_history GROUP BY claim_id) h
          USING (claim_id)""")
