-- Patient A/R as of $as_of, in total (patient_balances.sql's claim rows, summed): applying a
-- client's money to its oldest open services first moves money between that client's claims
-- and never changes the client's total, so per client it is what the client owes on its
-- claims less what it has to apply (never below 0) -- no claim-by-claim allocation needed.
WITH per_claim AS MATERIALIZED ({patient_claim_sides}),
client_money AS ({patient_client_money}),
pool AS ({patient_pool}),
owed AS (
    SELECT client_id, sum(balance) AS owed
    FROM per_claim WHERE balance > 0
    GROUP BY client_id
)
SELECT coalesce(sum(greatest(0, o.owed - greatest(coalesce(p.credit, 0), 0))), 0)
       ::DECIMAL(14,2) AS patient_ar
FROM owed o LEFT JOIN pool p USING (client_id)
