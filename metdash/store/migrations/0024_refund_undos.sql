-- A refund undone: to a client (patient_refunds) or to a payer (payer_refunds).
--
-- Carried from stop 46 on: a refund recorded by mistake (the wrong client, a check never
-- sent, a payer's check returned uncashed) could not be undone, so the client's credit or the
-- payer's overpayment it had settled was gone from the books for good. Rows are still added,
-- never changed: an undo is a row of the same table with the refund's amount negated, dated the
-- day it was undone, naming the refund it undoes (reverses). Every reader that sums refunds
-- (the ledger, payments posted, a client's credit, the forecast's history) then nets it
-- without a change, on its own date: money posted between the refund and its undo is less by
-- the refund, and the same again after it.
--
-- DuckDB cannot drop a CHECK constraint, so both tables are rebuilt (the views that read them
-- bind by name, when they run).
CREATE TABLE patient_refunds_0024 (
    refund_id       INTEGER PRIMARY KEY,
    client_id       VARCHAR NOT NULL,
    claim_id        VARCHAR,
    refund_date     DATE NOT NULL,
    amount          DECIMAL(12,2) NOT NULL CHECK (amount <> 0),
    method          VARCHAR NOT NULL DEFAULT 'check',
    reference       VARCHAR,
    note            VARCHAR,
    user_name       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    -- the refund this row undoes (NULL: a refund); an undo's amount is the refund's, negated
    reverses        INTEGER,
    CHECK ((reverses IS NULL) = (amount > 0))
);
INSERT INTO patient_refunds_0024 (refund_id, client_id, claim_id, refund_date, amount, method,
                                  reference, note, user_name, created_at)
SELECT refund_id, client_id, claim_id, refund_date, amount, method, reference, note,
       user_name, created_at
FROM patient_refunds;
DROP TABLE patient_refunds;
ALTER TABLE patient_refunds_0024 RENAME TO patient_refunds;

CREATE TABLE payer_refunds_0024 (
    refund_id       INTEGER PRIMARY KEY,
    claim_id        VARCHAR NOT NULL,
    payer_id        INTEGER NOT NULL,
    remittance_id   INTEGER NOT NULL,
    refund_date     DATE NOT NULL,
    amount          DECIMAL(12,2) NOT NULL CHECK (amount <> 0),
    method          VARCHAR NOT NULL CHECK (method IN ('check', 'eft')),
    reference       VARCHAR NOT NULL,
    note            VARCHAR,
    user_name       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    reverses        INTEGER,
    CHECK ((reverses IS NULL) = (amount > 0))
);
INSERT INTO payer_refunds_0024 (refund_id, claim_id, payer_id, remittance_id, refund_date,
                                amount, method, reference, note, user_name, created_at)
SELECT refund_id, claim_id, payer_id, remittance_id, refund_date, amount, method, reference,
       note, user_name, created_at
FROM payer_refunds;
DROP TABLE payer_refunds;
ALTER TABLE payer_refunds_0024 RENAME TO payer_refunds;
