-- metdash: rebuild-facts
-- line_facts.own_paid: what the line's billed payer paid on it (its latest adjudication of the
-- line), beside paid (every payer's). Expected vs paid and the scorecard's paid per unit by
-- code set a payer's paid beside its own allowed amount, and counted a secondary's payment on
-- the line as the billed payer's (a new-user trial: "Medicare allowed 122, paid 122" where
-- Medicare paid 97.60 and its Medigap plan the coinsurance). Derived data: rebuilt right after
-- this.
ALTER TABLE line_facts ADD COLUMN own_paid DECIMAL(14,2);
