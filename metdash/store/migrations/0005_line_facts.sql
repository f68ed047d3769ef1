-- metdash: rebuild-facts
-- Line-level derived data, kept by metdash.store.facts with claim_facts (the same claims are
-- recomputed in the same transaction): each billed line's latest adjudication, the lines of
-- each claim's first adjudication, and every denial adjustment, each with its claim's filter
-- columns. The revenue and denials pages read these instead of joining line_payments,
-- adjustments, claim_payments and remittances on every view. Definitions in
-- metdash/sql/line_facts.sql, first_line_facts.sql and denial_facts.sql.
CREATE TABLE line_facts (
    claim_id                VARCHAR NOT NULL,
    payer_id                INTEGER NOT NULL,
    referrer_id             INTEGER,
    rendering_provider_id   INTEGER,
    claim_status            VARCHAR NOT NULL,
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
    claim_status            VARCHAR NOT NULL,
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
    claim_status            VARCHAR NOT NULL,
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
