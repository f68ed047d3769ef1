-- "Payments taken back" (metdash.worklists.payments_taken_back): per claim and payer, what a
-- payer took back by $as_of (a reversal not processed again, or a PLB recoupment) on the
-- claims that owe beyond their open denials, read from the remittances from $first on. The
-- amounts and words are the docstring's.
WITH cand AS (
    SELECT claim_id, client_id, status, insurance_balance - denied_open AS beyond
    FROM claim_facts
    WHERE adjudicated AND insurance_balance > denied_open AND status <> 'voided'
), cp AS (
    -- each payer's CLPs of those claims ("not ours" 23 and pricing only 25 left out)
    SELECT p.claim_payment_id, p.claim_id, r.payer_id, p.status_code, p.paid,
           p.reverses_id, r.payment_date, p.remittance_id, p.seq,
           coalesce(r.payer_id::VARCHAR, 'key ' || r.payer_key) AS payer_part
    FROM claim_payments p JOIN remittances r USING (remittance_id)
    WHERE p.remittance_id >= $first
      AND p.claim_id IN (SELECT claim_id FROM cand)
      AND p.status_code NOT IN ('23', '25') AND r.payment_date <= $as_of
), {clp_order}, ordered AS (
    -- in posting order (n): payment date, remittance, position in it; a reversal
    -- right after the CLP it reverses (clp_order.sql)
    SELECT *, row_number() OVER w AS n, lead(status_code) OVER w AS next_code
    FROM keyed
    WINDOW w AS (PARTITION BY claim_id, payer_part
                 ORDER BY k_date, k_remittance, k_seq, k_id)
), {replaced_clps}, processed_again AS (
    -- a reversal followed by a CLP of its payer that answers again one of the lines of
    -- the CLP it reversed (or either names none: replaced_clps.sql's rule). A payer
    -- that split a claim and reversed one part has the other part after the reversal
    -- (A, R, B): that is not the reversed lines processed again.
    SELECT DISTINCT x.claim_payment_id
    FROM ordered x
    JOIN ordered y ON y.claim_id = x.claim_id AND y.payer_part = x.payer_part
     AND y.n > x.n AND y.status_code <> '22'
    LEFT JOIN clp_lines xl ON xl.claim_payment_id = x.reverses_id
    LEFT JOIN clp_lines yl ON yl.claim_payment_id = y.claim_payment_id
    WHERE x.status_code = '22'
      AND (xl.lines IS NULL OR yl.lines IS NULL OR list_has_any(xl.lines, yl.lines))
), per_payer AS (
    -- the payer's current adjudication pays what its CLPs that stand pay (`stands`,
    -- replaced_clps.sql): both answers of a claim it split, none after a reversal;
    -- what its reversals not processed again took back, and when
    SELECT claim_id, payer_id,
           coalesce(sum(paid) FILTER (WHERE claim_payment_id IN (
                                          SELECT claim_payment_id FROM stands)), 0)
               AS current_paid,
           sum(paid) AS sent,
           -sum(paid) FILTER (WHERE status_code = '22' AND claim_payment_id NOT IN (
                                  SELECT claim_payment_id FROM processed_again))
               AS reversed,
           max(payment_date) FILTER (WHERE status_code = '22' AND claim_payment_id
                                     NOT IN (SELECT claim_payment_id FROM processed_again))
               AS reversed_on
    FROM ordered GROUP BY claim_id, payer_id
), recouped AS (
    SELECT pa.claim_id, r.payer_id, sum(pa.amount) AS recouped,
           max(r.payment_date) AS recouped_on,
           string_agg(DISTINCT pa.reason_code, '/' ORDER BY pa.reason_code) AS codes
    FROM provider_adjustments pa JOIN remittances r USING (remittance_id)
    WHERE pa.reason_code IN ('WO', 'FB') AND pa.claim_id IN (SELECT claim_id FROM cand)
      AND r.payment_date <= $as_of
    GROUP BY pa.claim_id, r.payer_id
), refunded AS (
    -- what the practice sent back to the payer itself (an overpayment repaid)
    SELECT claim_id, payer_id, sum(amount) AS refunded
    FROM payer_refunds
    WHERE claim_id IN (SELECT claim_id FROM cand) AND refund_date <= $as_of
    GROUP BY claim_id, payer_id
), owed AS (
    SELECT p.claim_id, p.payer_id, c.client_id, c.status,
           CASE WHEN p.reversed IS NOT NULL THEN 'reversed (CLP02 22), not processed again'
                ELSE 'recoupment (PLB ' || rc.codes || ')'
                     || CASE WHEN rf.refunded > 0 THEN ', after a refund the practice sent'
                             ELSE '' END END AS how,
           CASE WHEN p.reversed IS NOT NULL THEN p.reversed_on
                ELSE rc.recouped_on END AS taken_back_date,
           CASE WHEN p.reversed IS NOT NULL THEN p.reversed
                ELSE rc.recouped END AS taken_back,
           CASE WHEN p.reversed IS NOT NULL THEN c.beyond
                ELSE least(p.current_paid - (p.sent - rc.recouped
                                             - coalesce(rf.refunded, 0)), c.beyond)
           END AS insurance_owes
    FROM per_payer p JOIN cand c USING (claim_id)
    LEFT JOIN recouped rc USING (claim_id, payer_id)
    LEFT JOIN refunded rf USING (claim_id, payer_id)
    WHERE p.reversed IS NOT NULL OR rc.recouped IS NOT NULL
)
SELECT o.claim_id, o.client_id, cl.last_name || ', ' || cl.first_name AS client_name,
       p.name AS payer,
       o.taken_back_date, date_diff('day', o.taken_back_date, $as_of::DATE) AS days_since,
       o.taken_back::DECIMAL(14,2) AS taken_back,
       o.insurance_owes::DECIMAL(14,2) AS insurance_owes, o.how, o.status
FROM owed o JOIN payers p USING (payer_id) JOIN clients cl USING (client_id)
WHERE o.insurance_owes > 0
ORDER BY o.taken_back_date, o.claim_id, p.name
