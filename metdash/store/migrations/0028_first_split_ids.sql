-- metdash: rebuild-facts
-- claim_facts.first_split_ids: a claim its payer split over several CLPs is adjudicated for
-- the first time line by line (metdash/sql/claim_facts.sql). The line denial rates read the
-- first CLP's lines alone, so a line answered first on the payer's later 835 was neither
-- adjudicated nor denied there, while the denial reasons and work lists named its denial (a
-- new-user trial: lines 28.6 % where 26.7 % was due). Derived data: rebuilt right after this.
ALTER TABLE claim_facts ADD COLUMN first_split_ids INTEGER[];
