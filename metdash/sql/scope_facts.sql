-- The claims in the period, as claim_facts rows: not voided, first service date in
-- [date_from, date_to], filtered (the same claims as scope_claims).
SELECT f.*
FROM claim_facts f
WHERE f.status <> 'voided'
  AND f.first_service_date BETWEEN $date_from AND $date_to
  AND {id_filters}
