-- Every amount of claim money posted in [date_from, date_to] on the filtered claims (DOMAIN.md
-- "payments"): posted_date, what ('payer', 'patient', 'contractual'), amount.
--   payer        the ledger's payer_payment rows: CLP04 (a reversal's negative) and PLB
--                recoupments naming the claim
--   patient      patient payments, and refunds negative
--   contractual  the ledger's contractual rows (re-adjudications and reversals netted)
-- Unmatched CLPs, PLB interest and other provider-level adjustments are not claim money.
-- Patient money that names no claim counts only when no payer / referrer / provider filter
-- is set.
WITH f AS ({filtered_claims})
SELECT l.entry_date AS posted_date,
       CASE l.kind WHEN 'payer_payment' THEN 'payer' ELSE 'contractual' END AS what,
       l.amount
FROM ledger l
WHERE l.kind IN ('payer_payment', 'contractual')
  AND l.entry_date BETWEEN $date_from AND $date_to
  AND NOT l.voided
  AND {id_filters}
UNION ALL
SELECT pp.payment_date, 'patient', pp.amount
FROM patient_payments pp
WHERE pp.payment_date BETWEEN $date_from AND $date_to
  AND ((pp.claim_id IS NULL AND ($payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
            AND $providers::INTEGER[] IS NULL))
       OR pp.claim_id IN (SELECT claim_id FROM f))
UNION ALL
SELECT rf.refund_date, 'patient', -rf.amount
FROM patient_refunds rf
WHERE rf.refund_date BETWEEN $date_from AND $date_to
  AND ((rf.claim_id IS NULL AND ($payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
            AND $providers::INTEGER[] IS NULL))
       OR rf.claim_id IN (SELECT claim_id FROM f))
