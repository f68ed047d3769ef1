-- metdash store, version 1. Money is DECIMAL(12,2); dates are DATE; lists are DuckDB lists.
-- Integer ids are assigned by the application (max + 1 inside the write transaction, or
-- explicitly by bulk loads), so that Arrow bulk loads and single-row forms share one scheme.

CREATE TABLE practice (
    practice_id     INTEGER PRIMARY KEY,
    name            VARCHAR NOT NULL,
    billing_npi     VARCHAR NOT NULL,
    tax_id          VARCHAR NOT NULL,            -- EIN, NN-NNNNNNN
    taxonomy        VARCHAR,                     -- NUCC taxonomy code, e.g. 225100000X
    address_line1   VARCHAR,
    city            VARCHAR,
    state           VARCHAR,
    zip             VARCHAR,
    phone           VARCHAR,
    is_demo         BOOLEAN NOT NULL DEFAULT FALSE,
    kx_threshold    DECIMAL(12,2) NOT NULL DEFAULT 2410.00  -- Medicare therapy threshold for KX
);

CREATE TABLE providers (
    provider_id     INTEGER PRIMARY KEY,
    npi             VARCHAR NOT NULL UNIQUE,
    last_name       VARCHAR NOT NULL,
    first_name      VARCHAR NOT NULL,
    credential      VARCHAR,
    taxonomy        VARCHAR,
    active          BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE payers (
    payer_id            INTEGER PRIMARY KEY,
    name                VARCHAR NOT NULL UNIQUE,
    payer_type          VARCHAR NOT NULL CHECK (payer_type IN
                          ('medicare', 'medicare_advantage', 'medicaid', 'commercial',
                           'workers_comp', 'auto', 'other')),
    clearinghouse_payer_id VARCHAR,
    timely_filing_days  INTEGER NOT NULL DEFAULT 365,
    appeal_window_days  INTEGER NOT NULL DEFAULT 120,
    units_rule          VARCHAR NOT NULL DEFAULT 'cms' CHECK (units_rule IN ('cms', 'per_code')),
    requires_referral   BOOLEAN NOT NULL DEFAULT FALSE,
    requires_prior_auth BOOLEAN NOT NULL DEFAULT FALSE,
    usual_lag_days      INTEGER NOT NULL DEFAULT 30   -- days to payment the practice expects
);

-- The practice's own list of billable codes, in our own words (never the AMA descriptors).
CREATE TABLE cpt_codes (
    cpt             VARCHAR PRIMARY KEY,
    description     VARCHAR NOT NULL,
    timed           BOOLEAN NOT NULL,
    is_evaluation   BOOLEAN NOT NULL DEFAULT FALSE,
    active          BOOLEAN NOT NULL DEFAULT TRUE
);

-- The practice's charge per code, and what each payer is expected to allow.
CREATE TABLE fee_schedule (
    cpt             VARCHAR PRIMARY KEY,
    charge          DECIMAL(12,2) NOT NULL CHECK (charge >= 0)
);

CREATE TABLE payer_fee_schedule (
    payer_id        INTEGER NOT NULL,
    cpt             VARCHAR NOT NULL,
    allowed_amount  DECIMAL(12,2) NOT NULL CHECK (allowed_amount >= 0),
    PRIMARY KEY (payer_id, cpt)
);

CREATE TABLE referrers (
    referrer_id     INTEGER PRIMARY KEY,
    npi             VARCHAR NOT NULL UNIQUE,
    name            VARCHAR NOT NULL,            -- "Last, First" or an organization's name
    kind            VARCHAR NOT NULL CHECK (kind IN
                      ('physician', 'physical_therapist', 'specialist', 'other')),
    specialty       VARCHAR,
    organization    VARCHAR
);

CREATE TABLE clients (
    client_id       VARCHAR PRIMARY KEY,         -- the practice's chart number
    last_name       VARCHAR NOT NULL,
    first_name      VARCHAR NOT NULL,
    dob             DATE NOT NULL,
    sex             VARCHAR CHECK (sex IN ('F', 'M', 'U')),
    address_line1   VARCHAR,
    city            VARCHAR,
    state           VARCHAR,
    zip             VARCHAR,
    phone           VARCHAR,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE coverages (
    coverage_id     INTEGER PRIMARY KEY,
    client_id       VARCHAR NOT NULL,
    payer_id        INTEGER NOT NULL,
    member_id       VARCHAR NOT NULL,
    group_number    VARCHAR,
    relationship    VARCHAR NOT NULL DEFAULT 'self' CHECK (relationship IN
                      ('self', 'spouse', 'child', 'other')),
    subscriber_last_name  VARCHAR,               -- when the subscriber is not the client
    subscriber_first_name VARCHAR,
    subscriber_dob        DATE,
    effective_date  DATE NOT NULL,
    end_date        DATE,
    priority        VARCHAR NOT NULL DEFAULT 'primary' CHECK (priority IN
                      ('primary', 'secondary', 'tertiary'))
);

CREATE TABLE referrals (
    referral_id     INTEGER PRIMARY KEY,
    client_id       VARCHAR NOT NULL,
    referrer_id     INTEGER NOT NULL,
    received_date   DATE NOT NULL,
    diagnosis_codes VARCHAR[] NOT NULL,          -- billable ICD-10-CM, with the dot (M54.50)
    authorized_visits INTEGER,
    expiry_date     DATE,
    prior_auth_number VARCHAR,
    notes           VARCHAR
);

CREATE TABLE sessions (
    session_id      INTEGER PRIMARY KEY,
    client_id       VARCHAR NOT NULL,
    provider_id     INTEGER NOT NULL,
    referral_id     INTEGER,
    session_date    DATE NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN
                      ('initial_assessment', 'treatment', 'progress', 'discharge')),
    notes           VARCHAR
);

CREATE TABLE session_minutes (
    session_id      INTEGER NOT NULL,
    cpt             VARCHAR NOT NULL,
    minutes         INTEGER NOT NULL CHECK (minutes >= 0),
    PRIMARY KEY (session_id, cpt)
);

-- status: draft, ready, submitted, paid, partially_paid, denied, appealed, closed, voided
CREATE TABLE claims (
    claim_id        VARCHAR PRIMARY KEY,         -- ours: goes out as CLM01, comes back in CLP01
    client_id       VARCHAR NOT NULL,
    payer_id        INTEGER NOT NULL,
    coverage_id     INTEGER,
    referral_id     INTEGER,
    referrer_id     INTEGER,                     -- referring provider (2310A)
    rendering_provider_id INTEGER,
    status          VARCHAR NOT NULL DEFAULT 'draft' CHECK (status IN
                      ('draft', 'ready', 'submitted', 'paid', 'partially_paid', 'denied',
                       'appealed', 'closed', 'voided')),
    diagnosis_codes VARCHAR[] NOT NULL,          -- up to 12, in pointer order
    total_charge    DECIMAL(12,2) NOT NULL,
    first_service_date DATE NOT NULL,
    submitted_date  DATE,                        -- first submission to the payer
    last_submitted_date DATE,
    payer_claim_number VARCHAR,
    frequency_code  VARCHAR NOT NULL DEFAULT '1', -- 1 original, 7 replacement, 8 void
    original_claim_id VARCHAR,
    timely_filing_reason VARCHAR,
    source          VARCHAR NOT NULL DEFAULT 'form',  -- form, import, demo
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE claim_lines (
    claim_id        VARCHAR NOT NULL,
    line_no         INTEGER NOT NULL,
    service_date    DATE NOT NULL,
    cpt             VARCHAR NOT NULL,
    modifiers       VARCHAR[] NOT NULL DEFAULT [],
    units           INTEGER NOT NULL CHECK (units > 0),
    charge          DECIMAL(12,2) NOT NULL CHECK (charge >= 0),
    dx_pointers     INTEGER[] NOT NULL,          -- 1-based into claims.diagnosis_codes
    session_id      INTEGER,
    PRIMARY KEY (claim_id, line_no)
);

CREATE TABLE claim_status_history (
    claim_id        VARCHAR NOT NULL,
    seq             INTEGER NOT NULL,
    status          VARCHAR NOT NULL,
    status_date     DATE NOT NULL,
    changed_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    changed_by      VARCHAR NOT NULL,
    note            VARCHAR,
    PRIMARY KEY (claim_id, seq)
);

-- One payment from a payer: an 835 transaction (BPR/TRN) or a paper EOB posted by hand.
CREATE TABLE remittances (
    remittance_id   INTEGER PRIMARY KEY,
    payer_id        INTEGER,                     -- NULL when the payer is not one of ours
    payer_name      VARCHAR NOT NULL,            -- as the 835 names it (N1*PR)
    payer_key       VARCHAR NOT NULL,            -- TRN03 (or payer name): with the trace, unique
    payment_date    DATE NOT NULL,               -- BPR16
    method          VARCHAR NOT NULL,            -- CHK, ACH, NON, BOP, FWT
    trace_number    VARCHAR NOT NULL,            -- TRN02
    amount          DECIMAL(12,2) NOT NULL,      -- BPR02
    source          VARCHAR NOT NULL DEFAULT '835', -- 835, manual, demo
    source_file     VARCHAR,
    imported_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (payer_key, trace_number)
);

CREATE TABLE claim_payments (
    claim_payment_id INTEGER PRIMARY KEY,
    remittance_id   INTEGER NOT NULL,
    seq             INTEGER NOT NULL,            -- order of the CLP in its remittance
    claim_id        VARCHAR,                     -- NULL when CLP01 matches no claim of ours
    clp01           VARCHAR NOT NULL,
    status_code     VARCHAR NOT NULL,            -- CLP02
    charge          DECIMAL(12,2) NOT NULL,
    paid            DECIMAL(12,2) NOT NULL,
    patient_responsibility DECIMAL(12,2) NOT NULL DEFAULT 0,
    allowed         DECIMAL(12,2),               -- AMT*AU/B6 at claim level when sent
    payer_claim_number VARCHAR,
    service_from    DATE,
    service_to      DATE,
    received_date   DATE                         -- DTM*050
);

CREATE TABLE line_payments (
    line_payment_id INTEGER PRIMARY KEY,
    claim_payment_id INTEGER NOT NULL,
    line_no         INTEGER,                     -- our claim line it matched, if any
    cpt             VARCHAR NOT NULL,
    modifiers       VARCHAR[] NOT NULL DEFAULT [],
    charge          DECIMAL(12,2) NOT NULL,
    paid            DECIMAL(12,2) NOT NULL,
    allowed         DECIMAL(12,2),               -- AMT*B6 when sent
    units           INTEGER,
    service_date    DATE
);

-- CAS: claim level when line_payment_id is NULL.
CREATE TABLE adjustments (
    adjustment_id   INTEGER PRIMARY KEY,
    claim_payment_id INTEGER NOT NULL,
    line_payment_id INTEGER,
    group_code      VARCHAR NOT NULL CHECK (group_code IN ('CO', 'PR', 'OA', 'PI', 'CR')),
    carc            VARCHAR NOT NULL,
    amount          DECIMAL(12,2) NOT NULL,
    quantity        DECIMAL(12,2)
);

CREATE TABLE remark_codes (
    claim_payment_id INTEGER NOT NULL,
    line_payment_id INTEGER,
    code            VARCHAR NOT NULL              -- RARC from LQ*HE (or MOA/MIA)
);

-- PLB: provider-level adjustments, kept apart from claim A/R.
CREATE TABLE provider_adjustments (
    remittance_id   INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    fiscal_period_date DATE,
    reason_code     VARCHAR NOT NULL,            -- e.g. L6 interest, WO overpayment recovery
    reference       VARCHAR,
    amount          DECIMAL(12,2) NOT NULL,      -- as sent: positive reduces the payment
    PRIMARY KEY (remittance_id, seq)
);

CREATE TABLE appeals (
    appeal_id       INTEGER PRIMARY KEY,
    claim_id        VARCHAR NOT NULL,
    filed_date      DATE NOT NULL,
    level           INTEGER NOT NULL DEFAULT 1,
    reason          VARCHAR NOT NULL,
    outcome         VARCHAR NOT NULL DEFAULT 'pending' CHECK (outcome IN
                      ('pending', 'overturned', 'partially_overturned', 'upheld', 'withdrawn')),
    outcome_date    DATE,
    notes           VARCHAR
);

CREATE TABLE patient_payments (
    patient_payment_id INTEGER PRIMARY KEY,
    client_id       VARCHAR NOT NULL,
    claim_id        VARCHAR,
    payment_date    DATE NOT NULL,
    amount          DECIMAL(12,2) NOT NULL CHECK (amount > 0),
    method          VARCHAR NOT NULL DEFAULT 'card',  -- cash, check, card, hsa
    reference       VARCHAR
);

-- Control numbers for the X12 files we write (ISA13 interchange, GS06 group).
CREATE TABLE x12_control (
    name            VARCHAR PRIMARY KEY,
    last_number     BIGINT NOT NULL
);

CREATE TABLE audit_log (
    audit_id        BIGINT PRIMARY KEY,
    changed_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    user_name       VARCHAR NOT NULL,
    action          VARCHAR NOT NULL,            -- create, update, status, void, import, ...
    table_name      VARCHAR NOT NULL,
    record_key      VARCHAR NOT NULL,
    before          JSON,
    after           JSON
);

CREATE TABLE imports (
    import_id       INTEGER PRIMARY KEY,
    kind            VARCHAR NOT NULL,            -- claims-spreadsheet, 835
    file_name       VARCHAR NOT NULL,
    file_sha256     VARCHAR NOT NULL,
    imported_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    user_name       VARCHAR NOT NULL,
    summary         JSON
);
