"""Denials: reasons (CARC) by payer, procedure and month; remarks; appeals; the open ones."""

from __future__ import annotations

from typing import Any

import pandas as pd

from metdash.carc import carc_description, rarc_description
from metdash.figures.core import (
    Filters,
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
                                   coalesce(sum(charge) FILTER (WHERE denied), 0)::DOUBLE
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
               coalesce(sum(charge) FILTER (WHERE denied), 0)::DOUBLE AS charges_denied
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
    with db.connect() as con:
        return run(con, text, f)


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
            SELECT ap.appeal_id, coalesce(sum(p.paid), 0) AS recovered
            FROM ap JOIN payment_facts p ON p.claim_id = ap.claim_id
            WHERE p.payment_date >= ap.filed_date
            GROUP BY ap.appeal_id)
        SELECT ap.outcome, count(*) AS appeals, count(DISTINCT ap.claim_id) AS claims,
               coalesce(sum(after_paid.recovered), 0)::DOUBLE AS recovered
        FROM ap LEFT JOIN after_paid USING (appeal_id)
        GROUP BY ap.outcome ORDER BY appeals DESC"""
    with db.connect() as con:
        return run(con, text, f)


def open_denials(db: Database, f: Filters, limit: int = 200) -> pd.DataFrame:
    """Denied claims still to work: denied or partly paid with the payer's appeal window
    open on ``f.as_of``, or appealed with the appeal pending; oldest first: claim_id, client_id, payer, first_service_date, denied_on,
    reasons ('CO-50, CO-16'), denied_amount, appeal_deadline, days_left."""
    text = f"""
        WITH d AS ({sql('denial_adjustments')}),
        per_claim AS (
            SELECT claim_id, min(payment_date) AS denied_on,
                   string_agg(DISTINCT group_code || '-' || carc, ', ') AS reasons,
                   sum(amount) AS denied_amount
            FROM d GROUP BY claim_id)
        SELECT c.claim_id, c.client_id, p.name AS payer, c.status, c.first_service_date,
               pc.denied_on, pc.reasons, pc.denied_amount::DECIMAL(14,2) AS denied_amount,
               (pc.denied_on + p.appeal_window_days)::DATE AS appeal_deadline,
               datediff('day', $as_of, pc.denied_on + p.appeal_window_days) AS days_left
        FROM per_claim pc JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
        WHERE (c.status IN ('denied', 'partially_paid')
               -- past the appeal window there is nothing left to work
               AND pc.denied_on + p.appeal_window_days >= $as_of)
           OR (c.status = 'appealed' AND EXISTS (
                SELECT 1 FROM appeals a WHERE a.claim_id = c.claim_id AND a.outcome = 'pending'))
        ORDER BY pc.denied_on, c.claim_id LIMIT $limit"""
    with db.connect() as con:
        return run(con, text, f, limit=limit)
