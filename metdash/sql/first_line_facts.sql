-- One first_line_facts row per line of the first adjudication of the claims in $ids (every
-- claim when NULL), with whether it was denied and its claim's filter columns. When the
-- remittance sent no service lines, the claim's own lines stand in, denied when the claim was.
WITH cf AS (
    SELECT cf.* FROM {claim_facts} cf
    WHERE cf.adjudicated
      AND ($ids::VARCHAR[] IS NULL OR cf.claim_id IN (SELECT unnest($ids::VARCHAR[])))
),
reasons AS (
    SELECT a.line_payment_id,
           bool_or(a.group_code <> 'PR'
                   AND NOT (a.group_code = 'CO' AND a.carc IN ('45', '253'))) AS denial_reason
    FROM {adjustments} a
    WHERE a.claim_payment_id IN (SELECT first_claim_payment_id FROM cf)
      AND a.line_payment_id IS NOT NULL
    GROUP BY a.line_payment_id
),
sent AS (
    SELECT cf.claim_id, lp.cpt, lp.charge,
           lp.paid = 0 AND (coalesce(r.denial_reason, FALSE) OR cf.claim_level_denied) AS denied
    FROM cf
    JOIN {line_payments} lp ON lp.claim_payment_id = cf.first_claim_payment_id
    LEFT JOIN reasons r ON r.line_payment_id = lp.line_payment_id
),
stand_in AS (
    SELECT cf.claim_id, l.cpt, l.charge, cf.claim_level_denied OR cf.denied AS denied
    FROM cf
    JOIN {claim_lines} l ON l.claim_id = cf.claim_id
    WHERE NOT EXISTS (SELECT 1 FROM {line_payments} lp
                      WHERE lp.claim_payment_id = cf.first_claim_payment_id)
),
lines AS (SELECT * FROM sent UNION ALL SELECT * FROM stand_in)
SELECT cf.claim_id, cf.payer_id, cf.referrer_id, cf.rendering_provider_id,
       cf.status = 'voided' AS voided, cf.first_service_date, cf.first_adjudication_date,
       lines.cpt, lines.charge, lines.denied
FROM lines JOIN cf USING (claim_id)
