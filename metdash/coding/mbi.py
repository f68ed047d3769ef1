"""The Medicare Beneficiary Identifier (MBI): the member id on a Medicare card since 2020.

CMS's format (cms.gov, "Understanding the Medicare Beneficiary Identifier format"): 11
characters, each position of a fixed kind --

    position  1  2  3  4  5  6  7  8  9  10 11
    kind      C  A  AN N  A  AN N  A  A  N  N

C a digit 1-9, N a digit 0-9, A a letter other than S, L, O, I, B and Z (they read as digits
or as each other), AN either. The card prints it in three groups (1EG4-TE5-MK73); claims carry
it without the dashes. A claim to Medicare under anything else -- most often the old
Social-Security-based HICN, 9 digits and a letter -- is rejected before it is read.
"""

from __future__ import annotations

import re

LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_KINDS = "CAPNAPNAANN"  # P: a letter or a digit
_CLASS = {"C": "[1-9]", "N": "[0-9]", "A": f"[{LETTERS}]", "P": f"[{LETTERS}0-9]"}
_MBI = re.compile("".join(_CLASS[k] for k in _KINDS))
_WORDS = {"C": "a digit 1 to 9", "N": "a digit", "A": "a letter",
          "P": "a letter or a digit"}
# Letters never used, and the digit each is likely a misreading of.
_NEVER = {"S": "5", "L": "1", "O": "0", "I": "1", "B": "8", "Z": "2"}
_HICN = re.compile(r"[0-9]{9}[A-Z][A-Z0-9]?|[A-Z]{1,3}[0-9]{6}(?:[0-9]{3})?")


def normalize_mbi(text: object) -> str:
    """An MBI as a claim carries it: upper case, without the card's dashes and spaces."""
    return re.sub(r"[\s-]+", "", str(text or "")).upper()


def is_mbi(text: object) -> bool:
    return bool(_MBI.fullmatch(normalize_mbi(text)))


def mbi_problem(text: object) -> str | None:
    """A biller's message when ``text`` is not an MBI (dashes and spaces allowed), else None."""
    mbi = normalize_mbi(text)
    if _MBI.fullmatch(mbi):
        return None
    shown = str(text or "").strip()
    ask = "copy it again from the client's Medicare card (as 1EG4-TE5-MK73)."
    if not mbi:
        return f"Medicare member id is missing: {ask}"
    if _HICN.fullmatch(mbi):
        return (f"Medicare member id {shown!r} is an old Health Insurance Claim Number (HICN): "
                "Medicare has refused claims under it since 2020; ask the client for the "
                "Medicare card with the 11-character Medicare Beneficiary Identifier (MBI).")
    if len(mbi) != 11:
        return (f"Medicare member id {shown!r} has {len(mbi)} characters: a Medicare "
                f"Beneficiary Identifier (MBI) has 11; {ask}")
    k, ch = next((i, c) for i, c in enumerate(mbi) if not re.fullmatch(_CLASS[_KINDS[i]], c))
    kind = _KINDS[k]
    why = f"should be {_WORDS[kind]}"
    if ch in _NEVER and kind in "CN":
        why += f" (is the {ch!r} a {_NEVER[ch]}?)"
    elif ch in _NEVER:
        why = ("is a letter an MBI never uses (S, L, O, I, B and Z are left out)"
               + (f": is it the digit {_NEVER[ch]}?" if kind == "P" else ""))
    nth = {1: "1st", 2: "2nd", 3: "3rd"}.get(k + 1, f"{k + 1}th")
    return (f"Medicare member id {shown!r} is not a Medicare Beneficiary Identifier (MBI): "
            f"its {nth} character, {ch!r}, {why}{'' if why.endswith('?') else '.'} "
            f"{ask[0].upper()}{ask[1:]}")


def synthetic_mbi(number: int) -> str:
    """An MBI-shaped id made from ``number`` (distinct numbers below about 2.6e13 give
    distinct ids): for the demo practice and benchmark files, never a real person's."""
    digits, out = number, []
    for kind in _KINDS:
        base = {"C": 9, "N": 10, "A": len(LETTERS), "P": len(LETTERS) + 10}[kind]
        digits, k = divmod(digits, base)
        out.append(str(k + 1) if kind == "C" else str(k) if kind == "N" else
                   (LETTERS + "0123456789")[k])
    return "".join(out)
