-- The sidebar's payer / referrer / rendering provider filters, as a condition on a table
-- with those claim columns (payer_id, referrer_id, rendering_provider_id); NULL lists: all.
($payers::INTEGER[] IS NULL OR list_contains($payers::INTEGER[], payer_id))
  AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], referrer_id))
  AND ($providers::INTEGER[] IS NULL OR list_contains($providers::INTEGER[], rendering_provider_id))
