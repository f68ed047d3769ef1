-- metdash: rebuild-facts
-- The derived tables of the ledger (0011; metdash.store.facts, definitions in metdash/sql/):
-- `ledger`, every money event of each claim with its effect on insurance and patient A/R, and
-- claim_facts recomputed from it (balances, denied amount still owed, payments net of
-- reversals, the current adjudications' allowed, cost share and contractual amounts).
-- payment_facts, which held each CLP's totals for the A/R and payment figures, is replaced by
-- the ledger. Rebuilt from the source tables right after this migration.
DROP TABLE payment_facts;
DROP TABLE claim_facts;
CREATE TABLE claim_facts (
    claim_id                VARCHAR NOT NULL,
    client_id               VARCHAR NOT NULL,
    payer_id                INTEGER NOT NULL,
    referrer_id             INTEGER,
    rendering_provider_id   INTEGER,
    status                  VARCHAR NOT NULL,
    total_charge            DECIMAL(12,2) NOT NULL,
    first_service_date      DATE NOT NULL,
    submitted_date          DATE,
    -- first voided date in the history (0001-01-01 when voided without history); NULL else
    voided_date             DATE,
    -- the ledger's sums (metdash/sql/ledger.sql): what each side owes now, and when the
    -- claim's first (the charge) and last money events posted
    insurance_balance       DECIMAL(14,2) NOT NULL,
    patient_balance         DECIMAL(14,2) NOT NULL,
    denied_open             DECIMAL(14,2) NOT NULL,
    first_ledger_date       DATE,
    last_ledger_date        DATE,
    -- revenue, in the current state: payer payments (net of reversals and recoupments),
    -- allowed and cost share of each payer's current adjudication, contractual adjustments
    paid                    DECIMAL(14,2) NOT NULL,
    allowed                 DECIMAL(14,2) NOT NULL,
    patient_responsibility  DECIMAL(14,2) NOT NULL,
    contractual             DECIMAL(14,2) NOT NULL,
    -- the first adjudication (not a reversal 22 nor "not ours" 23) and the first payment > 0
    first_claim_payment_id  INTEGER,
    first_adjudication_date DATE,
    adjudicated             BOOLEAN NOT NULL,
    denied                  BOOLEAN NOT NULL,
    claim_level_denied      BOOLEAN NOT NULL,
    resolved                BOOLEAN NOT NULL,
    first_paid_date         DATE
);

CREATE TABLE ledger (
    claim_id                VARCHAR NOT NULL,
    client_id               VARCHAR NOT NULL,
    payer_id                INTEGER NOT NULL,          -- the claim's
    referrer_id             INTEGER,
    rendering_provider_id   INTEGER,
    voided                  BOOLEAN NOT NULL,
    first_service_date      DATE NOT NULL,
    entry_date              DATE NOT NULL,
    seq                     BIGINT NOT NULL,           -- orders the claim's events
    kind                    VARCHAR NOT NULL,          -- charge, payer_payment, contractual,
                                                       -- cost_share, cob, denial,
                                                       -- transfer_to_client, write_off,
                                                       -- patient_payment, refund
    reversal                BOOLEAN NOT NULL,          -- undoes an earlier adjudication's row
    destination             VARCHAR,                   -- cost share: 'client' / 'next_payer'
    source                  VARCHAR NOT NULL,          -- claim, claim_payment, plb, write_off,
                                                       -- transfer, patient_payment, refund
    source_id               BIGINT,
    remittance_id           INTEGER,
    group_code              VARCHAR,
    carc                    VARCHAR,
    amount                  DECIMAL(14,2) NOT NULL,    -- the event's amount, signed as sent
    insurance               DECIMAL(14,2) NOT NULL,    -- its effect on insurance A/R
    patient                 DECIMAL(14,2) NOT NULL     -- its effect on patient A/R
);

