-- metdash: rebuild-facts
-- claim_facts.answered: the charge the current adjudications of the claim's payer answered for
-- (metdash/sql/claim_facts.sql). "Claims unpaid past the usual lag" read a claim answered in
-- part from its payer's latest CLP alone, so a claim split over three CLPs, the second still
-- leaving a line out, was followed up for the charge of every line but the second's. Derived
-- data: rebuilt right after this.
ALTER TABLE claim_facts ADD COLUMN answered DECIMAL(14,2);
