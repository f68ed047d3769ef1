-- Every denial on the claims in the period, one row per adjustment (kept in denial_facts): a
-- reason that is not PR nor contractual (CO-45/CO-253) on a claim or line paid 0 or reduced.
-- Reversals (22) and CLPs "not ours" (23) are left out. A claim-level denial stands for all
-- the claim's lines. Each denial once: a line (or the claim) is counted at the remittance that
-- first denied it, with the reasons and amounts it gave then (its date is the initial
-- determination the appeal window runs from; DOMAIN.md). A payer that denies it again -- on
-- reprocessing with no reversal, after a reversal, on an appeal upheld, for the same reason
-- or another -- has not denied more: the later denial is the line's current state (the
-- denial work lists), not another denied dollar.
SELECT d.claim_id, d.claim_payment_id, d.line_payment_id, d.group_code, d.carc, d.amount,
       d.payment_date, d.cpt, d.n_lines
FROM (SELECT claim_id, claim_payment_id, line_payment_id, group_code, carc, amount,
             payment_date, cpt, n_lines
      FROM denial_facts
      WHERE {line_scope}) d
LEFT JOIN line_payments lp ON lp.line_payment_id = d.line_payment_id
QUALIFY d.claim_payment_id = first_value(d.claim_payment_id) OVER (
    PARTITION BY d.claim_id, coalesce(lp.line_no::VARCHAR, 'svc ' || d.cpt, 'claim')
    ORDER BY d.payment_date, d.claim_payment_id)
