-- Per referrer: referrals received in the period, how many became clients (first visit
-- within 30 days), days to that first visit, visits in the period by the clients each sent,
-- billed and paid (payer + patient payments) on the claims in the period that name them.
-- A visit is a distinct client and date, from sessions or from billed lines (a practice
-- that imported claims has lines but no sessions).
WITH scope AS ({scope_claims}),
-- Only visits from $date_from on are ever used (first visits follow a referral received in
-- the period; sessions are counted in the period), so older ones are left out up front.
visits AS (
    SELECT s.client_id, s.session_date AS visit_date, rf.referrer_id
    FROM sessions s LEFT JOIN referrals rf USING (referral_id)
    WHERE s.session_date >= $date_from
    UNION
    SELECT c.client_id, l.service_date, c.referrer_id
    FROM claims c JOIN claim_lines l USING (claim_id)
    WHERE c.status <> 'voided' AND l.service_date >= $date_from
),
refs AS (
    SELECT r.*
    FROM referrals r
    WHERE r.received_date BETWEEN $date_from AND $date_to
      AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], r.referrer_id))
),
first_visit AS (
    SELECT rf.referral_id, min(v.visit_date) AS first_visit_date
    FROM refs rf
    JOIN (SELECT DISTINCT client_id, visit_date FROM visits) v
      ON v.client_id = rf.client_id AND v.visit_date >= rf.received_date
    GROUP BY rf.referral_id
),
ref_stats AS (
    SELECT rf.referrer_id,
           count(*) AS referrals,
           count(*) FILTER (WHERE fv.first_visit_date <= rf.received_date + 30) AS converted,
           median(datediff('day', rf.received_date, fv.first_visit_date))
               FILTER (WHERE fv.first_visit_date <= rf.received_date + 30)
               AS days_to_first_session
    FROM refs rf LEFT JOIN first_visit fv USING (referral_id)
    GROUP BY rf.referrer_id
),
visit_stats AS (
    SELECT referrer_id, count(DISTINCT (client_id, visit_date)) AS sessions
    FROM visits
    WHERE visit_date BETWEEN $date_from AND $date_to AND referrer_id IS NOT NULL
      AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], referrer_id))
    GROUP BY referrer_id
),
claim_paid AS (
    SELECT p.claim_id, sum(p.paid) AS paid
    FROM claim_payments p JOIN scope s USING (claim_id)
    WHERE p.status_code <> '23'
    GROUP BY p.claim_id
),
patient_paid AS (
    SELECT pp.claim_id, sum(pp.amount) AS paid
    FROM patient_payments pp JOIN scope s USING (claim_id)
    GROUP BY pp.claim_id
),
money AS (
    SELECT s.referrer_id,
           sum(s.total_charge) AS billed,
           sum(coalesce(cp.paid, 0) + coalesce(pp.paid, 0)) AS paid
    FROM scope s
    LEFT JOIN claim_paid cp USING (claim_id)
    LEFT JOIN patient_paid pp USING (claim_id)
    WHERE s.referrer_id IS NOT NULL
    GROUP BY s.referrer_id
),
last_ref AS (
    SELECT referrer_id, max(received_date) AS last_referral
    FROM referrals WHERE received_date <= $date_to
    GROUP BY referrer_id
)
SELECT r.referrer_id, r.npi, r.name, r.kind, r.specialty, r.organization,
       coalesce(rs.referrals, 0) AS referrals,
       coalesce(rs.converted, 0) AS converted,
       rs.days_to_first_session,
       coalesce(vs.sessions, 0) AS sessions,
       coalesce(m.billed, 0)::DECIMAL(14,2) AS billed,
       coalesce(m.paid, 0)::DECIMAL(14,2) AS paid,
       lr.last_referral
FROM referrers r
LEFT JOIN ref_stats rs USING (referrer_id)
LEFT JOIN visit_stats vs USING (referrer_id)
LEFT JOIN money m USING (referrer_id)
LEFT JOIN last_ref lr USING (referrer_id)
WHERE coalesce(rs.referrals, 0) > 0 OR coalesce(vs.sessions, 0) > 0 OR coalesce(m.billed, 0) > 0
ORDER BY referrals DESC, paid DESC, r.name
