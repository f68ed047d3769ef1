-- sessions_not_billed as it was before the work lists were made faster (metdash at 82da4c1):
-- tests/test_worklists_reference.py checks the new query gives the same rows.
-- Parameters: 2 x as_of
    WITH 
voided AS (SELECT claim_id FROM claims WHERE status = 'voided'),
on_voided AS (
    SELECT l.session_id, bool_and(l.claim_id IN (SELECT claim_id FROM voided)) AS only_voided
    FROM claim_lines l
    WHERE l.session_id IN (SELECT v.session_id FROM claim_lines v SEMI JOIN voided
                           USING (claim_id))
    GROUP BY l.session_id),
candidates AS (
    SELECT s.session_id FROM sessions s ANTI JOIN claim_lines l USING (session_id)
    UNION ALL
    SELECT session_id FROM on_voided WHERE only_voided),
-- a session a claim was built from is billed even without a line of its own (its
-- minutes added to another session's line of the day: the 8-minute rule); looked up
-- for the few candidates only, not built over every claim's sessions
on_claims AS (
    SELECT cs.session_id FROM claim_sessions cs SEMI JOIN candidates USING (session_id)
    ANTI JOIN voided USING (claim_id)),
unbilled_ids AS (SELECT session_id FROM candidates ANTI JOIN on_claims USING (session_id)),
    unbilled AS (
        SELECT s.* FROM sessions s SEMI JOIN unbilled_ids USING (session_id)
        WHERE s.session_date <= ?::DATE
    ),
    minutes AS (
        SELECT session_id, sum(minutes) AS minutes FROM session_minutes
        WHERE session_id IN (SELECT session_id FROM unbilled) GROUP BY session_id
    )
    SELECT s.session_id, s.client_id, cl.last_name || ', ' || cl.first_name AS client_name, s.session_date, s.kind,
           p.last_name || ', ' || p.first_name AS provider,
           coalesce(m.minutes, 0)::INTEGER AS timed_minutes,
           date_diff('day', s.session_date, ?::DATE) AS days_since
    FROM unbilled s
    JOIN clients cl USING (client_id)
    LEFT JOIN providers p USING (provider_id)
    LEFT JOIN minutes m USING (session_id)
    ORDER BY s.session_date, s.session_id
