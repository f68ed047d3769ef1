-- Insurance A/R as of $as_of, claim by claim (DOMAIN.md): the sum of the claim's ledger rows'
-- insurance column dated on or before $as_of -- charge − payer payments − contractual − cost
-- share moved to the client − COB moved to another payer − transfers to the client − the
-- practice's insurance write-offs. A denied amount stays (denied: the part of the balance the
-- payer denied). Claims voided on or before $as_of are left out; only balances above 0.
-- claim_facts keeps each claim's current balances and the dates of its first and last money
-- events: a claim whose last event is on or before $as_of owes its current balance, and only
-- the claims with events on both sides of $as_of are summed from their ledger rows
-- (ledger_as_of.sql).
WITH open_claims AS (
    SELECT f.*
    FROM claim_facts f
    WHERE f.first_ledger_date <= $as_of
      AND coalesce(f.voided_date, DATE '9999-12-31') > $as_of
      -- not settled by $as_of (everything posted by then and nothing owed: most claims)
      AND (f.insurance_balance <> 0 OR f.last_ledger_date > $as_of)
      AND {id_filters}
),
partial AS (
    -- the claims with events on both sides of $as_of, summed from their ledger rows
    SELECT claim_id, insurance AS balance, denied FROM {ledger_as_of}
),
balances AS (
    SELECT o.claim_id, o.client_id, o.payer_id, o.total_charge, o.first_service_date,
           o.submitted_date, o.status,
           CASE WHEN o.last_ledger_date <= $as_of THEN o.insurance_balance
                ELSE coalesce(pt.balance, 0) END AS balance,
           CASE WHEN o.last_ledger_date <= $as_of THEN o.denied_open
                ELSE greatest(0, least(coalesce(pt.balance, 0), coalesce(pt.denied, 0)))
           END AS denied,
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
