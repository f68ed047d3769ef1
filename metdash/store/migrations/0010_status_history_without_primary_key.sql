-- claim_status_history without its PRIMARY KEY (claim_id, seq). The key's index held one entry
-- per status move (9.5 million on a 5M-line practice): loading it took most of the first write
-- after the store was opened (80 ms of an 835 import) and its memory stayed. Each write path
-- numbers a claim's moves max(seq) + 1 inside its write transaction, and write transactions take
-- turns (one process holds the file; metdash.store.db's write lock inside it), so the numbering stays
-- unique; tests check it. Rewritten in claim order, which lets the facts refresh skip the
-- history of claims it is not recomputing.
CREATE TABLE claim_status_history_0010 (
    claim_id        VARCHAR NOT NULL,
    seq             INTEGER NOT NULL,
    status          VARCHAR NOT NULL,
    status_date     DATE NOT NULL,
    changed_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    changed_by      VARCHAR NOT NULL,
    note            VARCHAR
);
INSERT INTO claim_status_history_0010
SELECT claim_id, seq, status, status_date, changed_at, changed_by, note
FROM claim_status_history ORDER BY claim_id, seq;
DROP TABLE claim_status_history;
ALTER TABLE claim_status_history_0010 RENAME TO claim_status_history;
