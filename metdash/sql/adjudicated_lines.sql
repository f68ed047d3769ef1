-- The latest adjudication of each billed line of the claims in the period (reversals and
-- "not ours" left out), with what the billed payer allowed and paid on it (a secondary's
-- payment is not the billed payer's: line_facts.own_paid), whether it was denied (kept in
-- line_facts), and what the payer's fee schedule says it should allow (expected = allowed
-- amount per unit × units billed).
SELECT lf.claim_id, lf.payer_id, py.name AS payer, lf.line_no, lf.service_date, lf.cpt,
       lf.units, lf.charge, lf.own_paid AS paid, lf.allowed, lf.denied,
       pf.allowed_amount * lf.units AS expected
FROM (SELECT * FROM line_facts WHERE {line_scope}) lf
JOIN payers py ON py.payer_id = lf.payer_id
LEFT JOIN payer_fee_schedule pf ON pf.payer_id = lf.payer_id AND pf.cpt = lf.cpt
