-- claims_ready_to_submit as it was before the work lists were made faster (metdash at 82da4c1):
-- tests/test_worklists_reference.py checks the new query gives the same rows.
-- Parameters: 1 x as_of
SELECT c.claim_id, c.client_id, cl.last_name || ', ' || cl.first_name AS client_name, p.name AS payer,
       c.first_service_date, c.total_charge,
       (c.first_service_date + p.timely_filing_days)::DATE AS filing_deadline,
       date_diff('day', ?::DATE, (c.first_service_date + p.timely_filing_days)::DATE)
           AS days_left
FROM claims c JOIN clients cl USING (client_id) JOIN payers p USING (payer_id)
WHERE c.status = 'ready'
ORDER BY filing_deadline, c.claim_id
