-- The lines of the patient statements of the clients in $clients (every client when NULL) as
-- of $as_of (metdash.statements). Two kinds of row:
--   'service'  one claim of the client's: one the client still owes money on, or one with a
--              money event dated after $since (recent activity: insurance paid or denied it,
--              the client paid, ...). Claims voided on or before $as_of, and claims not sent
--              by then (no ledger row yet), are left out, as on the Balances page.
--   'credit'   money the client has left over once everything owed is paid: a credit to
--              refund (balance negative), as on the Balances page.
-- The balances are patient_balances.sql's own rows, so a statement's total (Σ balance) is the
-- client's patient A/R on the Balances page for the same date; the other amounts are sums of
-- the claim's ledger rows (ledger.sql) dated on or before $as_of.
WITH owed AS (
    -- the Balances page's rows: each claim's balance once the client's unapplied money and
    -- the credits of overpaid claims were applied, oldest service first ('claim'), and the
    -- money left over ('credit')
    SELECT b.*
    FROM {patient_balances} b
    WHERE $clients::VARCHAR[] IS NULL OR list_contains($clients::VARCHAR[], b.client_id)
),
claims AS (
    -- the clients' claims sent by $as_of and not voided by then
    SELECT f.claim_id, f.client_id, f.first_service_date, f.total_charge
    FROM claim_facts f
    WHERE ($clients::VARCHAR[] IS NULL OR list_contains($clients::VARCHAR[], f.client_id))
      AND f.first_ledger_date <= $as_of
      AND coalesce(f.voided_date, DATE '9999-12-31') > $as_of
),
money AS (
    SELECT l.claim_id,
           -- what the payers sent: CLP04, net of reversals, PLB recoupments and the
           -- refunds the practice sent them
           -sum(l.insurance) FILTER (WHERE l.kind = 'payer_payment') AS insurance_paid,
           -- what nobody bills the client for: contractual reductions, the other payer's share
           -- (COB) that left this claim, and the practice's write-offs of its insurance balance
           -- (its write-offs of the client's share are added below)
           -sum(l.insurance) FILTER (WHERE l.kind IN ('contractual', 'cob')
                                       OR (l.kind = 'write_off' AND l.insurance <> 0))
               AS insurance_adjustments,
           -- the practice's write-offs of the client's share on this claim: an adjustment, not
           -- a payment of the client's
           -coalesce(sum(l.patient) FILTER (WHERE l.kind = 'write_off' AND l.patient <> 0), 0)
               AS share_written_off,
           -- still owed by a payer (insurance A/R): billed and not yet paid, denied and not
           -- yet resolved, or cost share forwarded to the next payer
           sum(l.insurance) AS with_insurance,
           -- moved to the client: cost share (PR-1/2/3) and balances the practice moved
           sum(l.patient) FILTER (WHERE l.kind IN ('cost_share', 'transfer_to_client'))
               AS moved_to_client,
           -- the date of the claim's last money event on or before $as_of
           max(l.entry_date) AS last_activity
    FROM ledger l
    WHERE l.entry_date <= $as_of AND l.claim_id IN (SELECT claim_id FROM claims)
    GROUP BY l.claim_id
),
procedures AS (
    -- the claim's CPT codes, each once, in the order of its lines
    SELECT claim_id, list(cpt ORDER BY first_line) AS cpts
    FROM (SELECT claim_id, cpt, min(line_no) AS first_line
          FROM claim_lines WHERE claim_id IN (SELECT claim_id FROM claims)
          GROUP BY claim_id, cpt)
    GROUP BY claim_id
)
SELECT 'service' AS kind, c.client_id, c.claim_id, c.first_service_date AS service_date,
       coalesce(p.cpts, []::VARCHAR[]) AS cpts,
       c.total_charge::DECIMAL(14,2) AS charge,
       coalesce(m.insurance_paid, 0)::DECIMAL(14,2) AS insurance_paid,
       (coalesce(m.insurance_adjustments, 0) + m.share_written_off)::DECIMAL(14,2)
           AS adjustments,
       coalesce(m.with_insurance, 0)::DECIMAL(14,2) AS with_insurance,
       -- the client's share, less what the practice wrote off of it on this claim
       (coalesce(m.moved_to_client, 0) - m.share_written_off)::DECIMAL(14,2) AS your_share,
       -- everything that brought the client's share down to the balance: payments and
       -- credits applied to it (money naming no claim, a write-off of the client's balance as
       -- a whole among it), less refunds (what patient_balances applied)
       (coalesce(m.moved_to_client, 0) - m.share_written_off - coalesce(o.balance, 0))
           ::DECIMAL(14,2) AS payments_applied,
       -- what the client owes on it (patient_balances; 0 when fully paid)
       coalesce(o.balance, 0)::DECIMAL(14,2) AS balance,
       -- its age bucket since the service date, when the client owes on it
       o.bucket
FROM claims c
JOIN money m USING (claim_id)
LEFT JOIN procedures p USING (claim_id)
LEFT JOIN owed o ON o.kind = 'claim' AND o.claim_id = c.claim_id
WHERE o.balance > 0 OR m.last_activity > $since
UNION ALL
SELECT 'credit', o.client_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       o.balance, NULL
FROM owed o WHERE o.kind = 'credit'
ORDER BY client_id, kind DESC, service_date, claim_id
