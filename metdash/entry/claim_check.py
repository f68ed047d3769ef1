"""What a claim is (:class:`ClaimIn`, :class:`ClaimLineIn`) and every rule it is checked by.

:func:`check_claim` returns errors (they block saving) and warnings (they do not); the
writes that use it live in :mod:`metdash.entry.claims`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from metdash.coding import (
    cpt_problems,
    diagnoses_problems,
    known_codes,
    modifier_problems,
    needs_kx,
    normalize_cpt,
    normalize_icd10,
    parse_modifiers,
    pointer_problems,
    required_modifiers,
)
from metdash.entry.problems import (
    Problem,
    as_date,
    as_money,
    blank,
    date_field,
    fetch_one,
    fmt_money,
    today,
)
from metdash.entry.sessions import active_coverage

__all__ = [
    "MAX_LINES", "TIMELY_WARN_DAYS", "ClaimCheck", "ClaimIn", "ClaimLineIn", "check_claim",
    "claim_amount_for_kx", "medicare_allowed_ytd", "validate_claim",
]

TIMELY_WARN_DAYS = 30
MAX_LINES = 50                      # 837P: at most 50 service lines per claim


@dataclass
class ClaimLineIn:
    """One service line."""

    service_date: Any
    cpt: str
    units: int
    charge: Any
    modifiers: Sequence[str] = ()
    dx_pointers: Sequence[int] = (1,)
    session_id: int | None = None


@dataclass
class ClaimIn:
    """A claim as the biller reviews it (built from sessions, or by hand)."""

    claim_id: str
    client_id: str
    payer_id: int | None
    diagnosis_codes: Sequence[str]
    lines: list[ClaimLineIn]
    rendering_provider_id: int | None = None
    referrer_id: int | None = None
    referral_id: int | None = None
    coverage_id: int | None = None
    timely_filing_reason: str | None = None
    submitted_date: Any = None
    source: str = "form"


@dataclass
class ClaimCheck:
    """The outcome of checking a claim: errors block saving, warnings do not."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def claim_amount_for_kx(con: Any, payer_id: int, lines: Iterable[tuple[str, int, Decimal]]
                        ) -> Decimal:
    """Expected allowed amount of lines (payer's allowed x units, else the charge)."""
    allowed = {r[0]: Decimal(r[1]) for r in con.execute(
        "SELECT cpt, allowed_amount FROM payer_fee_schedule WHERE payer_id = ?",
        [payer_id]).fetchall()}
    total = Decimal("0")
    for cpt, units, charge in lines:
        total += allowed[cpt] * units if cpt in allowed else Decimal(charge)
    return total


def medicare_allowed_ytd(con: Any, client_id: str, year: int,
                         exclude_claim: str | None = None) -> Decimal:
    """The client's expected Medicare allowed amount for therapy in ``year`` (for KX).

    Σ over lines of the client's non-voided Medicare claims with service dates in that year
    of the payer's allowed amount x units (the line charge when the payer has no fee).
    """
    row = fetch_one(con, """
        SELECT coalesce(sum(coalesce(pf.allowed_amount * l.units, l.charge)), 0) AS total
        FROM claim_lines l JOIN claims c USING (claim_id) JOIN payers p USING (payer_id)
        LEFT JOIN payer_fee_schedule pf ON pf.payer_id = c.payer_id AND pf.cpt = l.cpt
        WHERE c.client_id = ? AND p.payer_type = 'medicare' AND c.status <> 'voided'
          AND year(l.service_date) = ? AND c.claim_id <> ?
          AND l.cpt LIKE '97%'""", [client_id, year, exclude_claim or ""])
    return Decimal(row["total"]) if row else Decimal("0")


def check_claim(con: Any, claim: ClaimIn, as_of: dt.date | None = None, *,
                existing: bool = False) -> ClaimCheck:
    """Every error and warning for a claim (``existing``: it is already saved, e.g. re-check).

    Errors: unknown client/payer/provider/referrer, coverage not active, diagnoses not
    billable or too many, pointers, codes, units, negative charges, future dates, dates
    before the referral or after its expiry, visits used up, timely filing passed without a
    reason, the same client + date + code on another non-voided claim.
    Warnings: a charge off the fee schedule, a modifier the payer expects is missing, the
    timely-filing deadline within 30 days.
    """
    as_of = as_of or today()
    chk = ClaimCheck()
    err, warn = chk.errors, chk.warnings
    cid = (claim.claim_id or "").strip()
    if not cid:
        err.append(Problem("Claim id is missing: enter the claim number (it goes out as "
                           "CLM01).", "claim_id"))
    elif len(cid) > 38 or not re.fullmatch(r"[0-9A-Za-z\-_.]+", cid):
        err.append(Problem(f"Claim id {cid!r} must be at most 38 letters, digits, '-', '_' or "
                           "'.' (no spaces).", "claim_id"))
    elif not existing and fetch_one(con, "SELECT 1 FROM claims WHERE claim_id = ?", [cid]):
        err.append(Problem(f"Claim id {cid} is already used: give this claim a new number.",
                           "claim_id"))
    if not fetch_one(con, "SELECT 1 FROM clients WHERE client_id = ?", [claim.client_id]):
        err.append(Problem(f"Client {claim.client_id!r} is not on file: add the client first.",
                           "client_id"))
    payer = None if claim.payer_id is None else fetch_one(
        con, "SELECT * FROM payers WHERE payer_id = ?", [claim.payer_id])
    if payer is None:
        err.append(Problem("Payer is not on file: choose the client's payer.", "payer_id"))
    if claim.rendering_provider_id is not None and not fetch_one(
            con, "SELECT 1 FROM providers WHERE provider_id = ?", [claim.rendering_provider_id]):
        err.append(Problem("Rendering provider is not on file: choose who saw the client, or "
                           "add them under Settings.", "rendering_provider_id"))
    if claim.referrer_id is not None and not fetch_one(
            con, "SELECT 1 FROM referrers WHERE referrer_id = ?", [claim.referrer_id]):
        err.append(Problem("Referring provider is not on file: look the NPI up or add the "
                           "referrer.", "referrer_id"))
    if payer and payer["requires_referral"] and claim.referral_id is None \
            and claim.referrer_id is None:
        err.append(Problem(f"{payer['name']} requires a referral: choose the client's "
                           "referral (or the referring provider).", "referral_id"))

    dx = [normalize_icd10(c) for c in claim.diagnosis_codes]
    err += [Problem(m, "diagnosis_codes") for m in diagnoses_problems(dx)]

    if not claim.lines:
        err.append(Problem("Service lines: none given: add at least one line.", "lines"))
    if len(claim.lines) > MAX_LINES:
        err.append(Problem(f"Service lines: {len(claim.lines)} lines, a claim holds at most "
                           f"{MAX_LINES}: split it into two claims.", "lines"))
    known = known_codes(con)
    fees = {r[0]: {"charge": r[1]} for r in
            con.execute("SELECT cpt, charge FROM fee_schedule").fetchall()}
    # What this client already has on other non-voided claims: (date, code) -> claim id.
    billed: dict[tuple[dt.date, str], str] = {}
    for day_, code_, other in con.execute(
            "SELECT l.service_date, l.cpt, min(c.claim_id) FROM claim_lines l JOIN claims c "
            "USING (claim_id) WHERE c.client_id = ? AND c.status <> 'voided' AND "
            "c.claim_id <> ? GROUP BY ALL", [claim.client_id, cid]).fetchall():
        billed[(day_, code_)] = other
    dates: list[dt.date] = []
    seen_pairs: dict[tuple[dt.date, str], int] = {}
    line_info: list[tuple[dt.date | None, str, int, Decimal | None]] = []
    for i, line in enumerate(claim.lines):
        label = f"Line {i + 1}"
        day = date_field(err, line.service_date, f"{label}: service date", "service_date",
                         line=i)
        if day and day > as_of:
            err.append(Problem(f"{label}: service date {day} is in the future: bill a "
                               "service after it happens.", "service_date", i))
        code = normalize_cpt(line.cpt)
        err += [Problem(m, "cpt", i) for m in cpt_problems(code, known, f"{label}: procedure code")]
        units = line.units
        if isinstance(units, float) and units.is_integer():
            units = int(units)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            err.append(Problem(f"{label}: units {line.units!r} must be a whole number of 1 or "
                               "more.", "units", i))
            units = 0
        elif code in known and not known[code].timed and units > 1:
            err.append(Problem(f"{label}: {code} is billed once per session, not {units} "
                               "units: set units to 1.", "units", i))
        try:
            charge = as_money(line.charge)
            if charge is None:
                err.append(Problem(f"{label}: charge is missing: enter the amount, e.g. "
                                   "45.00.", "charge", i))
            elif charge < 0:
                err.append(Problem(f"{label}: charge {charge} is negative: enter 0 or more.",
                                   "charge", i))
                charge = None
        except ValueError:
            err.append(Problem(f"{label}: charge {line.charge!r} is not an amount: write it "
                               "like 45.00.", "charge", i))
            charge = None
        mods = parse_modifiers(line.modifiers)
        err += [Problem(m, "modifiers", i) for m in modifier_problems(mods, label)]
        err += [Problem(m, "dx_pointers", i) for m in
                pointer_problems(list(line.dx_pointers), len(dx), label)]
        if day and code:
            if (day, code) in seen_pairs:
                err.append(Problem(f"{label}: {code} on {day} is already line "
                                   f"{seen_pairs[(day, code)] + 1} of this claim: put all the "
                                   "units on one line.", "cpt", i))
            else:
                seen_pairs[(day, code)] = i
                dup = billed.get((day, code))
                if dup:
                    err.append(Problem(f"{label}: {code} on {day} for this client is already "
                                       f"billed on claim {dup}: remove the line, or "
                                       "void that claim first.", "cpt", i))
        if day:
            dates.append(day)
        line_info.append((day, code, units, charge))
        # A charge off the fee schedule is a warning, not an error.
        if charge is not None and units and code:
            fee = fees.get(code)
            if fee is None:
                warn.append(Problem(f"{label}: {code} has no fee on the fee schedule: check "
                                    "the charge, or add the fee under Settings.", "charge", i))
            elif Decimal(fee["charge"]) * units != charge:
                expected = Decimal(fee["charge"]) * units
                warn.append(Problem(f"{label}: charge {fmt_money(charge)} differs from the fee "
                                    f"schedule ({units} x {fmt_money(Decimal(fee['charge']))} = "
                                    f"{fmt_money(expected)}): check it.", "charge", i))

    # Coverage active on each date of service.
    if payer and dates:
        for day in sorted(set(dates)):
            cov = active_coverage(con, claim.client_id, day, claim.payer_id)
            if claim.coverage_id is not None:
                cov = fetch_one(
                    con, "SELECT * FROM coverages WHERE coverage_id = ? AND client_id = ? "
                    "AND payer_id = ? AND effective_date <= ? AND (end_date IS NULL OR "
                    "end_date >= ?)", [claim.coverage_id, claim.client_id,
                                       claim.payer_id, day, day])
            if cov is None:
                err.append(Problem(f"Coverage: the client has no {payer['name']} coverage "
                                   f"active on {day}: check the dates of the coverage or the "
                                   "payer.", "coverage_id"))

    # Referral: not before it, not after its expiry, visits left.
    if claim.referral_id is not None:
        ref = fetch_one(con, "SELECT * FROM referrals WHERE referral_id = ?", [claim.referral_id])
        if ref is None or ref["client_id"] != claim.client_id:
            err.append(Problem("Referral is not one of this client's: choose the client's "
                               "referral.", "referral_id"))
        elif dates:
            for i, (day, *_rest) in enumerate(line_info):
                if day and day < ref["received_date"]:
                    err.append(Problem(f"Line {i + 1}: service date {day} is before the "
                                       f"referral was received ({ref['received_date']}): check "
                                       "the date.", "service_date", i))
                if day and ref["expiry_date"] and day > ref["expiry_date"]:
                    err.append(Problem(f"Line {i + 1}: service date {day} is after the referral "
                                       f"expired ({ref['expiry_date']}): get a new referral.",
                                       "service_date", i))
            if ref["authorized_visits"]:
                used = fetch_one(
                    con, "SELECT count(DISTINCT l.service_date) AS n FROM claim_lines l "
                    "JOIN claims c USING (claim_id) WHERE c.referral_id = ? AND "
                    "c.status <> 'voided' AND c.claim_id <> ? AND l.service_date NOT IN "
                    "(SELECT unnest(?::DATE[]))",
                    [claim.referral_id, cid, sorted(set(dates))])["n"]
                if used + len(set(dates)) > ref["authorized_visits"]:
                    left = max(ref["authorized_visits"] - used, 0)
                    err.append(Problem(f"Referral: {ref['authorized_visits']} visits authorized, "
                                       f"{used} already billed, {left} left, and this claim has "
                                       f"{len(set(dates))}: ask for more visits.", "referral_id"))

    # Timely filing: payer's days from the earliest date of service.
    if payer and dates:
        first = min(dates)
        deadline = first + dt.timedelta(days=int(payer["timely_filing_days"]))
        try:
            sent = as_date(claim.submitted_date)
        except ValueError:
            sent = None
            err.append(Problem(f"Submitted date {claim.submitted_date!r} is not a date: write "
                               "it as YYYY-MM-DD.", "submitted_date"))
        if sent is not None:
            if sent > as_of:
                err.append(Problem(f"Submitted date {sent} is in the future: enter the day the "
                                   "claim was sent.", "submitted_date"))
            if sent < first:
                err.append(Problem(f"Submitted date {sent} is before the first service date "
                                   f"{first}: check it.", "submitted_date"))
            elif sent > deadline:
                warn.append(Problem(f"Submitted date {sent} was after the timely-filing "
                                    f"deadline {deadline}: expect a CO-29 denial.",
                                    "submitted_date"))
        elif as_of > deadline:
            if blank(claim.timely_filing_reason):
                err.append(Problem(f"Timely filing: the deadline for {payer['name']} was "
                                   f"{deadline} ({payer['timely_filing_days']} days from {first})"
                                   ": record the reason it is late (e.g. proof of earlier "
                                   "submission) or do not bill it.", "timely_filing_reason"))
            else:
                warn.append(Problem(f"Timely filing: past the deadline {deadline}; the reason "
                                    "recorded goes with the claim.", "timely_filing_reason"))
        elif (deadline - as_of).days <= TIMELY_WARN_DAYS:
            warn.append(Problem(f"Timely filing: the deadline for {payer['name']} is {deadline}"
                                f" ({(deadline - as_of).days} days left): submit it soon.",
                                "timely_filing_reason"))

    # Modifiers the payer will expect (missing ones deny as CARC 4): warnings.
    if payer and all(d is not None for d, *_r in line_info) and line_info:
        kx = False
        if payer["payer_type"] == "medicare":
            threshold = fetch_one(con, "SELECT kx_threshold FROM practice ORDER BY practice_id "
                                  "LIMIT 1", [])
            if threshold:
                years = {d.year for d, *_r in line_info}
                for year in years:
                    amount = claim_amount_for_kx(con, payer["payer_id"], [
                        (c, u, ch or Decimal(0)) for d, c, u, ch in line_info if d.year == year])
                    ytd = medicare_allowed_ytd(con, claim.client_id, year, cid)
                    kx = kx or needs_kx("medicare", ytd, amount,
                                        Decimal(threshold["kx_threshold"]))
        wanted = required_modifiers([(d, c) for d, c, *_r in line_info], payer["payer_type"],
                                    kx=kx)
        for i, (line, need) in enumerate(zip(claim.lines, wanted, strict=True)):
            have = parse_modifiers(line.modifiers)
            if "XU" in have and "59" in need:
                need = [m for m in need if m != "59"]
            missing = [m for m in need if m not in have]
            if missing:
                warn.append(Problem(f"Line {i + 1}: {payer['name']} expects modifier "
                                    f"{', '.join(missing)} on {normalize_cpt(line.cpt)}: add "
                                    "it, or the line may be denied (CARC 4).", "modifiers", i))
    return chk


def validate_claim(con: Any, claim: ClaimIn, as_of: dt.date | None = None) -> list[Problem]:
    """The errors that stop a claim from being saved (see :func:`check_claim`)."""
    return check_claim(con, claim, as_of).errors
