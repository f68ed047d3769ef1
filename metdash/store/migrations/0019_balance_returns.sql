-- Money the practice had taken off a claim's insurance side coming back to it: a balance moved
-- to the client (balance_transfers) or an insurance write-off (write_offs) that is undone.
--
-- Found by a new-user trial (stop 30): a denial moved to the client, then paid on appeal,
-- could not be posted (the claim "would owe -$50"), and a move could not be undone. A biller's
-- system returns the moved amount from the client to the payer when the payer pays, and
-- recovers a written-off balance the payer pays after all. Rows are added, never changed:
--   * by posting (an 835 or an EOB): the payer paid what had been moved or written off, so
--     the claim's insurance side would go below zero; the newest moves come back first, then
--     the newest write-offs, as far as the payment took the claim below zero (remittance_id names it);
--   * by hand: "Undo this move" / "Undo this write-off" (remittance_id NULL).
-- The ledger (metdash/sql/ledger.sql) shows each as the reversal of the row it undoes.
CREATE TABLE balance_returns (
    return_id       INTEGER PRIMARY KEY,
    claim_id        VARCHAR NOT NULL,
    client_id       VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('transfer', 'write_off')),
    source_id       INTEGER NOT NULL,       -- transfer_id or write_off_id
    amount          DECIMAL(12,2) NOT NULL CHECK (amount > 0),
    return_date     DATE NOT NULL,
    remittance_id   INTEGER,                -- the payment that brought it back (NULL: by hand)
    reason          VARCHAR NOT NULL,
    user_name       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);
