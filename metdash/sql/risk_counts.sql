-- What the denial-risk model learns from and is tested on, counted in the store
-- (metdash/risk.py, metdash/risk_eval.py), in one read of the lines. The adjudicated lines of
-- claims not voided, in up to three parts:
--
-- - 'model': first adjudicated on or before $model_to (NULL: no such part) and on or after
--   $model_from (NULL: since the start) -- what the model learns from;
-- - 'split': the same with $split_from and $split_to -- what the time split's model learns from;
-- - 'test': the claims first served on or after $test_from (NULL: no such part), first
--   adjudicated on or before $test_to (NULL: whenever) -- what the time split tests on, the
--   answers known by the day the history ends.
--
-- One row per part and combination of features. Columns: part, payer, cpt, modifiers, units,
-- dx, auth, visits, days, provider (text, as metdash.risk_features.features computes them),
-- half (0 or 1: the part's claims in claim_id order, alternately, for cross-fitting; 0 in
-- 'test'), lines, denied (lines denied at their claim's first adjudication), in no order.
--
-- The features are risk_features.features() written again in SQL, on the rows
-- risk_lines.sql reads, so that training never loads a line into Python; keep the two in step
-- (tests/test_risk_store.py checks that they count alike). A line's answer is matched by code,
-- and visit numbers count every earlier claim not voided, as in risk_lines.sql. Every line
-- counted here is adjudicated: none counts its days to today (risk_features.reached_payer),
-- so the counts of a history are the same whatever the day they are read.
WITH answers AS (
    -- first_line_facts carries its claim's first adjudication date and first service date on
    -- each of its lines: these filters take or leave whole claims.
    SELECT claim_id, cpt, bool_or(denied) AS denied,
           min(first_adjudication_date) AS first_adjudication_date
    FROM first_line_facts
    WHERE NOT voided
      AND (first_adjudication_date <= $model_to::DATE
           AND ($model_from::DATE IS NULL OR first_adjudication_date >= $model_from::DATE)
           OR first_adjudication_date <= $split_to::DATE
           AND ($split_from::DATE IS NULL OR first_adjudication_date >= $split_from::DATE)
           OR first_service_date >= $test_from::DATE
           AND ($test_to::DATE IS NULL OR first_adjudication_date <= $test_to::DATE))
    GROUP BY claim_id, cpt
),
received AS (   -- the payer's received date (DTM*050) on the first adjudication of a claim
                -- answered with no sent date on file
    SELECT c.claim_id, cp.received_date
    FROM claims c
    JOIN claim_facts cf USING (claim_id)
    JOIN claim_payments cp ON cp.claim_payment_id = cf.first_claim_payment_id
    WHERE c.submitted_date IS NULL
),
answered AS (   -- the lines with an answer (matched by code)
    SELECT l.*, a.denied, a.first_adjudication_date
    FROM claim_lines l JOIN answers a USING (claim_id, cpt)
),
-- A claim's visit number in its calendar year with its payer counts the claims of that year
-- only: the windows read the claims from the first of January of the earliest claim
-- answered, and a referral's visits before then are counted, not numbered.
cutoff AS (
    SELECT make_date(year(min(first_service_date)), 1, 1) AS day
    FROM claims WHERE claim_id IN (SELECT claim_id FROM answered)
),
earlier AS (
    SELECT referral_id, count(*) AS visits
    FROM claims
    WHERE status <> 'voided' AND referral_id IS NOT NULL
      AND first_service_date < (SELECT day FROM cutoff)
    GROUP BY referral_id
),
numbered AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.client_id, c.payer_id, year(c.first_service_date)
                              ORDER BY c.first_service_date, c.claim_id) AS year_visit,
           CASE WHEN c.referral_id IS NOT NULL THEN
               coalesce(e.visits, 0) + row_number() OVER (PARTITION BY c.referral_id
                                          ORDER BY c.first_service_date, c.claim_id) END
               AS referral_visit
    FROM claims c LEFT JOIN earlier e ON e.referral_id = c.referral_id
    WHERE c.status <> 'voided' AND c.first_service_date >= (SELECT day FROM cutoff)
),
featured AS (
    -- the day the claim reached the payer (risk_features.reached_payer): sent, else
    -- received, else answered; never after its first adjudication
    SELECT least(coalesce(c.submitted_date, rd.received_date, l.first_adjudication_date),
                 l.first_adjudication_date) AS reached,
           l.first_adjudication_date <= $model_to::DATE
               AND ($model_from::DATE IS NULL
                    OR l.first_adjudication_date >= $model_from::DATE) AS in_model,
           l.first_adjudication_date <= $split_to::DATE
               AND ($split_from::DATE IS NULL
                    OR l.first_adjudication_date >= $split_from::DATE) AS in_split,
           c.first_service_date >= $test_from::DATE
               AND ($test_to::DATE IS NULL
                    OR l.first_adjudication_date <= $test_to::DATE) AS in_test,
           c.claim_id, l.denied,
           coalesce(p.name, '') AS payer,
           coalesce(l.cpt, '') AS cpt,
           coalesce(array_to_string(list_sort(l.modifiers), ':'), '') AS modifiers,
           -- risk_features.UNITS_BANDS
           CASE WHEN l.units >= 4 THEN '4+' WHEN l.units >= 3 THEN '3' WHEN l.units >= 2 THEN '2'
                ELSE '1' END AS units,
           left(coalesce(c.diagnosis_codes[coalesce(l.dx_pointers[1], 1)], ''), 3) AS dx,
           -- risk_features.auth_state, in its order of precedence
           CASE WHEN coalesce(p.requires_prior_auth, false)
                     AND coalesce(r.prior_auth_number, '') = '' THEN 'no_auth'
                WHEN coalesce(p.requires_referral, false) AND c.referral_id IS NULL
                    THEN 'no_referral'
                WHEN c.referral_id IS NOT NULL AND r.expiry_date IS NOT NULL
                     AND l.service_date > r.expiry_date THEN 'expired'
                WHEN c.referral_id IS NOT NULL AND r.authorized_visits IS NOT NULL
                     AND coalesce(c.referral_visit, 0) > r.authorized_visits THEN 'over_visits'
                WHEN coalesce(p.requires_prior_auth, false) OR coalesce(p.requires_referral, false)
                     OR c.referral_id IS NOT NULL THEN 'ok'
                ELSE 'not_required' END AS auth,
           -- risk_features.VISIT_BANDS
           CASE WHEN c.year_visit >= 21 THEN '21+' WHEN c.year_visit >= 13 THEN '13-20'
                ELSE '1-12' END AS visits,
           -- risk_features.DAYS_BANDS: days from the service to the day it reached the payer
           CASE WHEN date_diff('day', c.first_service_date, reached) >= 91 THEN '91+'
                WHEN date_diff('day', c.first_service_date, reached) >= 61 THEN '61-90'
                WHEN date_diff('day', c.first_service_date, reached) >= 31 THEN '31-60'
                ELSE '0-30' END AS days,
           coalesce(pr.last_name || ', ' || pr.first_name, '(no provider)') AS provider
    FROM answered l
    JOIN numbered c USING (claim_id)
    JOIN payers p ON p.payer_id = c.payer_id
    LEFT JOIN providers pr ON pr.provider_id = c.rendering_provider_id
    LEFT JOIN referrals r ON r.referral_id = c.referral_id
    LEFT JOIN received rd ON rd.claim_id = l.claim_id
),
-- half: pandas.factorize(claim_id) % 2 over a part's lines in claim_id order
model_halves AS (
    SELECT claim_id, (row_number() OVER (ORDER BY claim_id) - 1) % 2 AS half
    FROM (SELECT DISTINCT claim_id FROM featured WHERE in_model)
),
split_halves AS (
    SELECT claim_id, (row_number() OVER (ORDER BY claim_id) - 1) % 2 AS half
    FROM (SELECT DISTINCT claim_id FROM featured WHERE in_split)
)
SELECT 'model' AS part, payer, cpt, modifiers, units, dx, auth, visits, days, provider, half,
       count(*) AS lines, count(*) FILTER (WHERE denied) AS denied
FROM featured JOIN model_halves USING (claim_id)
WHERE in_model
GROUP BY ALL
UNION ALL
SELECT 'split' AS part, payer, cpt, modifiers, units, dx, auth, visits, days, provider, half,
       count(*) AS lines, count(*) FILTER (WHERE denied) AS denied
FROM featured JOIN split_halves USING (claim_id)
WHERE in_split
GROUP BY ALL
UNION ALL
SELECT 'test' AS part, payer, cpt, modifiers, units, dx, auth, visits, days, provider, 0 AS half,
       count(*) AS lines, count(*) FILTER (WHERE denied) AS denied
FROM featured WHERE in_test
GROUP BY ALL
