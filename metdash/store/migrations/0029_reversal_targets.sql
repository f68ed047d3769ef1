-- claim_payments.reverses_id: the claim payment a reversal (CLP02 22) takes back; NULL on
-- every other CLP. A reversal was read as undoing the CLP of its payer just before it (payment
-- date, remittance, CLP position), so a payer that split a claim and then reversed the first
-- part, the later part standing, had its 835 refused. The import now names the answer a
-- reversal takes back (metdash.x12.trust835) and a reversal is ordered right after it
-- (metdash/sql/clp_order.sql).
--
-- Every reversal already on file undid the CLP before it: that CLP is named here (none when
-- there is none, or when it is itself a reversal: such a 22 posts its own amounts, as
-- before). A reversal then sits where it sat, so the derived facts are the same: no rebuild.
ALTER TABLE claim_payments ADD COLUMN reverses_id INTEGER;
UPDATE claim_payments SET reverses_id = b.before_id
FROM (
    SELECT claim_payment_id, status_code,
           lag(claim_payment_id) OVER w AS before_id, lag(status_code) OVER w AS before_code
    FROM (SELECT p.claim_payment_id, p.claim_id, p.status_code, p.remittance_id, p.seq,
                 r.payment_date, coalesce(r.payer_id::VARCHAR, 'key ' || r.payer_key) AS part
          FROM claim_payments p JOIN remittances r USING (remittance_id)
          WHERE p.claim_id IS NOT NULL AND p.status_code NOT IN ('23', '25'))
    WINDOW w AS (PARTITION BY claim_id, part
                 ORDER BY payment_date, remittance_id, seq, claim_payment_id)
) b
WHERE claim_payments.claim_payment_id = b.claim_payment_id
  AND b.status_code = '22' AND b.before_code <> '22';
