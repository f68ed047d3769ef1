-- What each client has to apply to its open services, as of $as_of: client-level money
-- and the credits of its adjudicated claims. Reads the CTEs per_claim
-- (patient_claim_sides.sql) and client_money (patient_client_money.sql) of the query that
-- includes it. Rows: client_id, credit.
SELECT client_id, sum(credit) AS credit FROM (
    SELECT client_id, credit FROM client_money
    UNION ALL
    -- a copay paid ahead on a claim not adjudicated yet waits for its cost share
    SELECT client_id, -balance FROM per_claim WHERE balance < 0 AND adjudicated
) GROUP BY client_id
