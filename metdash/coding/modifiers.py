"""Which modifiers a therapy claim line needs (GP, KX, 59/XU), and modifier format checks.

Choices (documented here because payers differ):
- GP goes on every therapy line (codes 97xxx) for Medicare, Medicare Advantage and
  Medicaid payers: Medicare requires it, and most MA and Medicaid plans copy Medicare.
  Commercial payers, workers' comp and auto get no GP by default (the biller can add it).
- KX goes on every therapy line of a Medicare claim once the client's Medicare allowed
  amount for the calendar year of the line's date of service, this claim included, exceeds
  that year's threshold (the ``kx_thresholds`` table: 2025 $2,410, 2026 $2,480, ...); past
  the targeted medical review amount ($3,000) the claim only earns a warning.
- 59 (or XU when the practice prefers it) goes on the column-2 code of an NCCI pair billed
  the same day: 97140 with an evaluation (97161-97163); 97530 with 97140 (DOMAIN.md: "97530
  and 97140 in separate time blocks"; CMS lists the pair as column 1 97140 / column 2
  97530, so the modifier goes on 97530); 97530 or 97150 with a re-evaluation (97164).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from metdash.coding.cpt import EVALUATION_CODES, RE_EVALUATION_CODES

__all__ = [
    "GP_PAYER_TYPES", "KNOWN_MODIFIERS", "MAX_MODIFIERS", "NCCI_PAIRS", "is_therapy_code",
    "modifier_problems", "needs_kx", "over_review_threshold", "parse_modifiers",
    "required_modifiers", "unknown_modifiers",
]

GP_PAYER_TYPES = frozenset({"medicare", "medicare_advantage", "medicaid"})
KX_PAYER_TYPES = frozenset({"medicare"})
MAX_MODIFIERS = 4
# (column-2 code, which takes the distinct-procedure modifier; the column-1 codes that
# trigger it on the same day)
NCCI_PAIRS: tuple[tuple[str, frozenset[str]], ...] = (
    ("97140", EVALUATION_CODES),
    ("97530", RE_EVALUATION_CODES | {"97140"}),   # 97140 / 97530: column 2 is 97530
    ("97150", RE_EVALUATION_CODES),
)
_MODIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")

# The modifiers a claim line of this field carries, with the CPT (Level I) modifiers whole
# (AMA CPT Appendix A) and the HCPCS Level II ones a therapy or exercise practice meets. One
# off the list is only warned about: HCPCS has some 400, and a payer may ask for any.
KNOWN_MODIFIERS = frozenset({
    # CPT Level I
    "22", "23", "24", "25", "26", "27", "32", "33", "47", "50", "51", "52", "53", "54", "55",
    "56", "57", "58", "59", "62", "63", "66", "73", "74", "76", "77", "78", "79", "80", "81",
    "82", "90", "91", "92", "93", "95", "96", "97", "99", "P1", "P2", "P3", "P4", "P5", "P6",
    # distinct procedural service, therapy discipline, therapy threshold and assistants
    "XE", "XP", "XS", "XU", "GP", "GO", "GN", "KX", "CQ", "CO",
    # notices of noncoverage, telehealth, statutory exclusion, demonstration and others
    "GA", "GX", "GY", "GZ", "GT", "GQ", "FQ", "FR", "KH", "KI", "KJ", "KB", "SC",
    "RT", "LT", "TC", "Q5", "Q6", "QW", "GC", "GE", "AT", "AQ", "AR", "CR", "ET", "EP",
    "HA", "HB", "HC", "HD", "HE", "HF", "HG", "HH", "HI", "HJ", "HK", "HM", "HN", "HO",
    "HP", "HQ", "HR", "HS", "HT", "HU", "HV", "HW", "HX", "HY", "HZ", "U1", "U2", "U3",
    "U4", "U5", "U6", "U7", "U8", "U9", "UA", "UB", "UC", "UD", "TF", "TG", "TH", "TT",
    "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "FA", "T1", "T2", "T3", "T4",
    "T5", "T6", "T7", "T8", "T9", "TA", "E1", "E2", "E3", "E4", "AI", "AJ", "AH", "AE",
    "AF", "AG", "AK", "AM", "AS", "SA", "SB", "SE", "SL", "SQ", "SU", "SY", "JW", "JZ",
})


def unknown_modifiers(modifiers: Sequence[str]) -> list[str]:
    """The well-formed modifiers of ``modifiers`` not on :data:`KNOWN_MODIFIERS` (a typo such
    as "ZZ", or one rarely billed here)."""
    return [m for m in modifiers if _MODIFIER_RE.match(m) and m not in KNOWN_MODIFIERS]


def is_therapy_code(cpt: str) -> bool:
    """Physical medicine and rehabilitation codes (97xxx) are the 'always therapy' codes."""
    return cpt.startswith("97")


def parse_modifiers(value: Any) -> list[str]:
    """A line's modifiers from 'GP:59', 'gp, 59', 'GP/CQ', ['GP', '59'] or '' (upper-cased,
    trimmed)."""
    if value is None:
        return []
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet cell
        return []
    if isinstance(value, str):
        parts = re.split(r"[:;,/\s]+", value)
    else:
        parts = [str(v) for v in value]
    return [p.strip().upper() for p in parts if p and p.strip()]


def modifier_problems(modifiers: Sequence[str], label: str = "Line") -> list[str]:
    """Format problems: each modifier two letters/digits, at most 4, no repeats."""
    problems = []
    for m in modifiers:
        if not _MODIFIER_RE.match(m):
            problems.append(f"{label}: modifier {m!r} is not a modifier: modifiers are 2 "
                            "letters or digits, such as GP or 59.")
    if len(modifiers) > MAX_MODIFIERS:
        problems.append(f"{label}: {len(modifiers)} modifiers, at most {MAX_MODIFIERS} fit "
                        "on a line: remove the extra ones.")
    if len(set(modifiers)) != len(modifiers):
        problems.append(f"{label}: a modifier is repeated: list each once.")
    return problems


def needs_kx(payer_type: str, allowed_ytd: Decimal, claim_amount: Decimal,
             threshold: Decimal) -> bool:
    """True when a Medicare claim takes the client past the year's therapy threshold."""
    return payer_type in KX_PAYER_TYPES and Decimal(allowed_ytd) + Decimal(claim_amount) > Decimal(threshold)


def over_review_threshold(payer_type: str, allowed_ytd: Decimal, claim_amount: Decimal,
                          review_threshold: Decimal | None) -> bool:
    """True when a Medicare claim takes the client's allowed amount for the year past the
    targeted medical review amount ($3,000 through 2028): worth a warning, not an error."""
    return (review_threshold is not None and payer_type in KX_PAYER_TYPES
            and Decimal(allowed_ytd) + Decimal(claim_amount) > Decimal(review_threshold))


def required_modifiers(lines: Sequence[tuple[Any, str]], payer_type: str, *,
                       kx: bool = False, kx_years: Collection[int] = (),
                       distinct: str = "59") -> list[list[str]]:
    """The modifiers each line needs, in the order GP, 59/XU, KX.

    ``lines`` is a sequence of ``(service_date, cpt)``; the NCCI pairs are checked among
    lines with the same service date. ``kx`` says whether the whole claim is past the KX
    threshold (see :func:`needs_kx`); ``kx_years`` names the calendar years whose lines are
    (a claim across New Year counts each year against its own threshold). ``distinct`` is
    "59" or "XU".
    """
    if distinct not in ("59", "XU"):
        raise ValueError("distinct must be '59' or 'XU'")
    codes_by_date: dict[Any, set[str]] = {}
    for day, cpt in lines:
        codes_by_date.setdefault(day, set()).add(cpt)
    result = []
    for day, cpt in lines:
        mods: list[str] = []
        therapy = is_therapy_code(cpt)
        if therapy and payer_type in GP_PAYER_TYPES:
            mods.append("GP")
        same_day = codes_by_date[day]
        for code, triggers in NCCI_PAIRS:
            if cpt == code and same_day & triggers:
                mods.append(distinct)
                break
        past = kx or (isinstance(day, dt.date) and day.year in kx_years)
        if therapy and past and payer_type in KX_PAYER_TYPES:
            mods.append("KX")
        result.append(mods)
    return result
