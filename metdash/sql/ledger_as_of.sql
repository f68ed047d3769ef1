-- Each claim's ledger summed as of $as_of, for the claims whose money events lie on both
-- sides of that day (not voided by then, filtered): the claims whose balances on $as_of
-- claim_facts cannot give (its balances are of every row). Read by ar_balances.sql
-- (insurance, denied) and patient_claim_sides.sql (patient), and kept once per store state
-- and filters for both (metdash.figures.core). Rows: claim_id, insurance, patient, denied
-- (the denial rows' amount; NULL when none).
WITH straddling AS (
    SELECT f.claim_id
    FROM claim_facts f
    WHERE f.first_ledger_date <= $as_of
      AND f.last_ledger_date > $as_of
      AND coalesce(f.voided_date, DATE '9999-12-31') > $as_of
      AND {id_filters}
)
-- the id range lets the scan skip the row groups of every other claim
SELECT l.claim_id, sum(l.insurance) AS insurance, sum(l.patient) AS patient,
       sum(l.amount) FILTER (WHERE l.kind = 'denial') AS denied
FROM ledger l
WHERE l.entry_date <= $as_of
  AND l.claim_id BETWEEN (SELECT min(claim_id) FROM straddling)
                     AND (SELECT max(claim_id) FROM straddling)
  AND l.claim_id IN (SELECT claim_id FROM straddling)
GROUP BY l.claim_id
