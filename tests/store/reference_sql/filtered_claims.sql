-- Every claim that passes the payer / referrer / provider filters, whatever its dates.
SELECT c.*
FROM claims c
WHERE c.status <> 'voided'
  AND ($payers::INTEGER[] IS NULL OR list_contains($payers::INTEGER[], c.payer_id))
  AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], c.referrer_id))
  AND ($providers::INTEGER[] IS NULL OR list_contains($providers::INTEGER[], c.rendering_provider_id))
