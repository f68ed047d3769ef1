-- The lines of each claim's first adjudication (claims in the period), with whether each was
-- denied and the denied part of its charge (kept in first_line_facts). When the remittance sent no service lines, the claim's
-- own lines stand in, denied when the claim was.
SELECT claim_id, payer_id, first_adjudication_date, cpt, charge, denied, denied_charge
FROM first_line_facts
WHERE {line_scope}
