-- One row per claim in the period: its first adjudication and first payment.
--   adjudicated  has a remittance that is not a reversal (22) or "not ours" (23)
--   denied       the first adjudication denied the claim or a line (DOMAIN.md: paid 0 with a
--                reason that is neither PR nor contractual CO-45/CO-253; or CLP02 4)
--   resolved     the first adjudication processed it and every adjustment was CO-45/CO-253/PR
--   first_paid_date  payment date of the first remittance that paid more than 0
WITH scope AS ({scope_claims}),
cp AS (
    SELECT p.claim_payment_id, p.claim_id, p.status_code, p.paid, p.charge, p.remittance_id,
           p.seq, r.payment_date
    FROM claim_payments p
    JOIN remittances r USING (remittance_id)
    JOIN scope s ON s.claim_id = p.claim_id
),
adj AS (
    SELECT a.claim_payment_id, a.line_payment_id,
           (a.group_code <> 'PR'
            AND NOT (a.group_code = 'CO' AND a.carc IN ('45', '253'))) AS denial_reason
    FROM adjustments a
    WHERE a.claim_payment_id IN (SELECT claim_payment_id FROM cp)
),
first_adj AS (
    SELECT * FROM cp
    WHERE status_code NOT IN ('22', '23')
    QUALIFY row_number() OVER (PARTITION BY claim_id
                               ORDER BY payment_date, remittance_id, seq) = 1
),
line_denied AS (
    SELECT lp.claim_payment_id, bool_or(lp.paid = 0 AND a.denial_reason) AS any_line_denied
    FROM line_payments lp
    JOIN adj a ON a.line_payment_id = lp.line_payment_id
    WHERE lp.claim_payment_id IN (SELECT claim_payment_id FROM first_adj)
    GROUP BY lp.claim_payment_id
),
claim_flags AS (
    SELECT claim_payment_id,
           bool_or(denial_reason AND line_payment_id IS NULL) AS claim_level_reason,
           bool_or(denial_reason) AS any_reason
    FROM adj
    GROUP BY claim_payment_id
),
first_paid AS (
    SELECT claim_id, min(payment_date) AS first_paid_date
    FROM cp
    WHERE status_code NOT IN ('22', '23') AND paid > 0
    GROUP BY claim_id
)
SELECT s.claim_id, s.payer_id, s.client_id, s.referrer_id, s.total_charge,
       s.first_service_date, s.submitted_date,
       fa.claim_payment_id AS first_claim_payment_id,
       fa.payment_date AS first_adjudication_date,
       fa.claim_id IS NOT NULL AS adjudicated,
       coalesce(fa.status_code = '4'
                OR (fa.paid = 0 AND coalesce(cf.claim_level_reason, FALSE))
                OR coalesce(ld.any_line_denied, FALSE), FALSE) AS denied,
       coalesce(fa.status_code = '4'
                OR (fa.paid = 0 AND coalesce(cf.claim_level_reason, FALSE)), FALSE)
           AS claim_level_denied,
       coalesce(fa.status_code IN ('1', '2', '3', '19', '20', '21')
                AND NOT coalesce(cf.any_reason, FALSE), FALSE) AS resolved,
       fp.first_paid_date,
       datediff('day', s.submitted_date, fp.first_paid_date) AS days_to_payment,
       datediff('day', s.first_service_date, fp.first_paid_date) AS days_from_service
FROM scope s
LEFT JOIN first_adj fa ON fa.claim_id = s.claim_id
LEFT JOIN claim_flags cf ON cf.claim_payment_id = fa.claim_payment_id
LEFT JOIN line_denied ld ON ld.claim_payment_id = fa.claim_payment_id
LEFT JOIN first_paid fp ON fp.claim_id = s.claim_id
