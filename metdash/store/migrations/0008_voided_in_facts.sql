-- metdash: rebuild-facts
-- The line-, payment- and visit-level facts keep whether their claim is voided (what every
-- figure asks of them) instead of the claim's status. An 835 moves thousands of claims from
-- submitted to paid; with the status copied into these rows, each move rewrote every row of
-- the claim in five tables, and most of an 835 import's time went there. Now a status move
-- rewrites claim_facts only (and these rows only when a claim is voided or un-voided), and a
-- new payment adds its own rows (metdash.store.facts.sync). Derived data: dropped and recreated
-- here, then rebuilt from the source tables right after this migration.
DROP TABLE payment_facts;
DROP TABLE line_facts;
DROP TABLE first_line_facts;
DROP TABLE denial_facts;
DROP TABLE visit_facts;

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
    voided                  BOOLEAN NOT NULL           -- the claim's status is voided
);

CREATE TABLE line_facts (
    claim_id                VARCHAR NOT NULL,
    payer_id                INTEGER NOT NULL,
    referrer_id             INTEGER,
    rendering_provider_id   INTEGER,
    voided                  BOOLEAN NOT NULL,
    first_service_date      DATE NOT NULL,
    line_no                 INTEGER NOT NULL,
    service_date            DATE NOT NULL,
    cpt                     VARCHAR NOT NULL,
    units                   INTEGER NOT NULL,
    charge                  DECIMAL(12,2) NOT NULL,
    paid                    DECIMAL(12,2) NOT NULL,
    allowed                 DECIMAL(14,2),
    denied                  BOOLEAN NOT NULL
);

CREATE TABLE first_line_facts (
    claim_id                VARCHAR NOT NULL,
    payer_id                INTEGER NOT NULL,
    referrer_id             INTEGER,
    rendering_provider_id   INTEGER,
    voided                  BOOLEAN NOT NULL,
    first_service_date      DATE NOT NULL,
    first_adjudication_date DATE NOT NULL,
    cpt                     VARCHAR NOT NULL,
    charge                  DECIMAL(12,2) NOT NULL,
    denied                  BOOLEAN NOT NULL
);

CREATE TABLE denial_facts (
    claim_id                VARCHAR NOT NULL,
    payer_id                INTEGER NOT NULL,
    referrer_id             INTEGER,
    rendering_provider_id   INTEGER,
    voided                  BOOLEAN NOT NULL,
    first_service_date      DATE NOT NULL,
    claim_payment_id        INTEGER NOT NULL,
    line_payment_id         INTEGER,
    group_code              VARCHAR NOT NULL,
    carc                    VARCHAR NOT NULL,
    amount                  DECIMAL(12,2) NOT NULL,
    payment_date            DATE NOT NULL,
    cpt                     VARCHAR,
    n_lines                 BIGINT NOT NULL
);

CREATE TABLE visit_facts (
    claim_id        VARCHAR NOT NULL,
    client_id       VARCHAR NOT NULL,
    visit_date      DATE NOT NULL,
    referrer_id     INTEGER,
    voided          BOOLEAN NOT NULL
);
