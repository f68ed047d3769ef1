"""What changed, since a claim was sent, in the records its 837P draws from.

A replacement claim (frequency 7, DOMAIN.md "Secondary claims") tells the payer "this claim
replaces the one you have". One that changes nothing is the claim the payer already decided,
sent again: payers deny it as a duplicate (CARC 18), and the denial it was meant to fix
stays. So before a replacement is queued the Claims page says what it changes
(:func:`metdash.entry.corrections.replacement_changes`), and
:func:`metdash.entry.corrections.replace_claim` refuses one that changes nothing unless the
biller says the payer asked for the same claim again.

What the payer has is what was sent. The claim itself is never changed in place once the payer
has it, so its lines and details on file are the ones sent. But the 837P also carries what
other records said when it was written: the client's name, birth date and address, the
coverage's member and group numbers, the referring and rendering providers' names and NPIs,
the payer's and the practice's details. Those records keep no versions, so a change made to
one since the claim was last sent (its audit row) is one the next 837P carries: a denial for a
wrong member id (CO-31) is fixed on the coverage, and the claim goes out again unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

__all__ = ["records_changed_since_sent"]

# The records an 837P draws from: what to call each, and its fields an 837P does not carry.
_RECORDS = {
    "clients": ("the client's", {"phone", "created_at"}),
    "coverages": ("the coverage's", {"end_date", "start_date"}),
    "referrers": ("the referring provider's", {"kind", "specialty", "organization"}),
    "providers": ("the rendering provider's", {"active"}),
    "payers": ("the payer's", {"timely_filing_days", "appeal_window_days", "units_rule",
                               "requires_referral", "requires_prior_auth", "usual_lag_days"}),
    "practice": ("the practice's", {"is_demo", "kx_threshold", "ack_wait_days"}),
    # the claim's referral: its prior authorization number goes out as REF*G1
    "referrals": ("the referral's", {"client_id", "referrer_id", "received_date",
                                     "diagnosis_codes", "authorized_visits", "expiry_date",
                                     "notes"}),
}
_FIELD_WORDS = {"dob": "birth date", "address_line1": "address", "npi": "NPI",
                "billing_npi": "billing NPI", "tax_id": "tax id",
                "clearinghouse_payer_id": "payer id at the clearinghouse",
                "prior_auth_number": "prior authorization number"}


def _since_sent(con: Any, row: dict[str, Any]) -> tuple[str, Any] | None:
    """Where the claim ``row``'s last send is in the audit log, as a condition on its rows:
    after the audit row of its last move to "submitted" (by order, not by clock: an 837P's
    rows carry the export's time); a claim brought in already sent, from the start of its
    last submitted date. None: never sent."""
    last = con.execute("SELECT max(audit_id) FROM audit_log WHERE table_name = 'claims' "
                       "AND action = 'status' AND record_key = ? "
                       "AND json_extract_string(after, '$.status') = 'submitted'",
                       [row["claim_id"]]).fetchone()[0]
    if last is not None:
        return "audit_id > ?", last
    day = row.get("last_submitted_date") or row.get("submitted_date")
    return None if day is None else ("changed_at >= ?", dt.datetime.combine(day, dt.time()))


def records_changed_since_sent(con: Any, row: dict[str, Any]) -> list[str]:
    """The changes made, since the claim ``row`` (a claims row) was last sent, to the records
    its 837P draws from, each in words: "Since it was sent: the coverage's member id (changed
    on Dec 04, 2026)". Empty for a claim never sent."""
    since = _since_sent(con, row)
    if since is None:
        return []
    mine = {"clients": {row["client_id"]}, "referrers": {row.get("referrer_id")},
            "providers": {row.get("rendering_provider_id")}, "payers": {row["payer_id"]},
            "referrals": {row.get("referral_id")},
            "coverages": {c for (c,) in con.execute(
                "SELECT coverage_id FROM coverages WHERE client_id = ? AND payer_id = ?",
                [row["client_id"], row["payer_id"]]).fetchall()}}
    found = con.execute(
        "SELECT table_name, record_key, changed_at, CAST(before AS VARCHAR), "
        f"CAST(after AS VARCHAR) FROM audit_log WHERE action = 'update' AND {since[0]} "
        f"AND table_name IN ({', '.join('?' for _ in _RECORDS)}) ORDER BY audit_id",
        [since[1], *_RECORDS]).fetchall()
    out = []
    for table, key, at, was, now in found:
        if table != "practice" and key not in {str(k) for k in mine[table] if k is not None}:
            continue
        whose, skip = _RECORDS[table]
        was, now = json.loads(was or "{}"), json.loads(now or "{}")
        fields = [_FIELD_WORDS.get(f, f.replace("_", " ")) for f in now
                  if f not in skip and f in was and was[f] != now[f]]
        if fields:
            out.append(f"Since it was sent: {whose} {', '.join(fields)} "
                       f"(changed on {at:%b %d, %Y})")
    return out
