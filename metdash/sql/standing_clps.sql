-- (Included, as {standing_clps}, by secondary_to_bill.sql and earlier_payers.sql.) Needs a CTE
-- `c` of claims (claim_id, payer_id) and $as_of. Ends in `standing`: each payer's CLPs of those
-- claims posted by $as_of that stand ("not ours" 23 and pricing-only 25 left out; not a
-- reversal, not followed by one, not replaced by a later one: replaced_clps.sql). A payer
-- that split a claim has both answers standing; one whose last CLP reversed its payment, none.
cp AS (
    SELECT p.claim_payment_id, p.claim_id, p.status_code, p.paid, p.charge, p.remittance_id,
           p.seq, p.reverses_id, r.payment_date, coalesce(r.payer_id, c.payer_id) AS payer_id,
           coalesce(r.payer_id::VARCHAR, 'key ' || r.payer_key) AS payer_part
    FROM claim_payments p JOIN remittances r USING (remittance_id) JOIN c USING (claim_id)
    WHERE p.status_code NOT IN ('23', '25') AND r.payment_date <= $as_of::DATE
),
{clp_order},
ordered AS (
    SELECT *, row_number() OVER w AS n, lead(status_code) OVER w AS next_code
    FROM keyed
    WINDOW w AS (PARTITION BY claim_id, payer_part ORDER BY k_date, k_remittance, k_seq, k_id)
),
{replaced_clps},
standing AS (
    SELECT * FROM ordered WHERE claim_payment_id IN (SELECT claim_payment_id FROM stands)
)
