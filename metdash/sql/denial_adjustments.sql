-- Every denial adjustment on the claims in the period, one row per adjustment (kept in
-- denial_facts): a reason that is not PR nor contractual (CO-45/CO-253) on a claim or line paid
-- 0. Reversals (22) and CLPs "not ours" (23) are left out. A claim-level denial stands for
-- all the claim's lines.
SELECT claim_id, claim_payment_id, line_payment_id, group_code, carc, amount, payment_date,
       cpt, n_lines
FROM denial_facts
WHERE {line_scope}
