-- plan_of_care_to_recertify as it was before the work lists were made faster (metdash at 82da4c1):
-- tests/test_worklists_reference.py checks the new query gives the same rows.
-- Parameters: 6 x as_of
WITH due AS (
    SELECT p.* FROM plans_of_care p
    WHERE p.start_date <= ?::DATE
      AND p.certified_through <= ?::DATE + 14
      AND NOT EXISTS (SELECT 1 FROM plans_of_care r
                      WHERE r.recertifies_plan_id = p.plan_id)
      AND NOT EXISTS (SELECT 1 FROM plans_of_care n
                      WHERE n.client_id = p.client_id AND n.start_date > p.start_date)
), recent AS (
    SELECT client_id, max(session_date) AS last_seen FROM sessions
    WHERE session_date >= ?::DATE - 60 AND session_date <= ?::DATE
      AND client_id IN (SELECT client_id FROM due)
    GROUP BY client_id
), discharges AS (
    SELECT client_id, max(session_date) AS discharged FROM sessions
    WHERE kind = 'discharge' AND session_date <= ?::DATE
      AND client_id IN (SELECT client_id FROM due)
    GROUP BY client_id
)
SELECT d.plan_id, d.client_id, cl.last_name || ', ' || cl.first_name AS client_name, f.name AS certified_by,
       d.start_date AS plan_start, d.certified_through AS recert_due,
       date_diff('day', ?::DATE, d.certified_through) AS days_left, d.signed_date
FROM due d JOIN recent r USING (client_id) LEFT JOIN discharges x USING (client_id)
JOIN clients cl USING (client_id) LEFT JOIN referrers f USING (referrer_id)
WHERE r.last_seen >= d.start_date
  AND (x.discharged IS NULL OR x.discharged < d.start_date)
ORDER BY days_left, d.plan_id
