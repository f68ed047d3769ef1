-- Clearinghouse settings and place of service (issue 16, items 1 and 2).
--
-- The 837P's envelope and header carried placeholders (the billing NPI as the submitter,
-- "CLEARINGHOUSE" as the receiver, production always): they now come from the settings the
-- clearinghouse gives the practice (metdash.entry.clearinghouse says where each goes). One
-- row; a store from before has none, and its exports are refused with a message naming each
-- setting to enter, except the synthetic demo, which gets the demo's made-up values below
-- (the same as metdash/demo_clearinghouse.py writes into a new demo).
CREATE TABLE clearinghouse_settings (
    settings_id             INTEGER PRIMARY KEY CHECK (settings_id = 1),
    submitter_id            VARCHAR,             -- 1000A NM109, GS02
    submitter_name          VARCHAR,             -- 1000A NM103
    contact_name            VARCHAR,             -- 1000A PER02 (the submitter's name if none)
    contact_phone           VARCHAR,             -- 1000A PER04, 10 digits
    receiver_id             VARCHAR,             -- 1000B NM109, GS03
    receiver_name           VARCHAR,             -- 1000B NM103
    isa_sender_qualifier    VARCHAR,             -- ISA05
    isa_sender_id           VARCHAR,             -- ISA06
    isa_receiver_qualifier  VARCHAR,             -- ISA07
    isa_receiver_id         VARCHAR,             -- ISA08
    usage_indicator         VARCHAR CHECK (usage_indicator IN ('T', 'P'))  -- ISA15
);
INSERT INTO clearinghouse_settings
SELECT 1, 'DEMOSUB01', 'RIVERBEND MEDICAL EXERCISE', 'DEMO BILLING DESK', '5415550100',
       'DEMOCH', 'DEMO CLEARINGHOUSE', 'ZZ', 'DEMOSUB01', 'ZZ', 'DEMOCH', 'T'
FROM practice WHERE is_demo LIMIT 1;

-- The modifier a payer wants on a telehealth line (POS 02 / 10): '95', or none (NULL).
ALTER TABLE payers ADD COLUMN telehealth_modifier VARCHAR;

-- Where a session happened (CMS place-of-service code): 11 office, 12 the client's home,
-- 02 / 10 telehealth, ... Sessions and claim lines from before were all billed as 11.
ALTER TABLE sessions ADD COLUMN place_of_service VARCHAR NOT NULL DEFAULT '11';
ALTER TABLE claim_lines ADD COLUMN place_of_service VARCHAR NOT NULL DEFAULT '11';
