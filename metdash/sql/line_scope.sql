-- The claims in the period as a condition on a facts table's claim columns: not voided,
-- first service date in [date_from, date_to], filtered (the same claims as scope_claims).
NOT voided
  AND first_service_date BETWEEN $date_from AND $date_to
  AND {id_filters}
