-- money_posted.sql summed by day and what: posted_date, what, amount. The overview's payments
-- and its monthly trend both read it (kept once per store state and filters,
-- metdash.figures.core): one pass over the ledger for both. Sums of DECIMALs are exact, so
-- summing these sums again gives what summing the rows gives.
SELECT posted_date, what, sum(amount) AS amount
FROM ({money_posted}) m
GROUP BY posted_date, what
