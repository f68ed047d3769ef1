-- Claims to bill to the next payer in line ("bill the secondary"; DOMAIN.md "Secondary claims"),
-- as of $as_of. A claim is listed when:
--   - the latest-ranked payer that adjudicated it (its CLPs posted by $as_of that stand: the
--     latest, and another answering other lines of a claim it split) left cost share
--     (PR-1/2/3) or coordination of benefits (classes in adjustment_classes), and answered for
--     the whole charge (the next payer's claim carries its answer for every line);
--   - the client has a coverage of another payer ranked after that payer's (secondary after
--     primary, tertiary after secondary) in force on the claim's first date of service -- the
--     ledger keeps that cost share in insurance A/R, owed by the next payer (ledger.sql);
--   - none of those CLPs is a crossover (CLP02 19/20/21: the payer forwarded the claim itself,
--     the practice waits for the next payer's 835), and its last is not a reversal (22);
--   - the claim still owes something on the insurance side, is not voided, and was not sent
--     to that next payer by $as_of (secondary_claims) -- a sending the clearinghouse (999) or
--     that payer (277CA) rejected by $as_of does not count: the claim is listed again, with
--     the latest rejection's reason (metdash.x12.post_ack).
-- Columns: claim_id, client_id, client_name, payer (the one that adjudicated), next_payer,
-- payer_sequence (S / T), first_service_date, total_charge, prior_paid (its CLP04s),
-- contractual, cost_share, cob, next_payer_share (cost_share + cob: what the next payer is
-- billed for), owed (the claim's insurance balance now: that share, and any amount the last
-- payer denied, which stays with it), adjudicated_date,
-- days_since, next_payer_id, next_coverage_id, prior_claim_payment_id, last_rejection (why
-- the last sending to that payer was rejected; NULL when none was).
WITH every_claim AS (
    -- claims of clients who have a secondary or tertiary coverage at all (no other claim
    -- can have a next payer) that still owe on the insurance side (the last condition above;
    -- every step below is per claim): read from claim_facts (its copies of the claim's
    -- columns), the few open claims instead of every claim's payments (~4x sooner at 1M lines)
    SELECT claim_id, client_id, payer_id, first_service_date, total_charge
    FROM claim_facts WHERE status <> 'voided' AND insurance_balance > 0
      AND client_id IN (SELECT client_id FROM coverages WHERE priority <> 'primary')
),
covered AS (
    SELECT c.claim_id, v.coverage_id, v.payer_id,
           CASE v.priority WHEN 'primary' THEN 1 WHEN 'secondary' THEN 2 ELSE 3 END AS rank
    FROM every_claim c JOIN coverages v ON v.client_id = c.client_id
     AND v.effective_date <= c.first_service_date
     AND (v.end_date IS NULL OR v.end_date >= c.first_service_date)
),
-- Only a claim with a secondary or tertiary coverage in force can have a next payer (the
-- same answer, without ranking the remittances of every claim of a large store).
c AS (
    SELECT * FROM every_claim
    WHERE claim_id IN (SELECT claim_id FROM covered WHERE rank >= 2)
),
{standing_clps},
-- ... summed per payer; its latest CLP stands for it in secondary_claims
-- (prior_claim_payment_id)
latest AS (
    SELECT claim_id, payer_part, payer_id, arg_max(claim_payment_id, n) AS claim_payment_id,
           sum(paid) AS paid, sum(charge) AS answered, max(payment_date) AS payment_date,
           bool_or(status_code IN ('19', '20', '21')) AS crossover
    FROM standing
    GROUP BY claim_id, payer_part, payer_id
),
ranked AS (
    SELECT l.*, c.total_charge,
           coalesce(cv.rank, CASE WHEN l.payer_id = c.payer_id THEN 1 END) AS rank
    FROM latest l JOIN c USING (claim_id)
    LEFT JOIN (SELECT claim_id, payer_id, min(rank) AS rank FROM covered GROUP BY ALL) cv
           ON cv.claim_id = l.claim_id AND cv.payer_id = l.payer_id
),
last_in_line AS (
    SELECT * FROM ranked WHERE rank IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY rank DESC, payment_date DESC) = 1
),
next_in_line AS (
    SELECT li.*, cv.coverage_id AS next_coverage_id, cv.payer_id AS next_payer_id,
           cv.rank AS next_rank
    FROM last_in_line li
    JOIN covered cv ON cv.claim_id = li.claim_id AND cv.rank > li.rank
     AND cv.payer_id <> li.payer_id
    WHERE NOT li.crossover
      -- answered for the whole charge: the next payer's claim carries every line's answer
      -- (a claim answered in part waits for the rest: "Claims unpaid past the usual lag")
      AND li.answered >= li.total_charge
    QUALIFY row_number() OVER (PARTITION BY li.claim_id ORDER BY cv.rank, cv.coverage_id) = 1
),
amounts AS (
    SELECT s.claim_id,
           sum(a.amount) FILTER (WHERE coalesce(own.class, every.class, 'denial') = 'contractual')
               AS contractual,
           sum(a.amount) FILTER (WHERE coalesce(own.class, every.class, 'denial') = 'cost_share')
               AS cost_share,
           sum(a.amount) FILTER (WHERE coalesce(own.class, every.class, 'denial') = 'cob') AS cob
    FROM next_in_line n
    JOIN standing s ON s.claim_id = n.claim_id AND s.payer_part = n.payer_part
    JOIN adjustments a ON a.claim_payment_id = s.claim_payment_id
    LEFT JOIN adjustment_classes own
           ON own.payer_id = n.payer_id AND own.group_code = a.group_code AND own.carc = a.carc
    LEFT JOIN adjustment_classes every
           ON every.payer_id = 0 AND every.group_code = a.group_code AND every.carc = a.carc
    GROUP BY s.claim_id
)
SELECT n.claim_id, c.client_id, cl.last_name || ', ' || cl.first_name AS client_name,
       py.name AS payer, nx.name AS next_payer,
       CASE n.next_rank WHEN 2 THEN 'S' ELSE 'T' END AS payer_sequence,
       c.first_service_date, c.total_charge,
       n.paid::DECIMAL(12,2) AS prior_paid,
       coalesce(m.contractual, 0)::DECIMAL(12,2) AS contractual,
       coalesce(m.cost_share, 0)::DECIMAL(12,2) AS cost_share,
       coalesce(m.cob, 0)::DECIMAL(12,2) AS cob,
       (coalesce(m.cost_share, 0) + coalesce(m.cob, 0))::DECIMAL(12,2) AS next_payer_share,
       f.insurance_balance::DECIMAL(12,2) AS owed,
       n.payment_date AS adjudicated_date,
       date_diff('day', n.payment_date, $as_of::DATE) AS days_since,
       n.next_payer_id, n.next_coverage_id, n.claim_payment_id AS prior_claim_payment_id,
       (SELECT arg_max(s.rejection_reason, (s.rejected_date, s.secondary_claim_id))
        FROM secondary_claims s
        WHERE s.claim_id = n.claim_id AND s.payer_id = n.next_payer_id
          AND s.rejected_date <= $as_of::DATE) AS last_rejection
FROM next_in_line n
JOIN c USING (claim_id)
JOIN clients cl ON cl.client_id = c.client_id
JOIN payers py ON py.payer_id = n.payer_id
JOIN payers nx ON nx.payer_id = n.next_payer_id
JOIN amounts m ON m.claim_id = n.claim_id
JOIN claim_facts f ON f.claim_id = n.claim_id
WHERE coalesce(m.cost_share, 0) + coalesce(m.cob, 0) > 0
  AND f.insurance_balance > 0
  AND NOT EXISTS (SELECT 1 FROM secondary_claims s
                  WHERE s.claim_id = n.claim_id AND s.payer_id = n.next_payer_id
                    AND s.submitted_date <= $as_of::DATE
                    AND NOT coalesce(s.rejected_date <= $as_of::DATE, FALSE))
ORDER BY n.payment_date, n.claim_id
