-- One payment_facts row per claim payment of the claims in $ids (every claim when NULL):
-- the CLP as sent, the remittance's payment date, its CAS totals (all; contractual CO-45 and
-- CO-253) and its claim's payer, referrer, rendering provider and whether it is voided.
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
),
cp AS (
    SELECT p.*, r.payment_date
    FROM {claim_payments} p
    JOIN remittances r USING (remittance_id)
    WHERE p.claim_id IN (SELECT claim_id FROM c)
),
adj AS (
    SELECT claim_payment_id, sum(amount) AS adjusted,
           sum(amount) FILTER (WHERE group_code = 'CO' AND carc IN ('45', '253')) AS contractual
    FROM {adjustments}
    WHERE claim_payment_id IN (SELECT claim_payment_id FROM cp)
    GROUP BY claim_payment_id
)
SELECT cp.claim_payment_id, cp.claim_id, cp.remittance_id, cp.payment_date, cp.status_code,
       cp.paid, cp.patient_responsibility,
       coalesce(adj.adjusted, 0)::DECIMAL(14,2) AS adjusted,
       coalesce(adj.contractual, 0)::DECIMAL(14,2) AS contractual,
       c.payer_id, c.referrer_id, c.rendering_provider_id, c.status = 'voided' AS voided
FROM cp
JOIN c USING (claim_id)
LEFT JOIN adj USING (claim_payment_id)
