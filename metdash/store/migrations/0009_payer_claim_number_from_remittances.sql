-- A claim's payer claim number (the payer's ICN, CLP07) is read from its remittances
-- (claim_payments.payer_claim_number, the latest one sent; metdash.entry.payer_claim_number)
-- instead of being copied onto the claim. Every number the copy held came from a claim
-- payment that keeps it. Rewriting the copy for each claim of an 835 was a third of the
-- import's database time on a large practice (a column of unique text is costly to update).
ALTER TABLE claims DROP COLUMN payer_claim_number;
