-- Rules a payer audits (issue 15, item 7).
--
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
