-- Rules a payer audits (issue 15, item 7).
--
-- Plans of care: Medicare wants each plan certified by the physician (signature within 30
-- days of the initial evaluation), for at most 90 calendar days from the first treatment,
-- then recertified with a new signature; a re-evaluation is not a recertification
-- (DOMAIN.md, "Deadlines"). The first treatment is day 1, so a plan starting 2025-01-01 is
-- certified through 2025-03-31 at the latest (start + 89 days). A recertification is a new
-- plan that names the plan it continues. Stores from before this migration have no plan on
-- file: none is guessed from the sessions (a guessed plan would show as unsigned).
CREATE TABLE plans_of_care (
    plan_id             INTEGER PRIMARY KEY,
    client_id           VARCHAR NOT NULL,
    referral_id         INTEGER,                 -- the referral the plan treats, if any
    referrer_id         INTEGER NOT NULL,        -- the certifying physician (a referrer)
    start_date          DATE NOT NULL,           -- the first treatment (the evaluation day)
    certified_through   DATE NOT NULL,
    signed_date         DATE,                    -- the physician's signature; NULL: unsigned
    recertifies_plan_id INTEGER,                 -- the plan this one recertifies
    notes               VARCHAR,
    CHECK (certified_through >= start_date AND certified_through <= start_date + 89)
);

-- Medicare's KX threshold by calendar year (PT and SLP combined; OT has its own equal
-- amount), counted per client per year on Medicare-allowed amounts; past the targeted
-- medical review amount ($3,000 through 2028) a claim earns a warning. The year of a line's
-- date of service picks the row. Replaces practice.kx_threshold (one number for every year).
CREATE TABLE kx_thresholds (
    year                INTEGER PRIMARY KEY,
    threshold           DECIMAL(12,2) NOT NULL CHECK (threshold > 0),
    review_threshold    DECIMAL(12,2)
);
INSERT INTO kx_thresholds (year, threshold, review_threshold) VALUES
    (2021, 2110.00, 3000.00), (2022, 2150.00, 3000.00), (2023, 2230.00, 3000.00),
    (2024, 2330.00, 3000.00), (2025, 2410.00, 3000.00), (2026, 2480.00, 3000.00);
ALTER TABLE practice DROP COLUMN kx_threshold;

-- The sessions a claim bills. The 8-minute rule counts a client's whole day, so a session
-- whose minutes only added to another session's line (10 + 10 minutes of 97110 = one
-- line of 1 unit) has no line of its own: it is billed all the same. Claims from before
-- (and claims not built from sessions) name their sessions on their lines alone.
CREATE TABLE claim_sessions (
    claim_id            VARCHAR NOT NULL,
    session_id          INTEGER NOT NULL
);
