"""The procedure codes metdash knows, described in our own words (never the AMA text).

A practice can add its own codes (the ``cpt_codes`` table); :func:`known_codes` merges
them over this list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CPT_CODES", "CptCode", "EVALUATION_CODES", "RE_EVALUATION_CODES", "UNTIMED_CODES",
    "cpt_problems", "known_codes", "normalize_cpt",
]


@dataclass(frozen=True)
class CptCode:
    """One billable procedure code: ``timed`` codes bill in 15-minute units."""

    cpt: str
    description: str
    timed: bool
    is_evaluation: bool = False


CPT_CODES: dict[str, CptCode] = {c.cpt: c for c in (
    CptCode("97110", "Therapeutic exercise: strength, endurance, range of motion, flexibility", True),
    CptCode("97112", "Neuromuscular re-education: balance, coordination, posture, body awareness", True),
    CptCode("97530", "Therapeutic activities: dynamic functional tasks", True),
    CptCode("97116", "Gait training", True),
    CptCode("97140", "Manual therapy", True),
    CptCode("97535", "Self-care and home management training", True),
    CptCode("97150", "Therapeutic procedures in a group (one per session)", False),
    CptCode("97750", "Physical performance test or measurement", True),
    CptCode("97161", "PT evaluation, low complexity", False, True),
    CptCode("97162", "PT evaluation, moderate complexity", False, True),
    CptCode("97163", "PT evaluation, high complexity", False, True),
    CptCode("97164", "PT re-evaluation", False, True),
)}

UNTIMED_CODES = frozenset(c.cpt for c in CPT_CODES.values() if not c.timed)
EVALUATION_CODES = frozenset({"97161", "97162", "97163"})
RE_EVALUATION_CODES = frozenset({"97164"})

_CPT_RE = re.compile(r"^[0-9]{4}[0-9A-Z]$")


def normalize_cpt(code: Any) -> str:
    """The code as stored: trimmed, upper-case ('97110 ' -> '97110'; 99213.0 -> '99213')."""
    if code is None:
        return ""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code).strip().upper()


def known_codes(con: Any = None) -> dict[str, CptCode]:
    """metdash's list, plus (and overridden by) the practice's active ``cpt_codes`` rows.

    ``con`` is an open DuckDB connection, or None for the built-in list alone.
    """
    codes = dict(CPT_CODES)
    if con is not None:
        # On the connection itself: a cursor would not see an open transaction's writes.
        rows = con.execute(
            "SELECT cpt, description, timed, is_evaluation, active FROM cpt_codes"
        ).fetchall()
        for cpt, description, timed, is_eval, active in rows:
            if active:
                codes[cpt] = CptCode(cpt, description, bool(timed), bool(is_eval))
            else:
                codes.pop(cpt, None)
    return codes


def untimed_codes(codes: dict[str, CptCode]) -> set[str]:
    """The codes of ``codes`` (:func:`known_codes`) billed per visit, not by minutes: the
    8-minute rule and the per-code rule leave them out of a day's timed minutes."""
    return {c for c, info in codes.items() if not info.timed}


def cpt_problems(code: Any, known: dict[str, CptCode] | None = None,
                 label: str = "Procedure code") -> list[str]:
    """Problems with one procedure code (empty when it is one the practice bills)."""
    known = CPT_CODES if known is None else known
    text = normalize_cpt(code)
    if not text:
        return [f"{label} is missing: enter a 5-character CPT/HCPCS code such as 97110."]
    if not _CPT_RE.match(text):
        return [f"{label} {text!r} is not a CPT code: CPT codes are 5 characters such as 97110."]
    if text not in known:
        return [f"{label} {text} is not on the practice's code list: add it under Settings, "
                "CPT codes, or correct it."]
    return []
