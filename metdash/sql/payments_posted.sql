-- Money posted in [date_from, date_to] on the filtered claims: payer payments, patient
-- payments, contractual adjustments (CO-45, CO-253). Unmatched CLPs and PLB are not ours.
-- Claim payments are read from payment_facts (each CLP with its CAS totals and its claim's
-- filter columns).
WITH f AS ({filtered_claims}),
payer AS (
    SELECT coalesce(sum(p.paid), 0) AS payer_paid,
           coalesce(sum(p.contractual), 0) AS contractual
    FROM payment_facts p
    WHERE p.payment_date BETWEEN $date_from AND $date_to
      AND NOT p.voided
      AND {id_filters}
),
patient AS (
    SELECT coalesce(sum(pp.amount), 0) AS patient_paid
    FROM patient_payments pp
    WHERE pp.payment_date BETWEEN $date_from AND $date_to
      AND ((pp.claim_id IS NULL AND $payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
            AND $providers::INTEGER[] IS NULL)
           OR pp.claim_id IN (SELECT claim_id FROM f))
)
SELECT payer_paid, patient_paid, contractual FROM payer, patient
