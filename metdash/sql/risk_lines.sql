-- One row per line of every claim that is not voided: what the denial-risk model reads
-- (metdash/risk_features.py). For claims adjudicated, whether the line was denied at the
-- claim's first adjudication (first_line_facts, matched by code: a claim bills a code on one
-- line, and two lines of one code share their answer). Visit numbers count only earlier
-- claims, so a claim's features never read the future. Only the claims served on or after
-- $since (every claim when NULL) and the claims not yet sent are read; visit numbers still
-- count every claim.
WITH c AS (
    SELECT c.claim_id, c.client_id, c.payer_id, c.status, c.referral_id,
           c.rendering_provider_id, c.diagnosis_codes, c.first_service_date,
           c.submitted_date,
           row_number() OVER (PARTITION BY c.client_id, c.payer_id,
                                           year(c.first_service_date)
                              ORDER BY c.first_service_date, c.claim_id) AS year_visit,
           CASE WHEN c.referral_id IS NOT NULL THEN
               row_number() OVER (PARTITION BY c.referral_id
                                  ORDER BY c.first_service_date, c.claim_id) END
               AS referral_visit
    FROM claims c
    WHERE c.status <> 'voided'
),
wanted AS (
    SELECT * FROM c
    WHERE $since::DATE IS NULL OR c.first_service_date >= $since::DATE
       OR c.status IN ('draft', 'ready')
),
answers AS (
    SELECT claim_id, cpt, bool_or(denied) AS denied,
           min(first_adjudication_date) AS first_adjudication_date
    FROM first_line_facts f SEMI JOIN wanted USING (claim_id)
    WHERE NOT f.voided
    GROUP BY claim_id, cpt
)
SELECT c.claim_id, c.client_id, c.status, c.payer_id, p.name AS payer,
       l.line_no, l.cpt, array_to_string(list_sort(l.modifiers), ':') AS modifiers, l.units, l.service_date,
       c.diagnosis_codes[coalesce(l.dx_pointers[1], 1)] AS diagnosis,
       c.first_service_date, c.submitted_date,
       c.rendering_provider_id AS provider_id,
       coalesce(pr.last_name || ', ' || pr.first_name, '(no provider)') AS provider,
       p.requires_prior_auth, p.requires_referral,
       c.referral_id, coalesce(r.prior_auth_number, '') <> '' AS has_prior_auth,
       r.authorized_visits, r.expiry_date, c.referral_visit, c.year_visit,
       a.first_adjudication_date, a.denied
FROM wanted c
JOIN claim_lines l USING (claim_id)
JOIN payers p ON p.payer_id = c.payer_id
LEFT JOIN providers pr ON pr.provider_id = c.rendering_provider_id
LEFT JOIN referrals r ON r.referral_id = c.referral_id
LEFT JOIN answers a ON a.claim_id = c.claim_id AND a.cpt = l.cpt
ORDER BY c.claim_id, l.line_no
