-- The clean claim rate's counts per payer (metric clean_claim_rate in metdash.metrics):
-- claims (not voided) first submitted in the period, by submission date. A claim's first
-- submission lasts until it was sent again (another 837P carrying it, or a later submission
-- date); a 999 / 277CA rejection dated in that time rejects it. Clean: not rejected, and a
-- 277CA accepted it; no outcome (neither) by the as-of date: unacknowledged once more than
-- the practice's ack_wait_days (Settings; default 3) have passed since the first submission
-- (counted as submitted and not clean), else awaiting (not counted yet). acknowledged: claims
-- with any 999 / 277CA on file by the as-of date (a payer with none has no rate). Sendings
-- and acknowledgments of the claim's own payer only: a secondary claim (secondary_claim_id,
-- migration 0018) is neither a resubmission nor an answer to the first submission. Only the
-- claims metdash sent (an 837P of theirs on file) or acknowledged: a claim sent by another
-- system or through a payer's portal (imported as billed, moved to submitted by hand) has no
-- acknowledgment to wait for, and counted as unacknowledged (a new-user trial: six claims
-- imported as "Billed", all paid, read "6 unacknowledged").
WITH wait AS (SELECT coalesce(max(ack_wait_days), 3) AS days FROM practice),
period AS (
    SELECT c.claim_id, c.payer_id, c.submitted_date,
           CASE WHEN c.last_submitted_date > c.submitted_date THEN c.last_submitted_date END
               AS last_sent
    FROM claims c
    WHERE c.status <> 'voided' AND c.submitted_date BETWEEN $date_from AND $date_to
      AND c.submitted_date <= $as_of
      AND {id_filters}
), ours AS (
    -- the period's claims looked up in the sendings and acknowledgments (a semi join from
    -- the period's few: "IN (every sending) OR IN (every acknowledgment)" hashed all of
    -- them, ~30 ms of ~90 at 1M lines)
    SELECT claim_id FROM x12_submissions SEMI JOIN period USING (claim_id)
    WHERE secondary_claim_id IS NULL
    UNION
    SELECT claim_id FROM claim_acks SEMI JOIN period USING (claim_id)
    WHERE secondary_claim_id IS NULL
), sub AS (
    SELECT * FROM period SEMI JOIN ours USING (claim_id)
), resent AS (
    SELECT s.claim_id, min(s.submitted_at)::DATE AS next_sent
    FROM x12_submissions s JOIN sub USING (claim_id)
    WHERE s.submitted_at::DATE > sub.submitted_date AND s.secondary_claim_id IS NULL
    GROUP BY s.claim_id
), acks AS (
    SELECT a.claim_id,
           bool_or(a.kind = '277CA' AND a.outcome = 'accepted') AS accepted,
           bool_or(a.outcome = 'rejected'
                   AND a.status_date <= coalesce(least(r.next_sent, sub.last_sent),
                                                 DATE '9999-12-31')) AS rejected
    FROM claim_acks a JOIN sub USING (claim_id) LEFT JOIN resent r USING (claim_id)
    WHERE a.status_date <= $as_of AND a.secondary_claim_id IS NULL
    GROUP BY a.claim_id
)
SELECT p.name AS payer, count(*) AS submitted,
       count(*) FILTER (WHERE a.accepted AND NOT a.rejected) AS clean,
       count(*) FILTER (WHERE a.rejected) AS rejected,
       count(*) FILTER (WHERE (a.claim_id IS NULL OR NOT (a.accepted OR a.rejected))
                        AND date_diff('day', sub.submitted_date, $as_of) > w.days)
           AS unacknowledged,
       count(*) FILTER (WHERE (a.claim_id IS NULL OR NOT (a.accepted OR a.rejected))
                        AND date_diff('day', sub.submitted_date, $as_of) <= w.days)
           AS awaiting,
       count(a.claim_id) AS acknowledged
FROM sub LEFT JOIN acks a USING (claim_id) JOIN payers p USING (payer_id) CROSS JOIN wait w
GROUP BY p.name
ORDER BY p.name
