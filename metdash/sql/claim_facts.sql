-- One claim_facts row per claim (metdash.store.facts; columns as in migration 0011), for the
-- claims in $ids, or every claim when $ids is NULL. Definitions (DOMAIN.md):
--   voided_date        first voided date in the history (0001-01-01 when voided without one)
--   insurance_balance, patient_balance  the sums of the claim's ledger rows (ledger.sql): what
--                      the payers and the client owe on it now
--   denied_open        the denied amount of the current adjudications still owed by insurance
--                      (at most the insurance balance): open until paid on appeal, moved to the
--                      client or written off
--   first_ledger_date, last_ledger_date  its first (the charge) and last money events
--   paid               payer payments, net of reversals, recoupments and refunds to payers
--   allowed            of the current adjudication of the payer the claim is billed to (of
--                      each other payer's when that payer has none: a secondary's allowed is
--                      the primary's cost share, not more of the claim): the claim's AMT (AU /
--                      B6) when sent, else its lines' AMT*B6 (metdash.x12.post835), else paid +
--                      its cost share (deductible, coinsurance, copay; a PR denial such as
--                      PR-96 is not allowed) + the sequestration (CO-253) taken from the payment
--   patient_responsibility  cost share of the current adjudications that is the client's: moved
--                      to the client, or left for the next payer while no other payer has
--                      answered (once a secondary has, its own cost share is what the client
--                      owes: the primary's is not counted again); contractual: contractual
--                      adjustments of the current adjudications
--   adjudicated        has a remittance that is not a reversal (22), "not ours" (23) or pricing
--                      only (25)
--   denied             the first adjudication denied the claim or a line: CLP02 4, or any
--                      denial-class adjustment (adjustment_classes), paid 0 or reduced; of a
--                      claim its payer split, on the CLP that first answered the line
--   first_split_ids    a claim its payer split over several CLPs: the later ones (their
--                      claim_payment_ids) that answer only lines no earlier CLP of that payer
--                      answered -- with the first, its first adjudication, line by line; NULL
--                      for a claim answered whole
--   claim_level_denied CLP02 4, or paid 0 with a denial-class adjustment at claim level
--   resolved           the first adjudication processed it (CLP02 1, 2, 3, 19, 20, 21),
--                      answered for the whole charge billed (CLP03: a claim answered in part,
--                      lines left for a later 835, is not paid in full) and every adjustment
--                      was contractual, cost share or coordination of benefits
--   first_paid_date    payment date of the first remittance that paid more than 0, while the
--                      claim's payments still stand (a payment the payer reversed and never
--                      made again is not a payment: no date)
--   answered           the charge the current adjudications of the payer the claim is billed
--                      to answered for (their CLP03s; a paper EOB's lines): below the claim's
--                      charge while that payer has answered it in part (a split claim's both
--                      CLPs count: replaced_clps.sql); NULL before it answered
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
),
cp AS (
    SELECT p.claim_payment_id, p.claim_id, p.status_code, p.paid, p.patient_responsibility,
           p.allowed, p.remittance_id, p.seq, p.reverses_id, r.payment_date, p.charge,
           coalesce(r.payer_id, c.payer_id) AS adjudicating_payer,
           coalesce(r.payer_id::VARCHAR, 'key ' || r.payer_key) AS payer_part,
           coalesce(r.payer_id = c.payer_id, TRUE) AS billed_payer
    FROM {claim_payments} p
    JOIN {remittances} r USING (remittance_id)
    JOIN c USING (claim_id)
    WHERE p.status_code NOT IN ('23', '25')
),
adj AS (
    SELECT a.claim_payment_id, a.line_payment_id, a.amount,
           coalesce(own.class, every.class, 'denial') = 'denial' AS denial_reason,
           coalesce(own.class, every.class, 'denial') = 'cost_share'
               -- sequestration (CO-253) is taken from the payment of the allowed amount
               OR (a.group_code = 'CO' AND a.carc = '253') AS of_allowed
    FROM {adjustments} a
    JOIN cp USING (claim_payment_id)
    LEFT JOIN adjustment_classes own
           ON own.payer_id = cp.adjudicating_payer AND own.group_code = a.group_code
          AND own.carc = a.carc
    LEFT JOIN adjustment_classes every
           ON every.payer_id = 0 AND every.group_code = a.group_code AND every.carc = a.carc
    WHERE a.amount <> 0
),
per_payment AS (
    SELECT claim_payment_id,
           bool_or(denial_reason AND line_payment_id IS NULL AND amount > 0)
               AS claim_level_reason,
           bool_or(denial_reason AND amount > 0) AS any_denial,
           coalesce(sum(amount) FILTER (WHERE of_allowed), 0) AS of_allowed
    FROM adj
    GROUP BY claim_payment_id
),
{clp_order},
ordered AS (
    SELECT *, row_number() OVER w AS n, lead(status_code) OVER w AS next_code
    FROM keyed
    WINDOW w AS (PARTITION BY claim_id, payer_part ORDER BY k_date, k_remittance, k_seq, k_id)
),
{replaced_clps},
current_adj AS (
    -- each payer's adjudications that stand (replaced_clps.sql: a split claim's two CLPs
    -- both stand)
    SELECT * EXCLUDE (n, next_code) FROM ordered
    WHERE claim_payment_id IN (SELECT claim_payment_id FROM stands)
),
current_sums AS (
    SELECT ca.claim_id,
           coalesce(sum(coalesce(ca.allowed, ca.paid + coalesce(pp.of_allowed, 0)))
                        FILTER (WHERE ca.billed_payer),
                    sum(coalesce(ca.allowed, ca.paid + coalesce(pp.of_allowed, 0))))
               AS allowed,
           sum(ca.charge) FILTER (WHERE ca.billed_payer) AS answered
    FROM current_adj ca LEFT JOIN per_payment pp USING (claim_payment_id)
    GROUP BY ca.claim_id
),
later_first AS (
    -- a split claim's later CLPs of the payer billed answering only lines that no earlier
    -- CLP of it answered (one naming no line answers them all): the lines' first answers
    SELECT y.claim_id, y.claim_payment_id
    FROM ordered y JOIN clp_lines yl USING (claim_payment_id)
    WHERE y.billed_payer AND y.n > 1 AND y.status_code <> '22'
      AND NOT EXISTS (
          SELECT 1 FROM ordered x
          LEFT JOIN clp_lines xl ON xl.claim_payment_id = x.claim_payment_id
          WHERE x.claim_id = y.claim_id AND x.payer_part = y.payer_part AND x.n < y.n
            AND x.status_code <> '22'
            AND (xl.lines IS NULL OR list_has_any(xl.lines, yl.lines)))
),
first_parts AS (
    SELECT lf.claim_id, list(lf.claim_payment_id ORDER BY lf.claim_payment_id) AS ids,
           bool_or(coalesce(pp.any_denial, FALSE)) AS any_denial
    FROM later_first lf LEFT JOIN per_payment pp USING (claim_payment_id)
    GROUP BY lf.claim_id
),
first_adj AS (
    -- the first adjudication by the payer the claim is billed to (a secondary's remittance
    -- dated before it, or imported first, is not the claim's first pass); another payer's
    -- first only while the billed payer has none
    SELECT * FROM cp
    WHERE status_code <> '22'
    QUALIFY row_number() OVER (PARTITION BY claim_id
                               ORDER BY NOT billed_payer, payment_date, remittance_id, seq,
                                        claim_payment_id) = 1
),
first_paid AS (
    SELECT claim_id, min(payment_date) AS first_paid_date
    FROM cp WHERE status_code <> '22' AND paid > 0 GROUP BY claim_id
),
ledger_sums AS (
    SELECT claim_id,
           sum(insurance) AS insurance_balance,
           sum(patient) AS patient_balance,
           coalesce(sum(amount) FILTER (WHERE kind = 'denial'), 0) AS denied_amount,
           min(entry_date) AS first_ledger_date,
           max(entry_date) AS last_ledger_date,
           coalesce(sum(amount) FILTER (WHERE kind = 'payer_payment'), 0) AS paid,
           coalesce(sum(amount) FILTER (WHERE kind = 'cost_share'
                                        AND destination IS DISTINCT FROM 'next_payer'), 0)
               AS to_client,
           coalesce(sum(amount) FILTER (WHERE kind = 'cost_share'
                                        AND destination = 'next_payer'), 0) AS to_next_payer,
           coalesce(sum(amount) FILTER (WHERE kind = 'contractual'), 0) AS contractual
    FROM {ledger}
    WHERE claim_id IN (SELECT claim_id FROM c)
    GROUP BY claim_id
),
answered_by_another AS (
    SELECT DISTINCT claim_id FROM cp WHERE NOT billed_payer AND status_code <> '22'
),
voided AS (
    SELECT claim_id, min(status_date) AS voided_date
    FROM {claim_status_history}
    WHERE status = 'voided' AND claim_id IN (SELECT claim_id FROM c)
    GROUP BY claim_id
)
SELECT c.claim_id, c.client_id, c.payer_id, c.referrer_id, c.rendering_provider_id, c.status,
       c.total_charge, c.first_service_date, c.submitted_date,
       coalesce(v.voided_date, CASE WHEN c.status = 'voided' THEN DATE '0001-01-01' END)
           AS voided_date,
       coalesce(l.insurance_balance, 0)::DECIMAL(14,2) AS insurance_balance,
       coalesce(l.patient_balance, 0)::DECIMAL(14,2) AS patient_balance,
       greatest(0, least(coalesce(l.insurance_balance, 0), coalesce(l.denied_amount, 0)))
           ::DECIMAL(14,2) AS denied_open,
       l.first_ledger_date, l.last_ledger_date,
       coalesce(l.paid, 0)::DECIMAL(14,2) AS paid,
       coalesce(cs.allowed, 0)::DECIMAL(14,2) AS allowed,
       (coalesce(l.to_client, 0)
        + CASE WHEN ab.claim_id IS NULL THEN coalesce(l.to_next_payer, 0) ELSE 0 END)
           ::DECIMAL(14,2) AS patient_responsibility,
       coalesce(l.contractual, 0)::DECIMAL(14,2) AS contractual,
       fa.claim_payment_id AS first_claim_payment_id,
       fa.payment_date AS first_adjudication_date,
       fa.claim_id IS NOT NULL AS adjudicated,
       coalesce(fa.status_code = '4' OR coalesce(pp.any_denial, FALSE)
                OR coalesce(fs.any_denial, FALSE), FALSE) AS denied,
       coalesce(fa.status_code = '4'
                OR (fa.paid = 0 AND coalesce(pp.claim_level_reason, FALSE)), FALSE)
           AS claim_level_denied,
       coalesce(fa.status_code IN ('1', '2', '3', '19', '20', '21')
                AND NOT coalesce(pp.any_denial, FALSE)
                AND fa.charge >= c.total_charge, FALSE) AS resolved,
       CASE WHEN coalesce(l.paid, 0) > 0 THEN fp.first_paid_date END AS first_paid_date,
       cs.answered::DECIMAL(14,2) AS answered,
       fs.ids AS first_split_ids
FROM c
LEFT JOIN voided v USING (claim_id)
LEFT JOIN ledger_sums l USING (claim_id)
LEFT JOIN answered_by_another ab ON ab.claim_id = c.claim_id
LEFT JOIN current_sums cs USING (claim_id)
LEFT JOIN first_adj fa ON fa.claim_id = c.claim_id
LEFT JOIN per_payment pp ON pp.claim_payment_id = fa.claim_payment_id
LEFT JOIN first_paid fp ON fp.claim_id = c.claim_id
LEFT JOIN first_parts fs ON fs.claim_id = c.claim_id
