"""Reads for the entry forms: pick lists (:func:`choices`), searches (``find_*``), the
client list, recent and unbilled sessions. Each returns a DataFrame read through ``db``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from metdash.coding import known_codes
from metdash.entry.claims import new_claim_id
from metdash.store import Database

__all__ = [
    "FIND_LIMIT", "SPAN_MAX", "UNBILLED_IDS", "UNBILLED_IDS_IN_SPAN", "choices", "claim_lines_frame", "client_list",
    "client_plans_of_care", "client_referrals", "code_list", "find_appeals", "find_claims",
    "find_clients", "find_referrals", "pending_appeals", "recent_sessions",
    "session_id_span", "suggested_claim_id", "unbilled_sessions",
]


_CHOICES = {
    "clients": "SELECT client_id, last_name || ', ' || first_name || ' (' || client_id || ')' "
               "AS label FROM clients ORDER BY last_name, first_name, client_id",
    "payers": "SELECT payer_id, name AS label, payer_type, units_rule, timely_filing_days, "
              "appeal_window_days, usual_lag_days, clearinghouse_payer_id, requires_referral, "
              "requires_prior_auth, (SELECT string_agg(n.remittance_name, ', ' ORDER BY "
              "n.remittance_name) FROM payer_remittance_names n WHERE n.payer_id = "
              "payers.payer_id) AS other_names_on_835s FROM payers ORDER BY name",
    "providers": "SELECT provider_id, last_name || ', ' || first_name || ' (' || npi || ')' AS "
                 "label, npi, last_name, first_name, credential, taxonomy, active "
                 "FROM providers ORDER BY last_name, first_name",
    "referrers": "SELECT referrer_id, name || ' (' || npi || ')' AS label, npi, name, kind, "
                 "specialty, organization FROM referrers ORDER BY name",
    # The date received first: the referrer's name after it may be cut in a narrow picker
    # (Sessions' "Peak Physical Therapy, received 2026-09-" at 1280 px: a new-user trial).
    "referrals": "SELECT r.referral_id, r.client_id, r.received_date || ' ' || f.name || "
                 "' (' || array_to_string(r.diagnosis_codes, ', ') || ')' "
                 "AS label, r.received_date, r.diagnosis_codes, r.authorized_visits, "
                 "r.expiry_date, r.prior_auth_number FROM referrals r "
                 "JOIN referrers f USING (referrer_id) "
                 "ORDER BY r.received_date DESC, r.referral_id DESC",
    "claims": "SELECT c.claim_id, c.claim_id || ' - ' || cl.last_name || ', ' || cl.first_name "
              "|| ' - ' || c.status || ' - $' || c.total_charge AS label, c.client_id, "
              "c.status, c.total_charge, c.first_service_date, c.submitted_date, "
              "p.name AS payer FROM claims c JOIN clients cl USING (client_id) "
              "JOIN payers p USING (payer_id) ORDER BY c.created_at DESC, c.claim_id DESC",
    "appeals": "SELECT appeal_id, claim_id, filed_date, level, reason, outcome, outcome_date "
               "FROM appeals ORDER BY filed_date DESC, appeal_id DESC",
    "fees": "SELECT cpt, charge FROM fee_schedule ORDER BY cpt",
    "payer_fees": "SELECT p.name AS payer, f.cpt, f.allowed_amount FROM payer_fee_schedule f "
                  "JOIN payers p USING (payer_id) ORDER BY p.name, f.cpt",
    "practice": "SELECT * FROM practice ORDER BY practice_id LIMIT 1",
    "kx_thresholds": "SELECT year, threshold, review_threshold FROM kx_thresholds ORDER BY year",
}


# What a claim picker says of the money (found by a new-user trial: the charge alone, when a
# biller picks a claim to post, write off or move by what is owed): the charge, and what
# insurance and the client owe on it now (claim_facts; a claim never sent owes nothing yet).
OWED_LABEL = (
    "'billed $' || printf('%.2f', c.total_charge) || CASE "
    "WHEN f.insurance_balance IS NULL OR f.first_ledger_date IS NULL THEN '' "
    "ELSE ', insurance owes $' || printf('%.2f', f.insurance_balance) "
    "|| CASE WHEN f.patient_balance > 0 THEN ', client owes $' "
    "|| printf('%.2f', f.patient_balance) WHEN f.patient_balance < 0 THEN ', client credit $' "
    "|| printf('%.2f', -f.patient_balance) ELSE '' END END")


def find_claims(db: Database, text: str = "", statuses: Sequence[str] | None = None,
                limit: int = 200) -> Any:
    """Claims a biller is looking for, newest first: ``text`` matches the start of the claim
    id, the client id or the client's last name (case-insensitive; empty: the newest).
    Columns: claim_id, label, client_id, status, total_charge, first_service_date, payer,
    insurance_balance and patient_balance (what is owed on it now).
    At most ``limit`` rows, so a practice with half a million claims stays quick: the newest
    matching claims are picked from ``claims`` alone (names matched through the small
    client table), and only they are joined to names and payers."""
    needle = (text or "").strip().lower()
    wanted = list(statuses) if statuses else None
    # Without a search (the list every page opens with): the newest dates alone first (a
    # cheap top-N on one date column), then only the claims from the oldest of those dates
    # on are sorted with their ids (~35 -> ~20 ms at 1M lines). A search is selective
    # enough to sort as it is.
    newest = ("WHERE first_service_date >= (SELECT min(d) FROM (SELECT first_service_date "
              "AS d FROM matching ORDER BY d DESC LIMIT ?))" if not needle else "")
    return db.query(
        "WITH named AS (SELECT client_id FROM clients "
        "               WHERE ? <> '' AND starts_with(lower(last_name), ?)), "
        "matching AS NOT MATERIALIZED ("
        "  SELECT claim_id, client_id, payer_id, status, total_charge, first_service_date "
        "  FROM claims c "
        "  WHERE (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], c.status)) "
        "    AND (? = '' OR starts_with(lower(c.claim_id), ?) "
        "         OR starts_with(lower(c.client_id), ?) "
        "         OR c.client_id IN (SELECT client_id FROM named))), "
        "picked AS ("
        f"  SELECT * FROM matching {newest} "
        "  ORDER BY first_service_date DESC, claim_id DESC LIMIT ?) "
        "SELECT c.claim_id, c.claim_id || ' - ' || cl.last_name || ', ' || cl.first_name "
        "|| ' - ' || replace(c.status, '_', ' ') || ' - ' || " + OWED_LABEL + " AS label, "
        "c.client_id, c.status, "
        "c.total_charge, c.first_service_date, p.name AS payer, f.insurance_balance, "
        "f.patient_balance "
        "FROM picked c JOIN clients cl USING (client_id) JOIN payers p USING (payer_id) "
        "LEFT JOIN claim_facts f USING (claim_id) "
        "ORDER BY c.first_service_date DESC, c.claim_id DESC",
        [needle, needle, wanted, wanted, needle, needle, needle,
         *([int(limit)] if newest else []), int(limit)])


def client_list(db: Database, text: str = "", limit: int = 500) -> Any:
    """Clients whose chart number or last name starts with ``text`` (all when empty), by
    name, at most ``limit``: client_id, last_name, first_name, dob, sex, phone."""
    needle = (text or "").strip().lower()
    return db.query(
        "SELECT client_id, last_name, first_name, dob, sex, phone FROM clients "
        "WHERE ? = '' OR starts_with(lower(client_id), ?) OR starts_with(lower(last_name), ?) "
        "ORDER BY last_name, first_name, client_id LIMIT ?",
        [needle, needle, needle, int(limit)])


FIND_LIMIT = 200  # rows a search-backed pick list offers at most


def find_clients(db: Database, text: str = "", limit: int = FIND_LIMIT) -> Any:
    """Clients for a pick list, by name: ``text`` matches the start of the chart number, the
    last name, 'Last, First' or the date of birth (YYYY-MM-DD), case-insensitive; empty:
    the first by name. Columns: client_id, label ('Last, First (id)'). At most ``limit``."""
    needle = (text or "").strip().lower()
    return db.query(
        "SELECT client_id, last_name || ', ' || first_name || ' (' || client_id || ')' AS label "
        "FROM clients WHERE ? = '' OR starts_with(lower(client_id), ?) "
        "OR starts_with(lower(last_name || ', ' || first_name), ?) "
        "OR starts_with(CAST(dob AS VARCHAR), ?) "
        "ORDER BY last_name, first_name, client_id LIMIT ?",
        [needle, needle, needle, needle, int(limit)])


def find_referrals(db: Database, text: str = "", limit: int = FIND_LIMIT) -> Any:
    """Referrals, newest first (the columns of ``choices(db, "referrals")``): ``text``
    matches the start of the client id, the referrer's name or NPI, a diagnosis code or
    the received date (YYYY-MM-DD), case-insensitive; empty: the newest. At most ``limit``;
    the newest are picked before the referrer's name is joined."""
    needle = (text or "").strip().lower()
    return db.query(
        "WITH picked AS (SELECT r.* FROM referrals r WHERE ? = '' "
        "  OR starts_with(lower(r.client_id), ?) "
        "  OR starts_with(CAST(r.received_date AS VARCHAR), ?) "
        "  OR contains(lower(',' || array_to_string(r.diagnosis_codes, ',')), ',' || ?) "
        "  OR r.referrer_id IN (SELECT referrer_id FROM referrers "
        "                       WHERE starts_with(lower(name), ?) OR starts_with(npi, ?)) "
        "  ORDER BY r.received_date DESC, r.referral_id DESC LIMIT ?) "
        "SELECT r.referral_id, r.client_id, f.name || ', received ' || r.received_date || "
        "' (' || array_to_string(r.diagnosis_codes, ', ') || ')' AS label, r.received_date, "
        "r.diagnosis_codes, r.authorized_visits, r.expiry_date, r.prior_auth_number "
        "FROM picked r JOIN referrers f USING (referrer_id) "
        "ORDER BY r.received_date DESC, r.referral_id DESC",
        [needle, needle, needle, needle, needle, needle, int(limit)])


def find_appeals(db: Database, text: str = "", limit: int = FIND_LIMIT) -> Any:
    """Appeals, pending ones first, then newest first (the columns of
    ``choices(db, "appeals")``): ``text`` matches the start of the claim id or the filed
    date (YYYY-MM-DD), case-insensitive; empty: all. At most ``limit``."""
    needle = (text or "").strip().lower()
    return db.query(
        "SELECT appeal_id, claim_id, filed_date, level, reason, outcome, outcome_date "
        "FROM appeals WHERE ? = '' OR starts_with(lower(claim_id), ?) "
        "OR starts_with(CAST(filed_date AS VARCHAR), ?) "
        "ORDER BY outcome <> 'pending', filed_date DESC, appeal_id DESC LIMIT ?",
        [needle, needle, needle, int(limit)])


def pending_appeals(db: Database) -> Any:
    """Appeals waiting for an outcome, newest first: appeal_id, claim_id, filed_date."""
    return db.query("SELECT appeal_id, claim_id, filed_date FROM appeals "
                    "WHERE outcome = 'pending' ORDER BY filed_date DESC, appeal_id DESC")


def code_list(db: Database) -> Any:
    """:func:`metdash.coding.known_codes` read through ``db`` (for a cached page read)."""
    with db.connect() as con:
        return known_codes(con)


def suggested_claim_id(db: Database) -> str:
    """:func:`new_claim_id` read through ``db`` (for a cached page read)."""
    with db.connect() as con:
        return new_claim_id(con)


def client_referrals(db: Database, client_id: str) -> Any:
    """One client's referrals, newest first (the columns of ``choices(db, "referrals")``)."""
    base = _CHOICES["referrals"].replace("ORDER BY", "WHERE r.client_id = ? ORDER BY")
    return db.query(base, [client_id or ""])


def client_plans_of_care(db: Database, client_id: str) -> Any:
    """One client's plans of care, newest first: plan_id, label ('Plan 3: 2025-04-01 to
    2025-06-29, signed 2025-04-10'), start_date, certified_through, signed_date,
    certified_by (the physician's name), recertifies_plan_id, recertified_by_plan_id."""
    return db.query("""
        SELECT p.plan_id,
               'Plan ' || p.plan_id || ': ' || p.start_date || ' to ' || p.certified_through
               || CASE WHEN p.signed_date IS NULL THEN ', unsigned'
                       ELSE ', signed ' || p.signed_date END AS label,
               p.start_date, p.certified_through, p.signed_date, f.name AS certified_by,
               p.recertifies_plan_id, r.plan_id AS recertified_by_plan_id
        FROM plans_of_care p LEFT JOIN referrers f USING (referrer_id)
        LEFT JOIN plans_of_care r ON r.recertifies_plan_id = p.plan_id
        WHERE p.client_id = ?
        ORDER BY p.start_date DESC, p.plan_id DESC""", [client_id or ""])


# CTEs ending in ``unbilled_ids(session_id)``: the sessions on no line of a non-voided claim
# and not among the sessions such a claim was built from (``claim_sessions``). Voided claims
# are few, so the history is never joined to ``claims``. (NOT IN over lines joined to claims
# took ~90 ms at 1M lines; these ~50 ms and ~25.)
_UNBILLED = """
    voided AS (SELECT claim_id FROM claims WHERE status = 'voided'),{candidates}
    -- a session a claim was built from is billed even without a line of its own (its
    -- minutes added to another session's line of the day: the 8-minute rule); looked up
    -- for the few candidates only, not built over every claim's sessions
    on_claims AS (
        SELECT cs.session_id FROM claim_sessions cs SEMI JOIN candidates USING (session_id)
        ANTI JOIN voided USING (claim_id)),
    unbilled_ids AS (SELECT session_id FROM candidates ANTI JOIN on_claims USING (session_id))"""
UNBILLED_IDS = _UNBILLED.format(candidates="""
    -- here the sessions on no line at all (an anti-join on the integer session id), plus the
    -- few whose every line is on a voided claim: leaving the voided claims' lines out as the
    -- lines are read cost more (~50 -> ~55 ms at 1M lines)
    no_line AS (SELECT s.session_id FROM sessions s ANTI JOIN claim_lines l USING (session_id)),
    on_voided AS (
        SELECT l.session_id, bool_and(l.claim_id IN (SELECT claim_id FROM voided)) AS only_voided
        FROM claim_lines l
        WHERE l.session_id IN (SELECT v.session_id FROM claim_lines v SEMI JOIN voided
                               USING (claim_id))
        GROUP BY l.session_id),
    candidates AS (
        SELECT session_id FROM no_line
        UNION ALL
        SELECT session_id FROM on_voided WHERE only_voided),""")
# The same, for a query binding $lo and $hi to the lowest and highest session id
# (:func:`session_id_span`): the sessions on no line found from one bit per session id set by
# the lines, instead of a hash table of every session probed by every line (~3x less CPU
# at 1M lines, ~10x at 5M, where that table no longer fits the CPU's caches). The voided
# claims' lines set no bit (an anti-join against a few hundred ids as the lines are read):
# one pass over the lines, not three (~34 -> ~24 ms at 1M lines).
UNBILLED_IDS_IN_SPAN = _UNBILLED.format(candidates="""
    lined AS (SELECT bitstring_agg(session_id, $lo, $hi) AS bits
              FROM claim_lines ANTI JOIN voided USING (claim_id)
              WHERE session_id BETWEEN $lo AND $hi),
    candidates AS (
        -- (no line in the span at all: no bits, NULL)
        SELECT s.session_id FROM sessions s, lined
        WHERE s.session_id BETWEEN $lo AND $hi
          AND CASE WHEN lined.bits IS NULL THEN TRUE
                   WHEN s.session_id BETWEEN $lo AND $hi
                   THEN get_bit(lined.bits, (s.session_id - $lo)::INTEGER) = 0 END
        UNION ALL
        -- sessions saved since the span was read (by another session or process)
        SELECT s.session_id FROM sessions s
        ANTI JOIN (SELECT session_id FROM claim_lines ANTI JOIN voided USING (claim_id)
                   WHERE session_id NOT BETWEEN $lo AND $hi) l
             USING (session_id)
        WHERE s.session_id NOT BETWEEN $lo AND $hi),""")
SPAN_MAX = 1 << 27  # session ids a span may cover (16 MiB of bits); wider: UNBILLED_IDS


def session_id_span(db: Database) -> tuple[int, int] | None:
    """The lowest and highest session id, for :data:`UNBILLED_IDS_IN_SPAN`; None when there
    are no sessions or they spread over more than :data:`SPAN_MAX` ids."""
    lo, hi = db.query("SELECT min(session_id) AS lo, max(session_id) AS hi FROM sessions"
                      ).iloc[0]
    if pd.isna(lo) or int(hi) - int(lo) >= SPAN_MAX:
        return None
    return int(lo), int(hi)


def unbilled_sessions(db: Database) -> Any:
    """Sessions on no line of a non-voided claim, by client and date: session_id,
    client_id, session_date, kind, minutes ('97110 24 min, ...'), label (what a picker
    shows: 'Oct 07, 2026 · session 3 · treatment · 97110 10 min', its kind in words
    ('initial assessment'), the session's number
    making two sessions of one day with the same minutes two choices -- a picker whose
    labels repeat lets only one of them be chosen). The few unbilled sessions are found
    first (an anti-join); only they are joined to their minutes."""
    df = db.query(f"""
        WITH {UNBILLED_IDS},
        unbilled AS (SELECT s.* FROM sessions s SEMI JOIN unbilled_ids USING (session_id))
        SELECT s.session_id, s.client_id, s.session_date, s.kind,
               string_agg(m.cpt || ' ' || m.minutes || ' min', ', ' ORDER BY m.cpt) AS minutes
        FROM unbilled s LEFT JOIN session_minutes m USING (session_id)
        GROUP BY ALL ORDER BY s.client_id, s.session_date, s.session_id""")
    df["label"] = [f"{pd.Timestamp(d):%b %d, %Y} · session {sid} · {str(kind).replace('_', ' ')}"
                   + (f" · {mins}" if isinstance(mins, str) and mins else "")
                   for sid, d, kind, mins in zip(df.session_id, df.session_date, df.kind,
                                                 df.minutes, strict=True)]
    return df


def recent_sessions(db: Database, limit: int = 200) -> Any:
    """The newest sessions with their minutes per code: session_id, session_date, client_id,
    kind, provider, place_of_service, minutes ('97110 24 min, 97530 14 min'). The newest
    are picked before anything is joined, so the cost does not grow with the practice's
    history."""
    return db.query("""
        WITH recent AS (
            SELECT * FROM sessions ORDER BY session_date DESC, session_id DESC LIMIT ?)
        SELECT s.session_id, s.session_date, s.client_id, s.kind, p.last_name AS provider,
               s.place_of_service,
               string_agg(m.cpt || ' ' || m.minutes || ' min', ', ' ORDER BY m.cpt) AS minutes
        FROM recent s LEFT JOIN providers p USING (provider_id)
        LEFT JOIN session_minutes m USING (session_id)
        GROUP BY ALL ORDER BY s.session_date DESC, s.session_id DESC""", [int(limit)])


def choices(db: Database, what: str) -> Any:
    """A small table the forms pick from: clients, payers, providers, referrers, referrals,
    claims, appeals, fees, payer_fees, practice or kx_thresholds (id column first, then
    ``label``, where the table has them)."""
    return db.query(_CHOICES[what])


def claim_lines_frame(db: Database, claim_id: str) -> Any:
    """A claim's lines (line_no, service_date, cpt, modifiers, units, charge, dx_pointers)."""
    return db.query("SELECT line_no, service_date, cpt, array_to_string(modifiers, ':') AS "
                    "modifiers, units, charge, array_to_string(dx_pointers, ',') AS dx_pointers "
                    "FROM claim_lines WHERE claim_id = ? ORDER BY line_no", [claim_id])
