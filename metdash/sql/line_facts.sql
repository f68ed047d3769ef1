-- One line_facts row per billed line of the claims in $ids (every claim when NULL) that has
-- been adjudicated: its latest adjudication by each payer (reversals, "not ours" and
-- pricing-only CLPs left out; a secondary's does not replace the primary's), with what every
-- payer paid on it, what the billed payer allowed and whether it denied it, and its claim's
-- filter columns. The
-- SVCs a payer split one billed line into (DOMAIN.md: 3 units -> 2 paid + 1 denied) are one
-- line: their amounts are summed. Denied: a denial-class adjustment (adjustment_classes) on the
-- line, paid 0 or reduced. Allowed: AMT*B6 when sent, else paid + cost share + sequestration
-- (CO-253, taken from the payment of the allowed amount). What the payer's
-- fee schedule says it should allow is looked up when read (the schedule can change).
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
),
cp AS (
    SELECT p.claim_payment_id, p.claim_id, r.payment_date,
           coalesce(r.payer_id, c.payer_id) AS adjudicating_payer
    FROM {claim_payments} p
    JOIN {remittances} r USING (remittance_id)
    JOIN c USING (claim_id)
    WHERE p.status_code NOT IN ('22', '23', '25')
),
adj AS (
    SELECT a.line_payment_id,
           sum(a.amount) FILTER (WHERE coalesce(own.class, every.class, 'denial')
                                 = 'cost_share'
                                 -- sequestration is taken from the payment of the allowed
                                 OR (a.group_code = 'CO' AND a.carc = '253')) AS of_allowed,
           bool_or(coalesce(own.class, every.class, 'denial') = 'denial' AND a.amount > 0)
               AS denial_reason
    FROM {adjustments} a
    JOIN cp USING (claim_payment_id)
    LEFT JOIN adjustment_classes own
           ON own.payer_id = cp.adjudicating_payer AND own.group_code = a.group_code
          AND own.carc = a.carc
    LEFT JOIN adjustment_classes every
           ON every.payer_id = 0 AND every.group_code = a.group_code AND every.carc = a.carc
    WHERE a.line_payment_id IS NOT NULL
    GROUP BY a.line_payment_id
),
svc AS (
    -- one row per adjudicated billed line and remittance: the SVCs of a split line summed
    SELECT cp.claim_id, cp.claim_payment_id, cp.payment_date, cp.adjudicating_payer, lp.line_no,
           CASE WHEN lp.line_no IS NULL THEN lp.cpt END AS unmatched_cpt,
           any_value(lp.cpt) AS cpt, sum(lp.paid) AS paid,
           sum(coalesce(lp.allowed, lp.paid + coalesce(adj.of_allowed, 0))) AS allowed,
           bool_or(coalesce(adj.denial_reason, FALSE)) AS denied
    FROM {line_payments} lp
    JOIN cp USING (claim_payment_id)
    LEFT JOIN adj USING (line_payment_id)
    GROUP BY cp.claim_id, cp.claim_payment_id, cp.payment_date, cp.adjudicating_payer,
             lp.line_no, unmatched_cpt
),
per_payer AS (
    -- each payer's latest adjudication of the line (a secondary's does not replace the
    -- primary's: DOMAIN.md's replacement rule applies per payer)
    SELECT * FROM svc
    QUALIFY row_number() OVER (PARTITION BY claim_id, coalesce(line_no, -1), unmatched_cpt,
                                            adjudicating_payer
                               ORDER BY payment_date DESC, claim_payment_id DESC) = 1
),
latest AS (
    -- paid: every payer's, own_paid: the billed payer's; allowed and denied: the billed
    -- payer's (another payer's when the billed payer sent no line)
    SELECT p.claim_id, p.line_no, p.unmatched_cpt, any_value(p.cpt) AS cpt,
           sum(p.paid) AS paid,
           coalesce(sum(p.paid) FILTER (WHERE p.adjudicating_payer = c.payer_id), 0) AS own_paid,
           coalesce(sum(p.allowed) FILTER (WHERE p.adjudicating_payer = c.payer_id),
                    sum(p.allowed)) AS allowed,
           coalesce(bool_or(p.denied) FILTER (WHERE p.adjudicating_payer = c.payer_id),
                    bool_or(p.denied)) AS denied
    FROM per_payer p JOIN c USING (claim_id)
    GROUP BY p.claim_id, p.line_no, p.unmatched_cpt
)
SELECT c.claim_id, c.payer_id, c.referrer_id, c.rendering_provider_id,
       c.status = 'voided' AS voided, c.first_service_date,
       l.line_no, l.service_date, l.cpt, l.units, l.charge, s.paid,
       s.allowed::DECIMAL(14,2) AS allowed, s.denied, s.own_paid::DECIMAL(14,2) AS own_paid
FROM latest s
JOIN c ON c.claim_id = s.claim_id
JOIN {claim_lines} l ON l.claim_id = s.claim_id
     AND (l.line_no = s.line_no OR (s.line_no IS NULL AND l.cpt = s.unmatched_cpt))
