-- One row per claim in the period: its first adjudication and first payment, as kept in
-- claim_facts (definitions in claim_facts.sql):
--   adjudicated  has a remittance that is not a reversal (22) or "not ours" (23)
--   denied       the first adjudication denied the claim or a line (DOMAIN.md: paid 0 with a
--                reason that is neither PR nor contractual CO-45/CO-253; or CLP02 4)
--   resolved     the first adjudication processed it, answered for the whole charge billed,
--                and every adjustment was CO-45/CO-253/PR
--   first_paid_date  payment date of the first remittance that paid more than 0
SELECT s.claim_id, s.payer_id, s.client_id, s.referrer_id, s.total_charge,
       s.first_service_date, s.submitted_date, s.first_claim_payment_id,
       s.first_adjudication_date, s.adjudicated, s.denied, s.claim_level_denied, s.resolved,
       s.first_paid_date,
       datediff('day', s.submitted_date, s.first_paid_date) AS days_to_payment,
       datediff('day', s.first_service_date, s.first_paid_date) AS days_from_service
FROM ({scope_facts}) s
