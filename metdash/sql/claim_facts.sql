-- One claim_facts row per claim (metdash.store.facts; columns as in migration 0003), for the claims
-- in $ids, or every claim when $ids is NULL. The definitions are the figures' own (DOMAIN.md):
--   ended_date    first closed/voided date in the history (0001-01-01 when closed or voided
--                 without history)
--   posted_*      every claim payment posted to the claim, and its CAS amounts (A/R)
--   balance       charge − posted_paid − posted_adjusted: what the payer still owes today
--   allowed/paid/patient_responsibility  CLPs other than "not ours" (23); allowed is AMT*B6
--                 when sent, else paid + PR; reversals count negative
--   adjudicated   has a remittance that is not a reversal (22) or "not ours" (23)
--   denied        the first adjudication denied the claim or a line (paid 0 with a reason
--                 that is neither PR nor contractual CO-45/CO-253; or CLP02 4)
--   resolved      the first adjudication processed it and every adjustment was CO-45/CO-253/PR
--   first_paid_date  payment date of the first remittance that paid more than 0
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
),
cp AS (
    SELECT p.claim_payment_id, p.claim_id, p.status_code, p.paid, p.patient_responsibility,
           p.allowed, p.remittance_id, p.seq, r.payment_date
    FROM {claim_payments} p
    JOIN remittances r USING (remittance_id)
    WHERE p.claim_id IN (SELECT claim_id FROM c)
),
adj AS (
    SELECT a.claim_payment_id, a.line_payment_id, a.amount,
           (a.group_code <> 'PR'
            AND NOT (a.group_code = 'CO' AND a.carc IN ('45', '253'))) AS denial_reason
    FROM {adjustments} a
    WHERE a.claim_payment_id IN (SELECT claim_payment_id FROM cp)
),
per_payment AS (
    SELECT claim_payment_id, sum(amount) AS adjusted,
           bool_or(denial_reason AND line_payment_id IS NULL) AS claim_level_reason,
           bool_or(denial_reason) AS any_reason
    FROM adj
    GROUP BY claim_payment_id
),
posted AS (
    SELECT cp.claim_id,
           sum(cp.paid) AS posted_paid,
           sum(coalesce(pp.adjusted, 0)) AS posted_adjusted,
           min(cp.payment_date) AS first_posted_date,
           max(cp.payment_date) AS last_posted_date,
           sum(coalesce(cp.allowed, cp.paid + cp.patient_responsibility))
               FILTER (WHERE cp.status_code <> '23') AS allowed,
           sum(cp.paid) FILTER (WHERE cp.status_code <> '23') AS paid,
           sum(cp.patient_responsibility) FILTER (WHERE cp.status_code <> '23')
               AS patient_responsibility,
           min(cp.payment_date) FILTER (WHERE cp.status_code NOT IN ('22', '23')
                                        AND cp.paid > 0) AS first_paid_date
    FROM cp
    LEFT JOIN per_payment pp USING (claim_payment_id)
    GROUP BY cp.claim_id
),
first_adj AS (
    SELECT * FROM cp
    WHERE status_code NOT IN ('22', '23')
    QUALIFY row_number() OVER (PARTITION BY claim_id
                               ORDER BY payment_date, remittance_id, seq) = 1
),
line_denied AS (
    SELECT lp.claim_payment_id, bool_or(lp.paid = 0 AND a.denial_reason) AS any_line_denied
    FROM {line_payments} lp
    JOIN adj a ON a.line_payment_id = lp.line_payment_id
    WHERE lp.claim_payment_id IN (SELECT claim_payment_id FROM first_adj)
    GROUP BY lp.claim_payment_id
),
ended AS (
    SELECT claim_id, min(status_date) AS ended_date
    FROM {claim_status_history}
    WHERE status IN ('closed', 'voided') AND claim_id IN (SELECT claim_id FROM c)
    GROUP BY claim_id
)
SELECT c.claim_id, c.client_id, c.payer_id, c.referrer_id, c.rendering_provider_id, c.status,
       c.total_charge, c.first_service_date, c.submitted_date,
       coalesce(e.ended_date,
                CASE WHEN c.status IN ('closed', 'voided') THEN DATE '0001-01-01' END)
           AS ended_date,
       coalesce(po.posted_paid, 0)::DECIMAL(14,2) AS posted_paid,
       coalesce(po.posted_adjusted, 0)::DECIMAL(14,2) AS posted_adjusted,
       po.first_posted_date, po.last_posted_date,
       coalesce(po.allowed, 0)::DECIMAL(14,2) AS allowed,
       coalesce(po.paid, 0)::DECIMAL(14,2) AS paid,
       coalesce(po.patient_responsibility, 0)::DECIMAL(14,2) AS patient_responsibility,
       fa.claim_payment_id AS first_claim_payment_id,
       fa.payment_date AS first_adjudication_date,
       fa.claim_id IS NOT NULL AS adjudicated,
       coalesce(fa.status_code = '4'
                OR (fa.paid = 0 AND coalesce(pp.claim_level_reason, FALSE))
                OR coalesce(ld.any_line_denied, FALSE), FALSE) AS denied,
       coalesce(fa.status_code = '4'
                OR (fa.paid = 0 AND coalesce(pp.claim_level_reason, FALSE)), FALSE)
           AS claim_level_denied,
       coalesce(fa.status_code IN ('1', '2', '3', '19', '20', '21')
                AND NOT coalesce(pp.any_reason, FALSE), FALSE) AS resolved,
       po.first_paid_date,
       (c.total_charge - coalesce(po.posted_paid, 0) - coalesce(po.posted_adjusted, 0))
           ::DECIMAL(14,2) AS balance
FROM c
LEFT JOIN ended e USING (claim_id)
LEFT JOIN posted po USING (claim_id)
LEFT JOIN first_adj fa ON fa.claim_id = c.claim_id
LEFT JOIN per_payment pp ON pp.claim_payment_id = fa.claim_payment_id
LEFT JOIN line_denied ld ON ld.claim_payment_id = fa.claim_payment_id
