-- Patient money not tied to a claim, per client, as of $as_of: + paid or written off,
-- − refunded. Counted only when no payer / referrer / provider filter is set (it belongs
-- to no claim). Rows: client_id, credit.
SELECT client_id, sum(amount) AS credit FROM (
    SELECT client_id, amount FROM patient_payments
    WHERE claim_id IS NULL AND payment_date <= $as_of
    UNION ALL
    SELECT client_id, amount FROM write_offs
    WHERE side = 'patient' AND claim_id IS NULL AND write_off_date <= $as_of
    UNION ALL
    SELECT client_id, -amount FROM patient_refunds
    WHERE claim_id IS NULL AND refund_date <= $as_of
) WHERE ($payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
        AND $providers::INTEGER[] IS NULL)
GROUP BY client_id
