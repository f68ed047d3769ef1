-- Claims in the period: not voided, first service date in [date_from, date_to], filtered.
SELECT c.*
FROM claims c
WHERE c.status <> 'voided'
  AND c.first_service_date BETWEEN $date_from AND $date_to
  AND ($payers::INTEGER[] IS NULL OR list_contains($payers::INTEGER[], c.payer_id))
  AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], c.referrer_id))
  AND ($providers::INTEGER[] IS NULL OR list_contains($providers::INTEGER[], c.rendering_provider_id))
