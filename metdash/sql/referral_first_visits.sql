-- Per referral received in [date_from, date_to]: referral_id, referrer_id, received_date,
-- first_visit_date (first visit on or after the referral date, any time), converted (first
-- visit within 30 days), days_to_first_session (for converted referrals only).
-- The same definition as referrer_volume.sql: a visit is a distinct client and date, from
-- sessions or from billed lines of claims that are not voided.
-- Only visits from $date_from on can be a first visit after a referral received in the
-- period, so older ones are left out up front (the whole history's visits are millions).
WITH visits AS (
    SELECT s.client_id, s.session_date AS visit_date
    FROM sessions s
    WHERE s.session_date >= $date_from
    UNION
    SELECT v.client_id, v.visit_date
    FROM visit_facts v
    WHERE NOT v.voided AND v.visit_date >= $date_from
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
