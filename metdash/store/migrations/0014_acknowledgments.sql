-- Acknowledgments (issue 16, item 5): the clearinghouse's 999 and the payer's 277CA.
--
-- x12_submissions: which claims went out in which 837P (ISA13 interchange, GS06 group, ST02
-- transaction set), so a 999 rejecting a set marks exactly the claims of that set. Exports
-- made before this migration are read back from the audit log, where every export wrote its
-- control numbers and claims ('export' rows of x12_control).
CREATE TABLE x12_submissions (
    interchange     BIGINT NOT NULL,             -- ISA13 of the 837P
    group_number    BIGINT NOT NULL,             -- GS06: what a 999's AK102 names
    set_number      BIGINT NOT NULL,             -- ST02: what a 999's AK202 names
    claim_id        VARCHAR NOT NULL,
    submitted_at    TIMESTAMP NOT NULL
);
INSERT INTO x12_submissions
SELECT (after->>'interchange')::BIGINT, (after->>'group')::BIGINT,
       (after->>'transaction')::BIGINT,
       unnest(from_json(after->'claims', '["VARCHAR"]')), changed_at
FROM audit_log
WHERE action = 'export' AND table_name = 'x12_control' AND after IS NOT NULL
  AND (after->>'group') IS NOT NULL;

-- One row per acknowledgment transaction imported (a 999, 997 or 277CA ST..SE). Its content
-- fingerprint (the segments between ST and SE, normalised) makes a re-import change nothing.
CREATE TABLE acknowledgments (
    ack_id          INTEGER PRIMARY KEY,
    kind            VARCHAR NOT NULL CHECK (kind IN ('999', '997', '277CA')),
    content_sha256  VARCHAR NOT NULL UNIQUE,
    control_number  VARCHAR NOT NULL,            -- its own ST02
    sender          VARCHAR,                     -- 999: GS02; 277CA: the 2100A name
    ack_date        DATE,                        -- 999: GS04; 277CA: BHT04
    source          VARCHAR NOT NULL DEFAULT 'file', -- file, demo
    source_file     VARCHAR,
    imported_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    imported_by     VARCHAR NOT NULL
);

-- A 999's verdict on each transaction set (or on the whole group when it names none).
CREATE TABLE ack_sets (
    ack_id          INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    group_number    VARCHAR NOT NULL,            -- AK102: our GS06
    set_number      VARCHAR,                     -- AK202: our ST02 (NULL: the whole group)
    status          VARCHAR NOT NULL,            -- IK501 (or AK901): A, E, R, M, W, X
    outcome         VARCHAR NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'other')),
    codes           VARCHAR NOT NULL,            -- IK3 / IK4 / IK5 / AK9 as sent
    reason          VARCHAR NOT NULL,            -- the same in words
    claims          INTEGER NOT NULL             -- claims of ours it covers (0: unmatched)
);

-- What each acknowledgment says of each claim: every claim of a set a 999 answers, every
-- claim (2200D) a 277CA names. claim_id NULL: the claim named is not one of ours.
CREATE TABLE claim_acks (
    ack_id          INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    claim_id        VARCHAR,
    patient_control_number VARCHAR NOT NULL,     -- 277CA TRN02 (the CLM01 we sent)
    kind            VARCHAR NOT NULL CHECK (kind IN ('999', '997', '277CA')),
    outcome         VARCHAR NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'other')),
    codes           VARCHAR NOT NULL,            -- 999: IK5 / IK3 ...; 277CA: STC01 A7:164:IL
    reason          VARCHAR NOT NULL,            -- in words
    status_date     DATE NOT NULL,               -- 999: its date; 277CA: STC02
    payer_claim_number VARCHAR,                  -- REF*1K
    segment_number  INTEGER
);

-- Days a submitted claim may wait for its payer's acknowledgment before it is listed.
ALTER TABLE practice ADD COLUMN ack_wait_days INTEGER DEFAULT 3;
