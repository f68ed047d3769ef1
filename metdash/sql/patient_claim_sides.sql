-- Each claim's patient side as of $as_of (patient_balances.sql): its ledger rows' patient
-- column dated on or before $as_of, read from claim_facts for the claims whose money events
-- all lie on one side of $as_of. Rows: claim_id, client_id, payer_id, first_service_date,
-- adjudicated (by $as_of), balance (negative: a credit on that claim).
WITH claim_side AS (
    SELECT f.claim_id, f.client_id, f.payer_id, f.first_service_date,
           f.last_ledger_date, f.patient_balance, f.first_adjudication_date
    FROM claim_facts f
    WHERE f.first_ledger_date <= $as_of
      AND coalesce(f.voided_date, DATE '9999-12-31') > $as_of
      AND (f.patient_balance <> 0 OR f.last_ledger_date > $as_of)
      AND {id_filters}
),
partial AS (
    -- the claims with money events on both sides of $as_of, summed from their ledger rows
    SELECT claim_id, patient AS balance FROM {ledger_as_of}
),
per_claim AS (
    SELECT s.claim_id, s.client_id, s.payer_id, s.first_service_date,
           coalesce(s.first_adjudication_date <= $as_of, FALSE) AS adjudicated,
           CASE WHEN s.last_ledger_date <= $as_of THEN s.patient_balance
                ELSE coalesce(p.balance, 0) END AS balance
    FROM claim_side s LEFT JOIN partial p USING (claim_id)
)
SELECT * FROM per_claim
