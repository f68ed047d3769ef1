-- One line_facts row per billed line of the claims in $ids (every claim when NULL) that has
-- been adjudicated: its latest adjudication (reversals and "not ours" left out), with what
-- was allowed and whether it was denied, and its claim's filter columns. What the payer's fee
-- schedule says it should allow is looked up when read (the schedule can change).
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
),
lp AS (
    SELECT p.claim_id, lp.line_payment_id, lp.line_no, lp.cpt, lp.units AS paid_units,
           lp.charge, lp.paid, lp.allowed AS sent_allowed, r.payment_date
    FROM {line_payments} lp
    JOIN {claim_payments} p USING (claim_payment_id)
    JOIN remittances r USING (remittance_id)
    WHERE p.status_code NOT IN ('22', '23') AND p.claim_id IN (SELECT claim_id FROM c)
    QUALIFY row_number() OVER (PARTITION BY p.claim_id, coalesce(lp.line_no, -1), lp.cpt
                               ORDER BY r.payment_date DESC, p.claim_payment_id DESC) = 1
),
adj AS (
    SELECT a.line_payment_id,
           sum(a.amount) FILTER (WHERE a.group_code = 'PR') AS pr,
           bool_or(a.group_code <> 'PR'
                   AND NOT (a.group_code = 'CO' AND a.carc IN ('45', '253'))) AS denial_reason
    FROM {adjustments} a
    WHERE a.line_payment_id IN (SELECT line_payment_id FROM lp)
    GROUP BY a.line_payment_id
)
SELECT c.claim_id, c.payer_id, c.referrer_id, c.rendering_provider_id,
       c.status = 'voided' AS voided, c.first_service_date,
       l.line_no, l.service_date, l.cpt, l.units, l.charge, lp.paid,
       coalesce(lp.sent_allowed, lp.paid + coalesce(adj.pr, 0)) AS allowed,
       lp.paid = 0 AND coalesce(adj.denial_reason, FALSE) AS denied
FROM lp
JOIN c ON c.claim_id = lp.claim_id
JOIN {claim_lines} l ON l.claim_id = lp.claim_id
     AND (l.line_no = lp.line_no OR (lp.line_no IS NULL AND l.cpt = lp.cpt))
LEFT JOIN adj ON adj.line_payment_id = lp.line_payment_id
