"""Correcting a saved claim: editing a draft or ready claim, and replacing (frequency 7) or
voiding (frequency 8) a claim the payer already has.

The rules (DOMAIN.md, "Secondary claims" and the denial rules):

- **Edit** (:func:`edit_claim`): a claim that is a draft or ready and has not gone to the
  payer in this form (never sent, or a replacement waiting to be sent) is changed in place:
  its lines (date, CPT, modifiers, units, charge, diagnosis pointers), diagnoses, referral,
  referring and rendering provider, payer (a claim never sent only) and timely-filing reason.
  The same checks as a new claim apply (:func:`metdash.entry.claim_check.check_claim`).
- **Replacement** (:func:`replace_claim`): a claim the payer has (submitted or denied, or
  sent and moved back to ready) is corrected by a replacement claim: the corrected lines
  replace the claim's, the claim goes out next as frequency 7 (CLM05-3) with REF*F8 = the
  payer's claim control number of the claim it replaces (CLP07 of the payer's latest 835,
  :func:`metdash.entry.posting.payer_claim_number`), and it is queued for export (ready).
  Same checks as a new claim; same client and payer (the payer corrects its own claim).
- **Void** (:func:`void_claim`): the same claim withdrawn: frequency 8 with REF*F8, queued
  for export; once the 837P carrying it is written the claim is voided
  (:func:`metdash.x12.corrected837.voids_sent`). The client's payments on it (a copay taken
  at the visit) stay on the client's account, no longer tied to the claim.
- Refused, with what to do instead: a correction before the payer has given its claim
  number (nothing for REF*F8 to name), editing a claim the payer already has, voiding a
  claim twice (voided, or a void already waiting), voiding a claim the payer paid (the
  payment must be taken back first: post the payer's reversal) or one the practice wrote
  off, moved to the client or refunded on (a replacement instead; a write-off, move or
  refund since undone does not count), correcting a paid, appealed or closed claim.

An edit or a replacement that makes the claim bill a day's units takes in the client's
sessions of that date not yet billed (``claim_sessions``, as a claim built from sessions
names them): the way out Bill sessions offers when the second session of a day finds the
first one's claim holding its code (:func:`metdash.entry.days.freeing_the_day`). The rule
(:func:`metdash.entry.days.day_cover`): every code of the day billed, on this claim and the
client's other claims together, for at least the units the payer's rule gives for all the
day's minutes; short of that the sessions stay unbilled and a warning says which session,
which code and how many units short. The other way round, an edit or a replacement that takes
every line of a date off the claim lets go of the claim's sessions of that date (their
``claim_sessions`` rows, audited): nothing bills them any more, so they are back on Sessions
not yet billed, and a warning says so.

The claim keeps its number (CLM01, so the payer's 835 for the replacement posts to the same
claim) and its whole history: status moves, remittances, denials, appeals, write-offs and
the ledger stay attached. Every change is a row of ``claim_edits`` (who, when, why, the claim
before and after) and of the audit log.

The money (the ledger, :mod:`metdash.store.facts`): the claim's charge is its current total
(DOMAIN.md: insurance A/R = charge − ...), so a replacement that changes the lines changes the
ledger's charge row to the corrected total — dated, as every charge, on the day the claim
was first sent — and insurance A/R follows at once; ``claim_edits`` keeps the charge that was
sent before. The original's adjudication (a CO-16 denial of $300, say) stays in the ledger
until the payer's 835 for the replacement arrives, which, as a later adjudication of the same
claim, replaces it (DOMAIN.md "One claim, several remittances"): a $250 replacement paid
$180 with CO-45 $70 owes 250 − 180 − 70 = 0. A void leaves insurance A/R on the day it is
sent (the claim's voided date; A/R as of any earlier day still holds it), and the claim
leaves the figures as every voided claim does.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pandas as pd

from metdash.coding import normalize_cpt, normalize_icd10, parse_modifiers
from metdash.coding.pos import DEFAULT_POS, normalize_pos
from metdash.entry.claim_check import ClaimIn, ClaimLineIn, check_claim
from metdash.entry.claims import LINE_COLUMNS, add_claim_status
from metdash.entry.days import billed_session_ids, short_of_the_day, take_in_day_sessions
from metdash.entry.posting import payer_claim_number
from metdash.entry.problems import (
    Problem,
    as_date,
    as_money,
    blank,
    fetch_one,
    fetch_rows,
    fmt_money,
    text_field,
    today,
)
from metdash.entry.record_changes import records_changed_since_sent
from metdash.entry.sessions import active_coverage
from metdash.errors import MetdashError, ValidationError
from metdash.store import Database, audit, facts, insert_rows, to_json

__all__ = [
    "CORRECTABLE", "EDITABLE", "ClaimState", "claim_on_file", "claim_state", "describe_changes",
    "edit_claim", "edit_history", "replace_claim", "replacement_changes", "resend_warning",
    "void_claim",
]

EDITABLE = ("draft", "ready")
CORRECTABLE = ("submitted", "denied")
FREQUENCY_WORDS = {"1": "original", "7": "replacement", "8": "void"}
# What a claim is made of, for its history (the claim before and after a change).
SNAPSHOT_FIELDS = ("payer_id", "coverage_id", "referral_id", "referrer_id",
                   "rendering_provider_id", "diagnosis_codes", "total_charge",
                   "first_service_date", "timely_filing_reason", "frequency_code",
                   "original_payer_claim_number")
LINE_FIELDS = ("service_date", "cpt", "modifiers", "units", "charge", "dx_pointers",
               "session_id", "place_of_service")


# -- reading -----------------------------------------------------------------------------------

def _row(con: Any, claim_id: str) -> dict[str, Any]:
    row = fetch_one(con, "SELECT * FROM claims WHERE claim_id = ?", [claim_id])
    if row is None:
        raise ValidationError([Problem(f"Claim {claim_id} is not on file: pick it from the "
                                       "list.", "claim_id")])
    return row


def _lines(con: Any, claim_id: str) -> list[dict[str, Any]]:
    return fetch_rows(con, "SELECT * FROM claim_lines WHERE claim_id = ? ORDER BY line_no",
                      [claim_id])


def claim_on_file(con: Any, claim_id: str) -> ClaimIn:
    """The saved claim as a :class:`ClaimIn` (to show in a form and check again).

    Raises ValidationError when it is not on file."""
    row = _row(con, claim_id)
    return ClaimIn(
        claim_id=claim_id, client_id=row["client_id"], payer_id=row["payer_id"],
        diagnosis_codes=list(row["diagnosis_codes"]),
        lines=[ClaimLineIn(ln["service_date"], ln["cpt"], ln["units"], ln["charge"],
                           list(ln["modifiers"]), list(ln["dx_pointers"]), ln["session_id"],
                           ln["place_of_service"])
               for ln in _lines(con, claim_id)],
        rendering_provider_id=row["rendering_provider_id"], referrer_id=row["referrer_id"],
        referral_id=row["referral_id"], coverage_id=row["coverage_id"],
        timely_filing_reason=row["timely_filing_reason"], submitted_date=row["submitted_date"],
        source=row["source"])


def _snapshot(row: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    out = {f: row.get(f) for f in SNAPSHOT_FIELDS}
    out["diagnosis_codes"] = list(out["diagnosis_codes"] or [])
    out["lines"] = [{f: (list(ln[f]) if f in ("modifiers", "dx_pointers") else ln[f])
                     for f in LINE_FIELDS} for ln in lines]
    return out


class ClaimState(dict):
    """What can be done to a claim now: ``status``, ``frequency_code``, ``sent`` (the payer
    has had it), ``payer_claim_number`` (CLP07, None before the payer gave one),
    ``original_payer_claim_number`` (the REF*F8 a replacement or void carries), and the
    reason each action is refused (``edit``, ``correct``, ``void``: None when allowed)."""


# What the practice did on a claim's balance itself that still stands (a void would take it
# off the books): a write-off or a move to the client not undone (balance_returns), a refund
# not undone (its undo is a negated row of the refund's table). One undone nets to nothing.
_PRACTICE_MONEY = """
    WITH kept AS (
        SELECT 'write_off' AS kind, write_off_id AS id, amount FROM write_offs
        WHERE claim_id = $claim
        UNION ALL SELECT 'transfer', transfer_id, amount FROM balance_transfers
        WHERE claim_id = $claim
        UNION ALL SELECT kind, source_id, -amount FROM balance_returns WHERE claim_id = $claim
        UNION ALL SELECT 'patient_refund', coalesce(reverses, refund_id), amount
        FROM patient_refunds WHERE claim_id = $claim
        UNION ALL SELECT 'payer_refund', coalesce(reverses, refund_id), amount
        FROM payer_refunds WHERE claim_id = $claim)
    SELECT EXISTS (SELECT 1 FROM kept GROUP BY kind, id HAVING sum(amount) <> 0)"""


def _refusals(con: Any, row: dict[str, Any]) -> dict[str, str | None]:
    cid, status, freq = row["claim_id"], row["status"], row["frequency_code"] or "1"
    sent = row["submitted_date"] is not None
    edit = correct = void = None
    if status == "voided":
        edit = correct = f"Claim {cid} is voided: nothing on it changes any more."
        void = f"Claim {cid} is already voided: a claim is voided once."
    elif status in EDITABLE and freq == "8":
        edit = correct = (f"Claim {cid} is a void (frequency 8) waiting to be sent: export it "
                          "first; a void carries no changes.")
        void = (f"Claim {cid} already has a void waiting to be sent (frequency 8): export "
                "it; a claim is voided once.")
    elif status in EDITABLE and (not sent or freq == "7"):
        why = ("has not been sent to the payer" if not sent else
               "is a replacement (frequency 7) waiting to be sent")
        correct = void = (f"Claim {cid} {why}: edit it instead (a replacement or void is for "
                          "a claim the payer already has).")
        if not sent:
            void = (f"Claim {cid} has not been sent to the payer: there is nothing to void "
                    "with the payer; move it to voided on the Status tab, with a note.")
    elif status in CORRECTABLE or (status in EDITABLE and sent):
        edit = (f"Claim {cid} is {status} and the payer already has it (sent "
                f"{row['submitted_date']}): it is not edited directly; correct it with a "
                "replacement claim (frequency 7) or void it (frequency 8).")
        if payer_claim_number(con, cid) is None:
            correct = void = (f"Claim {cid} has no payer claim number yet (CLP07 of the payer's "
                              "835): a replacement or void must name it (REF*F8). Wait for the "
                              "payer's remittance, or post its EOB with the claim number.")
        else:
            paid = con.execute("SELECT paid FROM claim_facts WHERE claim_id = ?",
                               [cid]).fetchall()
            if paid and paid[0][0] != 0:
                void = (f"Claim {cid} has {fmt_money(paid[0][0])} paid by the payer: a void "
                        "takes that payment back, so post the payer's reversal first, or "
                        "send a replacement claim instead.")
            elif con.execute(_PRACTICE_MONEY, {"claim": cid}).fetchall()[0][0]:
                void = (f"Claim {cid} has a write-off, a balance moved to the client or a "
                        "refund on it: a voided claim leaves the books with its money, so "
                        "send a replacement claim instead.")
    else:
        edit = (f"Claim {cid} is {status.replace('_', ' ')}: only a draft or ready claim is "
                "edited.")
        correct = void = (f"Claim {cid} is {status.replace('_', ' ')}: only a submitted or "
                          "denied claim is corrected or voided here; the money already posted "
                          "on it is settled with the payer (a reversal, an appeal).")
    return {"edit": edit, "correct": correct, "void": void}


def claim_state(con: Any, claim_id: str) -> ClaimState:
    """What can be done to ``claim_id`` now (see :class:`ClaimState`)."""
    row = _row(con, claim_id)
    return ClaimState(status=row["status"], frequency_code=row["frequency_code"] or "1",
                      sent=row["submitted_date"] is not None,
                      payer_claim_number=payer_claim_number(con, claim_id),
                      original_payer_claim_number=row["original_payer_claim_number"],
                      **_refusals(con, row))


def resend_warning(db: Database, claim_id: str) -> str | None:
    """What to tell a biller who moved ``claim_id`` back to ready by hand when the payer has
    already adjudicated it: sent again as it is, it goes out as an original (frequency 1),
    which payers deny as a duplicate (CO-18); a correction goes as a replacement. None when
    that does not apply (never adjudicated, or already a replacement / void)."""
    with db.connect() as con:
        state = claim_state(con, claim_id)
    if state["status"] != "ready" or state["frequency_code"] != "1" \
            or not state["payer_claim_number"]:
        return None
    return (f"The payer has already adjudicated claim {claim_id} (its claim number "
            f"{state['payer_claim_number']}). Exported as it is, it goes out again as a new "
            "claim (frequency 1), which payers usually deny as a duplicate (CO-18). To send "
            "a corrected claim, use Correct / void above: a replacement (frequency 7) "
            "carries the payer's claim number. To dispute the denial instead, appeal it "
            "(Payments & appeals).")


# -- writing -----------------------------------------------------------------------------------

def _new_lines(claim_id: str, claim: ClaimIn) -> list[dict[str, Any]]:
    return [{"claim_id": claim_id, "line_no": i, "service_date": as_date(ln.service_date),
             "cpt": normalize_cpt(ln.cpt), "modifiers": parse_modifiers(ln.modifiers),
             "units": int(ln.units), "charge": as_money(ln.charge),
             "dx_pointers": [int(x) for x in ln.dx_pointers], "session_id": ln.session_id,
             "place_of_service": normalize_pos(ln.place_of_service) or DEFAULT_POS}
            for i, ln in enumerate(claim.lines, start=1)]


def _checked(con: Any, row: dict[str, Any], claim: ClaimIn, as_of: dt.date,
             p: list[Problem], *, same_payer: bool) -> list[Problem]:
    """The claim checked as a new one would be (plus ``p``); raises ValidationError when
    anything is wrong; its warnings."""
    cid = row["claim_id"]
    if claim.claim_id.strip() != cid:
        p.append(Problem(f"Claim id: claim {cid} keeps its number (the payer knows it by it); "
                         "make a new claim for another number.", "claim_id"))
    if claim.client_id != row["client_id"]:
        p.append(Problem(f"Client: claim {cid} is client {row['client_id']}'s; void it and bill "
                         "the other client on a new claim.", "client_id"))
    if same_payer and claim.payer_id != row["payer_id"]:
        p.append(Problem(f"Payer: a replacement goes to the payer that has the original; to "
                         f"bill another payer, void claim {cid} and make a new claim.",
                         "payer_id"))
    chk = check_claim(con, claim, as_of, existing=True)
    if p or chk.errors:
        raise ValidationError(p + chk.errors, chk.warnings)
    return chk.warnings


def _record(con: Any, row: dict[str, Any], before_lines: list[dict[str, Any]],
            values: dict[str, Any], lines: list[dict[str, Any]] | None, user: str, kind: str,
            on: dt.date, reason: str | None, pcn: str | None) -> dict[str, Any]:
    """Write the change: the claim row, its lines (when given), a claim_edits row, an audit
    row, the facts to recompute. Returns the claim after."""
    cid = row["claim_id"]
    before = _snapshot(row, before_lines)
    if values:
        sets = ", ".join(f"{k} = ?" for k in values)
        con.execute(f"UPDATE claims SET {sets} WHERE claim_id = ?", [*values.values(), cid])
    if lines is not None:
        con.execute("DELETE FROM claim_lines WHERE claim_id = ?", [cid])
        insert_rows(con, "claim_lines", LINE_COLUMNS,
                    [tuple(ln[c] for c in LINE_COLUMNS) for ln in lines])
        _rematch_lines(con, cid, before_lines, lines)
    after = _snapshot({**row, **values}, before_lines if lines is None else lines)
    seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM claim_edits WHERE claim_id = ?",
                      [cid]).fetchall()[0][0]
    con.execute("INSERT INTO claim_edits (claim_id, seq, kind, edit_date, user_name, reason, "
                "payer_claim_number, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [cid, seq, kind, on, user, reason, pcn, to_json(before), to_json(after)])
    audit(con, user, {"edit": "update", "replacement": "replace", "void": "void"}[kind],
          "claims", cid, before, {**after, "reason": reason, "edit_seq": seq})
    facts.touch(con, [cid])
    return after


def _rematch_lines(con: Any, claim_id: str, old: list[dict[str, Any]],
                   new: list[dict[str, Any]]) -> None:
    """Keep the claim's earlier remittance lines on the lines they paid or denied: a line
    payment matched to old line n follows that service (date + code, one line each on a
    claim) to its new number, or matches no line when the correction removed it (the
    replacement's own 835 then adjudicates the lines as they now are)."""
    where = {(ln["service_date"], ln["cpt"]): ln["line_no"] for ln in new}
    moves = {o["line_no"]: where.get((o["service_date"], o["cpt"])) for o in old}
    moves = {k: v for k, v in moves.items() if k != v}
    if not moves:
        return
    con.execute("""
        UPDATE line_payments SET line_no = m.new_no
        FROM (SELECT unnest(?::INTEGER[]) AS old_no, unnest(?::INTEGER[]) AS new_no) m
        WHERE line_payments.line_no = m.old_no AND line_payments.claim_payment_id IN
              (SELECT claim_payment_id FROM claim_payments WHERE claim_id = ?)""",
                [list(moves), list(moves.values()), claim_id])


def _take_in_day_sessions(con: Any, claim_id: str, claim: ClaimIn,
                          lines: list[dict[str, Any]], warnings: list[Problem],
                          user: str) -> list[Problem]:
    """Record the sessions not yet billed of the claim's dates that its ``lines`` now bill
    (:func:`metdash.entry.days.day_cover`) in ``claim_sessions``, with an audit row; the
    check's ``warnings`` with its "session on no claim yet" ones replaced by what is short
    for the sessions left unbilled."""
    cover = take_in_day_sessions(con, claim_id, claim.client_id, claim.payer_id,
                                 [(ln["service_date"], ln["cpt"], ln["units"], ln["session_id"])
                                  for ln in lines], user)
    # The check's "on no claim yet" warnings are for the sessions day_cover has just read.
    return ([w for w in warnings if w.field != "sessions"]
            + [Problem(short_of_the_day(s, claim_id, cover.rule), "sessions") for s in cover.short])


def _let_go_of_dates(con: Any, claim_id: str, before: list[dict[str, Any]],
                     lines: list[dict[str, Any]], user: str) -> list[Problem]:
    """Drop the claim's ``claim_sessions`` rows of the dates its lines billed ``before`` and
    no longer do (with an audit row): nothing bills those sessions now, so they go back to
    Sessions not yet billed. A warning per session that no other claim bills."""
    gone = sorted({ln["service_date"] for ln in before} - {ln["service_date"] for ln in lines})
    if not gone:
        return []
    rows = fetch_rows(con, """
        SELECT cs.session_id, s.session_date FROM claim_sessions cs JOIN sessions s
        USING (session_id) WHERE cs.claim_id = ? AND s.session_date IN (SELECT unnest(?::DATE[]))
        ORDER BY s.session_date, cs.session_id""", [claim_id, gone])
    if not rows:
        return []
    ids = [r["session_id"] for r in rows]
    con.execute("DELETE FROM claim_sessions WHERE claim_id = ? AND session_id IN "
                "(SELECT unnest(?::INTEGER[]))", [claim_id, ids])
    audit(con, user, "delete", "claim_sessions", claim_id,
          {"sessions": ids, "service_dates": sorted({r["session_date"] for r in rows})},
          {"note": "the claim no longer bills these sessions' dates"})
    elsewhere = billed_session_ids(con, ids)
    return [Problem(f"Session {r['session_id']} of {r['session_date']} is back on Sessions not "
                    f"yet billed: claim {claim_id} no longer bills {r['session_date']}; bill "
                    "it again (Claims → Bill sessions) if that day is still owed.", "sessions")
            for r in rows if r["session_id"] not in elsewhere]


def _claim_values(con: Any, row: dict[str, Any], claim: ClaimIn,
                  lines: list[dict[str, Any]]) -> dict[str, Any]:
    first = min(ln["service_date"] for ln in lines)
    coverage = claim.coverage_id
    if coverage is None or claim.payer_id != row["payer_id"]:
        cov = active_coverage(con, row["client_id"], first, claim.payer_id)
        coverage = cov["coverage_id"] if cov else None
    return {"payer_id": claim.payer_id, "coverage_id": coverage,
            "referral_id": claim.referral_id, "referrer_id": claim.referrer_id,
            "rendering_provider_id": claim.rendering_provider_id,
            "diagnosis_codes": [normalize_icd10(c) for c in claim.diagnosis_codes],
            "total_charge": sum((ln["charge"] for ln in lines), Decimal("0.00")),
            "first_service_date": first,
            "timely_filing_reason": None if blank(claim.timely_filing_reason)
            else claim.timely_filing_reason.strip()}


def edit_claim(db: Database, claim_id: str, claim: ClaimIn, user: str, *,
               note: str | None = None, as_of: dt.date | None = None) -> list[Problem]:
    """Change a draft or ready claim the payer does not have yet (or a replacement waiting to
    be sent); returns the warnings.

    Raises ValidationError: the claim is sent (correct it instead), voided or a waiting void,
    or the changed claim breaks a rule a new claim is checked by (every problem listed)."""
    as_of = as_of or today()
    with db.transaction() as con:
        row = _row(con, claim_id)
        refused = _refusals(con, row)["edit"]
        if refused:
            raise ValidationError([Problem(refused, "status")])
        p: list[Problem] = []
        text_field(p, note, "Note", "note")
        warnings = _checked(con, row, claim, as_of, p, same_payer=row["submitted_date"]
                            is not None)
        lines = _new_lines(claim_id, claim)
        values = _claim_values(con, row, claim, lines)
        before = _lines(con, claim_id)
        _record(con, row, before, values, lines, user, "edit", as_of,
                None if blank(note) else note.strip(), None)
        warnings = (_take_in_day_sessions(con, claim_id, claim, lines, warnings, user)
                    + _let_go_of_dates(con, claim_id, before, lines, user))
    return warnings


def _correction_start(con: Any, claim_id: str, action: str, reason: str | None
                      ) -> tuple[dict[str, Any], str, list[Problem]]:
    row = _row(con, claim_id)
    refused = _refusals(con, row)[action]
    if refused:
        raise ValidationError([Problem(refused, "status")])
    p: list[Problem] = []
    if blank(reason):
        word = "corrected" if action == "correct" else "voided"
        p.append(Problem(f"Reason: say why the claim is {word} (it goes in the claim's "
                         "history).", "reason"))
    else:
        text_field(p, reason, "Reason", "reason")
    pcn = payer_claim_number(con, claim_id)
    assert pcn is not None  # _refusals refused it otherwise
    return row, pcn, p


def replacement_changes(con: Any, claim_id: str, claim: ClaimIn) -> list[str] | None:
    """What the replacement ``claim`` changes against the claim the payer has: each change to
    the claim ('what: before → after', as its history says them), then each change made since
    it was sent to the records its 837P draws from (:mod:`metdash.entry.record_changes`).
    Empty: the payer would get the claim it has. None while the corrected claim cannot be read
    (a blank date or units: queueing it says what is wrong)."""
    row = _row(con, claim_id)
    try:
        lines = _new_lines(claim_id, claim)
        values = _claim_values(con, row, claim, lines)
    except (TypeError, ValueError, ArithmeticError, MetdashError):
        return None
    sent = {k: row[k] for k in ("frequency_code", "original_payer_claim_number")}
    return (describe_changes(_snapshot(row, _lines(con, claim_id)),
                             _snapshot({**row, **values, **sent}, lines))
            + records_changed_since_sent(con, row))


SAME_CLAIM = ("Nothing changed: this replacement is the claim the payer already has (the same "
              "lines, diagnoses, referral and providers, and nothing its 837P takes from the "
              "client, the coverage, the providers, the payer or the practice changed since it "
              "was sent). A replacement that changes nothing is denied as a duplicate (CARC 18). "
              "Correct what the payer denied first (or fix the record it names, such as the "
              "member id); if the payer's decision was wrong, appeal it instead (Payments → "
              "Appeals). If the payer asked for the same claim again, tick \"{unchanged}\".")
UNCHANGED = "Send it unchanged: the payer asked for the same claim again"


def replace_claim(db: Database, claim_id: str, claim: ClaimIn, user: str, *, reason: str,
                  as_of: dt.date | None = None, unchanged_ok: bool = False) -> list[Problem]:
    """Correct a claim the payer has with a replacement (frequency 7, REF*F8 = the payer's
    claim number): its lines and details become ``claim``'s and it is queued for export
    (ready). Returns the warnings.

    Raises ValidationError: the claim is not one the payer has (submitted or denied), the
    payer has given no claim number yet, no reason, another client or payer, nothing
    changed (:func:`replacement_changes`) unless ``unchanged_ok``, or the corrected claim
    breaks a rule a new claim is checked by."""
    as_of = as_of or today()
    with db.transaction() as con:
        row, pcn, p = _correction_start(con, claim_id, "correct", reason)
        if replacement_changes(con, claim_id, claim) == [] and not unchanged_ok:
            p.append(Problem(SAME_CLAIM.format(unchanged=UNCHANGED), "lines"))
        warnings = _checked(con, row, claim, as_of, p, same_payer=True)
        lines = _new_lines(claim_id, claim)
        values = {**_claim_values(con, row, claim, lines), "frequency_code": "7",
                  "original_payer_claim_number": pcn}
        before = _lines(con, claim_id)
        _record(con, row, before, values, lines, user, "replacement", as_of,
                reason.strip(), pcn)
        warnings = (_take_in_day_sessions(con, claim_id, claim, lines, warnings, user)
                    + _let_go_of_dates(con, claim_id, before, lines, user))
        add_claim_status(con, claim_id, "ready", as_of, user,
                         f"replacement claim (frequency 7, REF*F8 {pcn}) waiting to be sent: "
                         f"{reason.strip()}", row)
    return warnings


def void_claim(db: Database, claim_id: str, user: str, *, reason: str,
               as_of: dt.date | None = None) -> None:
    """Withdraw a claim the payer has: a void (frequency 8, REF*F8 = the payer's claim
    number) queued for export (ready); the claim is voided once the void is sent.

    Raises ValidationError: already voided or a void waiting, never sent, paid by the payer,
    no payer claim number yet, or no reason."""
    as_of = as_of or today()
    with db.transaction() as con:
        row, pcn, p = _correction_start(con, claim_id, "void", reason)
        if p:
            raise ValidationError(p)
        _record(con, row, _lines(con, claim_id),
                {"frequency_code": "8", "original_payer_claim_number": pcn}, None, user,
                "void", as_of, reason.strip(), pcn)
        # The client's payments on it (a copay at the visit) stay the client's money: on the
        # client's account, no longer tied to a claim that leaves the books.
        moved = con.execute("UPDATE patient_payments SET claim_id = NULL WHERE claim_id = ? "
                            "RETURNING patient_payment_id, amount", [claim_id]).fetchall()
        if moved:
            audit(con, user, "update", "patient_payments", claim_id,
                  {"claim_id": claim_id, "payments": [m[0] for m in moved]},
                  {"claim_id": None, "note": "claim voided: the payments stay on the "
                   "client's account"})
        add_claim_status(con, claim_id, "ready", as_of, user,
                         f"void (frequency 8, REF*F8 {pcn}) waiting to be sent: "
                         f"{reason.strip()}", row)


# -- history -----------------------------------------------------------------------------------

def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _line_text(ln: dict[str, Any]) -> str:
    mods = ":".join(ln.get("modifiers") or [])
    return (f"{ln['service_date']} {ln['cpt']}{'-' + mods if mods else ''} x{ln['units']} "
            f"{fmt_money(Decimal(str(ln['charge'])))} ptr {_shown(ln.get('dx_pointers'))}"
            + ("" if (ln.get("place_of_service") or DEFAULT_POS) == DEFAULT_POS
               else f" POS {ln['place_of_service']}"))  # the office (11) goes unsaid


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed between two claim snapshots, one 'what: before → after' per change, in
    the biller's words (lines by their number)."""
    labels = {"payer_id": "payer", "coverage_id": "coverage", "referral_id": "referral",
              "referrer_id": "referring provider", "rendering_provider_id": "rendering provider",
              "diagnosis_codes": "diagnoses", "total_charge": "total charge",
              "first_service_date": "first service date",
              "timely_filing_reason": "timely-filing reason", "frequency_code": "frequency",
              "original_payer_claim_number": "payer claim number (REF*F8)"}
    out = []
    for key, label in labels.items():
        a, b = before.get(key), after.get(key)
        if key == "total_charge":
            a, b = (None if v is None else fmt_money(Decimal(str(v))) for v in (a, b))
        if key == "frequency_code":
            a, b = (f"{v} ({FREQUENCY_WORDS.get(str(v), '?')})" for v in (a or "1", b or "1"))
        if _shown(a) != _shown(b):
            out.append(f"{label}: {_shown(a)} → {_shown(b)}")
    old, new = before.get("lines") or [], after.get("lines") or []
    for i in range(max(len(old), len(new))):
        a = _line_text(old[i]) if i < len(old) else "(none)"
        b = _line_text(new[i]) if i < len(new) else "(removed)"
        if a != b:
            out.append(f"line {i + 1}: {a} → {b}")
    return out


def edit_history(db: Database, claim_id: str) -> pd.DataFrame:
    """Every change made to a claim, oldest first.

    Columns: seq, kind (edit, replacement, void), edit_date, edited_at, user_name, reason,
    payer_claim_number (REF*F8 of a replacement or void), changes ('what: before → after',
    one per line of text)."""
    with db.connect() as con:
        rows = fetch_rows(con, "SELECT seq, kind, edit_date, edited_at, user_name, reason, "
                          "payer_claim_number, CAST(before AS VARCHAR) AS b, "
                          "CAST(after AS VARCHAR) AS a FROM claim_edits WHERE claim_id = ? "
                          "ORDER BY seq", [claim_id])
    out = []
    for r in rows:
        changes = describe_changes(json.loads(r.pop("b")), json.loads(r.pop("a")))
        out.append({**r, "changes": "\n".join(changes) or "(nothing changed)"})
    return pd.DataFrame(out, columns=["seq", "kind", "edit_date", "edited_at", "user_name",
                                      "reason", "payer_claim_number", "changes"])
