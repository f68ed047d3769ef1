-- The CLPs of claim $claim_id posted by $as_of that stand (standing_clps.sql), each with what
-- a secondary 837P's 2320 / 2330A / 2330B loops carry about its payer: the payer, and the
-- client's coverage of it on the claim's first date of service (metdash.x12.secondary). In
-- each payer's posting order.
WITH c AS (SELECT * FROM claims WHERE claim_id = $claim_id),
{standing_clps}
SELECT s.claim_payment_id, s.payer_part, s.n, s.paid, s.charge, s.status_code, s.payment_date,
       p.payer_claim_number, s.payer_id, py.name AS payer_name, py.payer_type,
       py.clearinghouse_payer_id, v.member_id, v.relationship, v.group_number,
       v.subscriber_last_name, v.subscriber_first_name, v.priority, cl.last_name, cl.first_name
FROM standing s
JOIN claim_payments p USING (claim_payment_id)
JOIN c ON c.claim_id = s.claim_id
JOIN clients cl ON cl.client_id = c.client_id
JOIN payers py ON py.payer_id = s.payer_id
LEFT JOIN coverages v ON v.client_id = c.client_id AND v.payer_id = py.payer_id
 AND v.effective_date <= c.first_service_date
 AND (v.end_date IS NULL OR v.end_date >= c.first_service_date)
QUALIFY row_number() OVER (PARTITION BY s.claim_payment_id ORDER BY v.coverage_id) = 1
ORDER BY s.payer_part, s.n
