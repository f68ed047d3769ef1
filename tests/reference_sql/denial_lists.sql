-- denial_lists as it was before the work lists were made faster (metdash at 82da4c1):
-- tests/test_worklists_reference.py checks the new query gives the same rows.
-- Parameters: 1 x as_of
    WITH 
    open AS (
        SELECT claim_id, denied_open FROM claim_facts
        WHERE denied_open > 0 AND status <> 'voided'
    ), d AS (
        SELECT d.* FROM denial_facts d SEMI JOIN open USING (claim_id)
    ), per_claim AS (
        SELECT d.claim_id, min(d.payment_date) AS denied_date,
               string_agg(DISTINCT d.group_code || '-' || d.carc, ', '
                          ORDER BY d.group_code || '-' || d.carc) AS reasons,
               bool_or((d.group_code || '-' || d.carc = 'CO-29'
OR (d.group_code || '-' || d.carc = 'CO-16' AND EXISTS (
    SELECT 1 FROM remark_codes rc WHERE rc.claim_payment_id = d.claim_payment_id
                                    AND rc.code = 'MA130')))) AS correct_first
        FROM d GROUP BY d.claim_id
    ), work AS (
        SELECT c.claim_id, c.client_id, p.name AS payer, c.status, pc.denied_date,
               (pc.denied_date + p.appeal_window_days)::DATE AS appeal_deadline,
               date_diff('day', ?::DATE,
                         (pc.denied_date + p.appeal_window_days)::DATE) AS days_left,
               o.denied_open AS denied_amount, pc.reasons, pc.correct_first,
               EXISTS (SELECT 1 FROM appeals a WHERE a.claim_id = c.claim_id
                       AND a.outcome = 'pending') AS appeal_pending
        FROM per_claim pc JOIN open o USING (claim_id) JOIN claims c USING (claim_id)
        JOIN payers p USING (payer_id)
    )
    SELECT w.*, cl.last_name || ', ' || cl.first_name AS client_name,
           coalesce(NOT w.correct_first AND NOT w.appeal_pending AND w.days_left >= 0
                    -- corrected and resubmitted: waiting
                    AND w.status NOT IN ('ready', 'submitted'), FALSE) AS to_appeal,
           coalesce((w.correct_first AND w.status NOT IN ('ready', 'submitted'))
                    OR (NOT w.correct_first AND NOT w.appeal_pending
                        AND w.days_left < 0), FALSE) AS to_correct
    FROM work w JOIN clients cl USING (client_id)
