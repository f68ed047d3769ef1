-- metdash: rebuild-facts
-- Secondary and tertiary claims (issue 16, item 3; DOMAIN.md "Secondary claims").
--
-- The ledger (metdash/sql/ledger.sql) now moves a payer's cost share (PR-1/2/3) to the next
-- payer, not to the client, when the client has another payer's coverage ranked after that
-- payer's in force on the claim's first date of service (secondary after primary, tertiary
-- after secondary) -- as it already did when the payer forwarded the claim itself (CLP02
-- 19/20/21, a crossover). The amount stays in insurance A/R, owed by the next payer, until
-- that payer's remittance (posted to the same claim, CLP01 = our claim id) pays it, moves
-- its own cost share to the client or writes it off. The facts are rebuilt after this
-- migration, so a store made before it gets its balances under the rule.
--
-- A secondary (or tertiary) claim is the same claim of ours sent again to the next payer,
-- with the previous payer's adjudication in loops 2320/2330/2430 of the 837P
-- (metdash.x12.write837_cob). Each sending is a row here: which payer, which coverage, as
-- which payer in line (S secondary, T tertiary), the previous payer's adjudication it
-- carried (a claim_payments row), when and in which interchange. The claim itself keeps its
-- primary payer, status and charge: the charge is counted once.
CREATE TABLE secondary_claims (
    secondary_claim_id      INTEGER PRIMARY KEY,
    claim_id                VARCHAR NOT NULL,
    payer_id                INTEGER NOT NULL,        -- the payer it was sent to
    coverage_id             INTEGER NOT NULL,        -- the client's coverage with that payer
    payer_sequence          VARCHAR NOT NULL CHECK (payer_sequence IN ('S', 'T')),
    prior_claim_payment_id  INTEGER NOT NULL,        -- the adjudication it carried (2320/2430)
    submitted_date          DATE NOT NULL,
    interchange             INTEGER,                 -- ISA13 of the 837P it went out in
    user_name               VARCHAR NOT NULL,
    created_at              TIMESTAMP NOT NULL DEFAULT current_timestamp
);
