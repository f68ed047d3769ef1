-- metdash: rebuild-facts
-- Each claim's insurance balance after everything posted to it (charge − posted_paid −
-- posted_adjusted), kept in claim_facts: A/R leaves out the claims settled by its as-of date
-- before netting anything (most claims of a long history). Rebuilt by metdash.store.facts.
ALTER TABLE claim_facts ADD COLUMN balance DECIMAL(14,2);
