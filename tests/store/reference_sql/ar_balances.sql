-- Insurance A/R as of $as_of, the long way: every claim's ledger rows dated on or before
-- $as_of summed (no shortcut through claim_facts' current balances and event dates), claims
-- voided on or before $as_of left out (by the status history; a claim voided without history
-- counts as voided all along). Only balances above 0.
WITH f AS (
    SELECT c.*
    FROM claims c
    WHERE ($payers::INTEGER[] IS NULL OR list_contains($payers::INTEGER[], c.payer_id))
      AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], c.referrer_id))
      AND ($providers::INTEGER[] IS NULL OR list_contains($providers::INTEGER[], c.rendering_provider_id))
),
voided AS (
    SELECT claim_id, min(status_date) AS voided_date
    FROM claim_status_history WHERE status = 'voided' GROUP BY claim_id
),
sums AS (
    SELECT claim_id, sum(insurance) AS balance,
           coalesce(sum(amount) FILTER (WHERE kind = 'denial'), 0) AS denied_amount
    FROM ledger WHERE entry_date <= $as_of GROUP BY claim_id
),
balances AS (
    SELECT f.claim_id, f.client_id, f.payer_id, f.total_charge, f.first_service_date,
           f.submitted_date, f.status, s.balance,
           greatest(0, least(s.balance, s.denied_amount)) AS denied,
           datediff('day', f.first_service_date, $as_of) AS age_days
    FROM f JOIN sums s USING (claim_id) LEFT JOIN voided v USING (claim_id)
    WHERE coalesce(v.voided_date, CASE WHEN f.status = 'voided' THEN DATE '0001-01-01' END,
                   DATE '9999-12-31') > $as_of
)
SELECT *,
       CASE WHEN age_days <= 30 THEN '0-30'
            WHEN age_days <= 60 THEN '31-60'
            WHEN age_days <= 90 THEN '61-90'
            WHEN age_days <= 120 THEN '91-120'
            ELSE '120+' END AS bucket
FROM balances
WHERE balance > 0
