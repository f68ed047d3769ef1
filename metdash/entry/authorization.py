"""Prior authorization: a payer set to require one (``payers.requires_prior_auth``) denies a
claim sent without it (CARC 197, "prior authorization absent": DOMAIN.md); the number is the
referral's (``referrals.prior_auth_number``), which the 837P sends as REF*G1 (loop 2300).

A claim to such a payer whose referral has no number, or that names no referral:

* is warned about when it is built, saved, corrected or imported
  (:func:`metdash.entry.claim_check.check_claim`): a draft may wait for the authorization;
* is refused when it is moved to ready or submitted unless the move's note says why it goes
  without one (:func:`metdash.entry.claims.move_claim_status`), as a void is refused without
  a note: the note stays in the claim's status history and audit row. The timely-filing
  reason is not used for it: that field answers another rule, and a reason recorded for a
  late claim would wave this one through;
* comes in from a claims spreadsheet as a draft, not ready, when the file has not sent it;
* is named beside the 837P export with the note of its move to ready
  (:func:`authorization_export_warnings`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from metdash.entry.problems import Problem, blank, fetch_rows

__all__ = ["authorization_export_warnings", "export_authorization_notes", "authorization_problem", "claim_authorization",
           "ready_reason"]

WHERE_RECORDED = "Referrals → Record a prior authorization"


def authorization_problem(payer: Mapping[str, Any] | None, referral_id: int | None,
                          referral: Mapping[str, Any] | None) -> Problem | None:
    """What a claim to ``payer`` lacks when the payer requires prior authorization and the
    claim's referral (``referral_id``, its row ``referral``) has no number, or the claim names
    no referral; None when nothing is missing (or the referral is not the client's: that is
    an error of its own)."""
    if not payer or not payer.get("requires_prior_auth"):
        return None
    if referral_id is not None and referral is None:
        return None
    if referral is not None and not blank(referral.get("prior_auth_number")):
        return None
    then = ("the payer will deny the claim (CO-197, prior authorization absent). ")
    send = ("; if it must go without one, say why in the note when you move it to ready.")
    if referral is None:
        return Problem(f"Prior authorization: {payer['name']} requires prior authorization, and "
                       f"the claim names no referral to carry it: {then}Choose the client's "
                       f"referral and record its authorization number ({WHERE_RECORDED})"
                       f"{send}", "referral_id")
    return Problem(f"Prior authorization: {payer['name']} requires prior authorization, and "
                   f"referral {referral['referral_id']} (received {referral['received_date']}) "
                   f"has no authorization number: {then}Record the number on the referral "
                   f"({WHERE_RECORDED}) before the claim goes out{send}", "referral_id")


def claim_authorization(reads: Any, client_id: str, payer_id: int | None,
                        referral_id: int | None) -> Problem | None:
    """:func:`authorization_problem` of a claim of ``client_id`` to ``payer_id`` naming
    ``referral_id``, read through ``reads`` (a :class:`~metdash.entry.claim_reads.StoreReads`
    or the spreadsheet import's ``BatchReads``)."""
    payer = None if payer_id is None else reads.payer(payer_id)
    referral = None if referral_id is None else reads.referral(referral_id)
    if referral is not None and referral["client_id"] != client_id:
        return None                       # not the client's: refused as such
    return authorization_problem(payer, referral_id, referral)


def ready_reason(con: Any, claim_id: str) -> str | None:
    """The note of the claim's latest move to ready (None: none, or blank)."""
    rows = fetch_rows(con, "SELECT note FROM claim_status_history WHERE claim_id = ? AND "
                           "status = 'ready' ORDER BY seq DESC LIMIT 1", [claim_id])
    note = rows[0]["note"] if rows else None
    return None if blank(note) else note.strip()


def authorization_export_warnings(con: Any, claim_ids: Sequence[str]) -> list[str]:
    """One sentence per claim of ``claim_ids`` going to a payer that requires prior
    authorization with none on its referral, with the note of its latest move to ready (the
    reason Ready asks for), or that there is none (a claim made ready before this check).
    One query for them all."""
    # The notes read for the claims found only (a note per claim looked up through every
    # claim's history took ~80 ms a rerun of the Remittances page at 1M lines).
    rows = fetch_rows(con, """
        WITH c AS (
            SELECT c.claim_id, p.name AS payer, c.referral_id
            FROM claims c JOIN payers p USING (payer_id)
            LEFT JOIN referrals r ON r.referral_id = c.referral_id
            WHERE c.claim_id IN (SELECT unnest(?::VARCHAR[])) AND p.requires_prior_auth
              AND coalesce(trim(r.prior_auth_number), '') = ''),
        notes AS (
            SELECT h.claim_id, arg_max_null(h.note, h.seq) AS reason   -- the latest, even blank
            FROM claim_status_history h SEMI JOIN c USING (claim_id)
            WHERE h.status = 'ready'
            GROUP BY h.claim_id)
        SELECT c.claim_id, c.payer, c.referral_id, n.reason
        FROM c LEFT JOIN notes n USING (claim_id)
        ORDER BY c.claim_id""", [list(dict.fromkeys(claim_ids))])
    out = []
    for r in rows:
        where = ("it names no referral" if r["referral_id"] is None
                 else f"referral {r['referral_id']} has no number")
        lead = (f"Claim {r['claim_id']} goes to {r['payer']} with no prior authorization "
                f"({where}): expect a CO-197 denial. ")
        # The note of its move to ready: the reason Ready asked for (a claim made ready
        # before this check may carry a note about something else: it is quoted, not judged).
        if blank(r["reason"]):
            out.append(lead + "No note was recorded when it was made ready: record the number "
                       f"({WHERE_RECORDED}) before sending it.")
        else:
            out.append(lead + f"Note recorded when it was made ready: '{r['reason'].strip()}'.")
    return out


def export_authorization_notes(db: Any, claim_ids: tuple[str, ...]) -> list[str]:
    """:func:`authorization_export_warnings` from the store (a page caches it by the claims
    chosen: the Remittances page asked again on every rerun)."""
    with db.connect() as con:
        return authorization_export_warnings(con, list(claim_ids))
