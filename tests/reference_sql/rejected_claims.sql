-- rejected_claims as it was before the work lists were made faster (metdash at 82da4c1):
-- tests/test_worklists_reference.py checks the new query gives the same rows.
-- Changed since in step with it: the primary's acknowledgments and sendings only (a secondary
-- claim's, migration 0018, go back to "Bill the secondary" instead).
-- Parameters: 2 x as_of
WITH rej AS (
    SELECT a.claim_id,
           arg_max(a.reason, (a.status_date, k.imported_at, a.seq)) AS reason,
           arg_max(a.codes, (a.status_date, k.imported_at, a.seq)) AS codes,
           arg_max(a.kind, (a.status_date, k.imported_at, a.seq)) AS kind,
           max(a.status_date) AS rejected_on, max(k.imported_at) AS imported_at
    FROM claim_acks a JOIN acknowledgments k USING (ack_id)
    WHERE a.outcome = 'rejected' AND a.claim_id IS NOT NULL
      AND a.secondary_claim_id IS NULL
      AND a.status_date <= ?::DATE
    GROUP BY a.claim_id
), resent AS (
    SELECT s.claim_id, max(s.submitted_at) AS last_sent
    FROM x12_submissions s SEMI JOIN rej USING (claim_id)
    WHERE s.secondary_claim_id IS NULL GROUP BY s.claim_id
)
SELECT c.claim_id, c.client_id, cl.last_name || ', ' || cl.first_name AS client_name, p.name AS payer,
       c.submitted_date, r.rejected_on,
       CASE r.kind WHEN '277CA' THEN 'payer (277CA)' ELSE 'clearinghouse (' || r.kind || ')'
           END
           AS rejected_by,
       r.reason, r.codes, c.total_charge,
       (c.first_service_date + p.timely_filing_days)::DATE AS filing_deadline,
       date_diff('day', ?::DATE, (c.first_service_date + p.timely_filing_days)::DATE)
           AS days_left
FROM rej r JOIN claims c USING (claim_id) JOIN clients cl USING (client_id)
JOIN payers p USING (payer_id) LEFT JOIN resent s USING (claim_id)
WHERE c.status = 'submitted'
  AND NOT coalesce(s.last_sent > r.imported_at, FALSE)
  AND NOT coalesce(c.last_submitted_date > r.rejected_on, FALSE)
ORDER BY days_left, c.claim_id
