-- metdash: rebuild-facts
-- What the figures need about each claim, kept per claim so that A/R, first adjudication,
-- days to payment and revenue read one row per claim instead of netting the whole payment
-- history on every page view. Derived data: metdash.store.facts computes it from claims,
-- claim_status_history, claim_payments, line_payments, adjustments and remittances, for the
-- claims each write transaction touches, before it commits (and for every claim right after
-- this migration). Never written by hand; `metdash facts check` compares it with a full
-- recomputation.
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
    -- first closed/voided date in the status history; 0001-01-01 when the claim is closed or
    -- voided without history; NULL while it is open
    ended_date              DATE,
    -- every claim payment posted to it (reversals and "not ours" included) and their CAS
    posted_paid             DECIMAL(14,2) NOT NULL,
    posted_adjusted         DECIMAL(14,2) NOT NULL,
    first_posted_date       DATE,
    last_posted_date        DATE,
    -- revenue: claim payments other than "not ours" (CLP02 23); allowed = AMT*B6 else paid + PR
    allowed                 DECIMAL(14,2) NOT NULL,
    paid                    DECIMAL(14,2) NOT NULL,
    patient_responsibility  DECIMAL(14,2) NOT NULL,
    -- the first adjudication (not a reversal 22 nor "not ours" 23) and the first payment > 0
    first_claim_payment_id  INTEGER,
    first_adjudication_date DATE,
    adjudicated             BOOLEAN NOT NULL,
    denied                  BOOLEAN NOT NULL,
    claim_level_denied      BOOLEAN NOT NULL,
    resolved                BOOLEAN NOT NULL,
    first_paid_date         DATE
);

-- How far the facts have seen claim_payments (ids only grow; see metdash.store.facts.sync).
CREATE TABLE claim_facts_state (
    last_claim_payment_id   BIGINT NOT NULL
);
INSERT INTO claim_facts_state VALUES (-1);
