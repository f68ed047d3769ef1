-- Money posted in [date_from, date_to] on the filtered claims: payer payments, patient
-- payments, contractual adjustments (CO-45, CO-253). Unmatched CLPs and PLB are not ours.
WITH f AS ({filtered_claims}),
payer AS (
    SELECT coalesce(sum(p.paid), 0) AS payer_paid
    FROM claim_payments p
    JOIN remittances r USING (remittance_id)
    JOIN f ON f.claim_id = p.claim_id
    WHERE r.payment_date BETWEEN $date_from AND $date_to
),
patient AS (
    SELECT coalesce(sum(pp.amount), 0) AS patient_paid
    FROM patient_payments pp
    WHERE pp.payment_date BETWEEN $date_from AND $date_to
      AND ((pp.claim_id IS NULL AND $payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
            AND $providers::INTEGER[] IS NULL)
           OR pp.claim_id IN (SELECT claim_id FROM f))
),
contractual AS (
    SELECT coalesce(sum(a.amount), 0) AS contractual
    FROM adjustments a
    JOIN claim_payments p USING (claim_payment_id)
    JOIN remittances r USING (remittance_id)
    JOIN f ON f.claim_id = p.claim_id
    WHERE r.payment_date BETWEEN $date_from AND $date_to
      AND a.group_code = 'CO' AND a.carc IN ('45', '253')   -- contractual, not a denial
)
SELECT payer_paid, patient_paid, contractual FROM payer, patient, contractual
