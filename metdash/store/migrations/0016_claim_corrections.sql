-- Correcting a claim (issue 16, item 4).
--
-- A draft or ready claim is edited in place; a claim the payer already has (submitted or
-- denied) is corrected by a replacement (CLM05-3 frequency 7) or withdrawn by a void
-- (frequency 8), each carrying REF*F8 = the payer's claim control number of the claim it
-- corrects (CLP07 of the payer's 835). The claim keeps its own number (CLM01) and its whole
-- history: the replacement's lines replace the claim's lines, and its remittances, ledger and
-- denials stay attached (metdash.entry.corrections explains the money).
--
-- claims.frequency_code (0001) says what the claim goes out as next; this column holds the
-- payer's number it names (NULL for an original, frequency 1). Stores from before have no
-- correction: every claim keeps frequency 1 and no reference.
ALTER TABLE claims ADD COLUMN original_payer_claim_number VARCHAR;

-- Every change made to a saved claim, who made it, when, and the claim before and after (its
-- lines, diagnoses, referral, referrer, provider, charge): edits of a draft or ready claim,
-- replacements and voids. Nothing here is ever updated or deleted; the audit log has a row for
-- each as well.
CREATE TABLE claim_edits (
    claim_id            VARCHAR NOT NULL,
    seq                 INTEGER NOT NULL,            -- 1, 2, ... per claim
    kind                VARCHAR NOT NULL CHECK (kind IN ('edit', 'replacement', 'void')),
    edit_date           DATE NOT NULL,
    edited_at           TIMESTAMP NOT NULL DEFAULT current_timestamp,
    user_name           VARCHAR NOT NULL,
    reason              VARCHAR,
    payer_claim_number  VARCHAR,                     -- REF*F8 of a replacement or void
    before              JSON NOT NULL,
    after               JSON NOT NULL
);
