-- Per payer, over the claims in the period: claims, billed, allowed, paid, patient
-- responsibility, visits. Allowed is AMT*B6 when sent, else paid + PR; reversals count
-- negative; CLPs "not ours" (23) are left out (per-claim sums kept in claim_facts).
WITH scope AS ({scope_facts}),
visits AS (
    SELECT s.payer_id, count(DISTINCT (s.client_id, l.service_date)) AS visits
    FROM scope s JOIN claim_lines l USING (claim_id)
    GROUP BY s.payer_id
)
SELECT py.payer_id, py.name AS payer, py.payer_type,
       count(*) AS claims,
       sum(s.total_charge)::DECIMAL(14,2) AS billed,
       sum(s.allowed)::DECIMAL(14,2) AS allowed,
       sum(s.paid)::DECIMAL(14,2) AS paid,
       sum(s.patient_responsibility)::DECIMAL(14,2) AS patient_responsibility,
       any_value(v.visits) AS visits
FROM scope s
JOIN payers py USING (payer_id)
LEFT JOIN visits v USING (payer_id)
GROUP BY py.payer_id, py.name, py.payer_type
ORDER BY billed DESC, payer
