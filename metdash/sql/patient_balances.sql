-- Patient A/R as of $as_of (DOMAIN.md): per client, cost share moved to the client (and
-- balances the practice moved to them) − patient payments − the practice's patient
-- write-offs + refunds. Claim by claim, for the aging: each claim's patient side (its ledger
-- rows' patient column dated on or before $as_of); money a client paid without naming a claim
-- (and a claim's own credit) is applied to the client's oldest open services first (by first
-- service date, then claim). Rows: one per claim with a balance left (kind 'claim', bucket by
-- age since the first service date), and one per client with money left over (kind 'credit',
-- balance negative: a credit balance to refund). Client-level money is counted only when no
-- payer / referrer / provider filter is set (it belongs to no claim).
WITH claim_side AS (
    SELECT f.claim_id, f.client_id, f.payer_id, f.first_service_date,
           f.last_ledger_date, f.patient_balance
    FROM claim_facts f
    WHERE f.first_ledger_date <= $as_of
      AND coalesce(f.voided_date, DATE '9999-12-31') > $as_of
      AND (f.patient_balance <> 0 OR f.last_ledger_date > $as_of)
      AND {id_filters}
),
partial AS (
    SELECT l.claim_id, sum(l.patient) AS balance
    FROM ledger l
    WHERE l.entry_date <= $as_of
      AND l.claim_id IN (SELECT claim_id FROM claim_side WHERE last_ledger_date > $as_of)
    GROUP BY l.claim_id
),
per_claim AS (
    SELECT s.claim_id, s.client_id, s.payer_id, s.first_service_date,
           CASE WHEN s.last_ledger_date <= $as_of THEN s.patient_balance
                ELSE coalesce(p.balance, 0) END AS balance
    FROM claim_side s LEFT JOIN partial p USING (claim_id)
),
unfiltered AS (
    SELECT $payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
           AND $providers::INTEGER[] IS NULL AS yes
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
    ) WHERE (SELECT yes FROM unfiltered)
    GROUP BY client_id
),
pool AS (
    -- what each client has to apply: client-level money and the credits of its claims
    SELECT client_id, sum(credit) AS credit FROM (
        SELECT client_id, credit FROM client_money
        UNION ALL
        SELECT client_id, -balance FROM per_claim WHERE balance < 0
    ) GROUP BY client_id
),
owed AS (
    SELECT pc.*,
           sum(pc.balance) OVER (PARTITION BY pc.client_id
                                 ORDER BY pc.first_service_date, pc.claim_id
                                 ROWS UNBOUNDED PRECEDING) AS through
    FROM per_claim pc WHERE pc.balance > 0
),
applied AS (
    SELECT o.*, coalesce(p.credit, 0) AS credit,
           least(o.balance, greatest(0, coalesce(p.credit, 0) - (o.through - o.balance)))
               AS applied
    FROM owed o LEFT JOIN pool p USING (client_id)
),
left_over AS (
    SELECT p.client_id, p.credit - coalesce(sum(a.applied), 0) AS credit
    FROM pool p LEFT JOIN applied a USING (client_id)
    GROUP BY p.client_id, p.credit
)
SELECT 'claim' AS kind, a.claim_id, a.client_id, a.payer_id, a.first_service_date,
       (a.balance - a.applied)::DECIMAL(14,2) AS balance,
       datediff('day', a.first_service_date, $as_of) AS age_days,
       CASE WHEN datediff('day', a.first_service_date, $as_of) <= 30 THEN '0-30'
            WHEN datediff('day', a.first_service_date, $as_of) <= 60 THEN '31-60'
            WHEN datediff('day', a.first_service_date, $as_of) <= 90 THEN '61-90'
            WHEN datediff('day', a.first_service_date, $as_of) <= 120 THEN '91-120'
            ELSE '120+' END AS bucket
FROM applied a
WHERE a.balance - a.applied > 0
UNION ALL
SELECT 'credit', NULL, l.client_id, NULL, NULL, (-l.credit)::DECIMAL(14,2), NULL, NULL
FROM left_over l
WHERE l.credit > 0
