-- The patient an 835's CLP names (NM1*QC: last name, first name, member id), kept on its claim
-- payment. Found by a new-user trial (stop 31): an unmatched payment (a claim id the payer
-- mistyped) could be posted by hand to another client's claim of the same payer and charge,
-- since nothing of the patient it named was kept, and the biller could not see it either.
-- The import now keeps it; posting an unmatched payment to a claim checks it as the import
-- does (metdash.x12.trust835), and the Remittances page shows it (masked in presentation
-- mode). Payments imported before this migration have none: they are posted unchecked.
ALTER TABLE claim_payments ADD COLUMN patient_last_name VARCHAR;
ALTER TABLE claim_payments ADD COLUMN patient_first_name VARCHAR;
ALTER TABLE claim_payments ADD COLUMN patient_member_id VARCHAR;
