-- Per payer, over the claims in the period: claims, billed, allowed, paid, patient
-- responsibility, visits, visits_answered (those of claims the payer has answered: the
-- per-visit figures' divisor; a claim waiting or never sent allows nothing yet),
-- denied_standing (the denials its current adjudications still hold: the ledger's denial
-- rows, which a reversal or a CLP replacing the one that denied undoes, under the payer
-- whose remittance denied). Allowed is AMT*B6 when sent, else paid + PR; reversals count
-- negative; CLPs "not ours" (23) are left out (per-claim sums kept in claim_facts).
--
-- Claims, billed, allowed, patient responsibility and visits belong to the payer each claim
-- was billed to (claim_facts: a secondary's allowed is not more of the claim). Paid belongs
-- to the payer whose remittance paid it (the ledger's payer_payment rows: CLP04, reversals,
-- recoupments): a Medigap plan paying a Medicare claim's coinsurance is that plan's money, in
-- a row of its own even when it was billed no claim as primary. The paid column sums to
-- claim_facts' paid of the same claims; paid_as_secondary is the part paid on claims billed to
-- another payer.
WITH scope AS ({scope_facts}),
visits AS (
    -- visit_facts: each claim's distinct service dates (its lines'), narrower than claim_lines
    SELECT s.payer_id, count(DISTINCT (s.client_id, v.visit_date)) AS visits,
           count(DISTINCT (s.client_id, v.visit_date)) FILTER (WHERE s.answered IS NOT NULL)
               AS visits_answered
    FROM scope s JOIN visit_facts v USING (claim_id)
    GROUP BY s.payer_id
),
billed AS (
    SELECT payer_id, count(*) AS claims, sum(total_charge) AS billed,
           sum(allowed) AS allowed, sum(patient_responsibility) AS patient_responsibility
    FROM scope
    GROUP BY payer_id
),
paid_by AS (
    SELECT coalesce(r.payer_id, s.payer_id) AS payer_id,
           sum(l.amount) FILTER (WHERE l.kind = 'payer_payment') AS paid,
           coalesce(sum(l.amount) FILTER (WHERE l.kind = 'payer_payment'
                                          AND r.payer_id <> s.payer_id), 0)
               AS paid_as_secondary,
           sum(l.amount) FILTER (WHERE l.kind = 'denial') AS denied_standing
    FROM scope s
    JOIN ledger l USING (claim_id)
    LEFT JOIN remittances r USING (remittance_id)
    WHERE l.kind IN ('payer_payment', 'denial')
    GROUP BY 1
)
SELECT py.payer_id, py.name AS payer, py.payer_type,
       coalesce(b.claims, 0) AS claims,
       coalesce(b.billed, 0)::DECIMAL(14,2) AS billed,
       coalesce(b.allowed, 0)::DECIMAL(14,2) AS allowed,
       coalesce(pb.paid, 0)::DECIMAL(14,2) AS paid,
       coalesce(pb.paid_as_secondary, 0)::DECIMAL(14,2) AS paid_as_secondary,
       coalesce(b.patient_responsibility, 0)::DECIMAL(14,2) AS patient_responsibility,
       coalesce(v.visits, 0) AS visits,
       coalesce(v.visits_answered, 0) AS visits_answered,
       coalesce(pb.denied_standing, 0)::DECIMAL(14,2) AS denied_standing
FROM payers py
LEFT JOIN billed b USING (payer_id)
LEFT JOIN paid_by pb USING (payer_id)
LEFT JOIN visits v USING (payer_id)
WHERE b.payer_id IS NOT NULL OR pb.payer_id IS NOT NULL
ORDER BY billed DESC, paid DESC, payer
