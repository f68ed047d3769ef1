-- metdash: rebuild-facts
-- Each claim's visits (a distinct client and service date of its lines) with its referrer and
-- status, kept by metdash.store.facts with claim_facts: the referrer figures count visits from
-- sessions and from billed lines, and joining every billed line of a year to its claim was
-- most of the referrers page and the weekly review at millions of lines.
CREATE TABLE visit_facts (
    claim_id        VARCHAR NOT NULL,
    client_id       VARCHAR NOT NULL,
    visit_date      DATE NOT NULL,
    referrer_id     INTEGER,
    claim_status    VARCHAR NOT NULL
);
