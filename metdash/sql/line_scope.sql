-- The claims in the period as a condition on a facts table's claim columns: not voided,
-- first service date in [date_from, date_to], filtered (the same claims as scope_claims).
claim_status <> 'voided'
  AND first_service_date BETWEEN $date_from AND $date_to
  AND ($payers::INTEGER[] IS NULL OR list_contains($payers::INTEGER[], payer_id))
  AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], referrer_id))
  AND ($providers::INTEGER[] IS NULL OR list_contains($providers::INTEGER[], rendering_provider_id))
