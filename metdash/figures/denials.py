"""Denials: reasons (CARC) by payer, procedure and month; remarks; appeals; the open ones."""

from __future__ import annotations

from typing import Any

import pandas as pd

from metdash.carc import carc_description, rarc_description
from metdash.deadlines import filing_deadline_sql
from metdash.figures.core import (
    Filters,
    as_of_state,
    ratio,
    run,
    scope,
    sql,
)
from metdash.store import Database


def denial_reasons(db: Database, f: Filters) -> pd.DataFrame:
    """Denial adjustments on the claims in the period by reason: group, carc, description
    (our words), claims, lines, amount (Decimal dollars); largest amount first."""
    text = f"""
        SELECT group_code AS "group", carc, count(DISTINCT claim_id) AS claims,
               sum(n_lines) AS lines, sum(amount)::DECIMAL(14,2) AS amount
        FROM ({sql('denial_adjustments')}) d
        GROUP BY ALL ORDER BY amount DESC, claims DESC, carc"""
    with db.connect() as con:
        df = run(con, text, f)
    df.insert(2, "description", [carc_description(c) for c in df.carc])
    df["lines"] = df.lines.astype(int)
    return df


def denial_summary(db: Database, f: Filters) -> dict[str, Any]:
    """Claims, lines and dollars adjudicated and denied at first adjudication, and the three
    denial rates: denial_rate, denial_rate_lines, denial_rate_dollars (None when nothing was
    adjudicated)."""
    with db.connect() as con:
        c = run(con, f"""SELECT count(*) FILTER (WHERE adjudicated) AS adjudicated,
                                count(*) FILTER (WHERE adjudicated AND denied) AS denied
                         FROM ({sql('claim_adjudication')}) a""", f).iloc[0]
        line = run(con, f"""SELECT count(*) AS lines, count(*) FILTER (WHERE denied) AS denied,
                                   coalesce(sum(charge), 0)::DOUBLE AS charges,
                                   coalesce(sum(denied_charge), 0)::DOUBLE
                                       AS denied_charges
                            FROM ({sql('first_adjudication_lines')}) l""", f).iloc[0]
    return {
        "claims_adjudicated": int(c.adjudicated), "claims_denied": int(c.denied),
        "lines_adjudicated": int(line.lines), "lines_denied": int(line.denied),
        "charges_adjudicated": float(line.charges), "charges_denied": float(line.denied_charges),
        "denial_rate": ratio(c.denied, c.adjudicated),
        "denial_rate_lines": ratio(line.denied, line.lines),
        "denial_rate_dollars": ratio(line.denied_charges, line.charges),
    }


def denial_rate_by(db: Database, f: Filters, by: str) -> pd.DataFrame:
    """Denial rates at first adjudication grouped ``by`` 'payer', 'cpt' or 'month': key,
    lines, lines_denied, denial_rate_lines, charges, charges_denied, denial_rate_dollars."""
    keys = {"payer": "p.name", "cpt": "l.cpt",
            "month": "date_trunc('month', l.first_adjudication_date)::DATE"}
    key = keys[by]
    text = f"""
        SELECT {key} AS key, count(*) AS lines, count(*) FILTER (WHERE denied) AS lines_denied,
               sum(charge)::DOUBLE AS charges,
               coalesce(sum(denied_charge), 0)::DOUBLE AS charges_denied
        FROM ({sql('first_adjudication_lines')}) l JOIN payers p USING (payer_id)
        GROUP BY 1 ORDER BY 1"""
    with db.connect() as con:
        df = run(con, text, f)
    df["denial_rate_lines"] = df.lines_denied / df.lines.where(df.lines > 0)
    df["denial_rate_dollars"] = df.charges_denied / df.charges.where(df.charges > 0)
    return df


def denial_reasons_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """month (of the denying remittance), reason ('CO-50'), claims, amount (float)."""
    text = f"""
        SELECT date_trunc('month', payment_date)::DATE AS month,
               group_code || '-' || carc AS reason,
               count(DISTINCT claim_id) AS claims, sum(amount)::DOUBLE AS amount
        FROM ({sql('denial_adjustments')}) d GROUP BY ALL ORDER BY month, reason"""
    with db.connect() as con:
        return run(con, text, f)


def denial_reasons_by_payer(db: Database, f: Filters) -> pd.DataFrame:
    """payer, reason ('CO-50'), claims, amount (float) for the denials in the period."""
    text = f"""
        SELECT p.name AS payer, d.group_code || '-' || d.carc AS reason,
               count(DISTINCT d.claim_id) AS claims, sum(d.amount)::DOUBLE AS amount
        FROM ({sql('denial_adjustments')}) d
        JOIN claims c USING (claim_id) JOIN payers p ON p.payer_id = c.payer_id
        GROUP BY ALL ORDER BY amount DESC"""
    with db.connect() as con:  # the scorecards and a card's details both read it: kept
        return run(con, text, f, keep="denial_reasons_by_payer")


def remark_codes(db: Database, f: Filters) -> pd.DataFrame:
    """RARC remarks on the claims in the period: code, description, claims, lines."""
    text = f"""
        SELECT rc.code, count(DISTINCT p.claim_id) AS claims,
               count(rc.line_payment_id) AS lines
        FROM remark_codes rc
        JOIN claim_payments p USING (claim_payment_id)
        JOIN {scope()} s ON s.claim_id = p.claim_id
        WHERE p.status_code NOT IN ('22', '23')
        GROUP BY rc.code ORDER BY claims DESC, rc.code"""
    with db.connect() as con:
        df = run(con, text, f)
    df.insert(1, "description", [rarc_description(c) for c in df.code])
    return df


def appeals_summary(db: Database, f: Filters) -> pd.DataFrame:
    """Appeals on the claims in the period by outcome: outcome, appeals, claims, and the
    amount paid on those claims after the appeal was filed (float dollars)."""
    text = f"""
        WITH ap AS (SELECT a.* FROM appeals a JOIN {scope()} s USING (claim_id)),
        after_paid AS (
            SELECT ap.appeal_id, coalesce(sum(l.amount), 0) AS recovered
            FROM ap JOIN ledger l ON l.claim_id = ap.claim_id
            WHERE l.kind = 'payer_payment' AND l.entry_date >= ap.filed_date
            GROUP BY ap.appeal_id)
        SELECT ap.outcome, count(*) AS appeals, count(DISTINCT ap.claim_id) AS claims,
               coalesce(sum(after_paid.recovered), 0)::DOUBLE AS recovered
        FROM ap LEFT JOIN after_paid USING (appeal_id)
        GROUP BY ap.outcome ORDER BY appeals DESC"""
    with db.connect() as con:
        return run(con, text, f)


# CO-16 with remark MA130 (unprocessable) and CO-29 (timely filing) are corrected and
# resubmitted (or written off), never appealed (DOMAIN.md).
NOT_APPEALABLE_SQL = """(d.group_code || '-' || d.carc = 'CO-29'
    OR (d.group_code || '-' || d.carc = 'CO-16' AND EXISTS (
        SELECT 1 FROM remark_codes rc WHERE rc.claim_payment_id = d.claim_payment_id
                                        AND rc.code = 'MA130')))"""


def open_denials(db: Database, f: Filters, limit: int = 200) -> pd.DataFrame:
    """Denials still open on ``f.as_of`` among the claims in the period: a denied amount the
    payer still owes (the ledger's denial rows of the current adjudications, at most the
    claim's insurance A/R) until it is paid on appeal, corrected and resubmitted, moved to
    the client or written off. Nearest deadline first, those past it last (then by deadline,
    then claim_id: a biller works the denial due soonest first, and a long list is cut after
    the nearest deadlines): claim_id, client_id, payer, status, first_service_date, denied_on
    (the first denying remittance: appeal deadlines count from it), reasons ('CO-50, CO-16'),
    denied_amount (open), age_days (since denied_on), deadline, days_left (to the deadline;
    negative: passed), next_step ('appeal', 'correct and resubmit', 'appeal pending',
    'past the appeal window', 'past the filing window': a resubmission is refused again
    unless the practice can prove it filed in time).

    The deadline is the payer's appeal deadline (denied_on + appeal_window_days), except for
    a denial to correct and resubmit (CO-16 with MA130, CO-29: never appealed, DOMAIN.md):
    a resubmission must reach the payer within its timely-filing window, first service date
    + timely_filing_days (as :func:`metdash.worklists.claims_at_risk_of_timely_filing`), an
    appeal filed on it or not."""
    text = f"""
        WITH d AS ({sql('denial_adjustments')}),
        per_claim AS (
            SELECT claim_id, min(payment_date) AS denied_on,
                   string_agg(DISTINCT group_code || '-' || carc, ', '
                              ORDER BY group_code || '-' || carc) AS reasons,
                   bool_or({NOT_APPEALABLE_SQL}) AS correct_first
            FROM d GROUP BY claim_id),
        open AS (SELECT claim_id, denied FROM ({sql('ar_balances')}) b WHERE denied > 0),
        stepped AS (
            SELECT c.claim_id, c.client_id, p.name AS payer, c.status, c.first_service_date,
                   pc.denied_on, pc.reasons, o.denied::DECIMAL(14,2) AS denied_amount,
                   pc.correct_first,
                   datediff('day', pc.denied_on, $as_of) AS age_days,
                   (pc.denied_on + p.appeal_window_days)::DATE AS appeal_deadline,
                   {filing_deadline_sql()} AS filing_deadline,
                   CASE WHEN EXISTS (SELECT 1 FROM appeals a WHERE a.claim_id = c.claim_id
                                     AND a.filed_date <= $as_of
                                     AND (a.outcome = 'pending' OR a.outcome_date > $as_of))
                            THEN 'appeal pending'
                        WHEN pc.correct_first
                             AND {filing_deadline_sql()} < $as_of
                            THEN 'past the filing window'
                        WHEN pc.correct_first THEN 'correct and resubmit'
                        WHEN pc.denied_on + p.appeal_window_days < $as_of
                            THEN 'past the appeal window'
                        ELSE 'appeal' END AS next_step
            FROM open o JOIN per_claim pc USING (claim_id) JOIN claims c USING (claim_id)
            JOIN payers p USING (payer_id)),
        dated AS (
            -- a resubmission is due within the payer's timely-filing window, not its appeal
            -- window (DOMAIN.md), even with an appeal filed on it (as the work list)
            SELECT * EXCLUDE (appeal_deadline, filing_deadline),
                   CASE WHEN correct_first THEN filing_deadline
                        ELSE appeal_deadline END AS deadline
            FROM stepped)
        SELECT claim_id, client_id, payer, status, first_service_date, denied_on, reasons,
               denied_amount, age_days, deadline,
               datediff('day', $as_of, deadline) AS days_left, next_step
        FROM dated
        ORDER BY deadline < $as_of, deadline, claim_id
        LIMIT $limit"""
    text = as_of_state(text, f, order="days_left < 0, deadline, claim_id")
    with db.connect() as con:
        return run(con, text, f, limit=limit)


def open_denials_by_reason(db: Database, f: Filters) -> pd.DataFrame:
    """The open denied amount on ``f.as_of`` by reason and age (claims in the period):
    reason ('CO-50'), description, claims, open_amount, bucket ('0-30' ... '120+' days since
    the first denying remittance). A claim with several reasons is counted under each, its
    open amount shared in proportion to each reason's denied amount."""
    text = f"""
        WITH d AS ({sql('denial_adjustments')}),
        open AS (SELECT claim_id, denied FROM ({sql('ar_balances')}) b WHERE denied > 0),
        first AS (SELECT claim_id, min(payment_date) AS denied_on FROM d GROUP BY claim_id),
        by_reason AS (
            SELECT d.claim_id, d.group_code || '-' || d.carc AS reason, d.carc,
                   sum(d.amount) AS amount
            FROM d SEMI JOIN open USING (claim_id) GROUP BY ALL),
        shares AS (
            SELECT r.*, r.amount / sum(r.amount) OVER (PARTITION BY r.claim_id) AS share
            FROM by_reason r)
        SELECT s.reason, s.carc, count(DISTINCT s.claim_id) AS claims,
               sum(o.denied * s.share)::DECIMAL(14,2) AS open_amount,
               CASE WHEN datediff('day', fi.denied_on, $as_of) <= 30 THEN '0-30'
                    WHEN datediff('day', fi.denied_on, $as_of) <= 60 THEN '31-60'
                    WHEN datediff('day', fi.denied_on, $as_of) <= 90 THEN '61-90'
                    WHEN datediff('day', fi.denied_on, $as_of) <= 120 THEN '91-120'
                    ELSE '120+' END AS bucket
        FROM shares s JOIN open o USING (claim_id) JOIN first fi USING (claim_id)
        GROUP BY ALL ORDER BY open_amount DESC, reason, bucket"""
    with db.connect() as con:
        df = run(con, text, f)
    df.insert(1, "description", [carc_description(c) for c in df.carc])
    return df.drop(columns=["carc"])


def denial_outcomes(db: Database, f: Filters, limit: int = 500) -> pd.DataFrame:
    """How the denials of the claims in the period ended (DOMAIN.md: paid on appeal,
    corrected and resubmitted, moved to the client, or written off), with the date and who,
    newest first: claim_id, payer, denied_on, outcome, amount (what the outcome settled; the
    payment for a denial paid), resolved_on, resolved_by.

    - paid on appeal / reprocessed: a later remittance replaced or reversed the denying one
      (paid on appeal when an appeal was filed before it); by the payer;
    - corrected and resubmitted: the claim was moved back to ready or submitted after the
      denial was posted (its status history says who; once per claim);
    - moved to the client: a transfer of the insurance balance to the client;
    - written off: an insurance write-off, with its reason."""
    text = f"""
        WITH d AS ({sql('denial_adjustments')}),
        first AS (  -- the first denying remittance: its date, and when it was posted
            SELECT d.claim_id, min(d.payment_date) AS denied_on,
                   arg_min(r.imported_at, d.payment_date) AS posted_at
            FROM d JOIN claim_payments cp USING (claim_payment_id)
            JOIN remittances r USING (remittance_id)
            GROUP BY d.claim_id),
        paid AS (
            SELECT l.claim_id, min(l.entry_date) AS resolved_on
            FROM ledger l JOIN first fi USING (claim_id)
            WHERE l.kind = 'denial' AND l.reversal AND l.entry_date >= fi.denied_on
            GROUP BY l.claim_id),
        paid_amount AS (
            SELECT pd.claim_id, pd.resolved_on, coalesce(sum(l.amount), 0) AS amount
            FROM paid pd LEFT JOIN ledger l ON l.claim_id = pd.claim_id
             AND l.kind = 'payer_payment' AND l.entry_date = pd.resolved_on
            GROUP BY ALL),
        outcomes AS (
            SELECT pa.claim_id,
                   CASE WHEN EXISTS (SELECT 1 FROM appeals a WHERE a.claim_id = pa.claim_id
                                     AND a.filed_date <= pa.resolved_on)
                        THEN 'paid on appeal' ELSE 'reprocessed by the payer' END AS outcome,
                   pa.amount, pa.resolved_on, 'payer' AS resolved_by
            FROM paid_amount pa
            UNION ALL
            -- once per claim (ready, then submitted, is one resubmission), and only after
            -- the denial was posted: the sending of the claim that was denied, on the day
            -- its denial came, is not a resubmission
            SELECT h.claim_id, 'corrected and resubmitted', NULL, min(h.status_date),
                   arg_min(h.changed_by, h.seq)
            FROM claim_status_history h JOIN first fi USING (claim_id)
            WHERE h.status IN ('ready', 'submitted')
              AND (h.status_date > fi.denied_on
                   OR h.status_date = fi.denied_on AND h.changed_at > fi.posted_at)
            GROUP BY h.claim_id
            UNION ALL
            SELECT t.claim_id, 'moved to the client', t.amount, t.transfer_date, t.user_name
            FROM balance_transfers t JOIN first fi USING (claim_id)
            WHERE t.transfer_date >= fi.denied_on
            UNION ALL
            SELECT w.claim_id, 'written off (' || replace(w.reason, '_', ' ') || ')', w.amount,
                   w.write_off_date, w.user_name
            FROM write_offs w JOIN first fi USING (claim_id)
            WHERE w.side = 'insurance' AND w.write_off_date >= fi.denied_on)
        SELECT o.claim_id, p.name AS payer, fi.denied_on, o.outcome,
               o.amount::DECIMAL(14,2) AS amount, o.resolved_on, o.resolved_by
        FROM outcomes o JOIN first fi USING (claim_id) JOIN claims c USING (claim_id)
        JOIN payers p USING (payer_id)
        WHERE o.resolved_on <= $as_of
        ORDER BY o.resolved_on DESC, o.claim_id LIMIT $limit"""
    with db.connect() as con:
        return run(con, text, f, limit=limit)
