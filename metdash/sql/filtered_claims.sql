-- Every claim that passes the payer / referrer / provider filters, whatever its dates (as
-- claim_facts rows: the claim's own columns, narrower than claims).
SELECT c.*
FROM claim_facts c
WHERE c.status <> 'voided'
  AND {id_filters}
