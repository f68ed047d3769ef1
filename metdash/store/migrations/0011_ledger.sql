-- The ledger (issue 15): balances a biller can trust. Every money event of a claim is a row of
-- the derived table `ledger` (metdash.store.facts; definition in metdash/sql/ledger.sql):
-- the charge, payer payments, contractual adjustments, cost share moved to the client or to
-- the next payer, coordination of benefits, denials (open: they stay owed), reversals and
-- re-adjudications, the practice's write-offs and transfers to the client, patient payments
-- and refunds. Insurance A/R and patient A/R are sums of its two columns.
--
-- New source tables: the adjustment classification (one table, seeded with DOMAIN.md's
-- defaults, editable by the owner), write-offs, transfers of an insurance balance to the
-- client, and refunds. The derived tables themselves are reshaped by 0012.

-- How each adjustment (group code + CARC) moves money. payer_id 0: every payer; a payer's
-- own row wins (e.g. CO-59 for a payer that uses it for a multiple-procedure reduction).
-- An adjustment with no row here is a denial (DOMAIN.md: every other CO / PI / OA reason,
-- and PR reasons other than 1, 2 and 3).
CREATE TABLE adjustment_classes (
    payer_id        INTEGER NOT NULL DEFAULT 0,
    group_code      VARCHAR NOT NULL CHECK (group_code IN ('CO', 'PR', 'OA', 'PI', 'CR')),
    carc            VARCHAR NOT NULL,
    class           VARCHAR NOT NULL CHECK (class IN
                      ('contractual', 'cost_share', 'cob', 'denial')),
    note            VARCHAR,
    PRIMARY KEY (payer_id, group_code, carc)
);
INSERT INTO adjustment_classes (payer_id, group_code, carc, class, note) VALUES
    (0, 'CO', '45', 'contractual', 'charge above the contracted rate'),
    (0, 'CO', '253', 'contractual', 'sequestration'),
    (0, 'PI', '45', 'contractual', 'charge above the contracted rate (payer initiated)'),
    (0, 'PR', '1', 'cost_share', 'deductible'),
    (0, 'PR', '2', 'cost_share', 'coinsurance'),
    (0, 'PR', '3', 'cost_share', 'copay'),
    (0, 'OA', '23', 'cob', 'what a prior payer paid or allowed'),
    (0, 'CO', '22', 'cob', 'another payer may be primary'),
    (0, 'PR', '22', 'cob', 'another payer may be primary');

-- Write-offs the practice makes itself (DOMAIN.md: reason, who, when; audited). An insurance
-- write-off names a claim; a patient write-off names a claim or only the client (a client's
-- small balance as a whole).
CREATE TABLE write_offs (
    write_off_id    INTEGER PRIMARY KEY,
    client_id       VARCHAR NOT NULL,
    claim_id        VARCHAR,
    side            VARCHAR NOT NULL CHECK (side IN ('insurance', 'patient')),
    amount          DECIMAL(12,2) NOT NULL CHECK (amount > 0),
    reason          VARCHAR NOT NULL CHECK (reason IN
                      ('timely_filing', 'small_balance', 'courtesy', 'bad_debt', 'appeal_lost',
                       'contractual_correction')),
    note            VARCHAR,
    write_off_date  DATE NOT NULL,
    user_name       VARCHAR NOT NULL,
    batch_id        INTEGER,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (side = 'patient' OR claim_id IS NOT NULL)
);

-- An insurance balance the practice moves to the client (a denial the client is liable
-- for, PR-96 / PR-204, or a secondary that will not pay).
CREATE TABLE balance_transfers (
    transfer_id     INTEGER PRIMARY KEY,
    claim_id        VARCHAR NOT NULL,
    client_id       VARCHAR NOT NULL,
    amount          DECIMAL(12,2) NOT NULL CHECK (amount > 0),
    transfer_date   DATE NOT NULL,
    reason          VARCHAR NOT NULL,
    note            VARCHAR,
    user_name       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Money the practice gave back to a client (a credit balance refunded).
CREATE TABLE patient_refunds (
    refund_id       INTEGER PRIMARY KEY,
    client_id       VARCHAR NOT NULL,
    claim_id        VARCHAR,
    refund_date     DATE NOT NULL,
    amount          DECIMAL(12,2) NOT NULL CHECK (amount > 0),
    method          VARCHAR NOT NULL DEFAULT 'check',
    reference       VARCHAR,
    note            VARCHAR,
    user_name       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- A PLB recoupment (WO, FB) names a claim by the payer's claim number (PLB03-2): the claim
-- it names, resolved when the 835 is posted (NULL when it names none of ours).
ALTER TABLE provider_adjustments ADD COLUMN claim_id VARCHAR;
UPDATE provider_adjustments pa SET claim_id = m.claim_id
FROM (SELECT pa2.remittance_id, pa2.seq, min(cp.claim_id) AS claim_id
      FROM provider_adjustments pa2
      JOIN claim_payments cp ON cp.claim_id IS NOT NULL
       AND (cp.payer_claim_number = pa2.reference OR cp.claim_id = pa2.reference)
      WHERE pa2.reason_code IN ('WO', 'FB') AND pa2.reference IS NOT NULL
      GROUP BY ALL) m
WHERE pa.remittance_id = m.remittance_id AND pa.seq = m.seq;

-- A hand-posted EOB stored CLP02 = 4 ("denied") when nothing was paid; 4 is a code the payer
-- sends (it does not recognise the patient). A posting by hand is a processed claim (1): its
-- denial, if any, is read from its adjustments like any other.
UPDATE claim_payments SET status_code = '1'
WHERE status_code = '4'
  AND remittance_id IN (SELECT remittance_id FROM remittances WHERE source = 'manual');

-- 835 identity (DOMAIN.md): a payment is the same when payer + TRN02 + its content are the
-- same. The content's fingerprint (sha256 of the transaction's segments) is kept with it;
-- payments imported before it was kept have none (their trace number alone then decides).
ALTER TABLE remittances ADD COLUMN content_sha256 VARCHAR;

-- The line item control number (REF*6R) the 837P sends on every line and the 835 echoes under
-- SVC: lines match on it first.
ALTER TABLE line_payments ADD COLUMN line_control_number VARCHAR;
