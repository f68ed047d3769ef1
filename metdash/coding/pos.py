"""Place of service (POS): where a session happened, as the 837P says it (CLM05-1 for the
claim, SV105 on a line that differs), and the modifier a payer wants on telehealth.

The codes are CMS's place-of-service code set; the project keeps the handful a small
exercise / therapy practice meets, in its own words. A practice picks office (11), the
client's home (12), telehealth (02: not in the client's home; 10: in the client's home), or
another code from :data:`POS_CODES`.

Telehealth modifier: payers differ. Medicare has asked for POS 02 / 10 since 2024 with no
modifier on most therapy lines, while many commercial plans still want modifier 95 on a
synchronous audio-video visit. So it is a payer setting (``payers.telehealth_modifier``:
'95' or none), applied to every telehealth line of that payer's claims. Pure: no store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["DEFAULT_POS", "POS_CHOICES", "POS_CODES", "TELEHEALTH_MODIFIERS", "TELEHEALTH_POS",
           "claim_place_of_service", "missing_telehealth_modifier", "normalize_pos", "pos_label",
           "pos_problem", "telehealth_modifier_problem", "with_telehealth_modifier"]

DEFAULT_POS = "11"
# CMS place-of-service codes a small exercise / therapy practice meets (our words).
POS_CODES: dict[str, str] = {
    "02": "telehealth, not in the client's home",
    "03": "school",
    "04": "homeless shelter",
    "10": "telehealth in the client's home",
    "11": "office",
    "12": "the client's home",
    "13": "assisted living facility",
    "14": "group home",
    "15": "mobile unit",
    "16": "temporary lodging",
    "18": "place of employment (worksite)",
    "19": "off-campus outpatient hospital",
    "22": "on-campus outpatient hospital",
    "31": "skilled nursing facility",
    "32": "nursing facility",
    "33": "custodial care facility",
    "49": "independent clinic",
    "50": "federally qualified health center",
    "62": "comprehensive outpatient rehabilitation facility",
    "71": "public health clinic",
    "72": "rural health clinic",
    "99": "other place of service",
}
# What the session form offers first; "other" is any code of POS_CODES.
POS_CHOICES: tuple[str, ...] = ("11", "12", "02", "10")
TELEHEALTH_POS = frozenset({"02", "10"})
TELEHEALTH_MODIFIERS: tuple[str, ...] = ("95",)


def normalize_pos(value: Any) -> str:
    """A POS as two digits ('2' -> '02', ' 11 ' -> '11', 11 -> '11'); '' when blank."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # 11.0 from a spreadsheet cell
        text = text[:-2]
    return text.zfill(2) if text.isdigit() and len(text) == 1 else text


def pos_label(code: str) -> str:
    """'02 telehealth, not in the client's home' (the code alone when unknown)."""
    return f"{code} {POS_CODES[code]}" if code in POS_CODES else code


def pos_problem(value: Any, label: str = "Place of service") -> str | None:
    """What is wrong with a place of service; None when it is a code of :data:`POS_CODES`."""
    code = normalize_pos(value)
    if code == "":
        return f"{label} is missing: choose where the session happened (11 office)."
    if code in POS_CODES:
        return None
    shown = code if len(code) <= 10 else code[:10] + "…"
    if not (len(code) == 2 and code.isdigit()):
        return (f"{label} {shown!r} is not a place-of-service code: two digits, e.g. 11 "
                "office, 12 home, 02 or 10 telehealth.")
    return (f"{label} {code} is not a place of service metdash knows: use one of "
            f"{', '.join(POS_CODES)} (11 office, 12 home, 02 / 10 telehealth).")


def telehealth_modifier_problem(value: Any) -> str | None:
    """What is wrong with a payer's telehealth modifier ('' or None: none is wanted)."""
    code = "" if value is None else str(value).strip().upper()
    if code == "" or code in TELEHEALTH_MODIFIERS:
        return None
    return (f"Telehealth modifier {code[:10]!r} must be one of "
            f"{', '.join(TELEHEALTH_MODIFIERS)}, or none when the payer wants none.")


def claim_place_of_service(line_pos: Sequence[str]) -> str:
    """CLM05-1: the place of service of most of a claim's lines (the first line's on a
    tie); a line whose place differs names its own in SV105."""
    codes = [normalize_pos(p) or DEFAULT_POS for p in line_pos] or [DEFAULT_POS]
    return max(dict.fromkeys(codes), key=codes.count)


def with_telehealth_modifier(modifiers: Sequence[str], place_of_service: str,
                             payer_modifier: str | None) -> list[str]:
    """A line's modifiers with the payer's telehealth modifier added when the line is
    telehealth (POS 02 / 10), the payer wants one and the line lacks it; unchanged
    otherwise (never more than four: a full line is left for the claim checks to flag)."""
    mods = [str(m).strip().upper() for m in modifiers if str(m).strip()]
    want = (payer_modifier or "").strip().upper()
    if (normalize_pos(place_of_service) in TELEHEALTH_POS and want and want not in mods
            and len(mods) < 4):
        mods.append(want)
    return mods


def missing_telehealth_modifier(modifiers: Sequence[str], place_of_service: str,
                                payer_modifier: str | None, label: str) -> str | None:
    """The problem when a telehealth line still lacks the payer's modifier after
    :func:`with_telehealth_modifier` (its four modifier places were full); else None."""
    want = (payer_modifier or "").strip().upper()
    if normalize_pos(place_of_service) in TELEHEALTH_POS and want and want not in modifiers:
        return (f"{label} is telehealth (POS {normalize_pos(place_of_service)}) and its payer "
                f"wants modifier {want}, but it already has four modifiers: remove one.")
    return None
