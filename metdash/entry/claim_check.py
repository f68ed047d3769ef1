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
    billable_units,
    cpt_problems,
    day_minutes,
    diagnoses_problems,
    is_therapy_code,
    modifier_problems,
    needs_kx,
    normalize_cpt,
    normalize_icd10,
    over_review_threshold,
    parse_modifiers,
    pointer_problems,
    required_modifiers,
    unknown_modifiers,
    untimed_codes,
)
from metdash.coding.pos import pos_problem
from metdash.deadlines import filing_deadline
from metdash.entry.authorization import claim_authorization
from metdash.entry.claim_reads import StoreReads
from metdash.entry.days import HoldingClaim, freeing_the_day
from metdash.entry.problems import (
    Problem,
    as_date,
    as_money,
    blank,
    date_field,
    fmt_money,
    text_field,
    today,
)
from metdash.text import shown

__all__ = [
    "MAX_LINES", "TIMELY_WARN_DAYS", "ClaimCheck", "ClaimIn", "ClaimLineIn", "KxYear",
    "check_claim", "claim_amount_for_kx", "day_units_problems", "kx_threshold_for", "kx_years",
    "medicare_allowed_ytd", "validate_claim",
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
    place_of_service: str = "11"  # CMS POS code (metdash.coding.pos): 11 office, 02/10 telehealth


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
    # The sessions the claim bills (built from sessions): recorded with it, so a session
    # whose minutes only added to another session's line of the day counts as billed.
    session_ids: Sequence[int] = ()


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
    return _amount_for_kx(StoreReads(con).payer_allowed(payer_id), lines)


def _amount_for_kx(allowed: dict[str, Decimal], lines: Iterable[tuple[str, int, Decimal]]
                   ) -> Decimal:
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
    return StoreReads(con).medicare_allowed_ytd(client_id, year, exclude_claim)


@dataclass
class KxYear:
    """One calendar year of a Medicare claim against Medicare's therapy threshold: the
    client's expected allowed amount before this claim (``allowed_ytd``) and this claim's
    (``claim_amount``), the ``threshold`` and ``review_threshold`` used (from the row of
    ``threshold_year``, the year itself when it is on file), and whether KX is due."""

    year: int
    threshold_year: int
    threshold: Decimal
    review_threshold: Decimal | None
    allowed_ytd: Decimal
    claim_amount: Decimal
    kx: bool
    review: bool


def kx_threshold_for(con: Any, year: int) -> dict[str, Any] | None:
    """The ``kx_thresholds`` row for ``year`` (year, threshold, review_threshold); the
    latest year on file before it when ``year`` has none (a new year's amount not entered
    yet); None when no year at or before it is on file."""
    return StoreReads(con).kx_threshold(year)


def kx_years(con: Any, client_id: str, payer_id: int,
             lines: Iterable[tuple[dt.date, str, int, Any]],
             exclude_claim: str | None = None, *, reads: StoreReads | None = None
             ) -> list[KxYear]:
    """A Medicare claim's therapy lines ``(service date, cpt, units, charge)`` against each
    calendar year's KX threshold, per client per year on expected Medicare-allowed amounts
    (:func:`medicare_allowed_ytd` before this claim, :func:`claim_amount_for_kx` of the
    claim's lines of that year): the year of a line's date of service picks the threshold.
    ``reads``: where the store is read (default: a query per question).
    """
    reads = reads or StoreReads(con)
    by_year: dict[int, list[tuple[str, int, Decimal]]] = {}
    for day, cpt, units, charge in lines:
        if is_therapy_code(cpt):
            by_year.setdefault(day.year, []).append((cpt, units, Decimal(charge or 0)))
    found = []
    for year, year_lines in sorted(by_year.items()):
        row = reads.kx_threshold(year)
        if row is None:
            continue
        amount = _amount_for_kx(reads.payer_allowed(payer_id), year_lines)
        ytd = reads.medicare_allowed_ytd(client_id, year, exclude_claim)
        threshold = Decimal(row["threshold"])
        review = None if row["review_threshold"] is None else Decimal(row["review_threshold"])
        found.append(KxYear(year, row["year"], threshold, review, ytd, amount,
                            needs_kx("medicare", ytd, amount, threshold),
                            over_review_threshold("medicare", ytd, amount, review)))
    return found


def day_units_problems(con: Any, client_id: str, rule: str,
                       lines: Sequence[tuple[dt.date | None, str, int, Any]],
                       session_ids: Iterable[int], exclude_claim: str | None = None,
                       *, reads: StoreReads | None = None) -> list[Problem]:
    """Warnings from the client's sessions on the claim's dates of service (the 8-minute
    rule, or the per-code rule, counts the client's whole day: DOMAIN.md).

    A line whose code, with the units of that code already on the client's other claims
    for the date, bills more units than the day's minutes give under ``rule``; and a
    session of one of those days that is on no claim yet and not among ``session_ids``
    (only for a claim built from sessions): its minutes count with this claim's.
    Dates with no session on file are not checked (a claim entered by hand).
    """
    reads = reads or StoreReads(con)
    days = {d for d, *_r in lines if d is not None}
    sessions = reads.day_sessions(client_id, days)
    if not sessions:
        return []
    known = reads.known_codes()
    untimed = untimed_codes(known)
    other = reads.billed_units(client_id, sessions, exclude_claim)
    rule_name = "CMS 8-minute rule" if rule == "cms" else "per-code rule"
    warn: list[Problem] = []
    for i, (day, code, units, _charge) in enumerate(lines):
        if day not in sessions or not units:
            continue
        minutes = day_minutes(s.minutes for s in sessions[day])
        due = billable_units(minutes, rule, untimed=untimed).get(code, 0)
        before = other.get(day, {}).get(code)
        total = units + (before.units if before else 0)
        if total > due:
            timed = sum(m for c, m in minutes.items() if c not in untimed)
            elsewhere = f" ({before.units} already on claim {before.claim_id})" if before else ""
            warn.append(Problem(
                f"Line {i + 1}: {code} on {day} bills {total} unit(s){elsewhere}, but the "
                f"client's sessions that day ({minutes.get(code, 0)} min of {code}, {timed} "
                f"timed min in all) give {due} under the {rule_name}: check the units.",
                "units", i))
    chosen = {int(s) for s in session_ids}
    if chosen:
        for day in sorted(sessions):
            for s in sessions[day]:
                if not s.billed and s.session_id not in chosen:
                    warn.append(Problem(
                        f"Sessions: session {s.session_id} of this client on {day} is on no "
                        "claim yet: the 8-minute rule counts the day's minutes together, so "
                        "bill it on this claim, or next (only the units it adds to the day "
                        "are billed then).", "sessions"))
    return warn


def zero_charge(n: int, cpt: str) -> str:
    """Why a line charged nothing may not be sent (a draft may hold one while it is built)."""
    return (f"line {n} ({cpt}) is charged $0.00: a payer pays nothing on it, and many reject "
            "the whole claim. Enter the line's charge (correct the claim), or add the code's "
            "fee under Settings and build the claim again.")


def _day_held(label: str, day: dt.date, code: str, held: HoldingClaim, source: str) -> str:
    """Why a line whose date and code ``held`` already bills is refused, and what frees it
    by what that claim is now (:func:`metdash.entry.days.freeing_the_day`, as Bill sessions
    says it). A claim of the same import (not on file yet) is one of two rows to merge."""
    row = "row" if source == "import" else "line"
    lead = f"{label}: {code} on {day} for this client is already billed on claim {held.claim_id}"
    if not held.on_file:
        return (f"{lead}, earlier in this file: one date and code on two claims is denied as a "
                f"duplicate, so remove one of the two {row}s, or put the day's units on one.")
    then = "import the file again" if source == "import" else "save this claim again"
    return (f"{lead}, and one date and code on two claims is denied as a duplicate: remove the "
            f"{row}, or change claim {held.claim_id} first. "
            + freeing_the_day(held, day, code, then=then, instead=None))


def check_claim(con: Any, claim: ClaimIn, as_of: dt.date | None = None, *,
                existing: bool = False, reads: StoreReads | None = None) -> ClaimCheck:
    """Every error and warning for a claim (``existing``: it is already saved, e.g. re-check).

    Errors: unknown client/payer/provider/referrer, coverage not active, diagnoses not
    billable or too many, pointers, codes, units, negative charges, future dates, dates
    before the referral or after its expiry, visits used up, timely filing passed without a
    reason, the same client + date + code on another non-voided claim (saying what frees it
    by that claim's status: edit a draft, correct or void a sent claim, send a waiting void,
    ask the payer to reopen a settled one).
    Warnings: no prior authorization where the payer requires one
    (:mod:`metdash.entry.authorization`), a charge off the fee schedule, a modifier the
    payer expects is missing (GP, 59 / XU on an NCCI pair's column-2 code, KX past the
    year's threshold), a Medicare client past the year's targeted medical review amount,
    units above what the client's sessions of the day give (:func:`day_units_problems`),
    the timely-filing deadline within 30 days.

    ``reads``: where the store is read (default: one query per question on ``con``; the
    spreadsheet import passes a :class:`~metdash.entry.claim_reads.BatchReads`).
    """
    as_of = as_of or today()
    reads = reads or StoreReads(con)
    chk = ClaimCheck()
    err, warn = chk.errors, chk.warnings
    cid = (claim.claim_id or "").strip()
    if not cid:
        err.append(Problem("Claim id is missing: enter the claim number (it goes out as "
                           "CLM01).", "claim_id"))
    elif len(cid) > 38 or not re.fullmatch(r"[0-9A-Za-z\-_.]+", cid):
        err.append(Problem(f"Claim id {shown(cid)} must be at most 38 letters, digits, '-', "
                           "'_' or '.' (no spaces).", "claim_id"))
    elif not existing and reads.claim_on_file(cid):
        err.append(Problem(f"Claim id {cid} is already used: give this claim a new number.",
                           "claim_id"))
    text_field(err, claim.timely_filing_reason, "Timely-filing reason", "timely_filing_reason")
    if not reads.client_on_file(claim.client_id):
        err.append(Problem(f"Client {shown(claim.client_id)} is not on file: add the client "
                           "first.", "client_id"))
    payer = None if claim.payer_id is None else reads.payer(claim.payer_id)
    if payer is None:
        err.append(Problem("Payer is not on file: choose the client's payer.", "payer_id"))
    if claim.rendering_provider_id is not None and not reads.provider_on_file(
            claim.rendering_provider_id):
        err.append(Problem("Rendering provider is not on file: choose who saw the client, or "
                           "add them under Settings.", "rendering_provider_id"))
    if claim.referrer_id is not None and not reads.referrer_on_file(claim.referrer_id):
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
    known = reads.known_codes()
    fees = {cpt: {"charge": charge} for cpt, charge in reads.fees().items()}
    # What this client already has on other non-voided claims: (date, code) -> claim id.
    billed = reads.billed_pairs(claim.client_id, cid)
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
        code_bad = cpt_problems(code, known, f"{label}: procedure code")
        err += [Problem(m, "cpt", i) for m in code_bad]
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
        warn += [Problem(f"{label}: modifier {m} is not one metdash knows (such as GP, 59, "
                         "KX or XU): check it for a typo; if the payer asks for it, it "
                         "stands.", "modifiers", i) for m in unknown_modifiers(mods)]
        pos_msg = pos_problem(line.place_of_service, f"{label}: place of service")
        if pos_msg:
            err.append(Problem(pos_msg, "place_of_service", i))
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
                    err.append(Problem(_day_held(label, day, code, reads.holding_claim(
                        dup, day, code), claim.source), "cpt", i))
        if day:
            dates.append(day)
        line_info.append((day, code, units, charge))
        # A charge off the fee schedule is a warning, not an error (none for a code refused
        # above: "9711" was also told it has no fee, a trial saw).
        if charge is not None and units and code and not code_bad:
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
            cov = reads.coverage_on(claim.client_id, day, claim.payer_id, claim.coverage_id)
            if cov is None:
                err.append(Problem(f"Coverage: the client has no {payer['name']} coverage "
                                   f"active on {day}: check the dates of the coverage or the "
                                   "payer.", "coverage_id"))

    # Referral: not before it, not after its expiry, visits left.
    if claim.referral_id is not None:
        ref = reads.referral(claim.referral_id)
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
                used = reads.visits_used(claim.referral_id, cid, dates)
                if used + len(set(dates)) > ref["authorized_visits"]:
                    left = max(ref["authorized_visits"] - used, 0)
                    err.append(Problem(f"Referral: {ref['authorized_visits']} visits authorized, "
                                       f"{used} already billed, {left} left, and this claim has "
                                       f"{len(set(dates))}: ask for more visits.", "referral_id"))

    # Prior authorization the payer requires (CO-197 without it): a warning here, as a draft
    # may wait for it; moving the claim to ready asks why it goes without one.
    auth = claim_authorization(reads, claim.client_id, claim.payer_id, claim.referral_id)
    if auth:
        warn.append(auth)

    # Timely filing: payer's days from the earliest date of service.
    if payer and dates:
        first = min(dates)
        deadline = filing_deadline(first, payer["timely_filing_days"])
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
                                   "submission) or do not bill it. If its contract gives "
                                   "longer, change its timely-filing limit under Settings → "
                                   "Payers first.", "timely_filing_reason"))
            else:
                warn.append(Problem(f"Timely filing: past the deadline {deadline}; the reason "
                                    "recorded goes with the claim.", "timely_filing_reason"))
        elif (deadline - as_of).days <= TIMELY_WARN_DAYS:
            warn.append(Problem(f"Timely filing: the deadline for {payer['name']} is {deadline}"
                                f" ({(deadline - as_of).days} days left): submit it soon.",
                                "timely_filing_reason"))

    # Units against the client's minutes of the day (the 8-minute rule counts the day).
    if payer:
        session_ids = [*claim.session_ids, *(ln.session_id for ln in claim.lines
                                             if ln.session_id is not None)]
        warn += day_units_problems(con, claim.client_id, payer["units_rule"], line_info,
                                   session_ids, cid, reads=reads)

    # Modifiers the payer will expect (missing ones deny as CARC 4): warnings.
    if payer and all(d is not None for d, *_r in line_info) and line_info:
        past: dict[int, KxYear] = {}
        if payer["payer_type"] == "medicare":
            for k in kx_years(con, claim.client_id, payer["payer_id"], line_info, cid,
                              reads=reads):
                if k.kx:
                    past[k.year] = k
                if k.threshold_year != k.year:
                    warn.append(Problem(f"KX: Medicare's threshold for {k.year} is not on file: "
                                        f"{k.threshold_year}'s {fmt_money(k.threshold)} was "
                                        "used.", "modifiers"))
                if k.review:
                    warn.append(Problem(
                        f"Medical review: the client's Medicare therapy for {k.year} comes to "
                        f"{fmt_money(k.allowed_ytd + k.claim_amount)} with this claim, past "
                        f"{fmt_money(k.review_threshold or Decimal(0))}: claims above it may "
                        "be picked for targeted medical review, so the notes must show medical "
                        "necessity.", "charge"))
        wanted = required_modifiers([(d, c) for d, c, *_r in line_info], payer["payer_type"],
                                    kx_years=set(past))
        for i, (line, need) in enumerate(zip(claim.lines, wanted, strict=True)):
            have = parse_modifiers(line.modifiers)
            if "XU" in have and "59" in need:
                need = [m for m in need if m != "59"]
            missing = [m for m in need if m not in have]
            if missing:
                why = ""
                k = past.get(line_info[i][0].year)
                if "KX" in missing and k is not None:
                    why = (f" KX: the client's Medicare allowed amount for {k.year} comes to "
                           f"{fmt_money(k.allowed_ytd + k.claim_amount)} with this claim, past "
                           f"the {k.threshold_year} threshold of {fmt_money(k.threshold)}.")
                warn.append(Problem(f"Line {i + 1}: {payer['name']} expects modifier "
                                    f"{', '.join(missing)} on {normalize_cpt(line.cpt)}: add "
                                    f"it, or the line may be denied (CARC 4).{why}",
                                    "modifiers", i))
    return chk


def validate_claim(con: Any, claim: ClaimIn, as_of: dt.date | None = None) -> list[Problem]:
    """The errors that stop a claim from being saved (see :func:`check_claim`)."""
    return check_claim(con, claim, as_of).errors
