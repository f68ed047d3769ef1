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

A claim that is edited or replaced so that it bills a day's units (the way out offered
there) takes in the day's sessions not yet billed (:func:`day_cover`): a session of a date
the claim bills counts as billed on it once the client's claims bill, for that date, at
least the units the payer's rule gives for all the day's minutes, code by code; short of
that it stays unbilled, and :func:`short_of_the_day` says by how much. By the same rule, a
later session that adds no unit to a day the client's claims already bill in full is
billed on the claim that bills the day (:func:`covered_sessions`): Bill sessions records it
there instead of refusing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from metdash.coding import billable_units, day_minutes, known_codes, untimed_codes
from metdash.entry.problems import fetch_one, fetch_rows
from metdash.store import audit, insert_rows

__all__ = ["BilledCode", "CoveredSession", "DayCover", "DaySession", "DayShort",
           "HoldingClaim", "billed_session_ids", "billed_units", "codes_short", "covered_sessions",
           "day_cover", "day_sessions", "freeing_the_day", "holding_claim", "short_of_the_day",
           "take_in_day_sessions", "waiting_days", "wrong_code_of_the_day"]

RULE_NAMES = {"cms": "CMS 8-minute rule", "per_code": "per-code rule"}


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


def billed_session_ids(con: Any, session_ids: Iterable[int],
                       exclude_claim: str | None = None) -> set[int]:
    """Which of ``session_ids`` are billed: on a line of a non-voided claim (but
    ``exclude_claim``), or among the sessions such a claim was built from."""
    ids = sorted({int(s) for s in session_ids})
    if not ids:
        return set()
    other = exclude_claim or ""
    rows = fetch_rows(con, """
        SELECT l.session_id FROM claim_lines l JOIN claims c USING (claim_id)
        WHERE c.status <> 'voided' AND c.claim_id <> ?
          AND l.session_id IN (SELECT unnest(?::INTEGER[]))
        UNION
        SELECT cs.session_id FROM claim_sessions cs JOIN claims c USING (claim_id)
        WHERE c.status <> 'voided' AND c.claim_id <> ?
          AND cs.session_id IN (SELECT unnest(?::INTEGER[]))""", [other, ids, other, ids])
    return {r["session_id"] for r in rows}


def waiting_days(con: Any, days: Collection[tuple[str, dt.date]]) -> set[tuple[str, dt.date]]:
    """Which of ``days`` (client, date) have a session not yet billed
    (:func:`billed_session_ids`): two queries for a whole batch of claims (most imported days
    have no session at all, and need nothing more)."""
    pairs = sorted(set(days))
    if not pairs:
        return set()
    found = con.execute("""
        SELECT s.session_id, s.client_id, s.session_date
        FROM sessions s
        JOIN (SELECT unnest(?::VARCHAR[]) AS client_id, unnest(?::DATE[]) AS session_date) k
          USING (client_id, session_date)""",
                        [[c for c, _ in pairs], [d for _, d in pairs]]).fetchall()
    billed = billed_session_ids(con, [sid for sid, _, _ in found])
    return {(c, d) for sid, c, d in found if sid not in billed}


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
    a draft or ready claim the payer does not have is edited (or, billing nothing else and
    no ``due`` given, moved to voided: nothing goes to the payer); one the payer has (submitted, denied) is
    corrected with a replacement (frequency 7) or a void (frequency 8), DOMAIN.md's corrected
    claim; a void waiting is sent first; a settled claim (paid, appealed, closed) is the
    payer's to reopen.

    ``due``: the units the day's ``code`` line bills (None: "all of the day's units"); with
    it, a claim not sent is edited to bill them, and the claim, edited or replaced, then
    takes in the day's sessions not yet billed (:func:`day_cover`);
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
        if due is not None:
            # Edited to bill the day's units, the claim takes in the day's sessions not yet
            # billed (corrections.edit_claim, day_cover): one step, the biller's diagnoses
            # and modifiers kept.
            return (f"{what}: edit it (Claims → Status → Edit claim {cid}) so its {code} "
                    f"line of {day} bills {units}, charged for them: the day's sessions not "
                    f"yet billed are then billed on claim {cid}.")
        if not held.bills_else and freq != "7":
            return (f"{what}, and bills nothing else: move it to voided (Claims → Status, "
                    f"with a note; nothing goes to the payer), then {then}.")
        return (f"{what}: edit it (Claims → Status → Edit claim {cid}) to take its "
                f"{code} line of {day} off, then {then}.")
    if status in ("submitted", "denied", "draft", "ready"):
        return (f"Claim {cid} went to the payer on {sent}, so it is not edited: send a "
                f"replacement claim (frequency 7) whose {code} line of {day} bills {units}"
                + (f" (the day's sessions not yet billed are then billed on claim {cid})"
                   if due is not None else "")
                + f", or void it (frequency 8) and {then} once the void is sent (Claims → Status "
                f"→ Correct / void claim {cid}).")
    reopen = (f"the day's {due} unit(s) of {code}" if due is not None
              else f"its {code} line of {day}")
    return (f"Claim {cid} is {status.replace('_', ' ')}: the payer has settled it, and "
            f"metdash corrects only a submitted or denied claim, so ask the payer to reopen "
            f"claim {cid} for {reopen}" + (f", or {instead}." if instead else "."))


@dataclass(frozen=True)
class DayShort:
    """A session not yet billed of a date a claim bills, left unbilled: the client's
    ``minutes`` of ``code`` that day bill ``due`` units under the payer's rule, and the
    client's claims bill ``billed``; ``holder``: the claim with that date and code (the claim
    itself first), None when no claim has it."""

    session_id: int
    day: dt.date
    code: str
    minutes: int
    due: int
    billed: int
    holder: str | None


@dataclass
class DayCover:
    """What a claim's lines do to the sessions not yet billed of its dates: ``billed``, the
    sessions it now bills (to record with it), and ``short``, the ones it leaves unbilled."""

    billed: list[int] = field(default_factory=list)
    short: list[DayShort] = field(default_factory=list)
    rule: str = "cms"  # the payer's units rule the day was read by


def day_cover(con: Any, claim_id: str, client_id: str, rule: str,
              lines: Iterable[tuple[dt.date, str, int, int | None]]) -> DayCover:
    """Which of the client's sessions of the dates of ``lines`` (``claim_id``'s lines as they
    are to be: date, code, units, session) the claim bills, among those no other non-voided
    claim bills and the claim does not already name (on a line or in ``claim_sessions``).

    A date's sessions are billed when, for every code of the client's minutes that day, the
    claim's units and the other non-voided claims' add up to at least the units ``rule``
    gives for the whole day (DOMAIN.md: the day's minutes count together): a unit short
    anywhere, and each of them is a :class:`DayShort` per code short instead."""
    mine: dict[dt.date, dict[str, int]] = {}
    named: set[int] = set()
    for day, code, units, session_id in lines:
        codes = mine.setdefault(day, {})
        codes[code] = codes.get(code, 0) + int(units)
        if session_id is not None:
            named.add(int(session_id))
    sessions = day_sessions(con, client_id, mine)
    ids = [s.session_id for day in sessions.values() for s in day]
    named |= billed_session_ids(con, ids, exclude_claim=claim_id)
    named |= {r["session_id"] for r in fetch_rows(
        con, "SELECT session_id FROM claim_sessions WHERE claim_id = ?", [claim_id])}
    others = billed_units(con, client_id, list(sessions), exclude_claim=claim_id)
    untimed = untimed_codes(known_codes(con))
    cover = DayCover(rule=rule)
    for day, found in sorted(sessions.items()):
        waiting = [s.session_id for s in found if s.session_id not in named]
        if not waiting:
            continue
        minutes = day_minutes(s.minutes for s in found)
        theirs = others.get(day, {})
        billed = {code: mine[day].get(code, 0) + (theirs[code].units if code in theirs else 0)
                  for code in minutes}
        short = []
        for code, due in codes_short(minutes, billed, rule, untimed):
            holder = (claim_id if code in mine[day]
                      else theirs[code].claim_id if code in theirs else None)
            short.append((code, due, billed[code], holder))
        if short:
            cover.short += [DayShort(sid, day, code, minutes[code], due, billed, holder)
                            for sid in waiting for code, due, billed, holder in short]
        else:
            cover.billed += waiting
    return cover


def take_in_day_sessions(con: Any, claim_id: str, client_id: str, payer_id: int,
                         lines: Iterable[tuple[dt.date, str, int, int | None]],
                         user: str) -> DayCover:
    """Record the sessions not yet billed of the dates ``lines`` bill (claim ``claim_id``'s
    lines as they now are: date, code, units, session) that the claim now bills
    (:func:`day_cover`, under the rule of the payer ``payer_id``) in ``claim_sessions``, with
    an audit row, inside the caller's transaction; what :func:`day_cover` found."""
    rule = fetch_one(con, "SELECT units_rule FROM payers WHERE payer_id = ?",
                     [payer_id])["units_rule"]
    cover = day_cover(con, claim_id, client_id, rule, lines)
    if cover.billed:
        insert_rows(con, "claim_sessions", ("claim_id", "session_id"),
                    [(claim_id, sid) for sid in cover.billed])
        audit(con, user, "create", "claim_sessions", claim_id, None,
              {"sessions": cover.billed, "note": "the claim bills these sessions' days"})
    return cover


def codes_short(minutes: dict[str, int], billed: dict[str, int], rule: str,
                untimed: Collection[str]) -> list[tuple[str, int]]:
    """The codes of a day's ``minutes`` whose ``billed`` units (code -> units, on the
    client's claims) are fewer than ``rule`` gives for the whole day: (code, units due)."""
    return [(code, due) for code, due in billable_units(minutes, rule, untimed=untimed).items()
            if billed.get(code, 0) < due]


@dataclass(frozen=True)
class CoveredSession:
    """A session not yet billed that adds no unit to its ``day``: the client's non-voided
    ``claims`` bill ``units`` for the day, at least what the payer's rule gives for all its
    minutes, code by code; ``claim_id``, the one of them billing the most units (the first
    by number on a tie), bills it."""

    session_id: int
    day: dt.date
    claim_id: str
    units: int
    claims: tuple[str, ...]

    def said(self) -> str:
        """What Bill sessions tells the biller it did with the session."""
        who = (f"claim {self.claims[0]} already bills" if len(self.claims) == 1 else
               f"claims {', '.join(self.claims)} already bill")
        return (f"Session {self.session_id} adds no unit to {self.day}: {who} the day's "
                f"{self.units} unit(s); it is recorded as billed on claim {self.claim_id}.")


def covered_sessions(con: Any, client_id: str, session_ids: Iterable[int]
                     ) -> list[CoveredSession]:
    """Which of the client's ``session_ids`` (not yet billed) add no unit to their day: the
    client's non-voided claims bill the day, and for every code of all the day's minutes
    (every session of the date, billed or not) at least the units the rule of the payer of
    the claim billing the most of the day gives (:func:`codes_short` finds none short). In
    session id order."""
    chosen = {int(s) for s in session_ids}
    found = fetch_rows(con, "SELECT session_id, session_date FROM sessions WHERE client_id = ? "
                       "AND session_id IN (SELECT unnest(?::INTEGER[]))",
                       [client_id, sorted(chosen)])
    dates = sorted({r["session_date"] for r in found})
    if not dates:
        return []
    lines = fetch_rows(con, """
        SELECT l.service_date, c.claim_id, p.units_rule, l.cpt, sum(l.units)::INTEGER AS units
        FROM claim_lines l JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
        WHERE c.client_id = ? AND c.status <> 'voided'
          AND l.service_date IN (SELECT unnest(?::DATE[]))
        GROUP BY ALL ORDER BY l.service_date, c.claim_id""", [client_id, dates])
    sessions = day_sessions(con, client_id, dates)
    untimed = untimed_codes(known_codes(con))
    covered: list[CoveredSession] = []
    for day in dates:
        mine = [ln for ln in lines if ln["service_date"] == day]
        if not mine:
            continue
        per_claim: dict[str, int] = {}
        billed: dict[str, int] = {}
        for ln in mine:
            per_claim[ln["claim_id"]] = per_claim.get(ln["claim_id"], 0) + ln["units"]
            billed[ln["cpt"]] = billed.get(ln["cpt"], 0) + ln["units"]
        holder = min(per_claim, key=lambda c: (-per_claim[c], c))
        rule = next(ln["units_rule"] for ln in mine if ln["claim_id"] == holder)
        minutes = day_minutes(s.minutes for s in sessions.get(day, []))
        if codes_short(minutes, billed, rule, untimed):
            continue
        covered += [CoveredSession(s.session_id, day, holder, sum(per_claim.values()),
                                   tuple(sorted(per_claim)))
                    for s in sessions.get(day, []) if s.session_id in chosen and not s.billed]
    return sorted(covered, key=lambda c: c.session_id)


def short_of_the_day(short: DayShort, claim_id: str, rule: str) -> str:
    """Why ``short``'s session stays unbilled after claim ``claim_id``'s change, and what bills
    it: the day's units of its code on one claim."""
    day, code, due = short.day, short.code, short.due
    lead = (f"Session {short.session_id} of {day} stays on Sessions not yet billed: the "
            f"client's {short.minutes} min of {code} that day bill {due} unit(s) under the "
            f"{RULE_NAMES.get(rule, rule)}, and the claims bill {short.billed}, "
            f"{due - short.billed} unit(s) short: ")
    if short.holder is None:
        return lead + (f"add a {code} line of {day} billing {due} unit(s) to claim {claim_id}, "
                       "and the session is billed with it, or bill the session on its own "
                       "(Claims → Bill sessions bills what the day still owes).")
    return lead + (f"make claim {short.holder}'s {code} line of {day} bill {due} unit(s), and "
                   "the session is billed with it.")


def _units_text(units: dict[str, int]) -> str:
    return ", ".join(f"{code} x{n}" for code, n in units.items() if n > 0)


def wrong_code_of_the_day(con: Any, day: dt.date, minutes: dict[str, int],
                          billed: dict[str, BilledCode], rule: str,
                          untimed: Collection[str]) -> str | None:
    """Why sessions of ``day`` add no unit although the day is not billed as ``rule`` gives
    it, and what puts it right: the client's claims (``billed``: code -> the units they bill
    and the claim holding it, :func:`billed_units`) bill the day's units under codes other
    than the rule gives for all its ``minutes`` (97110 10 min + 97140 11 min is 97140 x1; a
    claim billing 97110 x1 leaves no unit to add). None when no code is short, or none
    billed over what it is due."""
    due = billable_units(minutes, rule, untimed=untimed)
    have = {code: b.units for code, b in billed.items()}
    short = {c: n - have.get(c, 0) for c, n in due.items() if n > have.get(c, 0)}
    over = {c: n - due.get(c, 0) for c, n in have.items()
            if c not in untimed and n > due.get(c, 0)}
    if not short or not over:
        return None
    timed = {c: m for c, m in minutes.items() if c not in untimed}
    said = (f"Sessions: on {day} the client's {sum(timed.values())} timed minutes ("
            + ", ".join(f"{c} {m} min" for c, m in timed.items())
            + f") bill {_units_text(due)} under the {RULE_NAMES.get(rule, rule)}, and the "
            f"claims bill {_units_text(have)}: the day's "
            f"{'unit is' if sum(short.values()) == 1 else 'units are'} billed under another "
            "code, so these sessions add none.")
    holders = sorted({billed[c].claim_id for c in over})
    for cid in holders:
        code = next(c for c in over if billed[c].claim_id == cid)
        swap = (f"{_units_text(short)} instead of "
                f"{_units_text({c: n for c, n in over.items() if billed[c].claim_id == cid})}")
        said += " " + _putting_right(holding_claim(con, cid, day, code), day, code, swap,
                                     one=sum(short.values()) == 1)
    return said


def _putting_right(held: HoldingClaim, day: dt.date, code: str, swap: str, *, one: bool) -> str:
    """What changes ``held`` so that it bills ``swap`` ("97140 x1 instead of 97110 x1") on
    ``day``, by what the claim is now (:func:`freeing_the_day`'s rules)."""
    cid, status, sent = held.claim_id, held.status, held.submitted_date
    freq = held.frequency_code or "1"
    then = f"the day's sessions not yet billed are then billed on claim {cid}."
    if status in ("draft", "ready") and freq != "8" and (sent is None or freq == "7"):
        what = (f"Claim {cid} is a replacement waiting to be sent" if freq == "7"
                else f"Claim {cid} is {'a draft' if status == 'draft' else 'ready'}, "
                "not sent yet")
        return (f"{what}: edit it (Claims → Status → Edit claim {cid}) so that on {day} it "
                f"bills {swap}, charged for {'it' if one else 'them'}: {then}")
    if status in ("submitted", "denied") or (status in ("draft", "ready") and freq != "8"):
        return (f"Claim {cid} went to the payer on {sent}, so it is not edited: send a "
                f"replacement claim (frequency 7) that bills {swap} on {day} (Claims → "
                f"Status → Correct / void claim {cid}): {then}")
    if status in ("draft", "ready"):  # a void waiting to be sent
        return freeing_the_day(held, day, code)
    return (f"Claim {cid} is {status.replace('_', ' ')}: the payer has settled it, and "
            f"metdash corrects only a submitted or denied claim, so ask the payer to reopen "
            f"claim {cid} to bill {swap} on {day}, or leave these sessions unbilled.")
