-- Every denial on the claims in the period, one row per adjustment (kept in denial_facts): a
-- reason that is not PR nor contractual (CO-45/CO-253) on a claim or line paid 0 or reduced.
-- Reversals (22) and CLPs "not ours" (23) are left out. A claim-level denial stands for all
-- the claim's lines. Each denial once: a line (or the claim) is counted at the remittance that
-- first denied it, with the reasons and amounts it gave then (its date is the initial
-- determination the appeal window runs from; DOMAIN.md). A payer that denies it again -- on
-- reprocessing with no reversal, after a reversal, on an appeal upheld, for the same reason
-- or another -- has not denied more: the later denial is the line's current state (the
-- denial work lists), not another denied dollar. (Only the few claims denied on more than
-- one remittance are read line by line.)
WITH den AS MATERIALIZED (
    SELECT claim_id, claim_payment_id, line_payment_id, group_code, carc, amount,
           payment_date, cpt, n_lines
    FROM denial_facts
    WHERE {line_scope}
),
denied_again AS (
    SELECT claim_id FROM den GROUP BY claim_id HAVING count(DISTINCT claim_payment_id) > 1
)
SELECT * FROM den WHERE claim_id NOT IN (SELECT claim_id FROM denied_again)
UNION ALL
SELECT d.* FROM (SELECT * FROM den WHERE claim_id IN (SELECT claim_id FROM denied_again)) d
LEFT JOIN line_payments lp ON lp.line_payment_id = d.line_payment_id
QUALIFY d.claim_payment_id = first_value(d.claim_payment_id) OVER (
    PARTITION BY d.claim_id, coalesce(lp.line_no::VARCHAR, 'svc ' || d.cpt, 'claim')
    ORDER BY d.payment_date, d.claim_payment_id)
