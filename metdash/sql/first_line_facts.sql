-- One first_line_facts row per line of the first adjudication of the claims in $ids (every
-- claim when NULL), with whether it was denied and its claim's filter columns. The SVCs a payer
-- split one billed line into are one line. A claim its payer split over several CLPs is
-- adjudicated for the first time line by line: the first CLP's lines, and those a later CLP
-- answered first (claim_facts.first_split_ids), each dated by its own CLP. Denied: a
-- denial-class adjustment on the line (paid 0 or reduced), or the claim denied at claim level
-- (the first CLP's lines). denied_charge: the charge of its SVCs with a denial-class
-- adjustment (the whole line when the claim was denied at claim level). When the remittance
-- sent no service lines, the claim's own lines stand in, denied when the claim was.
WITH cf AS (
    SELECT cf.* FROM {claim_facts} cf
    WHERE cf.adjudicated
      AND ($ids::VARCHAR[] IS NULL OR cf.claim_id IN (SELECT unnest($ids::VARCHAR[])))
),
first_cp AS (
    SELECT f.claim_id, f.claim_payment_id, f.claim_payment_id = cf.first_claim_payment_id
               AS first, r.payment_date, coalesce(r.payer_id, cf.payer_id) AS adjudicating_payer
    FROM (SELECT claim_id, first_claim_payment_id AS claim_payment_id FROM cf
          UNION ALL
          SELECT claim_id, unnest(first_split_ids) FROM cf
          WHERE first_split_ids IS NOT NULL) f
    JOIN cf USING (claim_id)
    JOIN {claim_payments} p ON p.claim_payment_id = f.claim_payment_id
    JOIN {remittances} r USING (remittance_id)
),
reasons AS (
    SELECT a.line_payment_id,
           bool_or(coalesce(own.class, every.class, 'denial') = 'denial' AND a.amount > 0)
               AS denial_reason
    FROM {adjustments} a
    JOIN first_cp USING (claim_payment_id)
    LEFT JOIN adjustment_classes own
           ON own.payer_id = first_cp.adjudicating_payer AND own.group_code = a.group_code
          AND own.carc = a.carc
    LEFT JOIN adjustment_classes every
           ON every.payer_id = 0 AND every.group_code = a.group_code AND every.carc = a.carc
    WHERE a.line_payment_id IS NOT NULL
    GROUP BY a.line_payment_id
),
sent AS (
    SELECT fc.claim_id, any_value(lp.cpt) AS cpt, sum(lp.charge) AS charge,
           bool_or(coalesce(r.denial_reason, FALSE))
               OR bool_or(fc.first AND cf.claim_level_denied) AS denied,
           -- the denied part: the SVCs with a denial reason (a split line's others were paid)
           CASE WHEN bool_or(fc.first AND cf.claim_level_denied) THEN sum(lp.charge)
                ELSE coalesce(sum(lp.charge) FILTER (WHERE r.denial_reason), 0) END
               AS denied_charge,
           min(fc.payment_date) AS adjudication_date
    FROM first_cp fc
    JOIN cf USING (claim_id)
    JOIN {line_payments} lp ON lp.claim_payment_id = fc.claim_payment_id
    LEFT JOIN reasons r ON r.line_payment_id = lp.line_payment_id
    GROUP BY fc.claim_id, coalesce(lp.line_no::VARCHAR, 'svc ' || lp.line_payment_id)
),
stand_in AS (
    SELECT cf.claim_id, l.cpt, l.charge, cf.claim_level_denied OR cf.denied AS denied,
           CASE WHEN cf.claim_level_denied OR cf.denied THEN l.charge ELSE 0 END
               AS denied_charge,
           cf.first_adjudication_date AS adjudication_date
    FROM cf
    JOIN {claim_lines} l ON l.claim_id = cf.claim_id
    WHERE NOT EXISTS (SELECT 1 FROM {line_payments} lp
                      WHERE lp.claim_payment_id = cf.first_claim_payment_id)
),
lines AS (SELECT * FROM sent UNION ALL SELECT * FROM stand_in)
SELECT cf.claim_id, cf.payer_id, cf.referrer_id, cf.rendering_provider_id,
       cf.status = 'voided' AS voided, cf.first_service_date,
       lines.adjudication_date AS first_adjudication_date,
       lines.cpt, lines.charge, lines.denied, lines.denied_charge
FROM lines JOIN cf USING (claim_id)
