-- Acknowledgments of secondary claims (the 999 / 277CA answering a secondary 837P).
--
-- A secondary (or tertiary) 837P is the same claim of ours (CLM01 = our claim id) sent to the
-- next payer (0017). It is now recorded in x12_submissions like a primary 837P, so the 999
-- naming its group / set finds its claims, and says which sending it was: secondary_claim_id
-- (NULL: the claim sent to its own payer, as every row before this migration but those
-- filled in below). What an acknowledgment says of a claim keeps the same mark in
-- claim_acks, so the primary's work lists and the clean claim rate read the primary's
-- answers only, and a 277CA rejecting the secondary claim never touches the claim's status.
ALTER TABLE x12_submissions ADD COLUMN secondary_claim_id INTEGER;
ALTER TABLE claim_acks ADD COLUMN secondary_claim_id INTEGER;

-- A sending the clearinghouse (999) or the next payer (277CA) rejected: the claim is back on
-- "Bill the secondary" (metdash/sql/secondary_to_bill.sql) from that date, with the reason.
-- The first rejection of a sending stands (a rejected 837P never reached adjudication); the
-- biller fixes the claim and sends it again, a new row of secondary_claims.
ALTER TABLE secondary_claims ADD COLUMN rejected_date DATE;          -- the ack's status date
ALTER TABLE secondary_claims ADD COLUMN rejection_reason VARCHAR;    -- in words
ALTER TABLE secondary_claims ADD COLUMN rejection_codes VARCHAR;     -- as sent (IK3 / STC01)
ALTER TABLE secondary_claims ADD COLUMN rejected_by_ack_id INTEGER;  -- acknowledgments row

-- Secondary 837Ps sent before this migration: their interchange (ISA13) is on record, their
-- group (GS06) and set (ST02) numbers are not. x12_control hands out the three numbers
-- together, one each per 837P from 1 (metdash.x12.write837.next_control_numbers), so they
-- are equal -- which the primary exports' audit rows (their three numbers) show for this
-- store. Only when every one of them does is the interchange taken as group and set;
-- otherwise those sendings stay unmatched, as they were.
INSERT INTO x12_submissions (interchange, group_number, set_number, claim_id, submitted_at,
                             secondary_claim_id)
SELECT s.interchange, s.interchange, s.interchange, s.claim_id,
       coalesce(a.changed_at, s.created_at), s.secondary_claim_id
FROM secondary_claims s
LEFT JOIN (SELECT record_key, min(changed_at) AS changed_at FROM audit_log
           WHERE action = 'export' AND table_name = 'secondary_claims'
           GROUP BY record_key) a ON a.record_key = s.interchange::VARCHAR
WHERE s.interchange IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM audit_log
      WHERE action = 'export' AND table_name = 'x12_control' AND after IS NOT NULL
        AND ((after->>'group') IS DISTINCT FROM (after->>'interchange')
             OR (after->>'transaction') IS DISTINCT FROM (after->>'interchange')));
