-- Other names and ids a payer's 835s give (found by a new-user trial of real payers' files):
-- an 835 names its payer in N1*PR (a Medicare contractor's "NORIDIAN JF PART B" for the
-- practice's "Medicare Part B") and identifies it by REF*2U, N104 or TRN03, none of which need
-- be the payer's name on file or the clearinghouse payer id its 837Ps go to. A payer had one
-- id only, so such a file was refused with no way to say whose it was. Each row here is one
-- such name or id, upper case with single spaces (metdash.entry.payer_names); the 835 import
-- finds the payer by it as by the payer's own name and id (metdash.x12.post835).
CREATE TABLE payer_remittance_names (
    name_id         INTEGER PRIMARY KEY,
    payer_id        INTEGER NOT NULL,
    remittance_name VARCHAR NOT NULL UNIQUE,
    user_name       VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);
