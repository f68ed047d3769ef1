-- Every denial adjustment on the claims in the period, one row per adjustment: a reason that
-- is not PR nor contractual (CO-45/CO-253) on a claim or line paid 0. Reversals (22) and
-- CLPs "not ours" (23) are left out. A claim-level denial stands for all the claim's lines.
WITH scope AS ({scope_claims}),
cp AS (
    SELECT p.claim_payment_id, p.claim_id, p.paid, p.status_code, r.payment_date,
           r.payer_id AS remit_payer_id
    FROM claim_payments p
    JOIN remittances r USING (remittance_id)
    JOIN scope s ON s.claim_id = p.claim_id
    WHERE p.status_code NOT IN ('22', '23')
),
line_counts AS (
    SELECT claim_id, count(*) AS n_lines FROM claim_lines
    WHERE claim_id IN (SELECT claim_id FROM scope) GROUP BY claim_id
)
SELECT cp.claim_id, cp.claim_payment_id, a.line_payment_id, a.group_code, a.carc,
       a.amount, cp.payment_date,
       coalesce(lp.cpt, NULL) AS cpt,
       CASE WHEN a.line_payment_id IS NULL THEN coalesce(lc.n_lines, 1) ELSE 1 END AS n_lines
FROM adjustments a
JOIN cp USING (claim_payment_id)
LEFT JOIN line_payments lp ON lp.line_payment_id = a.line_payment_id
LEFT JOIN line_counts lc ON lc.claim_id = cp.claim_id
WHERE a.group_code <> 'PR'
  AND NOT (a.group_code = 'CO' AND a.carc IN ('45', '253'))   -- contractual, not a denial
  AND ((a.line_payment_id IS NULL AND (cp.paid = 0 OR cp.status_code = '4'))
       OR (a.line_payment_id IS NOT NULL AND lp.paid = 0))
