-- Per referrer, for the week [$week_start, $week_end] (Monday..Sunday): referrals this week,
-- in the 4 and the 12 full weeks before it, first referral ever, last referral up to the
-- week's end, referrals up to the week's end, and the median gap (days) between its
-- consecutive distinct referral dates up to the week's end.
WITH r AS (
    SELECT referrer_id, received_date FROM referrals WHERE received_date <= $week_end
),
dates AS (SELECT DISTINCT referrer_id, received_date FROM r),
gaps AS (
    SELECT referrer_id,
           datediff('day', lag(received_date) OVER (PARTITION BY referrer_id
                                                    ORDER BY received_date),
                    received_date) AS gap
    FROM dates
),
gap_stats AS (
    SELECT referrer_id, median(gap)::DOUBLE AS median_gap_days
    FROM gaps WHERE gap IS NOT NULL GROUP BY referrer_id
),
counts AS (
    SELECT referrer_id,
           count(*) FILTER (WHERE received_date >= $week_start) AS this_week,
           count(*) FILTER (WHERE received_date BETWEEN $week_start - 28 AND $week_start - 1)
               AS prior_4w,
           count(*) FILTER (WHERE received_date BETWEEN $week_start - 84 AND $week_start - 1)
               AS prior_12w,
           count(*) AS referrals_to_date,
           min(received_date) AS first_referral,
           max(received_date) AS last_referral
    FROM r GROUP BY referrer_id
)
SELECT f.referrer_id, f.name, f.kind, f.npi, f.specialty, f.organization,
       coalesce(c.this_week, 0) AS this_week,
       coalesce(c.prior_4w, 0) AS prior_4w,
       coalesce(c.prior_12w, 0) AS prior_12w,
       coalesce(c.referrals_to_date, 0) AS referrals_to_date,
       c.first_referral, c.last_referral, g.median_gap_days
FROM referrers f
LEFT JOIN counts c USING (referrer_id)
LEFT JOIN gap_stats g USING (referrer_id)
ORDER BY f.name
