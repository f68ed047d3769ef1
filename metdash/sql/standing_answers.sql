-- The CLPs that stand (standing_clps.sql) of the claims in $ids, each with our line numbers it
-- answers (NULL: none named), its adjustments (group, CARC, amount; claim and lines) and its id
-- (what a reversal names), in each payer's posting order: what metdash.answers.StandingAnswers
-- starts from when an 835 or a paper EOB answers those claims again.
WITH c AS (SELECT claim_id, payer_id FROM claims WHERE claim_id IN (SELECT unnest($ids))),
{standing_clps},
answered_lines AS (
    SELECT claim_payment_id, list(DISTINCT line_no ORDER BY line_no) AS lines
    FROM line_payments
    WHERE claim_payment_id IN (SELECT claim_payment_id FROM standing) AND line_no IS NOT NULL
    GROUP BY claim_payment_id
),
adjusted AS (
    SELECT claim_payment_id,
           list(struct_pack(group_code := group_code, carc := carc, amount := amount)
                ORDER BY adjustment_id) AS adjustments
    FROM adjustments
    WHERE claim_payment_id IN (SELECT claim_payment_id FROM standing)
    GROUP BY claim_payment_id
)
SELECT s.claim_id, s.payer_part, s.paid, s.charge, l.lines, a.adjustments, s.claim_payment_id
FROM standing s
LEFT JOIN answered_lines l USING (claim_payment_id)
LEFT JOIN adjusted a USING (claim_payment_id)
ORDER BY s.claim_id, s.payer_part, s.n
