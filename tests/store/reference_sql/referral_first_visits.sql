-- Per referral received in [date_from, date_to]: referral_id, referrer_id, received_date,
-- first_visit_date (first visit on or after the referral date, any time), converted (first
-- visit within 30 days), days_to_first_session (for converted referrals only).
-- The same definition as referrer_volume.sql: a visit is a distinct client and date, from
-- sessions or from billed lines of claims that are not voided.
WITH visits AS (
    SELECT s.client_id, s.session_date AS visit_date
    FROM sessions s
    UNION
    SELECT c.client_id, l.service_date
    FROM claims c JOIN claim_lines l USING (claim_id)
    WHERE c.status <> 'voided'
),
refs AS (
    SELECT r.referral_id, r.referrer_id, r.client_id, r.received_date
    FROM referrals r
    WHERE r.received_date BETWEEN $date_from AND $date_to
      AND ($referrers::INTEGER[] IS NULL OR list_contains($referrers::INTEGER[], r.referrer_id))
),
first_visit AS (
    SELECT rf.referral_id, min(v.visit_date) AS first_visit_date
    FROM refs rf
    JOIN visits v ON v.client_id = rf.client_id AND v.visit_date >= rf.received_date
    GROUP BY rf.referral_id
)
SELECT rf.referral_id, rf.referrer_id, rf.received_date, fv.first_visit_date,
       coalesce(fv.first_visit_date <= rf.received_date + 30, FALSE) AS converted,
       CASE WHEN fv.first_visit_date <= rf.received_date + 30
            THEN datediff('day', rf.received_date, fv.first_visit_date) END
           AS days_to_first_session
FROM refs rf LEFT JOIN first_visit fv USING (referral_id)
ORDER BY rf.received_date, rf.referral_id
