"""One client's date of service: the minutes of its sessions and the units already billed.

The 8-minute rule (and the per-code rule) counts all of a client's timed minutes of one date
of service together, across the sessions of that day (DOMAIN.md, "Units from minutes"):
building a claim, checking one and previewing a session's units all read a day through
these functions. A session counts as billed when it is on a line of a non-voided claim, or
is one of the sessions such a claim was built from (``claim_sessions``: its minutes may
only have added to another session's line).

One date and code on two claims is denied as a duplicate, so a date and code another claim
holds is refused, by the Bill sessions flow and by the claim check alike, with what frees it
(:func:`freeing_the_day`, by what the holding claim is now: :class:`HoldingClaim`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from metdash.entry.problems import fetch_one, fetch_rows

__all__ = ["BilledCode", "DaySession", "HoldingClaim", "billed_session_ids", "billed_units",
           "day_sessions", "freeing_the_day", "holding_claim"]


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


@dataclass(frozen=True)
class HoldingClaim:
    """What a non-voided claim holding a date and code is now: its ``status``,
    ``frequency_code`` (1 original, 7 replacement, 8 void), ``submitted_date`` (None: never
    sent), whether it bills lines other than that date and code (``bills_else``), and
    whether it is on file (``on_file`` False: a claim of the same batch, not written yet)."""

    claim_id: str
    status: str
    frequency_code: str = "1"
    submitted_date: dt.date | None = None
    bills_else: bool = True
    on_file: bool = True


def holding_claim(con: Any, claim_id: str, day: dt.date, code: str) -> HoldingClaim:
    """The claim ``claim_id`` (on file) as :func:`freeing_the_day` reads it, for its
    ``code`` line of ``day``: one query."""
    row = fetch_one(con, """
        SELECT c.status, c.frequency_code, c.submitted_date,
               count(l.claim_id) FILTER (WHERE NOT (l.service_date = ? AND l.cpt = ?)) AS others
        FROM claims c LEFT JOIN claim_lines l USING (claim_id)
        WHERE c.claim_id = ? GROUP BY ALL""", [day, code, claim_id]) or {}
    return HoldingClaim(claim_id, row.get("status", ""), row.get("frequency_code") or "1",
                        row.get("submitted_date"), bool(row.get("others")))


def freeing_the_day(held: HoldingClaim, day: dt.date, code: str, *, due: int | None = None,
                    then: str = "bill the day's sessions together",
                    instead: str | None = "leave these sessions unbilled") -> str:
    """What to do with ``held``, which bills ``code`` on ``day``, so that the day can be billed
    on one claim, by what the claim is now (the rules of :mod:`metdash.entry.corrections`):
    a draft or ready claim the payer does not have is edited (or, billing nothing else,
    moved to voided: nothing goes to the payer); one the payer has (submitted, denied) is
    corrected with a replacement (frequency 7) or a void (frequency 8), DOMAIN.md's corrected
    claim; a void waiting is sent first; a settled claim (paid, appealed, closed) is the
    payer's to reopen.

    ``due``: the units the day's ``code`` line bills (None: "all of the day's units");
    ``then``: what the biller does once the day is freed; ``instead``: the way out when the
    payer has settled the claim (None: none offered).
    """
    cid, status, sent = held.claim_id, held.status, held.submitted_date
    freq = held.frequency_code or "1"
    units = f"{due} unit(s)" if due is not None else "all of the day's units"
    if status in ("draft", "ready") and freq == "8":
        return (f"Claim {cid} is a void waiting to be sent: send it with the next 837P "
                f"(Remittances, or `metdash export-837`), then {then}.")
    if status in ("draft", "ready") and (sent is None or freq == "7"):
        what = (f"Claim {cid} is a replacement waiting to be sent" if freq == "7"
                else f"Claim {cid} is {'a draft' if status == 'draft' else 'ready'}, "
                "not sent yet")
        if not held.bills_else and freq != "7":
            return (f"{what}, and bills nothing else: move it to voided (Claims → Status, "
                    f"with a note; nothing goes to the payer), then {then}.")
        return (f"{what}: edit it (Claims → Status → Edit claim {cid}) to take its "
                f"{code} line of {day} off, then {then}.")
    if status in ("submitted", "denied", "draft", "ready"):
        return (f"Claim {cid} went to the payer on {sent}, so it is not edited: send a "
                f"replacement claim (frequency 7) whose {code} line of {day} bills {units}, "
                f"or void it (frequency 8) and {then} once the void is sent (Claims → Status "
                f"→ Correct / void claim {cid}).")
    reopen = (f"the day's {due} unit(s) of {code}" if due is not None
              else f"its {code} line of {day}")
    return (f"Claim {cid} is {status.replace('_', ' ')}: the payer has settled it, and "
            f"metdash corrects only a submitted or denied claim, so ask the payer to reopen "
            f"claim {cid} for {reopen}" + (f", or {instead}." if instead else "."))
