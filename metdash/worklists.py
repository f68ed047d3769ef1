"""The front desk's and biller's work lists: each a function ``(db, as_of) -> DataFrame``.

Every list is one read query with bound parameters; ``WORKLISTS`` names them in the order
the work page shows them. Money columns are DECIMAL(12,2); days are whole days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from metdash.acks import claims_awaiting_ack, rejected_claims
from metdash.care_lists import (
    CLIENT_NAME,
    plan_of_care_to_recertify,
    plans_of_care_unsigned,
    progress_note_due,
    referrals_expiring,
    treated_without_plan_of_care,
)
from metdash.deadlines import filing_deadline_sql
from metdash.entry import UNBILLED_IDS, UNBILLED_IDS_IN_SPAN, session_id_span
from metdash.figures.denials import NOT_APPEALABLE_SQL
from metdash.store import Database, facts
from metdash.x12.secondary import secondary_claims_to_bill

__all__ = [
    "ROW_ACTIONS", "RowAction", "WORKLISTS", "Worklist", "all_lists", "any_ready_to_submit",
    "claims_at_risk_of_timely_filing", "claims_ready_to_submit", "payers_overpaid",
    "claims_unpaid_past_lag", "counts", "credit_balances", "denials_to_appeal",
    "payments_taken_back",
    "denials_to_correct", "plan_of_care_to_recertify", "plans_of_care_unsigned",
    "progress_note_due", "referrals_expiring", "rows_shown", "sessions_not_billed",
    "treated_without_plan_of_care", "unmatched_remittances", "ROWS_SHOWN",
]

TIMELY_WINDOW_DAYS = 14
FILING_DEADLINE = filing_deadline_sql()   # claims c, payers p



def _clients_of(rows: str) -> str:
    """The clients of ``rows`` (a CTE with client_id) as ``cl``, to join for their names.

    Their names are joined from these clients only: the optimizer took the few rows of a list
    for as many as the clients and hashed every client instead (~20 ms a list at 5M lines)."""
    return (f"(SELECT client_id, last_name, first_name FROM clients "
            f"WHERE client_id IN (SELECT client_id FROM {rows})) cl")


def sessions_not_billed(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Sessions on or before ``as_of`` on no line of a non-voided claim.

    Columns: session_id, client_id, client_name, session_date, kind, provider,
    timed_minutes (all minutes recorded), days_since (days since the session).
    """
    # The few unbilled sessions first, then their minutes and names: the history of billed
    # sessions is never joined to anything. Sessions on no line are found from a bit per
    # session id (UNBILLED_IDS_IN_SPAN) when the ids are not spread too wide.
    span = session_id_span(db)
    params = {"as_of": as_of} if span is None else {"as_of": as_of, "lo": span[0],
                                                    "hi": span[1]}
    return db.query(f"""
        WITH {UNBILLED_IDS if span is None else UNBILLED_IDS_IN_SPAN},
        unbilled AS (
            SELECT s.* FROM sessions s SEMI JOIN unbilled_ids USING (session_id)
            WHERE s.session_date <= $as_of::DATE
        ),
        minutes AS (
            SELECT session_id, sum(minutes) AS minutes FROM session_minutes
            WHERE session_id IN (SELECT session_id FROM unbilled) GROUP BY session_id
        )
        SELECT s.session_id, s.client_id, {CLIENT_NAME} AS client_name, s.session_date, s.kind,
               p.last_name || ', ' || p.first_name AS provider,
               coalesce(m.minutes, 0)::INTEGER AS timed_minutes,
               date_diff('day', s.session_date, $as_of::DATE) AS days_since
        FROM unbilled s
        JOIN {_clients_of("unbilled")} USING (client_id)
        LEFT JOIN providers p USING (provider_id)
        LEFT JOIN minutes m USING (session_id)
        ORDER BY s.session_date, s.session_id""", params, few=True)


def claims_ready_to_submit(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Claims with status 'ready'.

    Columns: claim_id, client_id, client_name, payer, first_service_date, total_charge,
    filing_deadline (first service date + the payer's timely-filing days), days_left.
    """
    return db.query(f"""
        WITH c AS (SELECT * FROM claims WHERE status = 'ready')
        SELECT c.claim_id, c.client_id, {CLIENT_NAME} AS client_name, p.name AS payer,
               c.first_service_date, c.total_charge,
               {FILING_DEADLINE} AS filing_deadline,
               date_diff('day', ?::DATE, {FILING_DEADLINE}) AS days_left
        FROM c JOIN {_clients_of("c")} USING (client_id) JOIN payers p USING (payer_id)
        ORDER BY filing_deadline, c.claim_id""", [as_of], few=True)


def any_ready_to_submit(db: Database) -> bool:
    """True when some claim has status 'ready' (a page scores them ahead: see
    pages/worklists.py)."""
    return bool(db.scalar("SELECT EXISTS (SELECT 1 FROM claims WHERE status = 'ready')"))


def claims_unpaid_past_lag(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Claims sent to their payer and not answered in full, out longer than its usual lag.

    Listed: a claim still ``submitted`` with no payment on file, and a claim its payer
    answered only in part (its current answer, CLP03s or a paper EOB's lines, below the
    charge billed: ``claim_facts.answered``, every CLP of a claim the payer split; a payer
    that splits a claim, or skips lines, answers the rest later; see
    :mod:`metdash.x12.answered`) on which insurance owes more than the open denials. Days
    out: since it was last sent; past the payer's ``usual_lag_days``. A claim whose answered
    lines were denied is on the denial lists for those, and here for the lines not answered.

    Columns: claim_id, client_name, days_out, total_charge, unanswered (the charge the payer
    has not answered: all of it with no payment), payer, usual_lag_days, submitted_date,
    client_id (how late and how much first: the page's grid shows ~7 of them at 1280 px).
    Oldest first.
    """
    # The late claims first; the payments are then searched for the few still submitted only
    # (an anti-join would hash every claim payment's claim id).
    return db.query(f"""
        WITH part AS (
            -- claims their payer answered for less than their charge (claim_facts.answered:
            -- every answer of a claim it split), on which insurance owes more than the open
            -- denials (most partly paid claims are so for a line denied, answered whole)
            SELECT claim_id, answered FROM claim_facts
            WHERE answered < total_charge AND insurance_balance > denied_open
              AND status <> 'voided'
        ), late AS (
            SELECT c.claim_id, c.client_id, c.status, p.name AS payer, c.submitted_date,
                   date_diff('day', coalesce(c.last_submitted_date, c.submitted_date), ?::DATE)
                       AS days_out,
                   p.usual_lag_days, c.total_charge, c.answered
            FROM (SELECT claim_id, client_id, payer_id, status, submitted_date,
                         last_submitted_date, total_charge, NULL::DECIMAL(14,2) AS answered
                  FROM claims WHERE status = 'submitted'
                  UNION ALL
                  SELECT c.claim_id, c.client_id, c.payer_id, c.status, c.submitted_date,
                         c.last_submitted_date, c.total_charge, pt.answered
                  FROM claims c JOIN part pt USING (claim_id)
                  WHERE c.status <> 'submitted') c
            JOIN payers p USING (payer_id)
            WHERE c.submitted_date IS NOT NULL
              AND date_diff('day', coalesce(c.last_submitted_date, c.submitted_date), ?::DATE)
                  > p.usual_lag_days
        ), seen AS (
            -- the late submitted claims with a payment on file (a reversal sent back to
            -- submitted is on "Payments taken back")
            SELECT DISTINCT cp.claim_id FROM claim_payments cp
            SEMI JOIN (SELECT claim_id FROM late WHERE status = 'submitted') USING (claim_id)
        )
        SELECT c.claim_id, {CLIENT_NAME} AS client_name, c.days_out, c.total_charge,
               (c.total_charge - coalesce(c.answered, 0))::DECIMAL(12,2) AS unanswered,
               c.payer, c.usual_lag_days, c.submitted_date, c.client_id
        FROM late c JOIN clients cl USING (client_id)
        WHERE c.status <> 'submitted' OR c.claim_id NOT IN (SELECT claim_id FROM seen)
        ORDER BY c.days_out DESC, c.claim_id""", [as_of, as_of], few=True)


def _open_denials(as_of_param: str = "?::DATE") -> str:
    """Claims whose denied amount is still owed now (claim_facts.denied_open), with the first
    denying remittance, the reasons, whether a reason is corrected rather than appealed, the
    appeal deadline (and days_left to it) and the deadline to act by: the timely-filing
    deadline for a denial to correct and resubmit, else the appeal deadline."""
    return f"""
        open AS (
            -- with the claim's own columns as claim_facts keeps them (reading them from
            -- claims scanned every claim at 5M lines)
            SELECT claim_id, client_id, payer_id, status, first_service_date, denied_open
            FROM claim_facts
            WHERE denied_open > 0 AND status <> 'voided'
        ), d AS (
            SELECT d.* FROM denial_facts d SEMI JOIN open USING (claim_id)
        ), per_claim AS (
            SELECT d.claim_id, min(d.payment_date) AS denied_date,
                   string_agg(DISTINCT d.group_code || '-' || d.carc, ', '
                              ORDER BY d.group_code || '-' || d.carc) AS reasons,
                   bool_or({NOT_APPEALABLE_SQL}) AS correct_first,
                   -- only PR denials (PR-96, PR-204 ...): the client may be liable
                   bool_and(d.group_code = 'PR') AS pr_only
            FROM d GROUP BY d.claim_id
        ), work AS (
            SELECT o.claim_id, o.client_id, p.name AS payer, o.status, pc.denied_date,
                   (pc.denied_date + p.appeal_window_days)::DATE AS appeal_deadline,
                   date_diff('day', {as_of_param},
                             (pc.denied_date + p.appeal_window_days)::DATE) AS days_left,
                   -- a resubmission is due within the payer's timely-filing window, not
                   -- its appeal window (DOMAIN.md); any other denial by its appeal
                   -- deadline, as on the Denials page
                   CASE WHEN pc.correct_first
                        THEN {filing_deadline_sql("o")}
                        ELSE (pc.denied_date + p.appeal_window_days)::DATE END AS deadline,
                   o.denied_open AS denied_amount, pc.reasons, pc.correct_first,
                   pc.pr_only AND p.payer_type <> 'medicaid' AS client_may_owe,
                   EXISTS (SELECT 1 FROM appeals a WHERE a.claim_id = o.claim_id
                           AND a.outcome = 'pending') AS appeal_pending
            FROM per_claim pc JOIN open o USING (claim_id) JOIN payers p USING (payer_id)
        )"""


def next_step_after_window(correct_first: bool, client_may_owe: bool,
                           filing_passed: bool = False) -> str:
    """What a denial on "Denials to correct, resubmit or write off" asks for. Past the appeal
    window only a PR denial (PR-96, PR-204 ...) may be billed to the client, and never a
    Medicaid client's (found by a new-user trial: a Medicaid CO-197 was offered "move to the
    client"); a CO / PI / OA denial is the practice's to write off (DOMAIN.md). One to
    correct and resubmit past the payer's timely-filing window (``filing_passed``) is
    refused again unless the practice can prove it filed in time."""
    if correct_first and filing_passed:
        return ("past the filing window: resubmit only with proof of timely filing, else "
                "write off (timely filing)")
    if correct_first:
        return "correct and resubmit (or write off)"
    if client_may_owe:
        return "past the appeal window: move to the client (with a signed waiver) or write off"
    return "past the appeal window: write off (not the client's to pay)"


def _denial_lists(db: Database, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both denial work lists from one read of the open denials (they share every step but
    the last filter): (to appeal, to correct or write off)."""
    work = db.query(f"""
        WITH {_open_denials()}
        SELECT w.*, {CLIENT_NAME} AS client_name,
               date_diff('day', ?::DATE, w.deadline) AS deadline_days_left,
               coalesce(NOT w.correct_first AND NOT w.appeal_pending AND w.days_left >= 0
                        -- corrected and resubmitted: waiting
                        AND w.status NOT IN ('ready', 'submitted'), FALSE) AS to_appeal,
               coalesce((w.correct_first AND w.status NOT IN ('ready', 'submitted'))
                        OR (NOT w.correct_first AND NOT w.appeal_pending
                            AND w.days_left < 0), FALSE) AS to_correct
        FROM work w JOIN {_clients_of("work")} USING (client_id)""", [as_of, as_of], few=True)
    appeal = work[work.to_appeal].sort_values(["appeal_deadline", "claim_id"])
    appeal = appeal[["claim_id", "client_id", "client_name", "payer", "status", "denied_date",
                     "appeal_deadline", "days_left", "denied_amount", "reasons"]]
    # Nearest deadline first, those past it last (as the Denials page): a resubmission
    # lost to the filing window can only be written off.
    correct = work[work.to_correct].assign(days_left=lambda rows: rows.deadline_days_left,
                                           passed=lambda rows: rows.deadline_days_left < 0)
    correct = correct.sort_values(["passed", "deadline", "claim_id"])
    correct = correct.assign(next_step=[next_step_after_window(first, may_owe, passed)
                                        for first, may_owe, passed in zip(
                                            correct.correct_first, correct.client_may_owe,
                                            correct.passed, strict=True)])
    correct = correct[["claim_id", "client_id", "client_name", "payer", "status", "denied_date",
                       "deadline", "days_left", "denied_amount", "reasons", "next_step"]]
    return appeal.reset_index(drop=True), correct.reset_index(drop=True)


def denials_to_appeal(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Denied amounts still owed that can be appealed: no appeal pending, the payer's appeal
    window (counted from the first denying remittance) still open, and no reason that is
    corrected rather than appealed (CO-16 with MA130, CO-29). By appeal deadline.

    Columns: claim_id, client_id, client_name, payer, status, denied_date, appeal_deadline,
    days_left, denied_amount (still owed), reasons ('CO-50, CO-97').
    """
    return _denial_lists(db, as_of)[0]


def denials_to_correct(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Denied amounts still owed that are corrected and resubmitted (or written off), never
    appealed (DOMAIN.md: CO-16 with remark MA130, CO-29 timely filing), and denials past the
    appeal window with nothing pending: each must be resubmitted, moved to the client or
    written off. Nearest deadline first, those past it last: a denial to correct and
    resubmit by the payer's timely-filing deadline (first service date + timely_filing_days,
    as :func:`claims_at_risk_of_timely_filing`), not its appeal deadline; one past the appeal
    window by that (passed) appeal deadline.

    Columns: claim_id, client_id, client_name, payer, status, denied_date, deadline,
    days_left (to the deadline; negative: passed), denied_amount, reasons, next_step.
    """
    return _denial_lists(db, as_of)[1]


def credit_balances(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Clients the practice owes money to (a credit balance: paid more than they owe), to
    refund. A copay paid ahead on a claim the payer has not adjudicated yet is not a credit:
    it waits for the claim's cost share. Columns: client_id, client_name, credit (positive
    dollars), last_payment."""
    return db.query(f"""
        WITH per_client AS (
            SELECT client_id, sum(balance) AS balance FROM (
                SELECT client_id, patient_balance AS balance FROM claim_facts
                WHERE status <> 'voided' AND patient_balance <> 0
                  AND (adjudicated OR patient_balance > 0)
                UNION ALL SELECT client_id, -amount FROM patient_payments
                WHERE claim_id IS NULL AND payment_date <= ?::DATE
                UNION ALL SELECT client_id, -amount FROM write_offs
                WHERE claim_id IS NULL AND side = 'patient'
                UNION ALL SELECT client_id, amount FROM patient_refunds WHERE claim_id IS NULL)
            GROUP BY client_id
            HAVING sum(balance) < 0
        )
        SELECT pc.client_id, {CLIENT_NAME} AS client_name,
               (-pc.balance)::DECIMAL(14,2) AS credit,
               (SELECT max(payment_date) FROM patient_payments pp
                WHERE pp.client_id = pc.client_id) AS last_payment
        FROM per_client pc JOIN clients cl USING (client_id)
        ORDER BY credit DESC, pc.client_id""", [as_of], few=True)


def payers_overpaid(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Claims a payer paid more than it owes (a duplicate payment: a second claim payment with
    no reversal replaces the first adjudication, while both payments were received, DOMAIN.md
    "One claim, several remittances"): the practice owes the difference back. The payer
    usually takes it from a later payment (a PLB recoupment naming the claim), which ends
    the row. Columns: claim_id, client_id, client_name, payer, last_paid (the payer's latest
    payment on the claim), days_since, overpaid (dollars). Oldest first."""
    return db.query(f"""
        WITH over AS (
            SELECT claim_id, client_id, payer_id, -insurance_balance AS overpaid
            FROM claim_facts WHERE insurance_balance < 0 AND status <> 'voided'
        ), paid AS (
            SELECT cp.claim_id, max(r.payment_date) AS last_paid
            FROM claim_payments cp JOIN remittances r USING (remittance_id)
            WHERE cp.claim_id IN (SELECT claim_id FROM over) GROUP BY cp.claim_id
        )
        SELECT o.claim_id, o.client_id, {CLIENT_NAME} AS client_name, p.name AS payer,
               pd.last_paid, date_diff('day', pd.last_paid, ?::DATE) AS days_since,
               o.overpaid::DECIMAL(14,2) AS overpaid
        FROM over o JOIN {_clients_of("over")} USING (client_id)
        JOIN payers p USING (payer_id) LEFT JOIN paid pd USING (claim_id)
        ORDER BY pd.last_paid, o.claim_id""", [as_of], few=True)


def payments_taken_back(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Claims a payer took money back from, by ``as_of``, that owe again: the work to ask the
    payer why, then appeal, correct and resubmit, or write off.

    Per claim and payer (DOMAIN.md, "One claim, several remittances" and "PLB"):
    - **reversed, not processed again**: a reversal (CLP02 22) that no later claim payment
      (CLP) of the payer follows with an answer of the lines it took back (the other part of a
      claim the payer split is not one: metdash/sql/payments_taken_back.sql). The claim is
      back in A/R waiting for the corrected claim; it owes what its insurance side owes.
    - **recoupment**: the payer's current adjudication (its latest CLP) pays more than the
      payer's money on the claim now holds (its CLPs net of reversals, less the PLB WO / FB
      recoupments that name the claim and the refunds the practice sent it). What it owes
      again is that difference. A duplicate payment taken back owes nothing again: the
      current adjudication is paid exactly; taken back after the practice refunded it, it
      owes the refund again.

    Either way no more than the claim's insurance balance now, less its open denied amount
    (on the denial lists), and only while that is above zero: a write-off or a move to the
    client ends the row.

    Columns: claim_id, client_id, client_name, payer, taken_back_date (the latest reversal or
    recoupment), days_since, taken_back (dollars), insurance_owes, how, status. Oldest
    first.
    """
    # The claims that owe beyond their open denials after an adjudication are few (a few
    # thousand at 5M lines: awaiting a secondary, reversed, recouped); their CLPs are read
    # from the remittances dated on or after their first service (a payer cannot answer
    # before it), so the older row groups of claim_payments are skipped.
    first = db.scalar("""
        SELECT min(r.remittance_id) FROM remittances r
        WHERE r.payment_date >= (SELECT min(first_service_date) FROM claim_facts
                                 WHERE adjudicated AND insurance_balance > denied_open
                                   AND status <> 'voided')""")
    return db.query(facts.sql_text("payments_taken_back"),
                    {"as_of": as_of, "first": first if first is not None else 2**31 - 1}, few=True)


def claims_at_risk_of_timely_filing(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Unsubmitted claims (draft or ready) whose timely-filing deadline is within 14 days
    or has passed. Deadline: first service date + the payer's timely_filing_days.

    Columns: claim_id, client_id, client_name, payer, status, first_service_date,
    filing_deadline, days_left (negative: passed), total_charge.
    """
    return db.query(f"""
        SELECT c.claim_id, c.client_id, {CLIENT_NAME} AS client_name, p.name AS payer, c.status,
               c.first_service_date,
               {FILING_DEADLINE} AS filing_deadline,
               date_diff('day', ?::DATE, {FILING_DEADLINE}) AS days_left,
               c.total_charge
        FROM claims c JOIN clients cl USING (client_id) JOIN payers p USING (payer_id)
        WHERE c.status IN ('draft', 'ready') AND c.submitted_date IS NULL
          AND date_diff('day', ?::DATE, {FILING_DEADLINE}) <= ?
        ORDER BY days_left, c.claim_id""", [as_of, as_of, TIMELY_WINDOW_DAYS], few=True)


def unmatched_remittances(db: Database, as_of: dt.date) -> pd.DataFrame:
    """Claim payments (CLPs) that matched no claim of ours (claim_id IS NULL), paid by ``as_of``.

    Columns: remittance_id, payer_name, payment_date, trace_number, clp01, status_code,
    charge, paid, patient_responsibility, payer_claim_number.
    """
    return db.query("""
        SELECT r.remittance_id, r.payer_name, r.payment_date, r.trace_number, cp.clp01,
               cp.status_code, cp.charge, cp.paid, cp.patient_responsibility,
               cp.payer_claim_number
        FROM claim_payments cp JOIN remittances r USING (remittance_id)
        WHERE cp.claim_id IS NULL AND r.payment_date <= ?::DATE
        ORDER BY r.payment_date, r.remittance_id, cp.seq""", [as_of], few=True)


@dataclass(frozen=True)
class Worklist:
    """One work list: its title, what it holds, and the query."""

    title: str
    description: str
    fn: Callable[[Database, dt.date], pd.DataFrame]


WORKLISTS: dict[str, Worklist] = {
    "unbilled_sessions": Worklist("Sessions not yet billed",
                                  "Sessions on no claim yet.", sessions_not_billed),
    "ready_to_submit": Worklist("Claims ready to submit", "Claims marked ready.",
                                claims_ready_to_submit),
    "bill_secondary": Worklist("Bill the secondary",
                               "Claims whose payer left cost share (or COB) that the client's "
                               "next coverage on the date of service owes: send the 837P to "
                               "that payer (a crossover, CLP02 19, is sent by the payer).",
                               secondary_claims_to_bill),
    "unpaid_past_lag": Worklist("Claims unpaid past the usual lag",
                                "Claims sent with no payment, or that the payer answered only "
                                "in part (lines its 835 or EOB left out: the charge not "
                                "answered), out longer than the payer's usual days to payment: "
                                "ask the payer.",
                                claims_unpaid_past_lag),
    "denials_to_appeal": Worklist("Denials to appeal", "Denied amounts still owed with no "
                                  "appeal pending, by the payer's appeal deadline.",
                                  denials_to_appeal),
    "denials_to_correct": Worklist("Denials to correct, resubmit or write off",
                                   "Unprocessable (CO-16 + MA130) and timely-filing (CO-29) "
                                   "denials, and denials past the appeal window. Nearest "
                                   "deadline first (a resubmission's is the payer's filing "
                                   "deadline), those past it last.",
                                   denials_to_correct),
    "payments_taken_back": Worklist("Payments taken back",
                                    "Claims a payer reversed (CLP02 22) without processing "
                                    "them again, or took money back from (PLB WO / FB) that "
                                    "they owe again: ask the payer why, then appeal, correct "
                                    "and resubmit, or write off.", payments_taken_back),
    "payers_overpaid": Worklist("Payers overpaid",
                                "Claims a payer paid more than it owes (a duplicate payment): "
                                "the practice owes it back. The payer usually takes it from a "
                                "later payment (a recoupment naming the claim), which ends the "
                                "row; keep the money aside. When the payer asks for a check, "
                                "record it (Balances, Refund a payer): that ends the row too.",
                                payers_overpaid),
    # Acknowledgments (metdash.acks): the clearinghouse's 999 and the payer's 277CA.
    "rejected_to_fix": Worklist("Claims rejected — fix and resend",
                                "Claims a 999 (clearinghouse) or 277CA (payer) rejected, not "
                                "sent again since: the reason in words; fix the claim and send "
                                "it again before its filing deadline.", rejected_claims),
    "awaiting_ack": Worklist("Claims with no acknowledgment",
                             "Submitted claims with no 277CA from the payer more than the days "
                             "set under Settings (default 3) after they were sent.",
                             claims_awaiting_ack),
    "credit_balances": Worklist("Credit balances to refund",
                                "Clients who paid more than they owe.", credit_balances),
    "referrals_expiring": Worklist("Referrals expiring or running out",
                                   "Referrals expiring within 14 days or with 2 visits or "
                                   "fewer left.", referrals_expiring),
    "progress_note_due": Worklist("Progress report due", "The 10th treatment day of the "
                                  "reporting period (the evaluation day is day 1; after a "
                                  "report, the next treatment day) is the next visit, or "
                                  "went by without a report.", progress_note_due),
    "plan_of_care_recert": Worklist("Plan of care to recertify", "Plans of care whose "
                                    "certified days (at most 90 from the first treatment) end "
                                    "within 14 days or have ended, not yet recertified.",
                                    plan_of_care_to_recertify),
    "plan_of_care_unsigned": Worklist("Plans of care unsigned", "Plans the physician has not "
                                      "signed: due within 30 days of the evaluation (a "
                                      "recertification: before the plan it continues ends); "
                                      "listed 7 days ahead.", plans_of_care_unsigned),
    "treated_without_plan": Worklist("Treated without a plan of care",
                                     "Medicare clients treated on days no plan of care on "
                                     "file covers (Medicare pays only under a plan the "
                                     "physician certified), while a claim for them can "
                                     "still be filed: the days, and what to do. Oldest "
                                     "first.", treated_without_plan_of_care),
    "timely_filing_risk": Worklist("Claims at risk of timely filing",
                                   "Unsubmitted claims whose filing deadline is within 14 days "
                                   "or passed.", claims_at_risk_of_timely_filing),
    "unmatched_remittances": Worklist("Remittances that matched no claim",
                                      "Payments whose claim number is not one of ours.",
                                      unmatched_remittances),
}


def all_lists(db: Database, as_of: dt.date, workers: int = 3) -> dict[str, pd.DataFrame]:
    """Every work list (key -> frame), in ``WORKLISTS`` order: one call for a page to cache.

    The queries run ``workers`` at a time (each on its own cursor of the store's shared
    handle): most are short and leave a core idle between their steps. At 1M lines on 2
    cores, the handle just reopened (another process wrote the file), medians of 8: 271 ms
    two at a time, 254 ms three, 262 four."""
    from concurrent.futures import ThreadPoolExecutor

    shared = ("denials_to_appeal", "denials_to_correct")  # one read for both
    if workers <= 1:
        out = {key: wl.fn(db, as_of) for key, wl in WORKLISTS.items() if key not in shared}
        both = _denial_lists(db, as_of)
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="worklist") as pool:
            denials = pool.submit(_denial_lists, db, as_of)
            running = {key: pool.submit(wl.fn, db, as_of) for key, wl in WORKLISTS.items()
                       if key not in shared}
            out = {key: job.result() for key, job in running.items()}
            both = denials.result()
    out.update(zip(shared, both, strict=True))
    return {key: out[key] for key in WORKLISTS}


def counts(db: Database, as_of: dt.date) -> dict[str, int]:
    """How many items each work list holds (key -> count)."""
    return {key: len(wl.fn(db, as_of)) for key, wl in WORKLISTS.items()}


@dataclass(frozen=True)
class RowAction:
    """What a work list's row leads to: a button ``label`` that opens ``page`` (in pages/) on
    ``tab`` (its st.tabs key ``tabs_key``) with the row's ``column`` chosen in the picker
    ``pick`` (None: the page alone)."""

    label: str
    page: str
    column: str | None = None
    pick: str | None = None
    tab: str | None = None
    tabs_key: str | None = None


_PLANS = RowAction("Open the client's referrals and plans of care", "referrals.py",
                   "client_id", "client")
#: The action each list's rows lead to, in one click (and back: the page links to the lists).
ROW_ACTIONS: dict[str, RowAction] = {
    "unbilled_sessions": RowAction("Bill this client's sessions", "claims.py", "client_id",
                                   "bill_client", "Bill sessions", "claims_tab"),
    "ready_to_submit": RowAction("Create the 837P", "remittances.py", "claim_id",
                                 "x12_claims"),  # the page opens on its 837P section
    "bill_secondary": RowAction("Send the secondary claim", "secondary_claims.py", "claim_id",
                                "sec_claim"),
    "unpaid_past_lag": RowAction("Post the payer's payment", "payments.py", "claim_id",
                                 "e_claim", "Post an EOB", "payments_tab"),
    "denials_to_appeal": RowAction("File an appeal", "payments.py", "claim_id", "a_claim",
                                   "Appeals", "payments_tab"),
    "denials_to_correct": RowAction("Correct, resubmit or void the claim", "claims.py",
                                    "claim_id", "s_claim", "Status", "claims_tab"),
    "payments_taken_back": RowAction("Open the claim's ledger (correct or resubmit it)",
                                     "claims.py", "claim_id", "s_claim", "Status",
                                     "claims_tab"),
    "payers_overpaid": RowAction("Refund the payer", "balances.py", "claim_id", "pr_claim",
                                 "Refund a payer", "balances_tab"),
    "rejected_to_fix": RowAction("Correct the claim, then resend it", "claims.py", "claim_id",
                                 "s_claim", "Status", "claims_tab"),
    "awaiting_ack": RowAction("Import the acknowledgments", "remittances.py"),
    "credit_balances": RowAction("Refund the credit", "balances.py", "client_id", "owed",
                                 "What clients owe", "balances_tab"),
    "referrals_expiring": _PLANS,
    "progress_note_due": _PLANS,
    "plan_of_care_recert": _PLANS,
    "plan_of_care_unsigned": _PLANS,
    "treated_without_plan": _PLANS,
    "timely_filing_risk": RowAction("Open the claim to send it", "claims.py", "claim_id",
                                    "s_claim", "Status", "claims_tab"),
    "unmatched_remittances": RowAction("Open the remittances", "remittances.py"),
}


ROWS_SHOWN = 1000  # rows a work list draws on its page; its downloads hold every row


def rows_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a work list its page draws (the first :data:`ROWS_SHOWN`)."""
    return frame.head(ROWS_SHOWN)

