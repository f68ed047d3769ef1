-- Money the practice sends back to a payer that overpaid a claim (a duplicate payment: a
-- second CLP with no reversal, DOMAIN.md "One claim, several remittances"). Found by a
-- new-user trial (stop 46): an overpaid claim left the "Payers overpaid" list only when the
-- payer took the money back itself (a PLB recoupment); a payer that asks for a check had no
-- way to be repaid on the books. Rows are added, never changed. The ledger
-- (metdash/sql/ledger.sql) reads each as a recoupment does: the payer's money on the claim,
-- less the refund, on the refund's date (a payment negative), under the remittance that paid
-- the claim last from that payer (remittance_id: revenue by payer puts it under that payer).
CREATE TABLE payer_refunds (
    refund_id       INTEGER PRIMARY KEY,
    claim_id        VARCHAR NOT NULL,
    payer_id        INTEGER NOT NULL,
    remittance_id   INTEGER NOT NULL,
    refund_date     DATE NOT NULL,
    amount          DECIMAL(12,2) NOT NULL CHECK (amount > 0),
    method          VARCHAR NOT NULL CHECK (method IN ('check', 'eft')),
    reference       VARCHAR NOT NULL,
    note            VARCHAR,
    user_name       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);
