"""The practice's books: write-offs, patient balances and credits, and a claim's or a
client's ledger (every money event, with its effect on insurance and patient A/R)."""

from __future__ import annotations

import pandas as pd

from metdash.figures.core import Filters, run, sql
from metdash.store import Database, fetch_df

WRITE_OFF_REASONS = {
    "timely_filing": "Timely filing",
    "small_balance": "Small balance",
    "courtesy": "Courtesy",
    "bad_debt": "Bad debt",
    "appeal_lost": "Appeal lost",
    "contractual_correction": "Contractual correction",
}

_WRITE_OFFS = """
    WITH f AS ({filtered_claims})
    SELECT w.write_off_date, w.reason, w.side, w.amount, 1 AS n, 0 AS recovered, 0 AS undone
    FROM write_offs w
    WHERE w.write_off_date BETWEEN $date_from AND $date_to
      AND ((w.claim_id IS NULL AND $payers::INTEGER[] IS NULL AND $referrers::INTEGER[] IS NULL
            AND $providers::INTEGER[] IS NULL)
           OR w.claim_id IN (SELECT claim_id FROM f))
    UNION ALL
    -- insurance write-offs undone in the period (balance_returns), under the reason of the
    -- write-off they undo: recovered when a payer's payment brought them back, undone when the
    -- biller did
    SELECT b.return_date, w.reason, w.side, 0, 0,
           CASE WHEN b.remittance_id IS NOT NULL THEN b.amount ELSE 0 END,
           CASE WHEN b.remittance_id IS NULL THEN b.amount ELSE 0 END
    FROM balance_returns b JOIN write_offs w ON w.write_off_id = b.source_id
    WHERE b.kind = 'write_off' AND b.return_date BETWEEN $date_from AND $date_to
      AND b.claim_id IN (SELECT claim_id FROM f)"""


def write_offs_by_reason(db: Database, f: Filters) -> pd.DataFrame:
    """The practice's write-offs dated in the period (on the filtered claims; a client's
    whole-balance write-offs only without a payer / referrer / provider filter), by reason:
    reason, side ('insurance' / 'patient'), write_offs (how many), amount (Decimal), and of
    the write-offs of that reason, whenever made, what came back in the period (Decimal):
    recovered (a payer's payment brought it back) and undone (the biller undid it)."""
    text = f"""
        SELECT w.reason, w.side, sum(w.n)::BIGINT AS write_offs,
               sum(w.amount)::DECIMAL(14,2) AS amount,
               sum(w.recovered)::DECIMAL(14,2) AS recovered,
               sum(w.undone)::DECIMAL(14,2) AS undone
        FROM ({_WRITE_OFFS.replace('{filtered_claims}', sql('filtered_claims'))}) w
        GROUP BY ALL ORDER BY amount DESC, recovered DESC, undone DESC, reason, side"""
    with db.connect() as con:
        return run(con, text, f)


def write_offs_monthly(db: Database, f: Filters) -> pd.DataFrame:
    """Write-offs dated in the period by month and reason: month, reason, amount (float; what
    was written off, before any recovery)."""
    text = f"""
        SELECT date_trunc('month', w.write_off_date)::DATE AS month, w.reason,
               sum(w.amount)::DOUBLE AS amount
        FROM ({_WRITE_OFFS.replace('{filtered_claims}', sql('filtered_claims'))}) w
        WHERE w.n = 1
        GROUP BY ALL ORDER BY month, reason"""
    with db.connect() as con:
        return run(con, text, f)


def patient_balances(db: Database, f: Filters) -> pd.DataFrame:
    """What each client owes on ``f.as_of`` (patient A/R, DOMAIN.md) and the credits to
    refund: client_id, client_name, balance (Decimal: negative for a credit), services (claims
    with a balance left), oldest_service (first service date of the oldest), bucket of the
    oldest. Largest balance first, credits last."""
    text = f"""
        WITH b AS ({sql('patient_balances')})
        SELECT b.client_id, cl.last_name || ', ' || cl.first_name AS client_name,
               sum(b.balance)::DECIMAL(14,2) AS balance,
               count(b.claim_id) AS services,
               min(b.first_service_date) AS oldest_service,
               arg_max(b.bucket, b.age_days) AS bucket
        FROM b JOIN clients cl USING (client_id)
        GROUP BY ALL ORDER BY balance DESC, b.client_id"""
    with db.connect() as con:
        return run(con, text, f)


def claim_ledger(db: Database, claim_id: str) -> pd.DataFrame:
    """Every money event of one claim, in order: entry_date, kind, reversal, destination,
    source, group_code, carc, amount, insurance, patient (the effects on each A/R), and the
    running insurance_balance and patient_balance after it."""
    with db.connect() as con:
        return fetch_df(con, """
            SELECT entry_date, kind, reversal, destination, source, source_id, remittance_id,
                   group_code, carc, amount, insurance, patient,
                   sum(insurance) OVER w AS insurance_balance,
                   sum(patient) OVER w AS patient_balance
            FROM ledger WHERE claim_id = ?
            WINDOW w AS (ORDER BY seq, kind, group_code, carc ROWS UNBOUNDED PRECEDING)
            ORDER BY seq, kind, group_code, carc""", [claim_id])


def claim_ledger_shown(ledger: pd.DataFrame) -> pd.DataFrame:
    """:func:`claim_ledger` as the Claims page shows it: the money first, then what explains
    it (at 1280 px the amounts were cut off to the right of ids a biller does not read); the
    reason as "CO-45" (or the write-off's reason, the payment's method); "cob" as
    "coordination_of_benefits" (the other payer's share: a secondary's OA-23, and a repeat
    of the write-off the payer before it took)."""
    reason = [f"{g}-{c}" if isinstance(g, str) else c if isinstance(c, str) else None
              for g, c in zip(ledger.group_code, ledger.carc, strict=True)]
    return ledger.assign(reason=reason, kind=ledger.kind.replace(
        {"cob": "coordination_of_benefits"}))[
        ["entry_date", "kind", "reason", "amount", "insurance", "patient",
         "insurance_balance", "patient_balance", "destination", "reversal"]]


def client_ledger(db: Database, client_id: str) -> pd.DataFrame:
    """Every patient-side money event of one client, in date order: entry_date, claim_id
    (NULL for money that names no claim), kind, amount, patient (the effect on what the client
    owes), and the running balance after it."""
    with db.connect() as con:
        return fetch_df(con, """
            WITH rows AS (
                -- a refund undone is a refund row with its amount negated (migration 0024)
                SELECT entry_date, claim_id, CASE WHEN kind = 'refund' AND amount < 0
                       THEN 'refund_undone' ELSE kind END AS kind, source_id, amount,
                       patient, seq
                FROM ledger WHERE client_id = ? AND patient <> 0 AND NOT voided
                UNION ALL
                SELECT payment_date, NULL, 'patient_payment', patient_payment_id, amount,
                       -amount, 0
                FROM patient_payments WHERE client_id = ? AND claim_id IS NULL
                UNION ALL
                SELECT refund_date, NULL, CASE WHEN reverses IS NULL THEN 'refund'
                       ELSE 'refund_undone' END, refund_id, amount, amount, 0
                FROM patient_refunds WHERE client_id = ? AND claim_id IS NULL
                UNION ALL
                SELECT write_off_date, NULL, 'write_off', write_off_id, amount, -amount, 0
                FROM write_offs WHERE client_id = ? AND claim_id IS NULL AND side = 'patient')
            SELECT entry_date, claim_id, kind, amount, patient,
                   sum(patient) OVER (ORDER BY entry_date, claim_id NULLS LAST, seq, kind,
                                      source_id ROWS UNBOUNDED PRECEDING) AS balance
            FROM rows
            ORDER BY entry_date, claim_id NULLS LAST, seq, kind, source_id""",
                            [client_id] * 4)
