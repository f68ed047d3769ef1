-- Patient A/R as of $as_of (DOMAIN.md): per client, cost share moved to the client (and
-- balances the practice moved to them) − patient payments − the practice's patient
-- write-offs + refunds. Claim by claim, for the aging: each claim's patient side (its ledger
-- rows' patient column dated on or before $as_of); money a client paid without naming a claim
-- (and a claim's own credit) is applied to the client's oldest open services first (by first
-- service date, then claim); a copay paid ahead on a claim the payer has not adjudicated yet
-- stays with that claim until its cost share posts. Rows: one per claim with a balance left
-- (kind 'claim', bucket by age since the first service date), and one per client with money
-- left over (kind 'credit', balance negative: a credit balance to refund). Client-level money is counted only when no
-- payer / referrer / provider filter is set (it belongs to no claim).
WITH claim_side AS (
    SELECT f.claim_id, f.client_id, f.payer_id, f.first_service_date,
           f.last_ledger_date, f.patient_balance, f.first_adjudication_date
    FROM claim_facts f
    WHERE f.first_ledger_date <= $as_of
      AND coalesce(f.voided_date, DATE '9999-12-31') > $as_of
      AND (f.patient_balance <> 0 OR f.last_ledger_date > $as_of)
      AND {id_filters}
),
straddling AS (
    SELECT claim_id FROM claim_side WHERE last_ledger_date > $as_of
),
partial AS (
    -- the claims with money events on both sides of $as_of, summed from their ledger rows
    -- (the id range lets the scan skip the row groups of every other claim)
    SELECT l.claim_id, sum(l.patient) AS balance
    FROM ledger l
    WHERE l.entry_date <= $as_of
      AND l.claim_id BETWEEN (SELECT min(claim_id) FROM straddling)
                         AND (SELECT max(claim_id) FROM straddling)
      AND l.claim_id IN (SELECT claim_id FROM straddling)
    GROUP BY l.claim_id
),
per_claim AS MATERIALIZED (
    SELECT s.claim_id, s.client_id, s.payer_id, s.first_service_date,
           coalesce(s.first_adjudication_date <= $as_of, FALSE) AS adjudicated,
           CASE WHEN s.last_ledger_date <= $as_of THEN s.patient_balance
                ELSE coalesce(p.balance, 0) END AS balance
    FROM claim_side s LEFT JOIN partial p USING (claim_id)
),
client_money AS (
    -- money not tied to a claim: + paid or written off, − refunded
    SELECT client_id, sum(amount) AS credit FROM (
        SELECT client_id, amount FROM patient_payments
        WHERE claim_id IS NULL AND payment_date <= $as_of
        UNION ALL
        SELECT client_id, amount FROM write_offs
        WHERE side = 'patient' AND claim_id IS NULL AND write_off_date <= $as_of
        UNION ALL
        SELECT client_id, -amount FROM patient_refunds
        WHERE claim_id IS NULL AND refund_date <= $as_of
    ) WHERE ($payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
            AND $providers::INTEGER[] IS NULL)
    GROUP BY client_id
),
pool AS MATERIALIZED (
    -- what each client has to apply: client-level money and the credits of its claims (only
    -- the few clients with such money are allocated; every other claim keeps its balance)
    SELECT client_id, sum(credit) AS credit FROM (
        SELECT client_id, credit FROM client_money
        UNION ALL
        -- a copay paid ahead on a claim not adjudicated yet waits for its cost share
        SELECT client_id, -balance FROM per_claim WHERE balance < 0 AND adjudicated
    ) GROUP BY client_id
),
owed AS (
    SELECT pc.claim_id, pc.client_id, pc.balance,
           sum(pc.balance) OVER (PARTITION BY pc.client_id
                                 ORDER BY pc.first_service_date, pc.claim_id
                                 ROWS UNBOUNDED PRECEDING) AS through
    FROM per_claim pc SEMI JOIN pool USING (client_id)
    WHERE pc.balance > 0
),
applied AS (
    SELECT o.claim_id, o.client_id,
           least(o.balance, greatest(0, p.credit - (o.through - o.balance))) AS applied
    FROM owed o JOIN pool p USING (client_id)
),
left_over AS (
    SELECT p.client_id, p.credit - coalesce(sum(a.applied), 0) AS credit
    FROM pool p LEFT JOIN applied a USING (client_id)
    GROUP BY p.client_id, p.credit
),
remaining AS (
    SELECT pc.claim_id, pc.client_id, pc.payer_id, pc.first_service_date,
           pc.balance - coalesce(a.applied, 0) AS balance,
           datediff('day', pc.first_service_date, $as_of) AS age_days
    FROM per_claim pc LEFT JOIN applied a USING (claim_id)
    WHERE pc.balance > 0
)
SELECT 'claim' AS kind, r.claim_id, r.client_id, r.payer_id, r.first_service_date,
       r.balance::DECIMAL(14,2) AS balance, r.age_days,
       CASE WHEN r.age_days <= 30 THEN '0-30'
            WHEN r.age_days <= 60 THEN '31-60'
            WHEN r.age_days <= 90 THEN '61-90'
            WHEN r.age_days <= 120 THEN '91-120'
            ELSE '120+' END AS bucket
FROM remaining r
WHERE r.balance > 0
UNION ALL
SELECT 'credit', NULL, l.client_id, NULL, NULL, (-l.credit)::DECIMAL(14,2), NULL, NULL
FROM left_over l
WHERE l.credit > 0
