-- The clean claim rate's counts per payer (metdash.acks.CLEAN_CLAIM_DEFINITION): claims (not
-- voided) first submitted in the period, by submission date; a claim is clean when a 277CA
-- accepted it with no 999 / 277CA rejection on or before that day, rejected when a rejection
-- came first (or only), awaiting when neither came by the as-of date.
WITH sub AS (
    SELECT c.claim_id, c.payer_id
    FROM claims c
    WHERE c.status <> 'voided' AND c.submitted_date BETWEEN $date_from AND $date_to
      AND c.submitted_date <= $as_of
      AND {id_filters}
), acks AS (
    SELECT a.claim_id,
           min(a.status_date) FILTER (WHERE a.kind = '277CA' AND a.outcome = 'accepted')
               AS accepted_on,
           min(a.status_date) FILTER (WHERE a.outcome = 'rejected') AS rejected_on
    FROM claim_acks a SEMI JOIN sub USING (claim_id)
    WHERE a.status_date <= $as_of
    GROUP BY a.claim_id
)
SELECT p.name AS payer, count(*) AS submitted,
       count(*) FILTER (WHERE a.accepted_on IS NOT NULL
                        AND (a.rejected_on IS NULL OR a.rejected_on > a.accepted_on)) AS clean,
       count(*) FILTER (WHERE a.rejected_on IS NOT NULL
                        AND (a.accepted_on IS NULL OR a.rejected_on <= a.accepted_on))
           AS rejected,
       count(*) FILTER (WHERE a.accepted_on IS NULL AND a.rejected_on IS NULL) AS awaiting
FROM sub LEFT JOIN acks a USING (claim_id) JOIN payers p USING (payer_id)
GROUP BY p.name
ORDER BY p.name
