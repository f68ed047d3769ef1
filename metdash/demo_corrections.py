"""Corrected claims in the synthetic demo practice (issue 16, item 6): replacements
(frequency 7) and voids (frequency 8), each naming the payer's claim number (REF*F8).

Called by :func:`metdash.demo.generate` inside its transaction, once the practice's tables are
written and before the facts are built:

- every claim the demo corrected and sent again after an unprocessable (CO-16 + MA130) or
  timely-filing (CO-29) denial (its history's "corrected, ready to send again") went out as a
  **replacement**: frequency 7, REF*F8 = the claim number of the payer's denying remittance,
  and a ``claim_edits`` row dated the day it was corrected (the demo corrects what the payer
  asked for without changing the lines, so its charge stays);
- up to three claims the payer denied as a duplicate (CO-18) of a claim it already had, or
  for a coverage that had ended (CO-27: billed to the wrong payer), with nothing else done
  about them, are **voided**: a void queued a few days after the denial, sent the next day
  (the claim is voided then and leaves insurance A/R), each with a ``claim_edits`` row and
  two status-history rows; the client's copays on them stay on the client's account.

Deterministic: the claims are chosen by their ids, from tables that are themselves
deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

VOIDS = 3
# The claim as metdash.entry.corrections keeps it in claim_edits (before / after); ``ln`` is
# the claim's lines as one JSON list (_LINES).
_SNAPSHOT = """json_object(
    'payer_id', c.payer_id, 'coverage_id', c.coverage_id, 'referral_id', c.referral_id,
    'referrer_id', c.referrer_id, 'rendering_provider_id', c.rendering_provider_id,
    'diagnosis_codes', to_json(c.diagnosis_codes), 'total_charge', c.total_charge::VARCHAR,
    'first_service_date', c.first_service_date::VARCHAR,
    'timely_filing_reason', c.timely_filing_reason, 'frequency_code', {freq},
    'original_payer_claim_number', {pcn}, 'lines', ln.lines)"""
_LINES = """(SELECT l.claim_id, to_json(list(json_object(
        'service_date', l.service_date::VARCHAR, 'cpt', l.cpt,
        'modifiers', to_json(l.modifiers), 'units', l.units, 'charge', l.charge::VARCHAR,
        'dx_pointers', to_json(l.dx_pointers), 'session_id', l.session_id)
        ORDER BY l.line_no)) AS lines
    FROM claim_lines l WHERE l.claim_id IN (SELECT claim_id FROM {chosen}) GROUP BY 1) ln"""


def _edits(chosen: str, kind: str, freq: str, date: str, when: str) -> str:
    """INSERT of one claim_edits row per claim of the temp table ``chosen`` (claim_id, pcn,
    reason and the ``date`` / ``when`` columns)."""
    return f"""
        INSERT INTO claim_edits (claim_id, seq, kind, edit_date, edited_at, user_name, reason,
                                 payer_claim_number, before, after)
        SELECT c.claim_id, 1, '{kind}', x.{date}, {when}, 'demo', x.reason, x.pcn,
               {_SNAPSHOT.format(freq="c.frequency_code", pcn="NULL")},
               {_SNAPSHOT.format(freq=repr(freq), pcn="x.pcn")}
        FROM claims c JOIN {chosen} x USING (claim_id)
        JOIN {_LINES.format(chosen=chosen)} USING (claim_id)"""


def add_corrections(con: Any, as_of: dt.date) -> tuple[int, int]:
    """Turn the demo's corrected resubmissions into replacements and void a few duplicate
    claims (see the module's docstring); (replacements, voids)."""
    con.execute("DELETE FROM claim_edits")
    # Joins, not a subquery per claim: a large demo corrects thousands of claims.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_fixed AS
        WITH fixed AS (
            SELECT claim_id, status_date, changed_at FROM claim_status_history
            WHERE note = 'corrected, ready to send again'
        ), paid AS (
            SELECT f.claim_id, p.payer_claim_number AS pcn,
                   bool_or(a.carc = '29') OVER (PARTITION BY f.claim_id) AS timely
            FROM fixed f JOIN claim_payments p USING (claim_id)
            JOIN remittances r USING (remittance_id)
            LEFT JOIN adjustments a USING (claim_payment_id)
            WHERE p.payer_claim_number IS NOT NULL AND r.payment_date <= f.status_date
            QUALIFY row_number() OVER (PARTITION BY f.claim_id ORDER BY r.payment_date DESC,
                                       p.claim_payment_id DESC) = 1
        )
        SELECT f.*, p.pcn,
               CASE WHEN p.timely THEN 'proof of timely filing attached (CO-29)'
                    ELSE 'added the information the payer asked for (CO-16, MA130)' END
                   AS reason
        FROM fixed f JOIN paid p USING (claim_id)""")
    con.execute(_edits("_demo_fixed", "replacement", "7", "status_date", "x.changed_at"))
    con.execute("UPDATE claims SET frequency_code = '7', original_payer_claim_number = f.pcn "
                "FROM _demo_fixed f WHERE claims.claim_id = f.claim_id")
    replaced = con.execute("SELECT count(*) FROM _demo_fixed").fetchall()[0][0]

    # Voids: denied as a duplicate (CO-18) or for a coverage that had ended (CO-27: billed to
    # the wrong payer), nothing paid, nothing appealed, written off, moved or refunded since.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _demo_voids AS
        WITH denied AS (
            SELECT p.claim_id, max(r.payment_date) AS denied_date,
                   max(p.payer_claim_number) AS pcn, max(abs(p.paid)) AS paid,
                   min(a.carc) FILTER (WHERE a.group_code = 'CO' AND a.carc IN ('18', '27'))
                       AS carc
            FROM claims c JOIN claim_payments p USING (claim_id)
            JOIN remittances r USING (remittance_id)
            LEFT JOIN adjustments a USING (claim_payment_id)
            WHERE c.status = 'denied'
            GROUP BY p.claim_id
        ), candidates AS (
            SELECT d.* FROM denied d
            WHERE d.carc IS NOT NULL AND d.paid = 0 AND d.pcn IS NOT NULL
              AND d.claim_id NOT IN (SELECT claim_id FROM appeals)
              AND d.claim_id NOT IN (SELECT claim_id FROM write_offs WHERE claim_id IS NOT NULL)
              AND d.claim_id NOT IN (SELECT claim_id FROM balance_transfers)
              AND d.claim_id NOT IN (SELECT claim_id FROM patient_refunds
                                     WHERE claim_id IS NOT NULL)
            ORDER BY d.carc, d.claim_id LIMIT {VOIDS}
        ), history AS (
            SELECT claim_id, max(seq) AS seq, max(status_date) AS last_date
            FROM claim_status_history WHERE claim_id IN (SELECT claim_id FROM candidates)
            GROUP BY claim_id
        ), chosen AS (
            SELECT d.*, h.seq,
                   greatest(h.last_date, least(d.denied_date + 5, ?::DATE)) AS queued,
                   CASE d.carc WHEN '18' THEN 'a duplicate of a claim the payer already has '
                                              || '(CO-18)'
                        ELSE 'the coverage had ended (CO-27): billed to the wrong payer' END
                       AS reason
            FROM candidates d JOIN history h USING (claim_id)
        )
        SELECT *, least(queued + 1, ?::DATE) AS sent FROM chosen""", [as_of, as_of])
    con.execute(_edits("_demo_voids", "void", "8", "queued", "x.queued + INTERVAL 10 HOUR"))
    con.execute("""
        INSERT INTO claim_status_history (claim_id, seq, status, status_date, changed_at,
                                          changed_by, note)
        SELECT claim_id, seq + 1, 'ready', queued, queued + INTERVAL 10 HOUR, 'demo',
               'void (frequency 8, REF*F8 ' || pcn || ') waiting to be sent: ' || reason
        FROM _demo_voids
        UNION ALL
        SELECT claim_id, seq + 2, 'voided', sent, sent + INTERVAL 11 HOUR, 'demo',
               'void (frequency 8) sent to the clearinghouse (837P): the claim leaves '
               || 'insurance A/R'
        FROM _demo_voids""")
    con.execute("UPDATE claims SET status = 'voided', frequency_code = '8', "
                "original_payer_claim_number = v.pcn "
                "FROM _demo_voids v WHERE claims.claim_id = v.claim_id")
    # The client's copays on them stay on the client's account (as void_claim does).
    con.execute("UPDATE patient_payments SET claim_id = NULL "
                "WHERE claim_id IN (SELECT claim_id FROM _demo_voids)")
    voided = con.execute("SELECT count(*) FROM _demo_voids").fetchall()[0][0]
    con.execute("DROP TABLE _demo_fixed")
    con.execute("DROP TABLE _demo_voids")
    return replaced, voided
