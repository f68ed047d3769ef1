"""The demo's secondary claims and Medicare crossovers (issue 16, items 3 and 6).

Some of the demo's Medicare clients have a secondary coverage (Evergreen State Medicaid or
Cascade Mutual PPO; metdash.demo builds the coverages, and this module gives a Medigap-like
one to a fifth of the seniors Medicare answered in the last 60 days). Once Medicare's remittance leaves
deductible or coinsurance on such a claim, the ledger keeps that cost share in insurance A/R,
owed by the secondary (metdash/sql/ledger.sql). This module, run by :func:`metdash.demo.generate`
on the rows it has just written (same transaction, before the facts are built), writes what
happened next, deterministically from the claim ids:

- about half are **Medicare crossovers**: Medicare forwarded the claim itself (its CLP02
  becomes 19) and the practice sent nothing;
- the others were **sent by the practice** (a ``secondary_claims`` row, 2 days after
  Medicare's remittance) -- except those Medicare answered in the last 10 days, which wait in
  "bill the secondary";
- the **secondary's 835** (CLP02 2) comes 14-23 days after Medicare's, when that is on or
  before ``as_of``: it pays 80 % of the cost share, with OA-23 for what Medicare settled (the
  charge less the cost share); the rest is the client's coinsurance (PR-2) from the PPO, or a
  contractual write-off (CO-45) from Medicaid, which leaves the client nothing to pay.

The client's own payments, write-offs and refunds naming those claims are removed (the client
owed the cost share to the secondary, not to the practice); a PPO's PR-2 left is paid by the
client 20 days after the secondary's remittance when that is before ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# A few more seniors with a Medigap-like secondary (the first commercial plan), among the
# clients Medicare answered in the last 60 days: so the demo always has claims to bill.
_MORE_SECONDARIES = """
INSERT INTO coverages (coverage_id, client_id, payer_id, member_id, relationship,
                       effective_date, priority)
SELECT (SELECT max(coverage_id) FROM coverages) + row_number() OVER (ORDER BY v.client_id),
       v.client_id, (SELECT min(payer_id) FROM payers WHERE payer_type = 'commercial'),
       'GAP' || lpad(((hash(v.client_id) // 7) % 100000000)::VARCHAR, 8, '0'), 'self',
       min(v.effective_date), 'secondary'
FROM coverages v JOIN payers py ON py.payer_id = v.payer_id AND py.payer_type = 'medicare'
WHERE v.priority = 'primary' AND hash(v.client_id) % 5 = 0
  AND v.client_id NOT IN (SELECT client_id FROM coverages JOIN payers USING (payer_id)
                          WHERE priority <> 'primary' OR payer_type <> 'medicare')
  AND v.client_id IN (SELECT c.client_id FROM claims c JOIN claim_payments p USING (claim_id)
                      JOIN remittances r USING (remittance_id)
                      WHERE r.payment_date > ?::DATE - 60)
GROUP BY v.client_id
"""

# The claims to route, with what the secondary's remittance will hold (one SQL pass).
_ROUTED = """
CREATE OR REPLACE TEMP TABLE _demo_sec AS
WITH primary_clp AS (
    SELECT p.claim_payment_id, p.claim_id, p.charge, r.payment_date, c.client_id,
           c.first_service_date
    FROM claim_payments p JOIN remittances r USING (remittance_id)
    JOIN claims c ON c.claim_id = p.claim_id AND c.payer_id = r.payer_id
    JOIN payers py ON py.payer_id = c.payer_id AND py.payer_type = 'medicare'
    WHERE c.status <> 'voided'
    QUALIFY row_number() OVER (PARTITION BY p.claim_id
                               ORDER BY r.payment_date DESC, p.claim_payment_id DESC) = 1
        AND p.status_code = '1'
),
cost AS (
    SELECT claim_payment_id, sum(amount) AS cost_share FROM adjustments
    WHERE group_code = 'PR' AND carc IN ('1', '2', '3')
      AND claim_payment_id IN (SELECT claim_payment_id FROM primary_clp)
    GROUP BY ALL HAVING sum(amount) > 0
)
SELECT pc.*, k.cost_share, v.coverage_id, v.payer_id AS sec_payer_id, py.payer_type AS sec_type,
       py.clearinghouse_payer_id AS sec_key, py.name AS sec_name,
       (hash(pc.claim_id) % 10)::INTEGER AS bucket,
       ((hash(pc.claim_id) // 10) % 10)::INTEGER AS lag
FROM primary_clp pc JOIN cost k USING (claim_payment_id)
JOIN coverages v ON v.client_id = pc.client_id AND v.priority = 'secondary'
 AND v.effective_date <= pc.first_service_date
 AND (v.end_date IS NULL OR v.end_date >= pc.first_service_date)
JOIN payers py ON py.payer_id = v.payer_id
"""


def add_secondary_claims(con: Any, as_of: dt.date, user: str = "demo") -> int:
    """Write the demo's crossovers, secondary claims and secondaries' remittances (inside the
    caller's transaction, before the facts are built); how many claims went to a secondary."""
    con.execute("DELETE FROM secondary_claims")
    con.execute(_MORE_SECONDARIES, [as_of])
    con.execute(_ROUTED)
    routed = con.execute("SELECT count(*) FROM _demo_sec").fetchall()[0][0]
    if not routed:
        con.execute("DROP TABLE _demo_sec")
        return 0
    # Crossovers: Medicare forwarded them (CLP02 19).
    con.execute("UPDATE claim_payments SET status_code = '19' WHERE claim_payment_id IN "
                "(SELECT claim_payment_id FROM _demo_sec WHERE bucket < 5)")
    # Sent by the practice two days after Medicare's remittance (not the last 10 days').
    con.execute("""
        INSERT INTO secondary_claims (secondary_claim_id, claim_id, payer_id, coverage_id,
                                      payer_sequence, prior_claim_payment_id, submitted_date,
                                      interchange, user_name, created_at)
        SELECT row_number() OVER (ORDER BY payment_date, claim_id), claim_id, sec_payer_id,
               coverage_id, 'S', claim_payment_id, payment_date + 2, NULL, ?,
               (payment_date + 2)::TIMESTAMP + INTERVAL 9 HOUR
        FROM _demo_sec WHERE bucket >= 5 AND payment_date + 10 <= ?::DATE""", [user, as_of])
    # The secondaries' remittances: one per payer and day.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_sec_paid AS
        SELECT s.*, (s.payment_date + 14 + s.lag)::DATE AS paid_date,
               round(s.cost_share * 0.8, 2)::DECIMAL(12,2) AS paid,
               (s.cost_share - round(s.cost_share * 0.8, 2))::DECIMAL(12,2) AS rest
        FROM _demo_sec s
        WHERE s.payment_date + 14 + s.lag <= ?::DATE
          AND (s.bucket < 5 OR s.claim_id IN (SELECT claim_id FROM secondary_claims))""",
                [as_of])
    # The secondaries' remittances: one per payer and day -- the payer's own remittance of
    # that day when it has one (its amount grows), else a new one.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_sec_rem AS
        WITH g AS (
            SELECT sec_payer_id, sec_name, sec_key, paid_date, sum(paid) AS amount
            FROM _demo_sec_paid GROUP BY ALL
        ), had AS (
            SELECT payer_id AS sec_payer_id, payment_date AS paid_date,
                   min(remittance_id) AS remittance_id FROM remittances GROUP BY ALL
        )
        SELECT coalesce(h.remittance_id,
                        (SELECT coalesce(max(remittance_id), 0) FROM remittances)
                        + row_number() OVER (PARTITION BY h.remittance_id IS NULL
                                             ORDER BY g.paid_date, g.sec_payer_id))
                   AS remittance_id,
               h.remittance_id IS NULL AS is_new, g.*
        FROM g LEFT JOIN had h USING (sec_payer_id, paid_date)""")
    con.execute("""
        UPDATE remittances r SET amount = r.amount + n.amount
        FROM _demo_sec_rem n WHERE NOT n.is_new AND r.remittance_id = n.remittance_id""")
    con.execute("""
        INSERT INTO remittances (remittance_id, payer_id, payer_name, payer_key, payment_date,
                                 method, trace_number, amount, source, imported_at)
        SELECT remittance_id, sec_payer_id, sec_name, coalesce(sec_key, sec_name), paid_date,
               'ACH', 'SEC' || strftime(paid_date, '%Y%m%d') || '-' || sec_payer_id, amount,
               'demo', paid_date::TIMESTAMP + INTERVAL 8 HOUR
        FROM _demo_sec_rem WHERE is_new""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_sec_clp AS
        SELECT (SELECT coalesce(max(claim_payment_id), 0) FROM claim_payments)
                   + row_number() OVER (ORDER BY r.remittance_id, p.claim_id) AS claim_payment_id,
               r.remittance_id,
               coalesce((SELECT max(seq) FROM claim_payments x
                         WHERE x.remittance_id = r.remittance_id), 0)
                   + row_number() OVER (PARTITION BY r.remittance_id ORDER BY p.claim_id) AS seq,
               p.claim_id, p.charge, p.paid, p.rest, p.cost_share, p.sec_type
        FROM _demo_sec_paid p JOIN _demo_sec_rem r
          ON r.sec_payer_id = p.sec_payer_id AND r.paid_date = p.paid_date""")
    con.execute("""
        INSERT INTO claim_payments (claim_payment_id, remittance_id, seq, claim_id, clp01,
                                    status_code, charge, paid, patient_responsibility,
                                    payer_claim_number)
        SELECT claim_payment_id, remittance_id, seq, claim_id, claim_id, '2', charge, paid,
               CASE WHEN sec_type = 'medicaid' THEN 0 ELSE rest END, 'SEC-' || claim_id
        FROM _demo_sec_clp""")
    con.execute("""
        INSERT INTO adjustments (adjustment_id, claim_payment_id, line_payment_id, group_code,
                                 carc, amount)
        SELECT (SELECT coalesce(max(adjustment_id), 0) FROM adjustments)
                   + row_number() OVER (ORDER BY claim_payment_id, k), claim_payment_id, NULL,
               g, carc, amount
        FROM (SELECT claim_payment_id, 1 AS k, 'OA' AS g, '23' AS carc,
                     charge - cost_share AS amount FROM _demo_sec_clp
              UNION ALL
              SELECT claim_payment_id, 2, CASE WHEN sec_type = 'medicaid' THEN 'CO' ELSE 'PR' END,
                     CASE WHEN sec_type = 'medicaid' THEN '45' ELSE '2' END, rest
              FROM _demo_sec_clp WHERE rest > 0)""")
    # The client owed the cost share to the secondary, not to the practice.
    for table in ("patient_payments", "patient_refunds"):
        con.execute(f"DELETE FROM {table} WHERE claim_id IN (SELECT claim_id FROM _demo_sec)")
    con.execute("DELETE FROM write_offs WHERE side = 'patient' "
                "AND claim_id IN (SELECT claim_id FROM _demo_sec)")
    # ... and a client whose every cost share went to a secondary paid no statement either.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _demo_sec_clients AS
        SELECT DISTINCT client_id FROM _demo_sec
        EXCEPT
        SELECT DISTINCT c.client_id FROM claims c JOIN claim_payments p USING (claim_id)
        JOIN adjustments a USING (claim_payment_id)
        WHERE a.group_code = 'PR' AND c.claim_id NOT IN (SELECT claim_id FROM _demo_sec)""")
    for table, only in (("patient_payments", ""), ("patient_refunds", ""),
                        ("write_offs", "side = 'patient' AND ")):
        con.execute(f"DELETE FROM {table} WHERE {only}claim_id IS NULL "
                    "AND client_id IN (SELECT client_id FROM _demo_sec_clients)")
    # A PPO's coinsurance left: the client pays it online 20 days after.
    con.execute("""
        INSERT INTO patient_payments (patient_payment_id, client_id, claim_id, payment_date,
                                      amount, method, reference)
        SELECT (SELECT coalesce(max(patient_payment_id), 0) FROM patient_payments)
                   + row_number() OVER (ORDER BY p.claim_id), s.client_id, p.claim_id,
               r.paid_date + 20, p.rest, 'card', 'portal'
        FROM _demo_sec_clp p JOIN _demo_sec_rem r USING (remittance_id)
        JOIN _demo_sec s ON s.claim_id = p.claim_id
        WHERE p.sec_type <> 'medicaid' AND p.rest > 0 AND r.paid_date + 20 <= ?::DATE""",
                [as_of])
    for table in ("_demo_sec", "_demo_sec_paid", "_demo_sec_rem", "_demo_sec_clp",
                  "_demo_sec_clients"):
        con.execute(f"DROP TABLE {table}")
    return int(routed)


__all__ = ["add_secondary_claims"]
