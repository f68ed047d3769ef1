-- The ledger of the claims in $ids (every claim when NULL): one row per money event, with its
-- effect on insurance A/R and on patient A/R (DOMAIN.md's figure table). Balances are sums of
-- these rows. Derived data (metdash.store.facts keeps it for the claims each write touches).
--
--   charge             +charge to insurance A/R, on the day the claim was first submitted (a
--                      claim never sent owes nothing yet)
--   payer_payment      CLP04: money the payer sent (a reversal's is negative); a PLB
--                      recoupment (WO / FB) naming the claim reduces it, and so does a refund
--                      the practice sent the payer (payer_refunds: an overpayment repaid)
--   contractual        written off for good                 (insurance −)
--   cost_share         PR-1/2/3 moved to the client         (insurance −, patient +), or to the
--                      next payer: it then stays in insurance A/R, owed by the next payer. It
--                      goes to the next payer when the payer forwarded the claim (CLP02
--                      19/20/21, a crossover), or when the client has, on the claim's first
--                      date of service, a coverage of another payer ranked after the
--                      adjudicating payer's (secondary after primary, tertiary after
--                      secondary; the claim's own payer ranks as its coverage does, primary
--                      when it has none on that day): "bill the secondary"
--   cob                coordination of benefits (OA-23, CO-22, PR-22): the other payer's share.
--                      On a remittance from the payer the claim was billed to it leaves this
--                      claim (insurance −: the other payer's claim holds it); on a remittance
--                      from another payer posted to this claim (a secondary's 835) it is the
--                      share the first payer's rows already settled (no effect); so is the
--                      part of that payer's contractual adjustments that repeats the first
--                      payer's write-off (later_clps below)
--   denial             every other reason: the amount stays owed (insurance A/R, flagged as
--                      denied) until paid on appeal, moved to the client or written off
--   transfer_to_client a balance the practice moved to the client (insurance −, patient +)
--   write_off          the practice's own write-off (insurance − or patient −)
--                      Either undone (balance_returns, by hand or because the payer paid it
--                      after all): a reversal row of the same kind (insurance +, and patient −
--                      for a move), source 'return'
--   patient_payment    a payment the client made towards this claim (patient −)
--   refund             money given back to the client for this claim (patient +)
--                      A refund undone (to the client or to the payer, migration 0024) is a
--                      row of its table with the amount negated: the same kind, the reversal
--
-- One claim, several remittances (DOMAIN.md). For each payer, the claim's CLPs in posting order
-- (payment date, remittance, CLP position, a reversal right after the CLP it reverses:
-- clp_order.sql; "not ours" 23 and pricing-only 25 left out):
--   - an adjudication posts its payment and its adjustments;
--   - a later adjudication without a reversal REPLACES it: the earlier adjustments are undone
--     (reversal rows, dated the later one) and the later ones posted. Money the payer sent
--     stays sent: only a reversal takes a payment back. A later CLP that answers none of the
--     earlier one's lines (a split claim's other lines: DOMAIN.md's replacement is of an
--     appeal or a reprocessing) replaces nothing: both stand (replaced_clps.sql);
--   - a reversal (CLP02 22) undoes exactly what it reverses: every row of the adjudication
--     before it (the one it names, claim_payments.reverses_id) is undone on the reversal's
--     date (the reversal's own amounts are that, negated), which reopens the claim; a 22 with
--     no adjudication before it posts its own amounts.
-- The classification of each adjustment is the practice's table adjustment_classes (a payer's
-- own row first, then the row for every payer, else a denial).
WITH c AS (
    SELECT * FROM {claims}
    WHERE $ids::VARCHAR[] IS NULL OR claim_id IN (SELECT unnest($ids::VARCHAR[]))
),
-- The client's coverages in force on the claim's first date of service, ranked (primary 1,
-- secondary 2, tertiary 3); the claim's own payer is primary when it has none that day. Only
-- the claims of clients with a secondary or tertiary coverage at all (the others have no next
-- payer: most claims skip the join).
ranked_clients AS (
    SELECT DISTINCT client_id FROM coverages WHERE priority <> 'primary'
),
c_ranked AS (
    SELECT claim_id, client_id, payer_id, first_service_date FROM c
    WHERE client_id IN (SELECT client_id FROM ranked_clients)
),
covered AS (
    SELECT claim_id, payer_id, CASE WHEN min(rank) = 9 THEN 1 ELSE min(rank) END AS rank
    FROM (SELECT c.claim_id, v.payer_id,
                 CASE v.priority WHEN 'primary' THEN 1 WHEN 'secondary' THEN 2 ELSE 3 END
                     AS rank
          FROM c_ranked c JOIN coverages v ON v.client_id = c.client_id
           AND v.effective_date <= c.first_service_date
           AND (v.end_date IS NULL OR v.end_date >= c.first_service_date)
          UNION ALL
          SELECT claim_id, payer_id, 9 FROM c_ranked)
    GROUP BY ALL
),
-- Per claim and payer: another payer's coverage ranks after this payer's (cost share this
-- payer leaves goes to that next payer, not to the client).
next_covered AS (
    SELECT p.claim_id, p.payer_id, bool_or(o.rank > p.rank) AS has_next
    FROM covered p JOIN covered o ON o.claim_id = p.claim_id AND o.payer_id <> p.payer_id
    GROUP BY ALL
),
cp AS (
    SELECT p.claim_payment_id, p.claim_id, p.status_code, p.paid, p.remittance_id, p.seq,
           p.reverses_id, r.payment_date, coalesce(r.payer_id, c.payer_id) AS adjudicating_payer,
           coalesce(r.payer_id::VARCHAR, 'key ' || r.payer_key) AS payer_part,
           coalesce(r.payer_id = c.payer_id, TRUE) AS billed_payer,
           coalesce(nc.has_next, FALSE) AS next_payer_covered
    FROM {claim_payments} p
    JOIN {remittances} r USING (remittance_id)
    JOIN c USING (claim_id)
    LEFT JOIN next_covered nc ON nc.claim_id = p.claim_id
     AND nc.payer_id = coalesce(r.payer_id, c.payer_id)
    WHERE p.status_code NOT IN ('23', '25')
),
{clp_order},
ordered AS (
    SELECT keyed.*,
           lag(status_code) OVER w AS prev_code,
           lead(status_code) OVER w AS next_code,
           lead(payment_date) OVER w AS next_date,
           row_number() OVER w AS n
    FROM keyed
    WINDOW w AS (PARTITION BY claim_id, payer_part ORDER BY k_date, k_remittance, k_seq, k_id)
),
{replaced_clps},
adj AS (
    SELECT a.claim_payment_id, a.group_code, a.carc, sum(a.amount) AS amount
    FROM {adjustments} a
    WHERE a.claim_payment_id IN (SELECT claim_payment_id FROM cp)
    GROUP BY ALL
    HAVING sum(a.amount) <> 0
),
classified AS (
    SELECT o.claim_payment_id, adj.group_code, adj.carc, adj.amount,
           coalesce(own.class, every.class, 'denial') AS class,
           o.status_code IN ('19', '20', '21') OR o.next_payer_covered AS forwarded,
           o.billed_payer
    FROM adj
    JOIN ordered o USING (claim_payment_id)
    LEFT JOIN adjustment_classes own
           ON own.payer_id = o.adjudicating_payer AND own.group_code = adj.group_code
          AND own.carc = adj.carc
    LEFT JOIN adjustment_classes every
           ON every.payer_id = 0 AND every.group_code = adj.group_code AND every.carc = adj.carc
),
-- A later payer's remittance (a secondary's, a tertiary's: a payer the claim was not billed
-- to) reports the whole charge. What the payers before it settled (their payments and
-- write-offs) it reports as OA-23 -- or, as many secondaries do, it repeats the primary's
-- CO-45 and gives OA-23 for the primary's payment only. Either way the write-off was taken
-- once, by the payer before. So its contractual adjustments and its COB together first cover
-- what the payers before it settled: the claim's charge less the cost share the last of them
-- left to it and the denials they left owed (each other payer's latest CLP before this one,
-- not a reversal). Only the contractual beyond that is a new write-off; the part that
-- repeats posts as COB (no effect). With no other payer's CLP before it, its contractual
-- adjustments are its own.
later_clps AS (
    SELECT claim_payment_id, claim_id, payer_part, payment_date, remittance_id
    FROM ordered WHERE NOT billed_payer AND status_code <> '22'
),
clp_sums AS (
    SELECT claim_payment_id,
           coalesce(sum(amount) FILTER (WHERE class = 'contractual' AND amount > 0), 0)
               AS contractual,
           coalesce(sum(amount) FILTER (WHERE class = 'cob'), 0) AS cob,
           coalesce(sum(amount) FILTER (WHERE class = 'cost_share' AND forwarded), 0)
               AS forwarded,
           coalesce(sum(amount) FILTER (WHERE class = 'denial'), 0) AS denied
    FROM classified
    WHERE claim_payment_id IN (SELECT o.claim_payment_id FROM ordered o
                               WHERE o.claim_id IN (SELECT claim_id FROM later_clps))
    GROUP BY claim_payment_id
),
settled_before AS (
    -- per later CLP: each other payer's latest CLP before it, unless that is a reversal
    SELECT *, row_number() OVER (PARTITION BY later_id
                                 ORDER BY payment_date DESC, remittance_id DESC) AS back
    FROM (SELECT l.claim_payment_id AS later_id, o.claim_payment_id, o.status_code,
                 o.payment_date, o.remittance_id
          FROM later_clps l
          JOIN ordered o ON o.claim_id = l.claim_id AND o.payer_part <> l.payer_part
           AND (o.payment_date < l.payment_date
                OR (o.payment_date = l.payment_date AND o.remittance_id < l.remittance_id))
          QUALIFY row_number() OVER (PARTITION BY l.claim_payment_id, o.payer_part
                                     ORDER BY o.payment_date DESC, o.remittance_id DESC,
                                              o.seq DESC, o.claim_payment_id DESC) = 1)
    WHERE status_code <> '22'
),
repeats AS (
    SELECT b.later_id AS claim_payment_id,
           least(ls.contractual,
                 greatest(0, c.total_charge
                             - coalesce(sum(s.forwarded) FILTER (WHERE b.back = 1), 0)
                             - coalesce(sum(s.denied), 0) - ls.cob)) AS repeated
    FROM settled_before b
    JOIN later_clps l ON l.claim_payment_id = b.later_id
    JOIN c ON c.claim_id = l.claim_id
    JOIN clp_sums ls ON ls.claim_payment_id = b.later_id
    LEFT JOIN clp_sums s ON s.claim_payment_id = b.claim_payment_id
    WHERE ls.contractual > 0
    GROUP BY b.later_id, ls.contractual, ls.cob, c.total_charge
),
-- The rows of those CLPs, each contractual one with its part that repeats (the CLP's
-- repeated amount, taken from its contractual rows in code order).
repeat_rows AS (
    SELECT cl.*,
           CASE WHEN cl.class = 'contractual' AND cl.amount > 0 THEN
                least(cl.amount, greatest(0, r.repeated - coalesce(sum(cl.amount) OVER (
                    PARTITION BY cl.claim_payment_id, cl.class, cl.amount > 0
                    ORDER BY cl.group_code, cl.carc
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))
                ELSE 0 END AS repeated
    FROM classified cl JOIN repeats r USING (claim_payment_id)
    WHERE r.repeated > 0
),
-- What each CLP posts on its own (before replacement and reversal are applied).
own_rows AS (
    SELECT claim_payment_id, 0 AS k, 'payer_payment' AS kind, NULL AS destination,
           NULL AS group_code, NULL AS carc, paid AS amount, -paid AS insurance, 0 AS patient
    FROM ordered WHERE paid <> 0
    UNION ALL
    SELECT claim_payment_id,
           CASE class WHEN 'contractual' THEN 1 WHEN 'cost_share' THEN 2 WHEN 'cob' THEN 3
                ELSE 4 END AS k,
           class AS kind,
           CASE WHEN class = 'cost_share' THEN
                CASE WHEN forwarded THEN 'next_payer' ELSE 'client' END END AS destination,
           group_code, carc, amount,
           CASE WHEN class = 'contractual' THEN -amount
                WHEN class = 'cost_share' AND NOT forwarded THEN -amount
                WHEN class = 'cob' AND billed_payer THEN -amount
                ELSE 0 END AS insurance,
           CASE WHEN class = 'cost_share' AND NOT forwarded THEN amount ELSE 0 END AS patient
    FROM (SELECT * FROM classified
          WHERE claim_payment_id NOT IN (SELECT claim_payment_id FROM repeat_rows)
          UNION ALL BY NAME
          SELECT * EXCLUDE (amount, repeated), amount - repeated AS amount FROM repeat_rows
          WHERE amount <> repeated)
    UNION ALL
    -- a later payer's repeat of a write-off the payer before it took: COB, no effect
    SELECT claim_payment_id, 3, 'cob', NULL, group_code, carc, repeated, 0, 0
    FROM repeat_rows WHERE repeated <> 0
),
clp_rows AS (
    -- an adjudication's own rows; a reversal's only when it reverses nothing on file
    SELECT o.claim_id, o.payment_date AS entry_date, o.n, 0 AS undo, r.k,
           r.kind, o.status_code = '22' AS reversal, r.destination, 'claim_payment' AS source,
           o.claim_payment_id AS source_id, o.remittance_id, r.group_code, r.carc,
           r.amount, r.insurance, r.patient
    FROM own_rows r JOIN ordered o USING (claim_payment_id)
    WHERE o.status_code <> '22' OR o.prev_code IS NULL OR o.prev_code = '22'
    UNION ALL
    -- undone: all of it by a reversal next, its adjustments by the CLP that replaces it
    SELECT o.claim_id, coalesce(rp.payment_date, o.next_date) AS entry_date,
           coalesce(rp.n, o.n + 1) AS n, 1 AS undo, r.k,
           r.kind, TRUE AS reversal, r.destination, 'claim_payment' AS source,
           o.claim_payment_id AS source_id, o.remittance_id, r.group_code, r.carc,
           -r.amount, -r.insurance, -r.patient
    FROM own_rows r JOIN ordered o USING (claim_payment_id)
    LEFT JOIN replaced rp USING (claim_payment_id)
    WHERE o.status_code <> '22' AND o.next_code IS NOT NULL
      AND (o.next_code = '22' OR (r.kind <> 'payer_payment' AND rp.n IS NOT NULL))
),
first_remittance AS (
    SELECT claim_id, min(payment_date) AS payment_date FROM cp GROUP BY claim_id
),
events AS (
    SELECT c.claim_id, coalesce(c.submitted_date, fr.payment_date) AS entry_date,
           0 AS grp, 0 AS n, 0 AS undo, 0 AS k, 0::BIGINT AS sub,
           'charge' AS kind, FALSE AS reversal, NULL AS destination, 'claim' AS source,
           NULL::BIGINT AS source_id, NULL::INTEGER AS remittance_id, NULL AS group_code,
           NULL AS carc, c.total_charge AS amount, c.total_charge AS insurance, 0 AS patient
    FROM c LEFT JOIN first_remittance fr USING (claim_id)
    UNION ALL
    SELECT claim_id, entry_date, 1, n, undo, k, 0, kind, reversal, destination, source,
           source_id, remittance_id, group_code, carc, amount, insurance, patient
    FROM clp_rows
    UNION ALL
    -- PLB recoupments naming the claim: the payer takes money back (positive PLB amounts
    -- reduce the payment)
    SELECT pa.claim_id, r.payment_date, 1, 0, 0, 0, pa.seq, 'payer_payment', FALSE, NULL,
           'plb', pa.remittance_id * 1000 + pa.seq, pa.remittance_id, NULL, pa.reason_code,
           -pa.amount, pa.amount, 0
    FROM provider_adjustments pa JOIN {remittances} r USING (remittance_id)
    WHERE pa.reason_code IN ('WO', 'FB') AND pa.claim_id IN (SELECT claim_id FROM c)
    UNION ALL
    SELECT t.claim_id, t.transfer_date, 2, 0, 0, 0, t.transfer_id, 'transfer_to_client', FALSE,
           'client', 'transfer', t.transfer_id, NULL, NULL, NULL, t.amount, -t.amount, t.amount
    FROM balance_transfers t WHERE t.claim_id IN (SELECT claim_id FROM c)
    UNION ALL
    SELECT w.claim_id, w.write_off_date, 3, 0, 0, 0, w.write_off_id, 'write_off', FALSE,
           NULL, 'write_off', w.write_off_id, NULL, NULL, w.reason, w.amount,
           CASE WHEN w.side = 'insurance' THEN -w.amount ELSE 0 END,
           CASE WHEN w.side = 'patient' THEN -w.amount ELSE 0 END
    FROM write_offs w WHERE w.claim_id IN (SELECT claim_id FROM c)
    UNION ALL
    -- a move to the client or an insurance write-off undone (migration 0019): the reversal of
    -- (part of) the row it undoes, in the same kind, so each kind's sum is what stands
    SELECT b.claim_id, b.return_date, 6, 0, 0, 0,
           b.return_id, CASE b.kind WHEN 'transfer' THEN 'transfer_to_client' ELSE 'write_off'
           END, TRUE, CASE b.kind WHEN 'transfer' THEN 'client' END, 'return', b.return_id,
           b.remittance_id, NULL, w.reason, -b.amount, b.amount,
           CASE b.kind WHEN 'transfer' THEN -b.amount ELSE 0 END
    FROM balance_returns b
    LEFT JOIN write_offs w ON b.kind = 'write_off' AND w.write_off_id = b.source_id
    WHERE b.claim_id IN (SELECT claim_id FROM c)
    UNION ALL
    SELECT pp.claim_id, pp.payment_date, 4, 0, 0, 0, pp.patient_payment_id, 'patient_payment',
           FALSE, NULL, 'patient_payment', pp.patient_payment_id, NULL, NULL, pp.method,
           pp.amount, 0, -pp.amount
    FROM patient_payments pp WHERE pp.claim_id IN (SELECT claim_id FROM c)
    UNION ALL
    SELECT rf.claim_id, rf.refund_date, 5, 0, 0, 0, rf.refund_id, 'refund', FALSE, NULL,
           'refund', rf.refund_id, NULL, NULL,
           CASE WHEN rf.reverses IS NULL THEN rf.method ELSE 'refund undone' END,
           rf.amount, 0, rf.amount
    FROM patient_refunds rf WHERE rf.claim_id IN (SELECT claim_id FROM c)
    UNION ALL
    -- money the practice sent back to a payer that overpaid the claim: as a recoupment, the
    -- payer's money on the claim is less by it (under the payer's remittance it returns)
    SELECT pr.claim_id, pr.refund_date, 7, 0, 0, 0, pr.refund_id, 'payer_payment', FALSE,
           NULL, 'payer_refund', pr.refund_id, pr.remittance_id, NULL,
           CASE WHEN pr.reverses IS NULL THEN 'refunded to payer' ELSE 'refund to payer undone'
           END,
           -pr.amount, pr.amount, 0
    FROM payer_refunds pr WHERE pr.claim_id IN (SELECT claim_id FROM c)
)
-- seq orders a claim's events: by date, then the claim's own events (the charge, then each CLP
-- in posting order -- an undo before the CLP that caused it -- then PLB, transfers,
-- write-offs, patient payments, refunds, moves and write-offs undone, refunds to a payer),
-- then the row within its event. One number, not a row_number() window: sorting every claim's
-- rows by several keys cost most of a rebuild.
SELECT e.claim_id, c.client_id, c.payer_id, c.referrer_id, c.rendering_provider_id,
       c.status = 'voided' AS voided, c.first_service_date, e.entry_date,
       (date_diff('day', DATE '1900-01-01', e.entry_date)::BIGINT * 100000000
        + e.grp * 10000000 + least(e.n, 9999) * 1000 + (1 - e.undo) * 100 + e.k * 10
        + CASE WHEN e.grp IN (2, 3, 4, 5, 6, 7) THEN e.sub % 10 ELSE 0 END) AS seq,
       e.kind, e.reversal, e.destination, e.source, e.source_id, e.remittance_id,
       e.group_code, e.carc, e.amount::DECIMAL(14,2) AS amount,
       e.insurance::DECIMAL(14,2) AS insurance, e.patient::DECIMAL(14,2) AS patient
FROM events e JOIN c USING (claim_id)
WHERE e.entry_date IS NOT NULL
