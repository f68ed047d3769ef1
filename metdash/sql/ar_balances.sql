-- Open claims as of $as_of with their insurance balance: charge − payer payments −
-- adjustments (PR included), counting only what was posted on or before $as_of. A claim is
-- open once submitted until it is closed or voided (by its status history; a closed or voided
-- claim without history counts as closed all along). Only balances above 0.
-- claim_facts keeps each claim's totals and the dates of its first and last posting: a claim
-- with nothing posted by $as_of owes its charge, one whose last posting is on or before
-- $as_of owes charge − totals, and only the claims with postings on both sides of $as_of are
-- netted from their payments.
WITH open_claims AS (
    SELECT f.*
    FROM claim_facts f
    WHERE f.submitted_date <= $as_of
      AND coalesce(f.ended_date, DATE '9999-12-31') > $as_of
      -- not settled by $as_of (everything posted by then and nothing owed: most claims)
      AND (f.balance > 0 OR f.last_posted_date > $as_of OR f.last_posted_date IS NULL)
      AND {id_filters}
),
straddling AS (
    SELECT claim_id FROM open_claims
    WHERE first_posted_date <= $as_of AND last_posted_date > $as_of
),
partial AS (
    SELECT p.claim_id, sum(p.paid) AS paid, sum(p.adjusted) AS adjusted
    FROM payment_facts p
    WHERE p.payment_date <= $as_of AND p.claim_id IN (SELECT claim_id FROM straddling)
    GROUP BY p.claim_id
),
balances AS (
    SELECT o.claim_id, o.client_id, o.payer_id, o.total_charge, o.first_service_date,
           o.submitted_date, o.status,
           CASE WHEN o.first_posted_date IS NULL OR o.first_posted_date > $as_of
                    THEN o.total_charge
                WHEN o.last_posted_date <= $as_of THEN o.balance
                ELSE o.total_charge - coalesce(pt.paid, 0) - coalesce(pt.adjusted, 0)
           END AS balance,
           datediff('day', o.first_service_date, $as_of) AS age_days
    FROM open_claims o
    LEFT JOIN partial pt USING (claim_id)
)
SELECT *,
       CASE WHEN age_days <= 30 THEN '0-30'
            WHEN age_days <= 60 THEN '31-60'
            WHEN age_days <= 90 THEN '61-90'
            WHEN age_days <= 120 THEN '91-120'
            ELSE '120+' END AS bucket
FROM balances
WHERE balance > 0
