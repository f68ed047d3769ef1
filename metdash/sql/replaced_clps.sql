-- (Included, as {replaced_clps}, by ledger.sql, claim_facts.sql, standing_clps.sql and
-- metdash.worklists.payments_taken_back: the one statement of which of a payer's CLPs
-- stand.) Needs a CTE `ordered`: the claim's CLPs
-- ("not ours" 23 and pricing-only 25 left out) with claim_payment_id, claim_id, payer_part,
-- status_code, payment_date, n (their order per claim and payer: clp_order.sql, a reversal
-- right after the CLP it reverses) and next_code (the next one's CLP02).
--
-- A later CLP of a payer replaces an earlier one only when it answers one of its lines: a
-- payer that splits a claim answers some lines on one CLP and the rest on a later one, and
-- both stand (the lines matched to ours; a CLP with no line replaces, and is replaced by,
-- any other). A CLP stands when it is not a reversal (22), is not followed by one (is not
-- reversed), and is not in `replaced`: `stands` holds those (its ids).
clp_lines AS (
    SELECT claim_payment_id, list(DISTINCT line_no) AS lines
    FROM {line_payments}
    WHERE claim_payment_id IN (SELECT claim_payment_id FROM ordered WHERE n > 1
                               OR next_code IS NOT NULL)
      AND line_no IS NOT NULL
    GROUP BY claim_payment_id
),
replaced AS (
    -- per CLP not followed by a reversal: the first later CLP of its payer that replaces it
    SELECT x.claim_payment_id, min(y.n) AS n, min_by(y.payment_date, y.n) AS payment_date
    FROM ordered x
    JOIN ordered y ON y.claim_id = x.claim_id AND y.payer_part = x.payer_part AND y.n > x.n
     AND y.status_code <> '22'
    LEFT JOIN clp_lines xl ON xl.claim_payment_id = x.claim_payment_id
    LEFT JOIN clp_lines yl ON yl.claim_payment_id = y.claim_payment_id
    WHERE x.status_code <> '22' AND x.next_code IS NOT NULL AND x.next_code <> '22'
      AND (xl.lines IS NULL OR yl.lines IS NULL OR list_has_any(xl.lines, yl.lines))
    GROUP BY x.claim_payment_id
),
stands AS (
    SELECT claim_payment_id FROM ordered
    WHERE status_code <> '22' AND coalesce(next_code <> '22', TRUE)
      AND claim_payment_id NOT IN (SELECT claim_payment_id FROM replaced)
)
