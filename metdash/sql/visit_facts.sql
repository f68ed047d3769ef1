-- One visit_facts row per distinct service date of the claims in $ids (every claim when
-- NULL): the claim's client, that date, the claim's referrer and whether it is voided.
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
)
SELECT DISTINCT c.claim_id, c.client_id, l.service_date AS visit_date, c.referrer_id,
       c.status = 'voided' AS voided
FROM c JOIN {claim_lines} l USING (claim_id)
