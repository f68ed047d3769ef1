-- (Included, as {clp_order}, by ledger.sql, claim_facts.sql, standing_clps.sql and
-- metdash.worklists.payments_taken_back: the one statement of the order of a claim's CLPs per
-- payer.) Needs a CTE `cp` of CLPs with claim_payment_id, reverses_id, payment_date,
-- remittance_id and seq. Ends in `keyed`: cp's rows with k_date, k_remittance, k_seq, k_id,
-- their place in a window
--     PARTITION BY claim_id, payer_part ORDER BY k_date, k_remittance, k_seq, k_id
-- Posting order: payment date, remittance, CLP position; except that a reversal (CLP02 22)
-- comes right after the CLP it reverses (claim_payments.reverses_id, migration 0029), where
-- the undo it makes is read (lead / lag). Most reversals reverse the CLP just before them,
-- and stay where they are; a payer that split a claim (A: lines 1-2, B: line 3) and then
-- reversed A and corrected it (R, A') has A, R, B, A': A undone by R on R's own date, B
-- standing. A reversal naming none (a 22 with nothing before it, or after another 22: it
-- posts its own amounts) has its own place. k_id is twice the id a CLP is placed by, plus one
-- for a reversal: after the CLP it reverses, and never equal to another's.
reversal_places AS (
    SELECT r.claim_payment_id, t.payment_date, t.remittance_id, t.seq, t.claim_payment_id AS id
    FROM cp r JOIN cp t ON t.claim_payment_id = r.reverses_id
    WHERE r.reverses_id IS NOT NULL
),
keyed AS (
    SELECT cp.*, coalesce(v.payment_date, cp.payment_date) AS k_date,
           coalesce(v.remittance_id, cp.remittance_id) AS k_remittance,
           coalesce(v.seq, cp.seq) AS k_seq,
           2 * coalesce(v.id, cp.claim_payment_id)::BIGINT + (v.id IS NOT NULL)::INTEGER AS k_id
    FROM cp LEFT JOIN reversal_places v USING (claim_payment_id)
)
