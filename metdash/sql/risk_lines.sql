-- One row per line of every claim that is not voided: what the denial-risk model reads
-- (metdash/risk_features.py). For claims adjudicated, whether the line was denied at the
-- claim's first adjudication (first_line_facts, matched by code: a claim bills a code on one
-- line, and two lines of one code share their answer). Visit numbers count only earlier
-- claims, so a claim's features never read the future. Only the claims served on or after
-- $since (every claim when NULL) and the claims not yet sent (draft, ready) are read, or with
-- $pending_only the claims not yet sent alone; visit numbers still count every claim.
WITH wanted AS (
    SELECT c.* FROM claims c
    WHERE c.status <> 'voided'
      AND (c.status IN ('draft', 'ready')
           OR NOT $pending_only AND ($since::DATE IS NULL OR c.first_service_date >= $since::DATE))
),
-- A claim's visit number in its calendar year with its payer counts the claims of that client,
-- payer and year; its referral's, the claims on that referral: each window reads only the
-- partitions of the claims wanted.
year_visits AS (
    SELECT c.claim_id,
           row_number() OVER (PARTITION BY c.client_id, c.payer_id, year(c.first_service_date)
                              ORDER BY c.first_service_date, c.claim_id) AS year_visit
    FROM claims c
    SEMI JOIN (SELECT DISTINCT client_id, payer_id, year(first_service_date) AS y FROM wanted) w
           ON w.client_id = c.client_id AND w.payer_id = c.payer_id
          AND w.y = year(c.first_service_date)
    WHERE c.status <> 'voided'
),
referral_visits AS (
    SELECT c.claim_id,
           row_number() OVER (PARTITION BY c.referral_id
                              ORDER BY c.first_service_date, c.claim_id) AS referral_visit
    FROM claims c
    WHERE c.status <> 'voided' AND c.referral_id IN (SELECT referral_id FROM wanted)
),
answers AS (
    SELECT claim_id, cpt, bool_or(denied) AS denied,
           min(first_adjudication_date) AS first_adjudication_date
    FROM first_line_facts f SEMI JOIN wanted USING (claim_id)
    WHERE NOT f.voided
    GROUP BY claim_id, cpt
),
-- The payer's received date (DTM*050) on a claim's first adjudication: how late a claim
-- answered with no sent date on file reached the payer (risk_features.reached_payer).
received AS (
    SELECT c.claim_id, cp.received_date
    FROM wanted c
    JOIN claim_facts cf USING (claim_id)
    JOIN claim_payments cp ON cp.claim_payment_id = cf.first_claim_payment_id
    WHERE c.submitted_date IS NULL
)
SELECT c.claim_id, c.client_id, c.status, c.payer_id, p.name AS payer,
       l.line_no, l.cpt, array_to_string(list_sort(l.modifiers), ':') AS modifiers, l.units, l.service_date,
       c.diagnosis_codes[coalesce(l.dx_pointers[1], 1)] AS diagnosis,
       c.first_service_date, c.submitted_date,
       c.rendering_provider_id AS provider_id,
       coalesce(pr.last_name || ', ' || pr.first_name, '(no provider)') AS provider,
       p.requires_prior_auth, p.requires_referral,
       c.referral_id, coalesce(r.prior_auth_number, '') <> '' AS has_prior_auth,
       r.authorized_visits, r.expiry_date, rv.referral_visit, yv.year_visit,
       a.first_adjudication_date, a.denied, rd.received_date
FROM wanted c
JOIN claim_lines l USING (claim_id)
JOIN payers p ON p.payer_id = c.payer_id
LEFT JOIN providers pr ON pr.provider_id = c.rendering_provider_id
LEFT JOIN referrals r ON r.referral_id = c.referral_id
LEFT JOIN year_visits yv ON yv.claim_id = c.claim_id
LEFT JOIN referral_visits rv ON rv.claim_id = c.claim_id
LEFT JOIN answers a ON a.claim_id = c.claim_id AND a.cpt = l.cpt
LEFT JOIN received rd ON rd.claim_id = c.claim_id AND a.claim_id IS NOT NULL
ORDER BY c.claim_id, l.line_no
