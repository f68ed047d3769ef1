-- The latest adjudication of each billed line of the claims in the period (reversals and
-- "not ours" left out), with what was allowed, whether it was denied, and what the payer's
-- fee schedule says it should allow (expected = allowed amount per unit × units billed).
WITH scope AS ({scope_claims}),
lp AS (
    SELECT p.claim_id, lp.line_payment_id, lp.line_no, lp.cpt, lp.units AS paid_units,
           lp.charge, lp.paid, lp.allowed AS sent_allowed, r.payment_date
    FROM line_payments lp
    JOIN claim_payments p USING (claim_payment_id)
    JOIN remittances r USING (remittance_id)
    JOIN scope s ON s.claim_id = p.claim_id
    WHERE p.status_code NOT IN ('22', '23')
    QUALIFY row_number() OVER (PARTITION BY p.claim_id, coalesce(lp.line_no, -1), lp.cpt
                               ORDER BY r.payment_date DESC, p.claim_payment_id DESC) = 1
),
adj AS (
    SELECT a.line_payment_id,
           sum(a.amount) FILTER (WHERE a.group_code = 'PR') AS pr,
           bool_or(a.group_code <> 'PR'
                   AND NOT (a.group_code = 'CO' AND a.carc IN ('45', '253'))) AS denial_reason
    FROM adjustments a
    WHERE a.line_payment_id IN (SELECT line_payment_id FROM lp)
    GROUP BY a.line_payment_id
)
SELECT s.claim_id, s.payer_id, py.name AS payer, l.line_no, l.service_date, l.cpt, l.units,
       l.charge, lp.paid,
       coalesce(lp.sent_allowed, lp.paid + coalesce(adj.pr, 0)) AS allowed,
       lp.paid = 0 AND coalesce(adj.denial_reason, FALSE) AS denied,
       pf.allowed_amount * l.units AS expected
FROM lp
JOIN scope s ON s.claim_id = lp.claim_id
JOIN claim_lines l ON l.claim_id = lp.claim_id
     AND (l.line_no = lp.line_no OR (lp.line_no IS NULL AND l.cpt = lp.cpt))
JOIN payers py ON py.payer_id = s.payer_id
LEFT JOIN adj ON adj.line_payment_id = lp.line_payment_id
LEFT JOIN payer_fee_schedule pf ON pf.payer_id = s.payer_id AND pf.cpt = l.cpt
