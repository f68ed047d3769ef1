-- Every amount of claim money posted in [date_from, date_to] on the filtered claims (DOMAIN.md
-- "payments"): posted_date, what ('payer', 'patient', 'contractual'), amount.
--   payer        the ledger's payer_payment rows: CLP04 (a reversal's negative) and PLB
--                recoupments naming the claim, and refunds the practice sent a payer
--   patient      patient payments, and refunds negative
--   contractual  the ledger's contractual rows (re-adjudications and reversals netted)
-- Unmatched CLPs, PLB interest and other provider-level adjustments are not claim money.
-- Patient money that names no claim counts only when no payer / referrer / provider filter
-- is set.
-- One pass over the ledger: claim money (payer, contractual and the patient money that names a
-- claim) carries the claim's filter columns and voided flag there; client-level patient money
-- (no claim) comes from its own tables.
SELECT l.entry_date AS posted_date,
       CASE l.kind WHEN 'payer_payment' THEN 'payer'
                   WHEN 'contractual' THEN 'contractual'
                   ELSE 'patient' END AS what,
       CASE l.kind WHEN 'refund' THEN -l.amount ELSE l.amount END AS amount
FROM ledger l
WHERE l.kind IN ('payer_payment', 'contractual', 'patient_payment', 'refund')
  AND l.entry_date BETWEEN $date_from AND $date_to
  AND NOT l.voided
  AND {id_filters}
UNION ALL
SELECT pp.payment_date, 'patient', pp.amount
FROM patient_payments pp
WHERE pp.claim_id IS NULL
  AND pp.payment_date BETWEEN $date_from AND $date_to
  AND $payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
  AND $providers::INTEGER[] IS NULL
UNION ALL
SELECT rf.refund_date, 'patient', -rf.amount
FROM patient_refunds rf
WHERE rf.claim_id IS NULL
  AND rf.refund_date BETWEEN $date_from AND $date_to
  AND $payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
  AND $providers::INTEGER[] IS NULL
