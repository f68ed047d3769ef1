-- metdash: rebuild-facts
-- One row per claim payment matched to one of our claims, with its CAS totals and its
-- claim's filter columns: the money posted in a period (payments, contractual adjustments,
-- A/R as of a past date) is read from here instead of joining claim_payments, remittances,
-- adjustments and claims on every page view. Derived data, kept by metdash.store.facts with
-- claim_facts (the same claims are recomputed in the same transaction).
CREATE TABLE payment_facts (
    claim_payment_id        INTEGER NOT NULL,
    claim_id                VARCHAR NOT NULL,
    remittance_id           INTEGER NOT NULL,
    payment_date            DATE NOT NULL,
    status_code             VARCHAR NOT NULL,
    paid                    DECIMAL(12,2) NOT NULL,
    patient_responsibility  DECIMAL(12,2) NOT NULL,
    adjusted                DECIMAL(14,2) NOT NULL,   -- every CAS amount (PR included)
    contractual             DECIMAL(14,2) NOT NULL,   -- CO-45 and CO-253
    payer_id                INTEGER NOT NULL,          -- the claim's
    referrer_id             INTEGER,
    rendering_provider_id   INTEGER,
    claim_status            VARCHAR NOT NULL
);
