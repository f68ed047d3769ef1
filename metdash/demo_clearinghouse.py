"""The demo practice's clearinghouse settings and places of service (issue 16, items 1-2).

Called by :func:`metdash.demo.generate` once the demo's tables are written, in the same
transaction: made-up clearinghouse settings (test mode, so nothing looks like a live
enrolment), a telehealth modifier on the commercial payers that want one, and sessions away
from the office — telehealth in the client's home (10) or elsewhere (02), home visits
(12) — carried to their claim lines, with 95 on the telehealth lines of those payers.
Deterministic: the same demo every time (the picks follow the session ids).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from metdash.entry.clearinghouse import ClearinghouseIn

__all__ = ["DEMO_CLEARINGHOUSE", "TELEHEALTH_PAYERS", "add_clearinghouse_and_places"]

# The same values as migration 0015 gives a demo store made before it.
DEMO_CLEARINGHOUSE = ClearinghouseIn(
    submitter_id="DEMOSUB01", submitter_name="RIVERBEND MEDICAL EXERCISE",
    contact_name="DEMO BILLING DESK", contact_phone="5415550100", receiver_id="DEMOCH",
    receiver_name="DEMO CLEARINGHOUSE", isa_sender_qualifier="ZZ", isa_sender_id="DEMOSUB01",
    isa_receiver_qualifier="ZZ", isa_receiver_id="DEMOCH", usage_indicator="T")
# Payers (metdash.demo.PAYERS names) that want modifier 95 on a telehealth line; the
# others (Medicare and the plans that copy it) want the place of service alone.
TELEHEALTH_PAYERS = ("Cascade Mutual PPO", "Summit Health Plan", "Lakeside Choice HMO")


def add_clearinghouse_and_places(con: Any) -> None:
    """Write the demo's settings and places of service inside the caller's transaction."""
    values = asdict(DEMO_CLEARINGHOUSE)
    cols = list(values)
    con.execute(f"INSERT OR REPLACE INTO clearinghouse_settings (settings_id, {', '.join(cols)})"
                f" VALUES (1, {', '.join('?' for _ in cols)})", [values[c] for c in cols])
    con.execute("UPDATE payers SET telehealth_modifier = CASE WHEN name IN (SELECT unnest(?))"
                " THEN '95' END", [list(TELEHEALTH_PAYERS)])
    # About 1 treatment session in 12 by telehealth at home, 1 in 40 from elsewhere (a
    # client at work), 1 in 30 at the client's home; assessments stay in the office.
    con.execute("""
        UPDATE sessions SET place_of_service = CASE
            WHEN session_id % 12 = 5 THEN '10'
            WHEN session_id % 40 = 17 THEN '02'
            WHEN session_id % 30 = 11 THEN '12' ELSE '11' END
        WHERE kind = 'treatment'""")
    con.execute("""
        UPDATE claim_lines l SET place_of_service = s.place_of_service
        FROM sessions s WHERE s.session_id = l.session_id AND s.place_of_service <> '11'""")
    con.execute("""
        UPDATE claim_lines l SET modifiers = list_append(l.modifiers, '95')
        FROM claims c JOIN payers p USING (payer_id)
        WHERE c.claim_id = l.claim_id AND p.telehealth_modifier = '95'
          AND l.place_of_service IN ('02', '10') AND NOT list_contains(l.modifiers, '95')
          AND len(l.modifiers) < 4""")
