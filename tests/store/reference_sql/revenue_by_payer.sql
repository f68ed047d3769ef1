-- Per payer, over the claims in the period: claims, billed, allowed, paid, patient
-- responsibility, visits. Allowed is AMT*B6 when sent, else paid + PR; reversals count
-- negative; CLPs "not ours" (23) are left out.
WITH scope AS ({scope_claims}),
cp AS (
    SELECT p.claim_id, p.paid, p.patient_responsibility,
           coalesce(p.allowed, p.paid + p.patient_responsibility) AS allowed
    FROM claim_payments p
    JOIN scope s ON s.claim_id = p.claim_id
    WHERE p.status_code <> '23'
),
per_claim AS (
    SELECT s.claim_id, s.payer_id, s.total_charge,
           coalesce(sum(cp.allowed), 0) AS allowed,
           coalesce(sum(cp.paid), 0) AS paid,
           coalesce(sum(cp.patient_responsibility), 0) AS patient_responsibility
    FROM scope s LEFT JOIN cp USING (claim_id)
    GROUP BY ALL
),
visits AS (
    SELECT s.payer_id, count(DISTINCT (s.client_id, l.service_date)) AS visits
    FROM scope s JOIN claim_lines l USING (claim_id)
    GROUP BY s.payer_id
)
SELECT py.payer_id, py.name AS payer, py.payer_type,
       count(*) AS claims,
       sum(pc.total_charge)::DECIMAL(14,2) AS billed,
       sum(pc.allowed)::DECIMAL(14,2) AS allowed,
       sum(pc.paid)::DECIMAL(14,2) AS paid,
       sum(pc.patient_responsibility)::DECIMAL(14,2) AS patient_responsibility,
       any_value(v.visits) AS visits
FROM per_claim pc
JOIN payers py USING (payer_id)
LEFT JOIN visits v USING (payer_id)
GROUP BY py.payer_id, py.name, py.payer_type
ORDER BY billed DESC, payer
