-- Money posted in [date_from, date_to] on the filtered claims (money_posted.sql): payer
-- payments, patient payments (refunds netted) and contractual adjustments.
SELECT coalesce(sum(amount) FILTER (WHERE what = 'payer'), 0) AS payer_paid,
       coalesce(sum(amount) FILTER (WHERE what = 'patient'), 0) AS patient_paid,
       coalesce(sum(amount) FILTER (WHERE what = 'contractual'), 0) AS contractual
FROM ({money_posted}) m
