"""ICD-10-CM diagnosis codes, checked against the code set shipped by ``simple-icd-10-cm``."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = [
    "MAX_DIAGNOSES", "MAX_POINTERS", "billable_children", "code_set", "describe",
    "diagnoses_problems", "icd10_problems", "normalize_icd10", "pointer_problems",
]


@functools.cache
def code_set() -> ModuleType:
    """The ICD-10-CM code set (``simple_icd_10_cm``), loaded on first use: importing it parses
    the whole code set (~2 s), which every ``metdash`` command and process paid at start,
    checking a diagnosis or not. The app's server loads it before it listens (serve.py), so
    neither a first visit nor a claim form waits for it."""
    import simple_icd_10_cm

    return simple_icd_10_cm

MAX_DIAGNOSES = 12   # 837P HI segment / CMS-1500 box 21 A-L
MAX_POINTERS = 4     # per service line (box 24E)

# A letter, two characters, optionally a dot and 1-4 more (DOMAIN.md).
_FORMAT = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


def normalize_icd10(code: Any) -> str:
    """The code as a claim carries it: upper-case, trimmed, with the dot ('m545' -> 'M54.5').

    Text that does not look like a code is returned trimmed and upper-cased, unchanged.
    """
    text = "" if code is None else re.sub(r"\s+", "", str(code)).upper()
    if not _FORMAT.match(text):
        return text
    bare = text.replace(".", "")
    return bare if len(bare) == 3 else f"{bare[:3]}.{bare[3:]}"


def billable_children(code: str) -> list[str]:
    """The billable (leaf) codes under a header code, in code-set order."""
    code = normalize_icd10(code)
    icd = code_set()
    if not icd.is_valid_item(code):
        return []
    return [d for d in icd.get_descendants(code) if icd.is_leaf(d)]


def describe(code: str) -> str:
    """The code set's short description of a valid code ('' when unknown)."""
    code = normalize_icd10(code)
    icd = code_set()
    return icd.get_description(code) if icd.is_valid_item(code) else ""


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def icd10_problems(code: Any, label: str = "Diagnosis") -> list[str]:
    """Problems with one diagnosis code (empty when it is a billable ICD-10-CM code)."""
    raw = "" if code is None else str(code).strip()
    if not raw:
        return [f"{label} is missing: enter an ICD-10-CM code such as M54.50."]
    text = normalize_icd10(raw)
    if not _FORMAT.match(text):
        return [f"{label} {raw!r} is not an ICD-10-CM code: it is a letter, two characters, "
                "then optionally a dot and up to 4 more (e.g. M54.50)."]
    icd = code_set()
    if not icd.is_valid_item(text):
        return [f"{label} {text} is not in the ICD-10-CM code set: check it against the "
                "referral."]
    if not icd.is_leaf(text):
        children = billable_children(text)
        if len(children) > 8:
            shown = ", ".join(children[:8]) + f" (and {len(children) - 8} more)"
            return [f"{label} {text} is a category, not a billable code: choose a more "
                    f"specific code under it, such as {shown}."]
        return [f"{label} {text} is a category, not a billable code: choose "
                f"{_or_list(children)}."]
    return []


def diagnoses_problems(codes: Sequence[Any], label: str = "Diagnoses") -> list[str]:
    """Problems with a claim's (or referral's) list of diagnoses: each code, count, repeats."""
    problems: list[str] = []
    if not codes:
        return [f"{label}: none given: enter at least one billable ICD-10-CM code."]
    if len(codes) > MAX_DIAGNOSES:
        problems.append(f"{label}: {len(codes)} codes given, a claim holds at most "
                        f"{MAX_DIAGNOSES}: keep the {MAX_DIAGNOSES} most relevant.")
    seen: set[str] = set()
    for i, code in enumerate(codes, start=1):
        problems += icd10_problems(code, label="Diagnosis")
        norm = normalize_icd10(code)
        if norm and norm in seen:
            problems.append(f"Diagnosis {norm} is listed twice: remove the repeat "
                            f"(position {i}).")
        seen.add(norm)
    return problems


def pointer_problems(pointers: Sequence[Any], n_diagnoses: int, label: str = "Line") -> list[str]:
    """Problems with one line's diagnosis pointers (1-based positions into the claim's list)."""
    if not pointers:
        return [f"{label}: no diagnosis pointer: point it at 1 to {max(n_diagnoses, 1)} of "
                "the claim's diagnoses."]
    problems = []
    if len(pointers) > MAX_POINTERS:
        problems.append(f"{label}: {len(pointers)} diagnosis pointers, at most "
                        f"{MAX_POINTERS} allowed: keep the 4 most relevant.")
    for p in pointers:
        try:
            value = int(p)
        except (TypeError, ValueError):
            problems.append(f"{label}: diagnosis pointer {p!r} is not a number: use 1 to "
                            f"{n_diagnoses}.")
            continue
        if not 1 <= value <= n_diagnoses:
            problems.append(f"{label}: diagnosis pointer {value} points at no diagnosis: the "
                            f"claim has {n_diagnoses}, so use 1 to {n_diagnoses}.")
    if len({str(p) for p in pointers}) != len(pointers):
        problems.append(f"{label}: a diagnosis pointer is repeated: list each once.")
    return problems
