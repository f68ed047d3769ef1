-- metdash: rebuild-facts
-- Denial rate ($) counted the whole charge of a line a payer split into several SVCs when it
-- denied only some of them (3 units billed, 2 paid and 1 denied: the 3 units' charge counted
-- as denied). first_line_facts now keeps the denied part of each line's charge: the charge of
-- its SVCs with a denial-class adjustment, or the whole line when the claim was denied at
-- claim level (metdash/sql/first_line_facts.sql). The rebuild also brings the stored facts
-- to this version's first adjudication: the billed payer's first, not a secondary's
-- remittance dated (or imported) before it (metdash/sql/claim_facts.sql). Derived data:
-- rebuilt right after this.
ALTER TABLE first_line_facts ADD COLUMN denied_charge DECIMAL(12,2);
