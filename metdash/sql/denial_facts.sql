-- One denial_facts row per denial adjustment on the claims in $ids (every claim when NULL):
-- an adjustment of the denial class (adjustment_classes: every reason that is not contractual,
-- cost share or coordination of benefits; DOMAIN.md), on a claim or a line, paid 0 or reduced
-- for that reason, or any adjustment of a claim the payer denied outright (CLP02 4).
-- Reversals (22), CLPs "not ours" (23) and pricing-only ones (25) are left out. A claim-level
-- denial stands for all the claim's lines (n_lines). With the claim's filter columns.
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
),
cp AS (
    SELECT p.claim_payment_id, p.claim_id, p.paid, p.status_code, r.payment_date,
           coalesce(r.payer_id, c.payer_id) AS adjudicating_payer
    FROM {claim_payments} p
    JOIN {remittances} r USING (remittance_id)
    JOIN c USING (claim_id)
    WHERE p.status_code NOT IN ('22', '23', '25')
),
line_counts AS (
    SELECT claim_id, count(*) AS n_lines FROM {claim_lines}
    WHERE claim_id IN (SELECT claim_id FROM cp) GROUP BY claim_id
)
SELECT cp.claim_id, c.payer_id, c.referrer_id, c.rendering_provider_id,
       c.status = 'voided' AS voided, c.first_service_date,
       cp.claim_payment_id, a.line_payment_id, a.group_code, a.carc, a.amount, cp.payment_date,
       lp.cpt,
       CASE WHEN a.line_payment_id IS NULL THEN coalesce(lc.n_lines, 1) ELSE 1 END AS n_lines
FROM {adjustments} a
JOIN cp USING (claim_payment_id)
JOIN c ON c.claim_id = cp.claim_id
LEFT JOIN {line_payments} lp ON lp.line_payment_id = a.line_payment_id
LEFT JOIN line_counts lc ON lc.claim_id = cp.claim_id
LEFT JOIN adjustment_classes own
       ON own.payer_id = cp.adjudicating_payer AND own.group_code = a.group_code
      AND own.carc = a.carc
LEFT JOIN adjustment_classes every
       ON every.payer_id = 0 AND every.group_code = a.group_code AND every.carc = a.carc
WHERE a.amount > 0
  AND (coalesce(own.class, every.class, 'denial') = 'denial'
       OR (cp.status_code = '4' AND a.line_payment_id IS NULL))
