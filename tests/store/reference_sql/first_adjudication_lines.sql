-- The lines of each claim's first adjudication, with whether each was denied. When the
-- remittance sent no service lines, the claim's own lines stand in, denied when the claim was.
WITH adj AS ({claim_adjudication}),
fa AS (SELECT * FROM adj WHERE adjudicated),
reasons AS (
    SELECT a.line_payment_id,
           bool_or(a.group_code <> 'PR'
                   AND NOT (a.group_code = 'CO' AND a.carc IN ('45', '253'))) AS denial_reason
    FROM adjustments a
    WHERE a.claim_payment_id IN (SELECT first_claim_payment_id FROM fa)
      AND a.line_payment_id IS NOT NULL
    GROUP BY a.line_payment_id
),
sent AS (
    SELECT fa.claim_id, fa.payer_id, fa.first_adjudication_date, lp.cpt, lp.charge,
           lp.paid = 0 AND (coalesce(r.denial_reason, FALSE) OR fa.claim_level_denied) AS denied
    FROM fa
    JOIN line_payments lp ON lp.claim_payment_id = fa.first_claim_payment_id
    LEFT JOIN reasons r ON r.line_payment_id = lp.line_payment_id
),
stand_in AS (
    SELECT fa.claim_id, fa.payer_id, fa.first_adjudication_date, l.cpt, l.charge,
           fa.claim_level_denied OR fa.denied AS denied
    FROM fa
    JOIN claim_lines l ON l.claim_id = fa.claim_id
    WHERE NOT EXISTS (SELECT 1 FROM line_payments lp
                      WHERE lp.claim_payment_id = fa.first_claim_payment_id)
)
SELECT * FROM sent UNION ALL SELECT * FROM stand_in
