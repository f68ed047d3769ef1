-- Claims in the period: not voided, first service date in [date_from, date_to], filtered
-- (scope_facts: the claims' own columns as kept in claim_facts).
{scope_facts}
