"""Entering the work: validation and atomic writes for everything a front desk or biller enters.

Each ``validate_*`` / ``check_*`` function takes plain values (the dataclasses below) and an
open connection, and RETURNS every problem it finds, as :class:`Problem` strings in the
biller's words (the field, what is wrong, how to fix it). Each ``save_*`` / ``post_*`` /
``move_*`` function validates first inside its own write transaction, raises
:class:`metdash.errors.ValidationError` with every problem when there is one, and otherwise
writes everything (with audit rows) in that ONE transaction. Each ``write_*`` function writes
an already validated record inside the caller's transaction (the spreadsheet import checks
every row first, then writes them all in one).

The rooms::

    problems     Problem, reading dates and money, small reads on an open connection
    practice     the practice, providers, payers, fees, the practice's codes
    clearinghouse  the 837P's submitter / receiver / interchange ids, each payer's id and
                 telehealth modifier (imported as ``metdash.entry.clearinghouse``)
    clients      clients, coverages, referrers
    referrals    referrals
    plans        plans of care: certification, 90 days, the physician's signature, recertifying
    sessions     sessions, the units a client's day bills as, the coverage active on a day
    claim_check  ClaimIn / ClaimLineIn and every rule a claim is checked by
    authorization  prior authorization a payer requires: the claim's warning, the note
                 Ready asks for, what the 837P export says
    days         one client's date of service: its sessions' minutes, the units billed for it,
                 what frees a date and code another claim holds
    claims       claim ids, saving and writing claims, building one from sessions, status moves
    posting      hand-posted EOBs, patient payments, appeals
    balances     the practice's own moves: write-offs (one or a batch), moving an insurance
                 balance to the client, refunds of a credit
    payer_refunds  money sent back to a payer that overpaid a claim
    refund_undos a refund to a client or to a payer undone (recorded by mistake, a check
                 never sent or returned)
    returns      a move to the client or an insurance write-off undone: by hand, or when the
                 payer pays it after all (835 and EOB posting)
    lookups      pick lists and searches for the forms (DataFrames read through ``db``)

Exceptions (from :mod:`metdash.errors`)::

    ValidationError   the input breaks a rule; .problems lists them all (.warnings too)
"""

from __future__ import annotations

from metdash.entry.authorization import (
    authorization_export_warnings,
    authorization_problem,
    claim_authorization,
    export_authorization_notes,
)
from metdash.entry.balances import (
    INSURANCE_REASONS,
    PATIENT_REASONS,
    REFUND_METHODS,
    SMALL_BALANCE_AT_MOST,
    RefundIn,
    TransferIn,
    WriteOffIn,
    client_patient_balance,
    move_to_client,
    refund_credit,
    small_balances,
    validate_refund,
    validate_transfer,
    validate_write_off,
    write_off,
    write_off_small_balances,
)
from metdash.entry.claim_check import (
    MAX_LINES,
    TIMELY_WARN_DAYS,
    ClaimCheck,
    ClaimIn,
    ClaimLineIn,
    KxYear,
    check_claim,
    kx_threshold_for,
    kx_years,
    medicare_allowed_ytd,
    validate_claim,
)
from metdash.entry.claim_reads import BatchReads, StoreReads
from metdash.entry.claims import (
    STATUSES,
    TRANSITIONS,
    SessionsBilled,
    bill_sessions,
    build_claim_from_sessions,
    move_claim_status,
    new_claim_id,
    save_claim,
    take_in_sessions_of_claims,
    write_claim,
    write_claims,
)
from metdash.entry.clients import (
    REFERRER_KINDS,
    ClientIn,
    CoverageIn,
    ReferrerIn,
    client_on_file,
    find_referrer,
    member_id_as_kept,
    save_client,
    save_coverage,
    save_referrer,
    validate_client,
    validate_coverage,
    validate_referrer,
    write_client,
    write_coverage,
    write_coverages,
    write_new_clients,
    write_referrer,
)
from metdash.entry.coverage_changes import (
    client_coverages,
    correct_member_id,
    correct_subscriber,
    coverage_subscriber,
    end_coverage,
    overlapping_primaries,
)
from metdash.entry.lookups import (
    FIND_LIMIT,
    UNBILLED_IDS,
    UNBILLED_IDS_IN_SPAN,
    choices,
    claim_lines_frame,
    client_list,
    client_plans_of_care,
    client_referrals,
    code_list,
    find_appeals,
    find_claims,
    find_clients,
    find_referrals,
    pending_appeals,
    recent_sessions,
    session_id_span,
    suggested_claim_id,
    unbilled_sessions,
)
from metdash.entry.payer_names import (
    add_remittance_name,
    add_remittance_names,
    remittance_names,
    remove_remittance_name,
)
from metdash.entry.payer_refunds import (
    PAYER_REFUND_METHODS,
    PayerRefundIn,
    payers_paid,
    refund_payer,
    refunds_sent,
    validate_payer_refund,
)
from metdash.entry.plans import (
    MAX_PLAN_DAYS,
    SIGNATURE_DAYS,
    PlanOfCareIn,
    certified_through_at_most,
    record_plan_signature,
    save_plan_of_care,
    validate_plan_of_care,
)
from metdash.entry.posted import answered_in_part, check_so_far
from metdash.entry.posting import (
    GROUP_CODES,
    AdjustmentIn,
    AppealIn,
    EobIn,
    LinePostingIn,
    PatientPaymentIn,
    eob_payers,
    file_appeal,
    parse_adjustments,
    payer_claim_number,
    post_eob,
    record_appeal_outcome,
    record_patient_payment,
    validate_appeal,
    validate_eob,
    validate_patient_payment,
)
from metdash.entry.practice import (
    IMPORTED_PROVIDER,
    PAYER_TYPES,
    PayerIn,
    PracticeIn,
    ProviderIn,
    default_appeal_days,
    default_filing_days,
    imported_provider,
    is_placeholder_provider,
    practice_notices,
    save_cpt_code,
    save_fee,
    save_payer,
    save_practice,
    save_provider,
    validate_payer,
    validate_practice,
    validate_provider,
    write_payer,
    write_provider,
)
from metdash.entry.problems import (
    CENT,
    MAX_MONEY,
    Problem,
    as_date,
    as_money,
    fetch_rows,
)
from metdash.entry.referrals import (
    ReferralIn,
    record_prior_authorization,
    save_referral,
    validate_referral,
    write_referral,
    write_referrals,
)
from metdash.entry.refund_undos import (
    RefundUndoIn,
    client_refunds,
    undo_choices,
    undo_refund,
    validate_refund_undo,
)
from metdash.entry.returns import (
    Returned,
    UndoIn,
    returned_by,
    undo_move,
    undoable,
    validate_undo,
)
from metdash.entry.sessions import (
    MAX_SESSION_MINUTES,
    SESSION_KINDS,
    DayUnits,
    SessionIn,
    duplicate_session_warning,
    duplicate_sessions,
    minutes_problems,
    save_session,
    session_units,
    validate_session,
)
from metdash.entry.setup import SetupStep, setup_steps

__all__ = [
    "AdjustmentIn", "AppealIn", "BatchReads", "CENT", "CONTRACTUAL_CARCS", "ClaimCheck",
    "ClaimIn", "ClaimLineIn", "StoreReads", "ClientIn", "CoverageIn", "DayUnits", "EobIn",
    "FIND_LIMIT", "GROUP_CODES",
    "INSURANCE_REASONS", "KxYear", "LinePostingIn", "MAX_LINES", "MAX_MONEY", "MAX_PLAN_DAYS",
    "PATIENT_REASONS", "PAYER_TYPES", "PatientPaymentIn", "PayerIn", "PlanOfCareIn",
    "PracticeIn", "Problem", "ProviderIn", "REFERRER_KINDS", "REFUND_METHODS", "ReferralIn",
    "MAX_SESSION_MINUTES", "ReferrerIn", "RefundIn", "SESSION_KINDS", "SetupStep", "setup_steps", "SIGNATURE_DAYS", "STATUSES", "SessionIn",
    "TIMELY_WARN_DAYS", "TRANSITIONS", "TransferIn", "UNBILLED_IDS", "UNBILLED_IDS_IN_SPAN", "WriteOffIn", "as_date",
    "as_money", "bill_sessions", "build_claim_from_sessions", "certified_through_at_most",
    "check_claim", "SessionsBilled", "authorization_export_warnings", "export_authorization_notes", "authorization_problem",
    "claim_authorization", "record_prior_authorization",
    "choices", "claim_lines_frame", "default_appeal_days", "default_filing_days", "duplicate_session_warning", "duplicate_sessions", "claim_status_after_posting", "client_list",
    "client_patient_balance", "client_plans_of_care", "client_referrals", "code_list",
    "answered_in_part", "check_so_far", "eob_payers", "member_id_as_kept", "client_coverages", "correct_member_id", "end_coverage",
    "correct_subscriber", "coverage_subscriber", "overlapping_primaries",
    "add_remittance_name", "add_remittance_names", "remittance_names", "remove_remittance_name",
    "fetch_rows", "file_appeal", "find_appeals", "find_claims", "find_clients",
    "find_referrals", "find_referrer", "kx_threshold_for", "kx_years", "medicare_allowed_ytd",
    "move_claim_status", "move_to_client", "new_claim_id", "parse_adjustments",
    "payer_claim_number", "pending_appeals", "post_eob", "recent_sessions",
    "record_appeal_outcome", "record_patient_payment", "record_plan_signature", "refund_credit",
    "session_id_span",
    "save_claim", "client_on_file", "save_client", "save_coverage", "save_cpt_code", "save_fee", "save_payer",
    "take_in_sessions_of_claims",
    "save_plan_of_care", "save_practice", "save_provider", "small_balances", "SMALL_BALANCE_AT_MOST", "validate_refund",
    "validate_transfer", "validate_write_off", "write_off", "write_off_small_balances",
    "minutes_problems", "save_referral", "save_referrer", "save_session", "session_units", "suggested_claim_id",
    "unbilled_sessions", "validate_appeal", "validate_claim", "validate_client",
    "validate_coverage", "validate_eob", "validate_patient_payment", "validate_payer",
    "validate_plan_of_care", "validate_practice", "validate_provider", "validate_referral",
    "validate_referrer", "validate_session", "write_claim", "write_claims", "write_client",
    "write_coverage", "write_coverages", "write_new_clients", "write_payer", "write_provider",
    "write_referral", "write_referrals", "write_referrer",
    "PAYER_REFUND_METHODS", "PayerRefundIn", "payers_paid", "refund_payer",
    "refunds_sent",
    "validate_payer_refund",
    "RefundUndoIn", "client_refunds", "undo_choices", "undo_refund", "validate_refund_undo",
    "practice_notices", "IMPORTED_PROVIDER", "imported_provider", "is_placeholder_provider",
    "Returned", "UndoIn", "returned_by", "undo_move", "undoable", "validate_undo",
]
