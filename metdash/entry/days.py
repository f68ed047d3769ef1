"""One client's date of service: the minutes of its sessions and the units already billed.

The 8-minute rule (and the per-code rule) counts all of a client's timed minutes of one date
of service together, across the sessions of that day (DOMAIN.md, "Units from minutes"):
building a claim, checking one and previewing a session's units all read a day through
these functions. A session counts as billed when it is on a line of a non-voided claim, or
is one of the sessions such a claim was built from (``claim_sessions``: its minutes may
only have added to another session's line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from metdash.entry.problems import fetch_rows

__all__ = ["BilledCode", "DaySession", "billed_session_ids", "billed_units", "day_sessions"]


@dataclass
class DaySession:
    """One session of the client's day: its minutes per code, and whether it is billed."""

    session_id: int
    session_date: dt.date
    provider_id: int | None
    minutes: dict[str, int] = field(default_factory=dict)
    billed: bool = False


@dataclass
class BilledCode:
    """Units of one code already billed for one date, and the (first) claim holding them."""

    units: int
    claim_id: str


def billed_session_ids(con: Any, session_ids: Iterable[int]) -> set[int]:
    """Which of ``session_ids`` are billed: on a line of a non-voided claim, or among the
    sessions a non-voided claim was built from."""
    ids = sorted({int(s) for s in session_ids})
    if not ids:
        return set()
    rows = fetch_rows(con, """
        SELECT l.session_id FROM claim_lines l JOIN claims c USING (claim_id)
        WHERE c.status <> 'voided' AND l.session_id IN (SELECT unnest(?::INTEGER[]))
        UNION
        SELECT cs.session_id FROM claim_sessions cs JOIN claims c USING (claim_id)
        WHERE c.status <> 'voided' AND cs.session_id IN (SELECT unnest(?::INTEGER[]))""",
                      [ids, ids])
    return {r["session_id"] for r in rows}


def day_sessions(con: Any, client_id: str, dates: Collection[dt.date]
                 ) -> dict[dt.date, list[DaySession]]:
    """Every session of the client on each of ``dates`` (date -> sessions in id order), with
    its minutes (codes in code order) and whether it is billed. Dates without a session are
    left out."""
    days = sorted(set(dates))
    if not days:
        return {}
    rows = fetch_rows(con, """
        SELECT s.session_id, s.session_date, s.provider_id,
               list(m.cpt ORDER BY m.cpt) FILTER (WHERE m.cpt IS NOT NULL) AS cpts,
               list(m.minutes ORDER BY m.cpt) FILTER (WHERE m.cpt IS NOT NULL) AS minutes
        FROM sessions s LEFT JOIN session_minutes m USING (session_id)
        WHERE s.client_id = ? AND s.session_date IN (SELECT unnest(?::DATE[]))
        GROUP BY ALL ORDER BY s.session_date, s.session_id""", [client_id, days])
    billed = billed_session_ids(con, [r["session_id"] for r in rows])
    found: dict[dt.date, list[DaySession]] = {}
    for r in rows:
        minutes = dict(zip(r["cpts"] or [], r["minutes"] or [], strict=True))
        found.setdefault(r["session_date"], []).append(DaySession(
            r["session_id"], r["session_date"], r["provider_id"], minutes,
            r["session_id"] in billed))
    return found


def billed_units(con: Any, client_id: str, dates: Collection[dt.date],
                 exclude_claim: str | None = None) -> dict[dt.date, dict[str, BilledCode]]:
    """Units per code already billed for the client on each of ``dates`` on non-voided
    claims (but ``exclude_claim``): date -> code -> :class:`BilledCode`."""
    days = sorted(set(dates))
    if not days:
        return {}
    rows = fetch_rows(con, """
        SELECT l.service_date, l.cpt, sum(l.units)::INTEGER AS units,
               min(c.claim_id) AS claim_id
        FROM claim_lines l JOIN claims c USING (claim_id)
        WHERE c.client_id = ? AND c.status <> 'voided' AND c.claim_id <> ?
          AND l.service_date IN (SELECT unnest(?::DATE[]))
        GROUP BY ALL""", [client_id, exclude_claim or "", days])
    found: dict[dt.date, dict[str, BilledCode]] = {}
    for r in rows:
        found.setdefault(r["service_date"], {})[r["cpt"]] = BilledCode(r["units"], r["claim_id"])
    return found
