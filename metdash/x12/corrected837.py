"""Corrected claims on their way out: a void (CLM05-3 frequency 8) is final once sent.

:func:`metdash.entry.corrections.void_claim` queues a void (the claim ready, frequency 8,
REF*F8 = the payer's claim number); when :func:`metdash.x12.write837.write_837p` writes the
837P carrying it, :func:`voids_sent` moves the claim to voided, dated the day it was sent. The
claim then leaves insurance A/R from that day (its voided date; A/R as of an earlier day still
holds it) and the figures, as every voided claim does. A replacement (frequency 7) needs
nothing here: it is a submitted claim like any other.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from metdash.store import audit_many, facts, insert_rows


def voids_sent(con: duckdb.DuckDBPyConnection, ids: list[str], user: str, now: dt.datetime,
               interchange: int) -> list[str]:
    """Move the voids (frequency 8) among ``ids``, just written to an 837P, to voided (a
    status-history row and an audit row each), inside the export's transaction; their ids."""
    rows = con.execute(
        "SELECT c.claim_id, c.status, coalesce(max(h.seq), 0) FROM claims c "
        "LEFT JOIN claim_status_history h USING (claim_id) "
        "WHERE c.frequency_code = '8' AND c.status <> 'voided' "
        "AND c.claim_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL ORDER BY 1",
        [ids]).fetchall()
    if not rows:
        return []
    note = (f"void (frequency 8) sent in 837P interchange {interchange:09d}: the claim "
            "leaves insurance A/R")
    voided = [r[0] for r in rows]
    insert_rows(con, "claim_status_history", [
        "claim_id", "seq", "status", "status_date", "changed_at", "changed_by", "note"],
        [(cid, seq + 1, "voided", now.date(), now, user, note) for cid, _, seq in rows])
    audit_many(con, user, [("status", "claims", cid, {"status": status},
                            {"status": "voided", "status_date": now.date(), "note": note})
                           for cid, status, _ in rows], now)
    con.execute("UPDATE claims SET status = 'voided' WHERE claim_id IN "
                "(SELECT unnest(?::VARCHAR[]))", [voided])
    facts.touch(con, voided)
    return voided
