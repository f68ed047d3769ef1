-- Open claims as of $as_of with their insurance balance: charge − payer payments −
-- adjustments (PR included), counting only what was posted on or before $as_of. A claim is
-- open once submitted until it is closed or voided (by its status history; a closed or voided
-- claim without history counts as closed all along). Only balances above 0.
WITH f AS (
    SELECT c.*
    FROM claims c
    WHERE ($payers::INTEGER[] IS NULL OR list_contains($payers::INTEGER[], c.payer_id))
      AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], c.referrer_id))
      AND ($providers::INTEGER[] IS NULL OR list_contains($providers::INTEGER[], c.rendering_provider_id))
),
ended AS (
    SELECT claim_id, min(status_date) AS ended_date
    FROM claim_status_history
    WHERE status IN ('closed', 'voided')
    GROUP BY claim_id
),
open_claims AS (
    SELECT f.claim_id, f.client_id, f.payer_id, f.total_charge, f.first_service_date,
           f.submitted_date, f.status
    FROM f LEFT JOIN ended e USING (claim_id)
    WHERE f.submitted_date <= $as_of
      AND coalesce(e.ended_date,
                   CASE WHEN f.status IN ('closed', 'voided') THEN DATE '0001-01-01' END,
                   DATE '9999-12-31') > $as_of
),
posted AS (
    SELECT p.claim_payment_id, p.claim_id, p.paid
    FROM claim_payments p
    JOIN remittances r USING (remittance_id)
    JOIN open_claims o ON o.claim_id = p.claim_id
    WHERE r.payment_date <= $as_of
),
paid AS (SELECT claim_id, sum(paid) AS paid FROM posted GROUP BY claim_id),
adjusted AS (
    SELECT p.claim_id, sum(a.amount) AS adjusted
    FROM adjustments a JOIN posted p USING (claim_payment_id)
    GROUP BY p.claim_id
),
balances AS (
    SELECT o.*, o.total_charge - coalesce(pd.paid, 0) - coalesce(ad.adjusted, 0) AS balance,
           datediff('day', o.first_service_date, $as_of) AS age_days
    FROM open_claims o
    LEFT JOIN paid pd USING (claim_id)
    LEFT JOIN adjusted ad USING (claim_id)
)
SELECT *,
       CASE WHEN age_days <= 30 THEN '0-30'
            WHEN age_days <= 60 THEN '31-60'
            WHEN age_days <= 90 THEN '61-90'
            WHEN age_days <= 120 THEN '91-120'
            ELSE '120+' END AS bucket
FROM balances
WHERE balance > 0
