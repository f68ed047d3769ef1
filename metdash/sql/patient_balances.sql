-- Patient A/R as of $as_of (DOMAIN.md): per client, cost share moved to the client (and
-- balances the practice moved to them) − patient payments − the practice's patient
-- write-offs + refunds. Claim by claim, for the aging: each claim's patient side (its ledger
-- rows' patient column dated on or before $as_of); money a client paid without naming a claim
-- (and a claim's own credit) is applied to the client's oldest open services first (by first
-- service date, then claim); a copay paid ahead on a claim the payer has not adjudicated yet
-- stays with that claim until its cost share posts. Rows: one per claim with a balance left
-- (kind 'claim', bucket by age since the first service date), and one per client with money
-- left over (kind 'credit', balance negative: a credit balance to refund). Client-level
-- money is counted only when no payer / referrer / provider filter is set (it belongs to no
-- claim). patient_ar_total.sql sums the same without the claim-by-claim allocation.
WITH per_claim AS MATERIALIZED ({patient_claim_sides}),
client_money AS ({patient_client_money}),
pool AS MATERIALIZED ({patient_pool}),
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
